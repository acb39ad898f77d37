package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// tickDry runs one scheduler pass at now on a private copy of the store
// and prints what it would send: nothing is sent and the store itself is
// not touched, so `tick --now` on a live config can never email anyone
// about a time that has not come (`--send` does it for real).
func tickDry(cfgPath string, now time.Time, stdout, stderr io.Writer) int {
	c, err := config.Load(cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "drpbot-tick-")
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := store.BackupPath(c.Path(c.Store.Path), copyPath); err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	st, err := store.Open(copyPath)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	defer st.Close()
	b, err := mailbot.New(c, st, newLogger(c, stderr))
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	far := now.AddDate(100, 0, 0)
	waiting := map[string]bool{}
	before, err := st.OutboxDue(far, 1<<30)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	for _, r := range before {
		waiting[r.MessageID] = true
	}
	n, err := b.Tick(now)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	after, err := st.OutboxDue(far, 1<<30)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "tick at %s would queue %d emails (nothing sent, the store unchanged; --send to do it):\n", now.Format(time.RFC3339), n)
	for _, r := range after {
		if waiting[r.MessageID] {
			continue
		}
		line := fmt.Sprintf("  %s %s to %s", r.Ref, r.Purpose, strings.Join(r.To, ","))
		if len(r.Cc) > 0 {
			line += " cc " + strings.Join(r.Cc, ",")
		}
		fmt.Fprintf(stdout, "%s: %s\n", line, r.Subject)
	}
	return 0
}
