package store

import (
	"path/filepath"
	"testing"
	"time"
)

// TestBackupIsMarked: a backup carries the time it was taken, the live
// store does not, and ForgetRestore clears the mark; seen Message-IDs are
// remembered.
func TestBackupIsMarked(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	s.Close()
	dst := filepath.Join(t.TempDir(), "copy.db")
	before := time.Now()
	if _, err := BackupPath(path, dst); err != nil {
		t.Fatal(err)
	}
	live := open(t, path)
	if _, ok, err := live.RestoredFrom(); ok || err != nil {
		t.Errorf("the live store looks restored (%v)", err)
	}
	live.Close()
	c := open(t, dst)
	defer c.Close()
	at, ok, err := c.RestoredFrom()
	if !ok || err != nil || at.Before(before.Add(-time.Second)) || at.After(time.Now()) {
		t.Fatalf("backup mark %v %v %v", at, ok, err)
	}
	c.Update(func(tx *Tx) error {
		if err := tx.MarkSentSeen("<drp-x@d>"); err != nil {
			return err
		}
		return tx.ForgetRestore()
	})
	c.View(func(tx *Tx) error {
		if !tx.SentSeen("<drp-x@d>") || tx.SentSeen("<drp-y@d>") {
			t.Error("seen ids")
		}
		return nil
	})
	if _, ok, _ := c.RestoredFrom(); ok {
		t.Error("mark not cleared")
	}
}

// TestRecordOutcome: an outcome keeps who has the email; a row with
// recipients still to reach waits, and a retry goes only to them; the
// next row is marked committing in the same transaction; a released row
// is neither counted nor in flight.
func TestRecordOutcome(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	a, b := row("DRP-2026-0001", 1, t0), row("DRP-2026-0001", 2, t0)
	a.To, a.Cc = []string{"x@d.example"}, []string{"y@d.example", "z@d.example"}
	s.Update(func(tx *Tx) error {
		tx.AddOutbox(a)
		return tx.AddOutbox(b)
	})
	batch, err := s.BeginAttempts([]string{a.MessageID, b.MessageID}, "2026-11-02", 10, func(int) time.Time { return t0.Add(time.Minute) })
	if err != nil || len(batch.Begun) != 2 {
		t.Fatal(batch, err)
	}
	err = s.Update(func(tx *Tx) error {
		_, err := tx.Record(Outcome{ID: a.MessageID, At: t0, Delivered: []string{"x@d.example"}, Rejected: []string{"y@d.example: 550 no"}, Retry: true, Err: "451 later"}, b.MessageID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		ra, _ := tx.Outboxed(a.MessageID)
		if got := ra.Recipients("shared@d.example"); len(got) != 2 || got[0] != "z@d.example" || got[1] != "shared@d.example" {
			t.Errorf("still to reach: %q", got)
		}
		if ra.InFlight || ra.Committing || !ra.Sent.IsZero() || !ra.NextAttempt.Equal(t0.Add(time.Minute)) {
			t.Errorf("retried row %+v", ra)
		}
		if rb, _ := tx.Outboxed(b.MessageID); !rb.Committing || !rb.InFlight {
			t.Errorf("next row not committing: %+v", rb)
		}
		return nil
	})
	s.Update(func(tx *Tx) error { return tx.Release(b.MessageID, t0, "gone") })
	s.View(func(tx *Tx) error {
		if rb, _ := tx.Outboxed(b.MessageID); rb.Committing || rb.InFlight || rb.Attempts != 0 || !rb.NextAttempt.Equal(t0) {
			t.Errorf("released row %+v", rb)
		}
		return nil
	})
	s.Update(func(tx *Tx) error {
		_, err := tx.Record(Outcome{ID: a.MessageID, At: t0, Delivered: []string{"z@d.example"}}, "")
		return err
	})
	s.View(func(tx *Tx) error {
		if ra, _ := tx.Outboxed(a.MessageID); ra.Sent.IsZero() || len(ra.Delivered) != 2 || len(ra.Rejected) != 1 || tx.OutboxLen() != 1 {
			t.Errorf("finished row %+v", ra)
		}
		return nil
	})
}

// TestRecoverInFlight: what a dead process left in flight is due again at
// once; a row that never reached its dot gets its attempt back, one that
// was committing stays committing for the sender to settle.
func TestRecoverInFlight(t *testing.T) {
	s := open(t, tmpPath(t))
	defer s.Close()
	a, b, c := row("DRP-2026-0001", 1, t0), row("DRP-2026-0001", 2, t0), row("DRP-2026-0001", 3, t0)
	s.Update(func(tx *Tx) error {
		tx.AddOutbox(a)
		tx.AddOutbox(b)
		return tx.AddOutbox(c)
	})
	later := t0.Add(time.Hour)
	if _, err := s.BeginAttempts([]string{a.MessageID, b.MessageID}, "2026-11-02", 10, func(int) time.Time { return later }); err != nil {
		t.Fatal(err)
	}
	s.Update(func(tx *Tx) error { return tx.MarkCommitting(b.MessageID) })
	now := t0.Add(time.Minute)
	if n, err := s.RecoverInFlight(now); n != 2 || err != nil {
		t.Fatalf("recovered %d (%v)", n, err)
	}
	due, _ := s.OutboxDue(now, 10)
	if len(due) != 3 {
		t.Fatalf("%d due", len(due))
	}
	for _, r := range due {
		switch r.MessageID {
		case a.MessageID:
			if r.InFlight || r.Committing || r.Attempts != 0 {
				t.Errorf("never at its dot: %+v", r)
			}
		case b.MessageID:
			if !r.Committing || r.Attempts != 1 {
				t.Errorf("committing: %+v", r)
			}
		}
	}
}
