package store

import (
	"path/filepath"
	"testing"
)

// TestInstance: a store's instance id is made once, survives a restart,
// and travels with a backup (a restored store's own mail stays its own);
// another store has another.
func TestInstance(t *testing.T) {
	path := tmpPath(t)
	s := open(t, path)
	in := s.Instance()
	if len(in.ID) != 16 || in.Created.IsZero() {
		t.Fatalf("instance %+v", in)
	}
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	if got := s.Instance(); got != in {
		t.Errorf("after a restart: %+v, want %+v", got, in)
	}
	s.Close()
	b := open(t, copyPath)
	if got := b.Instance(); got != in {
		t.Errorf("restored from a backup: %+v, want %+v", got, in)
	}
	b.Close()
	o := open(t, tmpPath(t))
	if o.Instance().ID == in.ID {
		t.Error("two stores share an instance id")
	}
	o.Close()
}
