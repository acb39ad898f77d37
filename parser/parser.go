// Package parser turns one raw RFC 5322 message into the facts drpbot acts on:
// which alert heading it carries, the stage and child reference it states, who
// sent it to whom, whether it is a reply, an automatic reply or a bounce, which
// instruction an IRO gave, and the message's own text with quoted history cut.
//
// The package is pure: bytes in, facts out. It does no I/O beyond reading the
// message it is given, keeps no state between calls and never panics on bad
// input. A message that is damaged (a broken MIME tree, an unknown charset, a
// missing boundary, a truncated body) still yields every fact that could be
// read, together with an error that says what was wrong, so that the caller can
// log the problem and record the message instead of losing it.
//
// Where it departs from the RFCs it does so on purpose, to read mail the way
// Outlook and Exchange actually write it: dates in the body are always read in
// UK day/month order, subject prefixes are stacked ("RE: RE: FW:"), and
// X-Auto-Response-Suppress alone is not taken as a sign of an automatic reply
// (Outlook sets it on ordinary mail; it is a request, not a description).
package parser

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	_ "github.com/emersion/go-message/charset" // every charset Outlook sends, windows-1252 among them
	"github.com/emersion/go-message/mail"
)

// Sentinel errors. Parse wraps them with context; test with errors.Is.
var (
	// ErrTooLarge means the message was longer than Options.MaxMessageBytes;
	// the facts come from the part that was read.
	ErrTooLarge = errors.New("parser: message too large")
	// ErrMalformed means the MIME structure or a header could not be fully
	// decoded; the facts come from what could be.
	ErrMalformed = errors.New("parser: malformed message")
	// ErrNoMessage means the input held no message header at all.
	ErrNoMessage = errors.New("parser: no message")
)

// Options configures what the parser looks for. The zero value is not useful
// on its own; start from DefaultOptions and change what a council needs.
type Options struct {
	// Headings are the subject headings that mark DRP mail, matched
	// case-insensitively; the first one found is reported in its spelling here.
	Headings []string
	// StageWords name a stage ("Stage", "Level"): "Stage 2", "Level 4".
	StageWords []string
	// ChildRefLabels name the child's case-system number in a form
	// ("Azeus Number", "LAS Number", "Mosaic ID"). Longer labels should come
	// first when one is a prefix of another; the parser sorts them anyway.
	ChildRefLabels []string
	// DueLabels name an explicit response due date ("Response due by").
	DueLabels []string
	// Categories are the concern categories a report counts (Newham's list
	// by default). A "Category:" line, or a ticked category in a form
	// ("☒ Care Planning", "[x] Health"), names the alert's category.
	Categories []string
	// MaxMessageBytes bounds how much of a message is read; 0 means 64 MiB.
	MaxMessageBytes int64
	// MaxTextBytes bounds how much of each text part is read; 0 means 1 MiB.
	// Alerts are a page or two; a larger text part is cut, not refused.
	MaxTextBytes int64
}

// DefaultOptions returns the settings that serve the councils whose
// procedures drpbot ships presets for.
func DefaultOptions() Options {
	return Options{
		Headings: []string{
			"Dispute Resolution Alert",        // Newham DRP
			"Resolution and Escalation Alert", // Oxfordshire R&E
			"Looked-after Manager Alert",      // Brighton & Hove
			"Looked After Manager Alert",
			"IRO Alert", // Wakefield, Kirklees
		},
		StageWords: []string{"Stage", "Level"},
		ChildRefLabels: []string{
			"Azeus Number", "Azeus No", "Azeus ID", "Azeus",
			"Fwi/LAS Number", "LAS Number", "LAS No", "LAS ID",
			"ID Number", "ID No",
			"Child ID", "Child's ID", "Child Number",
			"CareFirst ID", "CareFirst Number", "CareFirst No", "CareFirst",
			"LCS ID", "LCS Number", "LCS No",
			"Mosaic ID", "Mosaic Number", "Mosaic No", "Mosaic",
		},
		// Newham DRP: the concern categories its quarterly report counts.
		Categories: []string{
			"Care Planning", "Placement", "Contact", "Health", "Education",
			"Statutory Visits", "Permanence", "Pathway Planning", "Legal Status",
			"Safeguarding", "Other",
		},
		DueLabels: []string{
			"Date response due", "Response due by", "Response due date",
			"Response due", "Respond by", "Response required by",
			"Date for response", "Due date",
		},
	}
}

// Message holds the facts read from one email. Its JSON form (see package
// cmd/drpbot) is a contract; the other fields are for drpbot itself.
type Message struct {
	// MessageID is the Message-ID with its angle brackets, "" when absent.
	MessageID string
	// Heading is the configured heading the subject carries, "" when none.
	Heading string
	// Stage is 0 for informal, 1..5 for a formal stage, nil when none stated.
	Stage *int
	// ChildRef is the child's case-system number as written, "" when none.
	ChildRef string
	// DueDate is an explicit response due date in the message's own text,
	// midnight UTC of that calendar day; the zero time when none.
	DueDate time.Time
	// ConcurrentCafcass reports a "Concurrent referral to Cafcass: Yes".
	ConcurrentCafcass bool
	// IsReply and IsForward follow the outermost subject prefix, then
	// In-Reply-To.
	IsReply   bool
	IsForward bool
	// AutoReply marks automatic mail: out-of-office replies, read receipts,
	// bounces, delay notices and anything RFC 3834 or Exchange marks as
	// machine-made.
	AutoReply bool
	// Bounce marks a delivery status notification that reports a failure.
	Bounce bool
	// Delayed marks a delivery delay notice (RFC 3464 Action: delayed, or
	// a server's "delivery delayed" warning): automatic mail, not a bounce;
	// no address is dead yet.
	Delayed bool
	// OutOfOffice marks an automatic reply that says its writer is away,
	// known by its headers, its subject, or its text's shape (see ooo.go).
	// AutoReply is set too.
	OutOfOffice bool
	// MaybeAutoReply marks a message not marked as automatic whose text
	// reads like an out-of-office reply but not surely so: a caller should
	// record it and not count it as a response.
	MaybeAutoReply bool
	// Command is the first instruction on a line of its own in NewText,
	// normalised ("resolved", "stage 3", "extend 2026-12-04", "extend 5"...).
	// Automatic mail carries none.
	Command string
	// NearCommand is the instruction a line of NewText resembles without
	// being exactly one ("Resolved as discussed with Pat", "Extend to
	// 31/02/2027"), in Command's form; "extend" alone when no usable date
	// or number was given. Empty when Command is set (see near.go for the
	// rules).
	NearCommand string
	// NearReason says why the resembling line is not an instruction, when
	// there is more to say than "not exactly the line" (an impossible date).
	NearReason string
	// NewText is the message's own text: quoted history and signature cut,
	// HTML turned to text.
	NewText string
	// Category is the concern category stated in the alert, "" when none.
	Category string
	// ChildInitials are the initials of the child's name as the form gives
	// it ("S.C."), for councils that show initials; the name itself is
	// never kept.
	ChildInitials string

	// Subject is the decoded subject.
	Subject string
	// From is the first From address, lower-cased; "" when none.
	From string
	// FromName is the display name of From.
	FromName string
	// To and Cc are the recipients' addresses, lower-cased.
	To, Cc []string
	// Date is the Date header, the zero time when absent or unreadable.
	Date time.Time
	// InReplyTo and References are message IDs with angle brackets.
	InReplyTo  []string
	References []string
	// ThreadIndex is Exchange's Thread-Index header as sent (base64).
	ThreadIndex string
	// Conversation is the hex of the first 22 bytes of Thread-Index, which
	// name an Exchange conversation; "" when the header is absent or short.
	Conversation string
	// Tag is the tracking reference in the subject ("DRP-2026-0042"), "" when none.
	Tag string
	// FailedRecipients lists the addresses a bounce reports as failed.
	FailedRecipients []string
}

// Parser reads messages with one set of Options. Build it once with New: the
// patterns are compiled there. A Parser is safe for concurrent use.
type Parser struct {
	opts Options
	m    *matchers
}

// New compiles opts into a Parser.
func New(opts Options) *Parser {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 64 << 20
	}
	if opts.MaxTextBytes <= 0 {
		opts.MaxTextBytes = 1 << 20
	}
	return &Parser{opts: opts, m: compileMatchers(opts)}
}

// Parse reads one message from r. It returns the facts it could read even
// when it also returns an error; a nil *Message comes only with ErrNoMessage.
func (ps *Parser) Parse(r io.Reader) (*Message, error) {
	p := &parserState{opts: ps.opts, m: ps.m}
	return p.parse(r)
}

// ParseBytes is Parse over a byte slice.
func (ps *Parser) ParseBytes(b []byte) (*Message, error) {
	return ps.Parse(bytes.NewReader(b))
}

// Parse is New(opts).Parse(r), for one-off use; callers that parse many
// messages keep a Parser.
func Parse(r io.Reader, opts Options) (*Message, error) {
	return New(opts).Parse(r)
}

// ParseBytes is Parse over a byte slice.
func ParseBytes(b []byte, opts Options) (*Message, error) {
	return New(opts).ParseBytes(b)
}

// limitReader reads at most n bytes and then reports that more were there.
type limitReader struct {
	r         io.Reader
	n         int64
	truncated bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Peek one byte to tell "exactly n" from "more than n".
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			l.truncated = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

type parserState struct {
	opts Options
	m    *matchers
	errs []error
}

func (p *parserState) fail(err error) {
	p.errs = append(p.errs, err)
}

func (p *parserState) parse(r io.Reader) (msg *Message, err error) {
	lr := &limitReader{r: r, n: p.opts.MaxMessageBytes}
	br := bufio.NewReaderSize(lr, 8<<10)
	defer func() {
		// The parser must never take the daemon down: a bug on some input
		// becomes an error on that input.
		if rec := recover(); rec != nil {
			if msg == nil {
				msg = &Message{}
			}
			err = fmt.Errorf("%w: internal error: %v", ErrMalformed, rec)
		}
	}()

	// A message saved from an mbox file starts with its "From " envelope
	// line (RFC 4155), which is no header field: skip it.
	if peek, _ := br.Peek(5); string(peek) == "From " {
		if _, err := br.ReadSlice('\n'); err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: only an mbox From line", ErrNoMessage)
		}
	}
	ent, rerr := readEntity(br)
	if ent == nil {
		return nil, fmt.Errorf("%w: %v", ErrNoMessage, rerr)
	}
	if rerr != nil {
		p.fail(rerr)
	}
	msg = &Message{}
	h := mail.Header{Header: ent.Header}
	p.readHeader(msg, h)

	body := p.walk(ent, 0)
	// Drain what is left so a truncated input is noticed even when the MIME
	// walk stopped early.
	_, _ = io.Copy(io.Discard, br)
	if lr.truncated {
		p.fail(fmt.Errorf("%w: more than %d bytes", ErrTooLarge, p.opts.MaxMessageBytes))
	}
	p.facts(msg, h, body)

	if len(p.errs) > 0 {
		return msg, errors.Join(p.errs...)
	}
	return msg, nil
}
