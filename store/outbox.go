package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxRow is one email to send. It is written in the transaction that
// decided to send it; the sender records each attempt before dialling, so
// a crash mid-send never resends at once, and moves the row to the history
// when it is sent or has failed for good.
type OutboxRow struct {
	// MessageID is deterministic (see MessageID) and the row's key: the
	// same email can never be queued twice.
	MessageID string   `json:"message_id"`
	Ref       string   `json:"ref"`
	Stage     int      `json:"stage"`
	Purpose   string   `json:"purpose"`
	Seq       int      `json:"seq"`
	To        []string `json:"to"`
	Cc        []string `json:"cc,omitempty"`
	// Threading and content, rendered when the row was queued.
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	Subject    string   `json:"subject,omitempty"`
	Text       string   `json:"text,omitempty"`
	HTML       string   `json:"html,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	// From is the shared mailbox the email goes out from; empty means the
	// configured mailbox.
	From string `json:"from,omitempty"`

	Created     time.Time `json:"created"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
	// InFlight is set from the recorded attempt until its outcome is
	// recorded: a row still in flight after a restart was being sent when
	// the process died, and may have gone.
	InFlight bool `json:"in_flight,omitempty"`
	// Set in the history: when it was sent, or that it failed for good.
	Sent   time.Time `json:"sent,omitzero"`
	Failed bool      `json:"failed,omitempty"`
	DryRun bool      `json:"dry_run,omitempty"`
}

// MessageID is the deterministic Message-ID of an outgoing email, from
// (dispute, stage, purpose, sequence): "<drp-2026-0042.s2.escalation.7@domain>".
func MessageID(ref string, stage int, purpose string, seq int, domain string) string {
	return fmt.Sprintf("<%s.s%d.%s.%d@%s>", strings.ToLower(ref), stage, purpose, seq, domain)
}

// ServiceMessageID is the deterministic Message-ID of an email that belongs
// to no single dispute stage (a digest, the report, a query's answer, a
// failure report): "<drp-digest.2026-11-30.qa_council.example@domain>".
// It shares the "<drp-" prefix and domain by which drpbot knows its own mail.
func ServiceMessageID(kind, key, domain string) string {
	return fmt.Sprintf("<drp-%s.%s@%s>", kind, key, domain)
}

// AddOutbox queues row. A row whose Message-ID is already queued or in the
// history is refused with ErrDuplicate.
func (t *Tx) AddOutbox(row OutboxRow) error {
	id := []byte(row.MessageID)
	if row.MessageID == "" {
		return fmt.Errorf("store: outbox row without a Message-ID")
	}
	if t.tx.Bucket(bOutbox).Get(id) != nil || t.tx.Bucket(bHistory).Get(id) != nil {
		return fmt.Errorf("%w: %s", ErrDuplicate, row.MessageID)
	}
	if row.NextAttempt.IsZero() {
		row.NextAttempt = row.Created
	}
	if err := putOutbox(t.tx, row); err != nil {
		return err
	}
	if row.Ref != "" {
		return t.own(row.Ref, "o", row.MessageID)
	}
	return nil
}

// encodeRow is JSON without escaping <, > and & (an HTML body would grow
// by half).
func encodeRow(row OutboxRow) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(row); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func putOutbox(tx *bolt.Tx, row OutboxRow) error {
	v, err := encodeRow(row)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bOutbox).Put([]byte(row.MessageID), v); err != nil {
		return err
	}
	return tx.Bucket(bOutboxDue).Put(timeKey(row.NextAttempt, row.MessageID), nil)
}

func getRow(b *bolt.Bucket, id string) (OutboxRow, bool, error) {
	var row OutboxRow
	v := b.Get([]byte(id))
	if v == nil {
		return row, false, nil
	}
	return row, true, json.Unmarshal(v, &row)
}

// takeOutbox removes a waiting row and its due entry.
func takeOutbox(tx *bolt.Tx, id string) (OutboxRow, error) {
	row, ok, err := getRow(tx.Bucket(bOutbox), id)
	if err != nil {
		return row, err
	}
	if !ok {
		return row, fmt.Errorf("store: outbox row %s: not waiting", id)
	}
	if err := tx.Bucket(bOutboxDue).Delete(timeKey(row.NextAttempt, id)); err != nil {
		return row, err
	}
	return row, tx.Bucket(bOutbox).Delete([]byte(id))
}

// OutboxDue returns up to limit rows whose next attempt is at or before
// now, earliest first.
func (s *Store) OutboxDue(now time.Time, limit int) ([]OutboxRow, error) {
	var out []OutboxRow
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOutboxDue).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if int64(beUint64(k)) > now.UnixNano() {
				break
			}
			row, ok, err := getRow(tx.Bucket(bOutbox), string(k[8:]))
			if err != nil {
				return err
			}
			if ok {
				out = append(out, row)
			}
		}
		return nil
	})
	return out, err
}

func beUint64(k []byte) uint64 {
	var v uint64
	for _, b := range k[:8] {
		v = v<<8 | uint64(b)
	}
	return v
}

// BeginAttempt records an attempt before the sender dials: the attempt
// count goes up and the next attempt moves to retryAt, so a crash during
// the send waits for retryAt instead of resending at once.
func (s *Store) BeginAttempt(id string, retryAt time.Time) (OutboxRow, error) {
	var row OutboxRow
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if row, err = takeOutbox(tx, id); err != nil {
			return err
		}
		row.Attempts++
		row.NextAttempt = retryAt
		row.InFlight = true
		return putOutbox(tx, row)
	})
	return row, err
}

// Retry records a temporary failure; the row waits until next.
func (s *Store) Retry(id string, errText string, next time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		row, err := takeOutbox(tx, id)
		if err != nil {
			return err
		}
		row.LastError, row.NextAttempt, row.InFlight = errText, next, false
		return putOutbox(tx, row)
	})
}

// Finish moves a row to the history: sent at at, or failed for good with
// errText when errText is not "". The history keeps the text part, not the
// HTML: the same words laid out, and most of a row's size; the whole
// email is in the shared mailbox's copy.
func (s *Store) Finish(id string, at time.Time, errText string, dryRun bool) (OutboxRow, error) {
	var row OutboxRow
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if row, err = takeOutbox(tx, id); err != nil {
			return err
		}
		if errText != "" {
			row.Failed, row.LastError = true, errText
		} else {
			row.Sent = at
		}
		row.DryRun = dryRun
		row.InFlight = false
		row.HTML = ""
		v, err := encodeRow(row)
		if err != nil {
			return err
		}
		return tx.Bucket(bHistory).Put([]byte(id), v)
	})
	return row, err
}

// OutboxLen is the number of rows waiting.
func (t *Tx) OutboxLen() int { return t.tx.Bucket(bOutbox).Stats().KeyN }

// Outboxed returns a row, waiting or in the history.
func (t *Tx) Outboxed(id string) (OutboxRow, bool) {
	for _, b := range [][]byte{bOutbox, bHistory} {
		if row, ok, err := getRow(t.tx.Bucket(b), id); ok && err == nil {
			return row, true
		}
	}
	return OutboxRow{}, false
}

// History calls fn for each row in the history.
func (t *Tx) History(fn func(OutboxRow) error) error {
	return t.tx.Bucket(bHistory).ForEach(func(_, v []byte) error {
		var row OutboxRow
		if err := json.Unmarshal(v, &row); err != nil {
			return err
		}
		return fn(row)
	})
}

var bQuota = []byte("quota") // day/address/Message-ID -> nil

// reserve counts msgID against each address's quota for day (YYYY-MM-DD)
// inside tx, unless an address has already had limit emails that day: then
// nothing is counted and it reports false. Counting the same msgID again is
// free, so a retried email is counted once.
func reserve(tx *bolt.Tx, msgID, day string, addrs []string, limit int) (bool, error) {
	b, err := tx.CreateBucketIfNotExists(bQuota)
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		prefix := []byte(day + "/" + strings.ToLower(a) + "/")
		if b.Get(append(append([]byte{}, prefix...), msgID...)) != nil {
			continue
		}
		n := 0
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		if n >= limit {
			return false, nil
		}
	}
	for _, a := range addrs {
		if err := b.Put([]byte(day+"/"+strings.ToLower(a)+"/"+msgID), nil); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Batch is what BeginAttempts did with a batch of rows.
type Batch struct {
	Begun    []OutboxRow // attempts recorded: send these
	Deferred []OutboxRow // over a recipient's daily limit: wait until the day after
}

// BeginAttempts records, in one transaction, an attempt for each row that
// its recipients' daily limit allows (see BeginAttempt and reserve); rows
// over the limit wait until deferUntil. retryAt gives each begun row's next
// attempt from its new attempt count.
func (s *Store) BeginAttempts(ids []string, day string, limit int, deferUntil time.Time, retryAt func(attempts int) time.Time) (Batch, error) {
	var out Batch
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = Batch{}
		for _, id := range ids {
			row, err := takeOutbox(tx, id)
			if err != nil {
				return err
			}
			ok, err := reserve(tx, id, day, append(append([]string{}, row.To...), row.Cc...), limit)
			if err != nil {
				return err
			}
			if ok {
				row.Attempts++
				row.NextAttempt = retryAt(row.Attempts)
				row.InFlight = true
				out.Begun = append(out.Begun, row)
			} else {
				row.LastError, row.NextAttempt = "daily limit per recipient reached", deferUntil
				out.Deferred = append(out.Deferred, row)
			}
			if err := putOutbox(tx, row); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ForgetQuota drops quota entries of days before day.
func (s *Store) ForgetQuota(day string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bQuota)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && string(k[:min(len(k), len(day))]) < day; k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}
