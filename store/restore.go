package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A backup carries the time it was taken (meta "backup_taken"). The live
// store never has it, so a store that does was restored from a backup, and
// whatever drpbot sent after that time is unknown to it: the sender looks
// in the shared mailbox for its own Message-IDs before sending anything
// (see mailbot's reconcileRestore), then ForgetRestore clears the mark.
var (
	keyBackupTaken = []byte("backup_taken")
	bSentSeen      = []byte("sentseen") // Message-ID -> nil: found in the shared mailbox after a restore
)

// MarkBackup stamps the backup file at path with the time it was taken.
func MarkBackup(path string, at time.Time) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: mark backup %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		return m.Put(keyBackupTaken, []byte(at.UTC().Format(time.RFC3339Nano)))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: mark backup %s: %w", path, err)
	}
	return nil
}

// RestoredFrom returns when the backup this store was restored from was
// taken; ok is false for a store that is not a restored backup, or whose
// restore has been reconciled.
func (s *Store) RestoredFrom() (at time.Time, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return nil
		}
		v := m.Get(keyBackupTaken)
		if v == nil {
			return nil
		}
		at, err = time.Parse(time.RFC3339Nano, string(v))
		ok = err == nil
		return err
	})
	return at, ok, err
}

// ForgetRestore clears the restore mark once the shared mailbox has been
// searched.
func (t *Tx) ForgetRestore() error {
	return t.tx.Bucket(bMeta).Delete(keyBackupTaken)
}

// MarkSentSeen records that an email with Message-ID id is already in the
// shared mailbox (sent before a restore): it is never sent again.
func (t *Tx) MarkSentSeen(id string) error {
	b, err := t.tx.CreateBucketIfNotExists(bSentSeen)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), nil)
}

// SentSeen reports whether MarkSentSeen recorded id.
func (t *Tx) SentSeen(id string) bool {
	b := t.tx.Bucket(bSentSeen)
	return b != nil && b.Get([]byte(id)) != nil
}
