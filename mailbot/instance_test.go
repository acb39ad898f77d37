package mailbot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/store"
)

// TestSecondStoreOnMailbox: a second drpbot with a store of its own is
// started on the same shared mailbox (a copied config on another server).
// It switches on (a fresh store on a mailbox with history must: an import
// that sends nothing), both acknowledge the next new alert, and the first
// drpbot, seeing the second's email in the mailbox, says so loudly: an
// ERROR and a red /healthz naming both instances.
func TestSecondStoreOnMailbox(t *testing.T)     { secondStore(t, false) }
func TestSecondStoreOnMailboxReal(t *testing.T) { secondStore(t, true) }

func secondStore(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.bot.Now = time.Now // the stores' creation times are wall-clock times
	// Date headers count whole seconds: what follows is sent in a later
	// second than the first store was made in.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	w.now = time.Now()
	raise(t, w, "<second1@drpbot.test>", "3300001") // the first drpbot acknowledges it
	if p := w.bot.healthProblems(); len(p) != 0 {
		t.Fatalf("one drpbot alone is unhealthy: %q", p)
	}

	st2, err := store.Open(filepath.Join(t.TempDir(), "second.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	logs2 := &syncBuffer{}
	b2, err := New(w.cfg, st2, slog.New(slog.NewTextHandler(logs2, nil)))
	if err != nil {
		t.Fatal(err)
	}
	b2.Now = time.Now
	if st2.Instance().ID == w.bot.Store().Instance().ID || st2.Instance().ID == "" {
		t.Fatalf("instance ids %q and %q", st2.Instance().ID, w.bot.Store().Instance().ID)
	}
	// The second switches on over the mailbox: its first sync imports the
	// history, the first drpbot's acknowledgement among it, sends nothing
	// about it and does not complain.
	if _, err := b2.Sync(context.Background()); err != nil {
		t.Fatalf("second drpbot's switch-on: %v", err)
	}
	if p := b2.healthProblems(); len(p) != 0 {
		t.Errorf("a fresh store on a mailbox with history is unhealthy: %q", p)
	}
	// A new alert arrives and both drpbots acknowledge it: the
	// double-sending this is about.
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 1 - 3300002", "<second2@drpbot.test>", "", time.Now(), "Child ID: 3300002\nFORMAL STAGE 1\nPlease review the plan.")
	w.ms.send(t, addrOf("iro"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := b2.Sync(context.Background()); err != nil {
			t.Fatalf("second drpbot's sync: %v", err)
		}
		var refs []string
		st2.View(func(tx *store.Tx) error { refs = tx.ByChild("3300002"); return nil })
		if len(refs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second drpbot never read the new alert")
		}
	}
	if _, failed, err := b2.Drain(context.Background(), time.Now()); err != nil || failed > 0 {
		t.Fatalf("second drpbot's drain: %d failed, %v", failed, err)
	}
	w.now = time.Now()
	w.sync(t) // the first acknowledges it too
	w.ms.waitFor(t, addrOf("iro"), 3)
	// The first then reads the second's acknowledgement in the mailbox.
	for deadline := time.Now().Add(30 * time.Second); len(w.bot.unhealthy()) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		w.now = time.Now()
		w.sync(t)
	}
	p := strings.Join(w.bot.unhealthy(), "\n")
	if !strings.Contains(p, "another drpbot (store instance "+st2.Instance().ID+")") {
		t.Errorf("/healthz does not name the second drpbot: %q", p)
	}
	if !strings.Contains(w.logs.String(), `level=ERROR msg="another drpbot is sending from this mailbox; stop one of them"`) {
		t.Error("no ERROR in the log")
	}
}
