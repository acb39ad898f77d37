package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// bHeld holds the messages drpbot recorded but did not act on, for the QA
// inbox: a stranger's mail about a dispute, an alert the council's server
// did not authenticate. It is created on first use, so files written before
// it existed need no migration.
var bHeld = []byte("held")

// heldKeep is how long a held record is kept: the QA inbox sees each one in
// the weekly digest; a year is plenty to look one up afterwards.
const heldKeep = 366 * 24 * time.Hour

// Held is a message drpbot recorded but did not act on. It never holds the
// message's text.
type Held struct {
	At        time.Time `json:"at"`
	From      string    `json:"from"`
	MessageID string    `json:"message_id,omitempty"`
	// Ref is the dispute the message named or threaded into, "" for none.
	Ref string `json:"ref,omitempty"`
	// What says what it would have been ("a Stage 4 alert", "the
	// instruction close", "a reply") and Why why it was not acted on.
	What string `json:"what"`
	Why  string `json:"why"`
	// Told: the QA inbox was emailed about it the same day.
	Told bool `json:"told,omitempty"`
}

// AddHeld records h, and forgets held records older than a year.
func (t *Tx) AddHeld(h Held) error {
	b, err := t.tx.CreateBucketIfNotExists(bHeld)
	if err != nil {
		return err
	}
	seq, _ := b.NextSequence()
	v, _ := json.Marshal(h)
	if err := b.Put(timeKey(h.At, fmt.Sprintf("%016x", seq)), v); err != nil {
		return err
	}
	cutoff := timeKey(h.At.Add(-heldKeep), "")
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, _ = c.First() {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// HeldSince lists the held records from since on, oldest first.
func (t *Tx) HeldSince(since time.Time) ([]Held, error) {
	b := t.tx.Bucket(bHeld)
	if b == nil {
		return nil, nil
	}
	var out []Held
	c := b.Cursor()
	for k, v := c.Seek(timeKey(since, "")); k != nil; k, v = c.Next() {
		var h Held
		if err := json.Unmarshal(v, &h); err != nil {
			return out, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Flag reads a named fact drpbot learnt once and keeps (such as "the
// council's server stamps its mail"), and when it was first set.
func (t *Tx) Flag(name string) (time.Time, bool) {
	v := t.tx.Bucket(bMeta).Get([]byte("flag." + name))
	if v == nil {
		return time.Time{}, false
	}
	var at time.Time
	_ = at.UnmarshalText(v)
	return at, true
}

// SetFlag sets a named fact, first set at at; setting it again keeps the
// first time.
func (t *Tx) SetFlag(name string, at time.Time) error {
	if _, ok := t.Flag(name); ok {
		return nil
	}
	v, _ := at.UTC().MarshalText()
	return t.tx.Bucket(bMeta).Put([]byte("flag."+name), v)
}
