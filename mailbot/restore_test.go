package mailbot

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drpbot/drpbot/store"
)

// TestRestoreDoesNotResend: back up the store, send ten acknowledgements,
// restore the backup as the README says (stop, copy it over store.path,
// start): the watcher reads the ten alerts again and queues the same ten
// emails, and none is sent again: drpbot found them in the shared mailbox.
func TestRestoreDoesNotResend(t *testing.T)     { restoreNoResend(t, false) }
func TestRestoreDoesNotResendReal(t *testing.T) { restoreNoResend(t, true) }

func restoreNoResend(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.at(2, 9)
	path := w.cfg.Path(w.cfg.Store.Path)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := w.bot.Store().BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkBackup(backup, time.Now()); err != nil {
		t.Fatal(err)
	}
	const n = 10
	for i := 0; i < n; i++ {
		child := fmt.Sprintf("90%05d", i)
		alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 1 - "+child, fmt.Sprintf("<restore%d@drpbot.test>", i), "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nx")
		if err := submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, alert); err != nil {
			t.Fatal(err)
		}
	}
	w.ms.waitFor(t, addrOf("lac"), n)
	w.sync(t)
	if got := w.ms.waitFor(t, addrOf("iro"), n); len(got) != n {
		t.Fatalf("%d acknowledgements before the restore", len(got))
	}
	w.ms.waitFor(t, addrOf("lac"), 2*n) // the shared mailbox's copies

	// Restore: stop, copy the backup over the store, start.
	w.bot.Store().Close()
	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := New(w.cfg, st, w.bot.log)
	if err != nil {
		t.Fatal(err)
	}
	b.Now = w.bot.Now
	w.bot = b
	w.sync(t)
	time.Sleep(300 * time.Millisecond) // anything resent has arrived by now
	seen := map[string]int{}
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		seen[f.MessageID]++
	}
	if len(seen) != n {
		t.Errorf("%d distinct acknowledgements for %d alerts", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s received %d times", id, k)
		}
	}
	queued := 0
	st.View(func(tx *store.Tx) error {
		if tx.OutboxLen() != 0 {
			t.Errorf("outbox holds %d", tx.OutboxLen())
		}
		return tx.History(func(r store.OutboxRow) error {
			queued++
			return nil
		})
	})
	if queued != n {
		t.Errorf("the restored store queued %d emails again, want %d (the test shows nothing if none were queued)", queued, n)
	}
	if _, ok, _ := st.RestoredFrom(); ok {
		t.Error("the restore mark was not cleared")
	}
}
