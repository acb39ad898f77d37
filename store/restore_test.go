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
