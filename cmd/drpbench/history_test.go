package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/sandbox"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// TestHistoryImport: the generated history, imported by drpbot, gives
// exactly the ground truth the generator states, and queues nothing but
// the summary (a generator drpbot disagreed with would make the bench's
// check meaningless).
func TestHistoryImport(t *testing.T) {
	cal, _ := workdays.New(workdays.EnglandWales, nil)
	end := time.Now()
	msgs, truths := history(5, 600, 60, end, false, cal)
	states := map[string]int{}
	for _, tr := range truths {
		states[tr.status]++
	}
	if states["resolved"] < 30 || states["open"] < 5 || states["closed"] == 0 || states["responded"] == 0 {
		t.Errorf("outcomes %v: want most resolved and some of each", states)
	}
	sb, err := sandbox.Start(map[string]string{"lac@drpbot.test": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if _, err := fill(sb.IMAPAddr, "lac@drpbot.test", "pw", msgs); err != nil {
		t.Fatal(err)
	}
	e := &env{imap: sb.IMAPAddr, smtp: sb.SMTPAddr, password: "pw"}
	dir := t.TempDir()
	db := filepath.Join(dir, "drpbot.db")
	cfgPath, err := e.writeConfig(dir, botConfig{user: "lac@drpbot.test", store: db})
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mailbot.New(c, st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Import(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	queued, exact, bad, err := checkImport(db, truths, cal)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0] != "onboarding" {
		t.Errorf("queued %v, want the summary alone", queued)
	}
	if exact != len(truths) {
		t.Errorf("%d of %d exact; %v", exact, len(truths), bad[:min(len(bad), 5)])
	}
}
