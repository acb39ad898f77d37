package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Instance is this store's identity: a random id made when the file is
// first opened by a drpbot that knows of it, and that moment. drpbot puts
// the id in every email it sends (X-DRPBot-Instance), so that a copy of
// another drpbot's email in the shared mailbox (a copied config running on
// a second server, double-sending) is told apart from its own. A restored
// backup keeps the id, so its own emails stay its own.
type Instance struct {
	ID      string
	Created time.Time
}

var (
	instanceKey = []byte("instance")
	createdKey  = []byte("instance_created")
)

// ensureInstance gives the file an instance id when it has none.
func (s *Store) ensureInstance() error {
	has := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		has = len(tx.Bucket(bMeta).Get(instanceKey)) > 0
		return nil
	}); err != nil || has {
		return err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("store: instance id: %w", err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if len(m.Get(instanceKey)) > 0 {
			return nil
		}
		if err := m.Put(instanceKey, []byte(hex.EncodeToString(b[:]))); err != nil {
			return err
		}
		return m.Put(createdKey, u64(uint64(time.Now().UnixNano())))
	})
}

// Instance returns the store's identity.
func (s *Store) Instance() Instance {
	var in Instance
	_ = s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		in.ID = string(m.Get(instanceKey))
		if v := m.Get(createdKey); len(v) == 8 {
			in.Created = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
		}
		return nil
	})
	return in
}
