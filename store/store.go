// Package store is the only place dispute state lives: one bbolt file with
// the disputes, their append-only audit trail, the indexes that find a
// dispute from a Message-ID, an Exchange conversation or a child reference,
// the due index a tick reads, the outbox and the mailbox checkpoints.
//
// Every state change and the emails it causes are written in one
// transaction (Update), so a crash at any point loses nothing and sends
// nothing twice: either both are on disk or neither is.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

// Sentinel errors; test with errors.Is.
var (
	ErrNotFound  = errors.New("store: dispute not found")
	ErrDuplicate = errors.New("store: outbox row already exists")
	ErrLocked    = errors.New("store: file is in use by another drpbot")
	ErrNewer     = errors.New("store: file was written by a newer drpbot")
)

// Schema is the layout version this code writes; migrations bring older
// files up to it on Open.
const Schema = 2

// migrations[i] upgrades a file at version i to i+1. Version 0 is a new file.
var migrations = []func(tx *bolt.Tx) error{
	0: func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 2: the open and closed indexes, so that what walks the open disputes
	// (digest, status) or the long-closed ones (purge) reads only those.
	1: func(tx *bolt.Tx) error {
		open, err := tx.CreateBucketIfNotExists(bOpen)
		if err != nil {
			return err
		}
		closed, err := tx.CreateBucketIfNotExists(bClosed)
		if err != nil {
			return err
		}
		return tx.Bucket(bDisputes).ForEach(func(_, v []byte) error {
			var d engine.Dispute
			if json.Unmarshal(v, &d) != nil {
				return nil // unreadable: in neither, as Purge always left it
			}
			return indexStatus(open, closed, d)
		})
	},
}

var (
	bMeta       = []byte("meta")
	bDisputes   = []byte("disputes")   // ref -> JSON engine.Dispute
	bEvents     = []byte("events")     // ref -> bucket: seq -> JSON Event
	bMsgIDs     = []byte("msgids")     // Message-ID -> ref ("" when the message concerns no dispute)
	bThreads    = []byte("threads")    // Exchange conversation (hex) -> ref
	bChildren   = []byte("children")   // child ref \x00 dispute ref -> nil
	bDue        = []byte("due")        // next action (8-byte ns) + ref -> nil
	bDueOf      = []byte("dueof")      // ref -> its key in due
	bOwned      = []byte("owned")      // ref -> bucket of index keys it owns, for purging
	bOutbox     = []byte("outbox")     // Message-ID -> JSON OutboxRow, waiting
	bOutboxDue  = []byte("outboxdue")  // next attempt (8-byte ns) + Message-ID -> nil
	bHistory    = []byte("history")    // Message-ID -> JSON OutboxRow, sent or failed for good
	bCheckpoint = []byte("checkpoint") // folder -> JSON Checkpoint
	bRejects    = []byte("rejects")    // folder/uidvalidity/uid -> JSON Reject
	bOpen       = []byte("open")       // ref -> JSON brief, while the dispute is not closed
	bClosed     = []byte("closed")     // closing time (8-byte ns) + ref -> nil
	allBuckets  = [][]byte{bMeta, bDisputes, bEvents, bMsgIDs, bThreads, bChildren, bDue, bDueOf, bOwned, bOutbox, bOutboxDue, bHistory, bCheckpoint, bRejects, bOpen, bClosed}
)

// Store is an open store. It is safe for concurrent use; bbolt serialises
// writers.
type Store struct {
	db *bolt.DB
}

// Open opens or creates the file at path (mode 0600). A file another
// process holds fails within a second with ErrLocked rather than hanging.
// A damaged file (empty, cut short, pages that do not read; see
// integrity.go) fails with ErrDamaged and the restore command: it is never
// taken for a new store.
func Open(path string) (*Store, error) {
	size, bothMetas, err := preflight(path)
	if err != nil {
		return nil, err
	}
	db, err := openBolt(path)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// bbolt creates with the mode given, but an existing file keeps its own:
	// a child's data is nobody else's business.
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: chmod %s: %w", path, err)
	}
	if err := checkSchema(db, path); err != nil {
		db.Close()
		return nil, err
	}
	if size > 0 && size <= FullCheckLimit {
		if err := checkPages(db, path, bothMetas); err != nil {
			db.Close()
			return nil, err
		}
		// Open again: the check mapped every page of the file, and a
		// fresh map holds none of them (the daemon's resident memory
		// stays what it reads, not the whole file).
		db.Close()
		if db, err = openBolt(path); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.ensureInstance(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// schemaOf is the file's layout version, 0 for a new file.
func schemaOf(tx *bolt.Tx) int {
	if m := tx.Bucket(bMeta); m != nil {
		if b := m.Get([]byte("schema")); len(b) == 8 {
			return int(binary.BigEndian.Uint64(b))
		}
	}
	return 0
}

func (s *Store) migrate() error {
	// A file already at this schema is opened without a write (and the
	// disk sync that comes with one).
	current := false
	if err := s.db.View(func(tx *bolt.Tx) error { current = schemaOf(tx) == Schema; return nil }); err != nil || current {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		v := schemaOf(tx)
		if v > Schema {
			return fmt.Errorf("%w: schema %d, this drpbot knows %d", ErrNewer, v, Schema)
		}
		for ; v < Schema; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("store: migrate %d -> %d: %w", v, v+1, err)
			}
		}
		return tx.Bucket(bMeta).Put([]byte("schema"), u64(uint64(Schema)))
	})
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file's path.
func (s *Store) Path() string { return s.db.Path() }

// Tx is one transaction. Its methods may only be used inside the function
// given to Update or View.
type Tx struct {
	tx *bolt.Tx
}

// Update runs fn in a read-write transaction: everything fn writes is
// committed together, or nothing when fn returns an error.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx}) })
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func timeKey(t time.Time, suffix string) []byte {
	k := make([]byte, 8, 8+len(suffix))
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	return append(k, suffix...)
}

// NewRef allocates the next tracking reference for the year of at
// (DRP-2026-0042); numbers restart each year.
func (t *Tx) NewRef(at time.Time) (string, error) {
	year := at.Year()
	key := []byte(fmt.Sprintf("seq/%d", year))
	m := t.tx.Bucket(bMeta)
	var n uint64
	if b := m.Get(key); len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	if err := m.Put(key, u64(n)); err != nil {
		return "", err
	}
	return fmt.Sprintf("DRP-%d-%04d", year, n), nil
}

// Dispute reads one dispute.
func (t *Tx) Dispute(ref string) (engine.Dispute, error) {
	var d engine.Dispute
	b := t.tx.Bucket(bDisputes).Get([]byte(ref))
	if b == nil {
		return d, fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("store: dispute %s: %w", ref, err)
	}
	return d, nil
}

// PutDispute writes d and keeps its indexes: the child reference and the
// due index at next (the zero time removes it from the due index).
func (t *Tx) PutDispute(d engine.Dispute, next time.Time) error {
	if d.Ref == "" {
		return errors.New("store: dispute without a reference")
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	ref := []byte(d.Ref)
	if err := t.tx.Bucket(bDisputes).Put(ref, b); err != nil {
		return err
	}
	if err := indexStatus(t.tx.Bucket(bOpen), t.tx.Bucket(bClosed), d); err != nil {
		return err
	}
	if d.ChildRef != "" {
		if err := t.tx.Bucket(bChildren).Put([]byte(d.ChildRef+"\x00"+d.Ref), nil); err != nil {
			return err
		}
		if err := t.own(d.Ref, "c", d.ChildRef+"\x00"+d.Ref); err != nil {
			return err
		}
	}
	due, dueOf := t.tx.Bucket(bDue), t.tx.Bucket(bDueOf)
	if old := dueOf.Get(ref); old != nil {
		if err := due.Delete(old); err != nil {
			return err
		}
	}
	if next.IsZero() {
		return dueOf.Delete(ref)
	}
	k := timeKey(next, d.Ref)
	if err := due.Put(k, nil); err != nil {
		return err
	}
	return dueOf.Put(ref, k)
}

// brief is what the open index keeps of a dispute: what the digest, a
// Status query and list --open read, so that they read a few contiguous
// pages instead of a page of the dispute bucket per open case.
type brief struct {
	ChildRef   string        `json:"c,omitempty"`
	Instigator string        `json:"i,omitempty"`
	Team       string        `json:"t,omitempty"`
	Stage      int           `json:"s"`
	Respondent string        `json:"r,omitempty"`
	Cover      string        `json:"v,omitempty"`
	Status     engine.Status `json:"st"`
	Due        workdays.Date `json:"d"`
}

// indexStatus files d under open, with its brief, or, once closed, under
// its closing time.
func indexStatus(open, closed *bolt.Bucket, d engine.Dispute) error {
	ref := []byte(d.Ref)
	if !d.Status.Done() {
		v, err := json.Marshal(brief{ChildRef: d.ChildRef, Instigator: d.Instigator, Team: d.Team, Stage: d.Stage,
			Respondent: d.Respondent, Cover: d.Cover, Status: d.Status, Due: d.Due})
		if err != nil {
			return err
		}
		return open.Put(ref, v)
	}
	if err := open.Delete(ref); err != nil {
		return err
	}
	if d.Closed.IsZero() {
		return nil // done without a closing time: never purged
	}
	return closed.Put(timeKey(d.Closed, d.Ref), nil)
}

// own records that ref owns an index entry, so Purge can remove it.
func (t *Tx) own(ref, kind, key string) error {
	b, err := t.tx.Bucket(bOwned).CreateBucketIfNotExists([]byte(ref))
	if err != nil {
		return err
	}
	return b.Put([]byte(kind+":"+key), nil)
}

// Due lists the disputes whose next action is at or before now, reading
// only those entries of the due index.
func (t *Tx) Due(now time.Time) []string {
	var out []string
	c := t.tx.Bucket(bDue).Cursor()
	limit := uint64(now.UnixNano())
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k[:8]) <= limit; k, _ = c.Next() {
		out = append(out, string(k[8:]))
	}
	return out
}

// NextDue is the earliest next action of any dispute, zero when none.
func (t *Tx) NextDue() time.Time {
	k, _ := t.tx.Bucket(bDue).Cursor().First()
	if k == nil {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
}

// ForEachSince calls fn, in reference order, for every dispute still open
// or closed at or after from: what a report on a period starting at from
// can need, read without the older history.
func (t *Tx) ForEachSince(from time.Time, fn func(engine.Dispute) error) error {
	refs := map[string]bool{}
	_ = t.tx.Bucket(bOpen).ForEach(func(k, _ []byte) error { refs[string(k)] = true; return nil })
	c := t.tx.Bucket(bClosed).Cursor()
	for k, _ := c.Seek(timeKey(from, "")); k != nil; k, _ = c.Next() {
		refs[string(k[8:])] = true
	}
	sorted := make([]string, 0, len(refs))
	for ref := range refs {
		sorted = append(sorted, ref)
	}
	sort.Strings(sorted)
	for _, ref := range sorted {
		d, err := t.Dispute(ref)
		if errors.Is(err, ErrNotFound) {
			continue // a stale closed entry
		}
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

// ForEachOpenBrief calls fn for every dispute not yet closed, in reference
// order, with only these fields set: Ref, ChildRef, Instigator, Team,
// Stage, Respondent, Cover, Status and Due. It reads the open index alone.
func (t *Tx) ForEachOpenBrief(fn func(engine.Dispute) error) error {
	return t.tx.Bucket(bOpen).ForEach(func(k, v []byte) error {
		var b brief
		if len(v) == 0 || json.Unmarshal(v, &b) != nil {
			d, err := t.Dispute(string(k)) // no brief: read the dispute
			if err != nil {
				return err
			}
			return fn(d)
		}
		return fn(engine.Dispute{Ref: string(k), ChildRef: b.ChildRef, Instigator: b.Instigator, Team: b.Team, Stage: b.Stage,
			Respondent: b.Respondent, Cover: b.Cover, Status: b.Status, Due: b.Due})
	})
}

// ForEachDispute calls fn for every dispute, in reference order.
func (t *Tx) ForEachDispute(fn func(engine.Dispute) error) error {
	return t.tx.Bucket(bDisputes).ForEach(func(k, v []byte) error {
		var d engine.Dispute
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("store: dispute %s: %w", k, err)
		}
		return fn(d)
	})
}

// ByChild lists the disputes about a child, oldest first.
func (t *Tx) ByChild(childRef string) []string {
	var out []string
	prefix := []byte(childRef + "\x00")
	c := t.tx.Bucket(bChildren).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// Event is one entry of a dispute's audit trail: what arrived or was
// decided, when, from whom, with the Message-ID. It holds no email body.
type Event struct {
	Seq       uint64    `json:"seq"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	From      string    `json:"from,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Stage     int       `json:"stage"`
	Command   string    `json:"command,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	// Text is what a response or note said (its own new text, the child's
	// name redacted), for `show` and the audit trail.
	Text string `json:"text,omitempty"`
}

// AppendEvent adds e to ref's audit trail and returns its sequence number.
func (t *Tx) AppendEvent(ref string, e Event) (uint64, error) {
	b, err := t.tx.Bucket(bEvents).CreateBucketIfNotExists([]byte(ref))
	if err != nil {
		return 0, err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	e.Seq = seq
	v, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	return seq, b.Put(u64(seq), v)
}

// Events returns ref's audit trail in order.
func (t *Tx) Events(ref string) ([]Event, error) {
	b := t.tx.Bucket(bEvents).Bucket([]byte(ref))
	if b == nil {
		return nil, nil
	}
	var out []Event
	err := b.ForEach(func(_, v []byte) error {
		var e Event
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Seen reports whether a message was processed, and the dispute it went to
// ("" when it concerned none).
func (t *Tx) Seen(messageID string) (ref string, seen bool) {
	v := t.tx.Bucket(bMsgIDs).Get([]byte(messageID))
	return string(v), v != nil
}

// MarkSeen records a processed message and the dispute it belongs to
// (ref "" for none), so the same Message-ID seen again changes nothing.
func (t *Tx) MarkSeen(messageID, ref string) error {
	if messageID == "" {
		return nil
	}
	if err := t.tx.Bucket(bMsgIDs).Put([]byte(messageID), []byte(ref)); err != nil {
		return err
	}
	if ref != "" {
		return t.own(ref, "m", messageID)
	}
	return nil
}

// LinkConversation maps an Exchange conversation to ref.
func (t *Tx) LinkConversation(conv, ref string) error {
	if conv == "" {
		return nil
	}
	if err := t.tx.Bucket(bThreads).Put([]byte(conv), []byte(ref)); err != nil {
		return err
	}
	return t.own(ref, "t", conv)
}

// Conversation finds the dispute of an Exchange conversation.
func (t *Tx) Conversation(conv string) (string, bool) {
	v := t.tx.Bucket(bThreads).Get([]byte(conv))
	return string(v), v != nil
}

// Checkpoint is where the watcher stopped in a folder.
type Checkpoint struct {
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
	// Import is set while the folder's history is being imported (its
	// first read), nil once the import is done: see ImportState.
	Import *ImportState `json:"import,omitempty"`
}

// Checkpoint reads a folder's checkpoint; the zero value when none.
func (t *Tx) Checkpoint(folder string) (Checkpoint, error) {
	var c Checkpoint
	if v := t.tx.Bucket(bCheckpoint).Get([]byte(folder)); v != nil {
		if err := json.Unmarshal(v, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// SetCheckpoint writes a folder's checkpoint.
func (t *Tx) SetCheckpoint(folder string, c Checkpoint) error {
	v, _ := json.Marshal(c)
	return t.tx.Bucket(bCheckpoint).Put([]byte(folder), v)
}

// Reject records a message that could not be handled: its place, its
// Message-ID and the error, never its body.
type Reject struct {
	Folder      string    `json:"folder"`
	UIDValidity uint32    `json:"uidvalidity"`
	UID         uint32    `json:"uid"`
	MessageID   string    `json:"message_id,omitempty"`
	Error       string    `json:"error"`
	At          time.Time `json:"at"`
}

// AddReject records r.
func (t *Tx) AddReject(r Reject) error {
	v, _ := json.Marshal(r)
	return t.tx.Bucket(bRejects).Put([]byte(fmt.Sprintf("%s/%010d/%010d", r.Folder, r.UIDValidity, r.UID)), v)
}

// Rejects lists the recorded rejects.
func (t *Tx) Rejects() ([]Reject, error) {
	var out []Reject
	err := t.tx.Bucket(bRejects).ForEach(func(_, v []byte) error {
		var r Reject
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// Backup writes a consistent copy of the whole file to w while the daemon
// keeps running (a read transaction sees one committed state).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a consistent copy to path (mode 0600).
func (s *Store) BackupFile(path string) (int64, error) {
	return writeAtomic(path, func(w io.Writer) (int64, error) { return s.Backup(w) })
}

// writeAtomic writes through a temporary file (mode 0600), synced and then
// renamed, so a failed copy never leaves a half file under path.
func writeAtomic(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// NextSeq returns the next number of a named counter (starting at 1).
func (t *Tx) NextSeq(name string) (uint64, error) {
	key := []byte("counter/" + name)
	m := t.tx.Bucket(bMeta)
	var n uint64
	if b := m.Get(key); len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	return n, m.Put(key, u64(n))
}
