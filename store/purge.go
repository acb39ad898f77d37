package store

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/drpbot/drpbot/mailbot/engine"
)

// Purge deletes every dispute closed before cutoff with all it owns: its
// audit trail, its index entries (Message-IDs, conversations, child
// reference, due time) and its outbox history. A child's data is not kept
// for ever. It reads only the closed index up to cutoff, and returns how
// many disputes went.
func (s *Store) Purge(cutoff time.Time) (int, error) {
	var keys [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bClosed).Cursor()
		for k, _ := c.First(); k != nil && int64(binary.BigEndian.Uint64(k[:8])) < cutoff.UnixNano(); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	total := 0
	// In batches, so one purge never holds the writer for long.
	for len(keys) > 0 {
		n := min(len(keys), 500)
		batch := keys[:n]
		keys = keys[n:]
		if err := s.db.Update(func(tx *bolt.Tx) error {
			for _, k := range batch {
				ref := k[8:]
				if v := tx.Bucket(bDisputes).Get(ref); v != nil {
					var d engine.Dispute
					if err := json.Unmarshal(v, &d); err != nil {
						continue // unreadable: keep, never delete what we cannot read
					}
					// The dispute, not the index, decides.
					if d.Status.Done() && !d.Closed.IsZero() && d.Closed.Before(cutoff) {
						if err := purgeOne(tx, string(ref)); err != nil {
							return err
						}
						total++
					}
				}
				if err := tx.Bucket(bClosed).Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
	}
	return total, nil
}

func purgeOne(tx *bolt.Tx, ref string) error {
	key := []byte(ref)
	if owned := tx.Bucket(bOwned).Bucket(key); owned != nil {
		var keys []string
		_ = owned.ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
		for _, k := range keys {
			kind, v, _ := strings.Cut(k, ":")
			var err error
			switch kind {
			case "c":
				err = tx.Bucket(bChildren).Delete([]byte(v))
			case "m":
				err = tx.Bucket(bMsgIDs).Delete([]byte(v))
			case "t":
				err = tx.Bucket(bThreads).Delete([]byte(v))
			case "o":
				if row, ok, _ := getRow(tx.Bucket(bOutbox), v); ok {
					err = tx.Bucket(bOutboxDue).Delete(timeKey(row.NextAttempt, v))
					if err == nil {
						err = tx.Bucket(bOutbox).Delete([]byte(v))
					}
				}
				if err == nil {
					err = tx.Bucket(bHistory).Delete([]byte(v))
				}
			}
			if err != nil {
				return err
			}
		}
		if err := tx.Bucket(bOwned).DeleteBucket(key); err != nil {
			return err
		}
	}
	if tx.Bucket(bEvents).Bucket(key) != nil {
		if err := tx.Bucket(bEvents).DeleteBucket(key); err != nil {
			return err
		}
	}
	if old := tx.Bucket(bDueOf).Get(key); old != nil {
		if err := tx.Bucket(bDue).Delete(old); err != nil {
			return err
		}
		if err := tx.Bucket(bDueOf).Delete(key); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bOpen).Delete(key); err != nil {
		return err
	}
	return tx.Bucket(bDisputes).Delete(key)
}
