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
	// Committing is set, durably, before the message's final "." goes to
	// the server (RFC 5321 4.1.1.4: the server takes responsibility for
	// the email only when it answers that dot), and cleared in the same
	// transaction that records the server's answer. So after a crash only a
	// row still committing may have gone: one in flight but not committing
	// certainly did not, and is sent again without looking anywhere.
	Committing bool `json:"committing,omitempty"`
	// Delivered are the envelope recipients the server has accepted this
	// email for (RFC 5321 3.3: each RCPT is answered on its own); a retry
	// goes only to the others.
	Delivered []string `json:"delivered,omitempty"`
	// Rejected are the recipients the server refused for good, or that
	// are not valid addresses at all (never sent to the server), each
	// "address: reason".
	Rejected []string `json:"rejected,omitempty"`
	// Bundled is the Message-ID of the digest that carried this email to
	// the people it would have taken past their daily limit.
	Bundled string `json:"bundled,omitempty"`
	// NoCap exempts the row from the daily limit: a digest of what was
	// over the limit is the limit's own outlet.
	NoCap bool `json:"no_cap,omitempty"`
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

// Outcome is what one attempt at one outbox row came to.
type Outcome struct {
	ID string
	At time.Time
	// Delivered are the recipients the server accepted the email for in
	// this attempt; Rejected those it refused for good ("address: reason").
	Delivered, Rejected []string
	// Retry keeps the row waiting (until its recorded next attempt) for
	// the recipients neither delivered nor rejected; otherwise the row
	// goes to the history: sent when anyone has it, else failed.
	Retry bool
	// Err is the last error, for the row and the history.
	Err string
}

// Record stores an attempt's outcome and then, in the same transaction,
// marks commitNext (when not "") as committing: one disk sync per email
// holds both the previous email's acceptance and the next one's point of
// no return. The row is returned as stored.
func (t *Tx) Record(o Outcome, commitNext string) (OutboxRow, error) {
	row, err := takeOutbox(t.tx, o.ID)
	if err != nil {
		return row, err
	}
	row.Delivered = appendNew(row.Delivered, o.Delivered...)
	row.Rejected = appendNew(row.Rejected, o.Rejected...)
	row.InFlight, row.Committing = false, false
	if o.Err != "" {
		row.LastError = o.Err
	}
	if o.Retry {
		if err := putOutbox(t.tx, row); err != nil {
			return row, err
		}
	} else {
		if len(row.Delivered) > 0 {
			row.Sent = o.At
		} else {
			row.Failed = true
		}
		row.HTML = ""
		v, err := encodeRow(row)
		if err != nil {
			return row, err
		}
		if err := t.tx.Bucket(bHistory).Put([]byte(o.ID), v); err != nil {
			return row, err
		}
	}
	if commitNext != "" {
		return row, t.MarkCommitting(commitNext)
	}
	return row, nil
}

// MarkCommitting marks a waiting row as about to be handed to the server
// (see OutboxRow.Committing).
func (t *Tx) MarkCommitting(id string) error {
	next, ok, err := getRow(t.tx.Bucket(bOutbox), id)
	if err != nil || !ok {
		return fmt.Errorf("store: outbox row %s: not waiting (%v)", id, err)
	}
	next.Committing = true
	v, err := encodeRow(next)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bOutbox).Put([]byte(id), v)
}

// Release puts a waiting row whose attempt never began its transaction
// (the connection failed before, or drpbot is stopping) back in the queue
// due at at, with the attempt undone: it is not counted against
// max_attempts, and it is neither in flight nor committing.
func (t *Tx) Release(id string, at time.Time, errText string) error {
	row, err := takeOutbox(t.tx, id)
	if err != nil {
		return err
	}
	if row.InFlight && row.Attempts > 0 {
		row.Attempts--
	}
	row.InFlight, row.Committing = false, false
	row.NextAttempt, row.LastError = at, errText
	return putOutbox(t.tx, row)
}

// Interrupted records an attempt whose connection failed in the middle:
// the attempt counts and the row waits its recorded next attempt (an email
// the server drops the connection over must not block the queue for
// ever); a row that was committing stays so, to be settled before any
// resend.
func (t *Tx) Interrupted(id string, errText string) error {
	row, err := takeOutbox(t.tx, id)
	if err != nil {
		return err
	}
	row.InFlight = row.Committing
	row.LastError = errText
	return putOutbox(t.tx, row)
}

// RecoverInFlight is run once when a process starts sending: any row
// still in flight belongs to a process that died. One that was not
// committing never reached its final dot, so its attempt is undone and it
// is due at once; one that was committing is made due at once too, still
// committing, for the sender to settle before anything else. It returns
// how many rows it touched.
func (s *Store) RecoverInFlight(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		var ids []string
		err := tx.Bucket(bOutbox).ForEach(func(k, v []byte) error {
			var row OutboxRow
			if err := json.Unmarshal(v, &row); err != nil {
				return err
			}
			if row.InFlight || row.Committing {
				ids = append(ids, string(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			row, err := takeOutbox(tx, id)
			if err != nil {
				return err
			}
			if !row.Committing && row.Attempts > 0 {
				row.Attempts--
				row.InFlight = false
			}
			if row.NextAttempt.After(now) {
				row.NextAttempt = now
			}
			if err := putOutbox(tx, row); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Hold makes a waiting row wait until at, keeping its state (in flight,
// committing): drpbot cannot yet tell whether it went.
func (t *Tx) Hold(id string, at time.Time, errText string) error {
	row, err := takeOutbox(t.tx, id)
	if err != nil {
		return err
	}
	row.NextAttempt, row.LastError = at, errText
	return putOutbox(t.tx, row)
}

// Recipients are the envelope recipients row still has to reach: its To
// and Cc and any extra (the shared mailbox's copy), less those already
// delivered or rejected, each once, lower case.
func (row OutboxRow) Recipients(extra ...string) []string {
	done := map[string]bool{}
	for _, a := range row.Delivered {
		done[strings.ToLower(a)] = true
	}
	for _, r := range row.Rejected {
		a, _, _ := strings.Cut(r, ": ")
		done[strings.ToLower(a)] = true
	}
	var out []string
	for _, a := range append(append(append([]string{}, row.To...), row.Cc...), extra...) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && !done[a] {
			done[a] = true
			out = append(out, a)
		}
	}
	return out
}

func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, l := range list {
			if l == a {
				found = true
				break
			}
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
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
// inside tx, unless some addresses have already had limit emails that day:
// then nothing is counted and it returns those addresses. Counting the
// same msgID again is free, so a retried email is counted once.
func reserve(tx *bolt.Tx, msgID, day string, addrs []string, limit int) ([]string, error) {
	b, err := tx.CreateBucketIfNotExists(bQuota)
	if err != nil {
		return nil, err
	}
	var over []string
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
			over = append(over, strings.ToLower(a))
		}
	}
	if len(over) > 0 {
		return over, nil
	}
	for _, a := range addrs {
		if err := b.Put([]byte(day+"/"+strings.ToLower(a)+"/"+msgID), nil); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// Capped is a row that would take someone past their daily limit.
type Capped struct {
	Row OutboxRow
	// Over are the To addresses already at their limit today.
	Over []string
}

// Batch is what BeginAttempts did with a batch of rows.
type Batch struct {
	Begun []OutboxRow // attempts recorded: send these
	// Capped rows were left waiting as they were, not begun: the sender
	// bundles them for the people over their limit (see Tx.Bundle).
	Capped []Capped
}

// pendingTo are row's To addresses it has still to reach.
func pendingTo(row OutboxRow) []string {
	left := map[string]bool{}
	for _, a := range row.Recipients() {
		left[a] = true
	}
	var out []string
	for _, a := range row.To {
		if left[strings.ToLower(a)] {
			out = append(out, a)
		}
	}
	return out
}

// BeginAttempts records, in one transaction, an attempt for each row that
// its recipients' daily limit allows (see BeginAttempt and reserve): the
// limit counts what lands on a person as To (addressed to them, to act
// on), never copies, and rows marked NoCap are not counted. retryAt gives
// each begun row's next attempt from its new attempt count.
func (s *Store) BeginAttempts(ids []string, day string, limit int, retryAt func(attempts int) time.Time) (Batch, error) {
	var out Batch
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = Batch{}
		for _, id := range ids {
			row, err := takeOutbox(tx, id)
			if err != nil {
				return err
			}
			var over []string
			if !row.NoCap {
				if over, err = reserve(tx, id, day, pendingTo(row), limit); err != nil {
					return err
				}
			}
			if len(over) == 0 {
				row.Attempts++
				row.NextAttempt = retryAt(row.Attempts)
				row.InFlight = true
				out.Begun = append(out.Begun, row)
			} else {
				out.Capped = append(out.Capped, Capped{Row: row, Over: over})
			}
			if err := putOutbox(tx, row); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Bundle records that addrs receive the waiting row id inside the email
// digestID instead of on its own. A row left with nobody else to reach
// goes to the history as sent at at (its people have it in the digest).
func (t *Tx) Bundle(id string, addrs []string, digestID string, at time.Time) (OutboxRow, error) {
	row, err := takeOutbox(t.tx, id)
	if err != nil {
		return row, err
	}
	row.Delivered = appendNew(row.Delivered, addrs...)
	row.Bundled = digestID
	if len(row.Recipients()) > 0 {
		return row, putOutbox(t.tx, row)
	}
	row.Sent, row.InFlight, row.Committing, row.HTML = at, false, false, ""
	v, err := encodeRow(row)
	if err != nil {
		return row, err
	}
	return row, t.tx.Bucket(bHistory).Put([]byte(id), v)
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
