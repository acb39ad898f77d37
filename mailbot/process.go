package mailbot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
)

// Result says what became of one message.
type Result struct {
	MessageID string
	Ref       string // the dispute it went to, "" for none
	Kind      engine.Kind
	Duplicate bool   // seen before: nothing changed
	Ignored   string // why it concerns no dispute, when it does not
	Queued    int    // emails queued because of it
	// Escalations among them.
	Escalations int
}

// Process handles one raw message as if it arrived at now: parse, find its
// dispute, apply the engine, store the outcome and the emails it causes in
// one transaction. The same Message-ID twice changes nothing. A message
// that cannot be parsed at all, or whose handling panics, is returned as
// an error for the caller to record as a reject; it never stops the daemon.
func (b *Bot) Process(raw []byte, now time.Time) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			b.Metrics.Panics.Add(1)
			b.log.Error("message handler panicked", "message_id", res.MessageID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	b.Metrics.Seen.Add(1)
	m, perr := b.parser.ParseBytes(raw)
	if m == nil {
		return res, fmt.Errorf("%w: %w", ErrUnhandled, perr)
	}
	if perr != nil {
		// Damaged but readable: the facts we have are used.
		b.log.Warn("message parsed with damage", "message_id", m.MessageID, "err", perr)
	}
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "<sha256-" + hex.EncodeToString(sum[:12]) + "@drpbot.invalid>"
	}
	res.MessageID = m.MessageID
	// The message's own Date places it in time when it is plausible (the
	// first sync reads mail that arrived before drpbot started); otherwise
	// the time it is handled.
	if !b.ClockOnly && !m.Date.IsZero() && !m.Date.After(now.Add(5*time.Minute)) && m.Date.After(now.AddDate(0, 0, -60)) {
		now = m.Date
	}
	err = b.st.Update(func(tx *store.Tx) error {
		if _, seen := tx.Seen(m.MessageID); seen {
			res.Duplicate = true
			return nil
		}
		var err error
		res, err = b.handle(tx, m, now, false)
		res.MessageID = m.MessageID
		if err != nil {
			return err
		}
		return tx.MarkSeen(m.MessageID, res.Ref)
	})
	if err != nil && !errors.Is(err, ErrUnhandled) {
		err = fmt.Errorf("%w: %w", ErrStore, err)
	}
	if err == nil && res.Queued > 0 {
		b.Metrics.Escalations.Add(int64(res.Escalations))
		b.ring()
	}
	if err == nil && res.Ref != "" && !res.Duplicate {
		// Written once the transaction has committed: the moment the
		// message is safely recorded (no body, no child's name).
		b.log.Info("message recorded", "message_id", m.MessageID, "ref", res.Ref, "kind", string(res.Kind), "queued", res.Queued)
	}
	if err == nil && res.Ignored != "" {
		b.Metrics.Ignored.Add(1)
		b.log.Debug("message concerns no dispute", "message_id", m.MessageID, "why", res.Ignored)
	}
	return res, err
}

// ownMail reports drpbot's own mail: from the shared mailbox, or carrying
// one of its Message-IDs (a copy that came back).
func (b *Bot) ownMail(m *parser.Message) bool {
	return m.From == b.self || (strings.HasPrefix(m.MessageID, "<drp-") && strings.HasSuffix(m.MessageID, "@"+b.domain+">"))
}

// findDispute matches a message to a dispute in the order DESIGN.md gives:
// References/In-Reply-To, Exchange's conversation, the [DRP-...] tag, then
// heading + child reference from the same parties.
func (b *Bot) findDispute(tx *store.Tx, m *parser.Message) (engine.Dispute, bool) {
	ids := append(append([]string(nil), m.InReplyTo...), m.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		if ref, ok := tx.Seen(ids[i]); ok && ref != "" {
			if d, err := tx.Dispute(ref); err == nil {
				return d, true
			}
		}
	}
	if m.Conversation != "" {
		if ref, ok := tx.Conversation(m.Conversation); ok {
			if d, err := tx.Dispute(ref); err == nil {
				return d, true
			}
		}
	}
	if m.Tag != "" {
		if d, err := tx.Dispute(m.Tag); err == nil {
			return d, true
		}
	}
	if m.Heading != "" && m.ChildRef != "" {
		refs := tx.ByChild(m.ChildRef)
		for i := len(refs) - 1; i >= 0; i-- {
			d, err := tx.Dispute(refs[i])
			if err != nil || d.Status.Done() {
				continue
			}
			parties := []string{d.Instigator, d.Respondent, d.Cover}
			if containsAddr(parties, m.From) || containsAny(parties, m.To) {
				return d, true
			}
		}
	}
	return engine.Dispute{}, false
}

func containsAddr(list []string, a string) bool {
	for _, x := range list {
		if x != "" && strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

func containsAny(list, addrs []string) bool {
	for _, a := range addrs {
		if containsAddr(list, a) {
			return true
		}
	}
	return false
}

// recipients are the message's To and Cc, without the shared mailbox.
func (b *Bot) recipients(m *parser.Message) []string {
	var out []string
	for _, a := range append(append([]string(nil), m.To...), m.Cc...) {
		if a != b.self {
			out = append(out, a)
		}
	}
	return out
}

// handle decides what m is and applies it to its dispute inside tx. With
// replay (the import of a mailbox's history) nothing is sent: what the
// message caused then is history.
func (b *Bot) handle(tx *store.Tx, m *parser.Message, now time.Time, replay bool) (Result, error) {
	var res Result
	if b.beforeHandle != nil {
		b.beforeHandle(m)
	}
	if b.ownMail(m) {
		res.Ignored = "drpbot's own mail"
		return res, nil
	}
	d, found := b.findDispute(tx, m)
	ev := engine.Event{At: now, From: m.From, MessageID: m.MessageID}
	switch {
	case m.Bounce:
		ev.Kind, ev.Failed = engine.Bounce, m.FailedRecipients
	case m.AutoReply:
		// Automatic mail is never answered and never a response; an
		// out-of-office from the respondent tells the engine they are away.
		ev.Kind = engine.AutoReply
	case !found && m.Heading != "" && !m.IsReply && !m.IsForward:
		ev.Kind = engine.Alert
	case !found && (m.Command == "status" || m.Command == "help") && !m.IsReply && replay:
		res.Ignored = "a query in the history: not answered now"
		return res, nil
	case !found && (m.Command == "status" || m.Command == "help") && !m.IsReply:
		return b.globalQuery(tx, m, now)
	case !found:
		res.Ignored = "no dispute matches"
		return res, nil
	case m.Heading != "" && !m.IsReply && !m.IsForward && strings.EqualFold(m.From, d.Instigator) && m.Stage != nil && *m.Stage != d.Stage:
		ev.Kind = engine.Alert // the instigator moved the dispute to another stage
	case m.Command != "":
		ev.Kind, ev.Command = engine.Command, m.Command
		ev.Unauthenticated = b.cfg.Security.RequireAuthenticated && !m.AuthenticatedBy(b.cfg.Security.AuthServID)
	case strings.EqualFold(m.From, d.Respondent) || (d.Cover != "" && strings.EqualFold(m.From, d.Cover)):
		ev.Kind = engine.Response
	default:
		ev.Kind = engine.Note
	}
	if !found && ev.Kind != engine.Alert {
		res.Ignored = string(ev.Kind) + " about no known dispute"
		return res, nil
	}
	res.Kind = ev.Kind
	if ev.Kind == engine.Alert {
		ev.To = b.recipients(m)
		ev.Stage = m.Stage
		ev.Heading, ev.ChildRef, ev.ChildInitials, ev.Category = m.Heading, m.ChildRef, m.ChildInitials, m.Category
		// The child's name never enters the store or leaves in an email.
		ev.Text = parser.RedactChildName(m.NewText)
		ev.ConcurrentCafcass = m.ConcurrentCafcass
		if !m.DueDate.IsZero() {
			ev.Due = workdays.DateOf(m.DueDate)
		}
	}
	if !found {
		ref, err := tx.NewRef(now.In(workdays.London))
		if err != nil {
			return res, err
		}
		d = engine.Dispute{Ref: ref}
		b.Metrics.Alerts.Add(1)
	}
	nd, intents, err := engine.Apply(d, ev, b.env(now))
	if err != nil && !errors.Is(err, engine.ErrClosed) {
		return res, fmt.Errorf("%w: %v", ErrUnhandled, err)
	}
	if errors.Is(err, engine.ErrClosed) {
		// A new alert in a closed dispute's thread opens a new dispute.
		ref, rerr := tx.NewRef(now.In(workdays.London))
		if rerr != nil {
			return res, rerr
		}
		b.Metrics.Alerts.Add(1)
		nd, intents, err = engine.Apply(engine.Dispute{Ref: ref}, ev, b.env(now))
		if err != nil {
			return res, fmt.Errorf("%w: %v", ErrUnhandled, err)
		}
	}
	res.Ref = nd.Ref
	audit := store.Event{At: now, Kind: string(ev.Kind), From: m.From, MessageID: m.MessageID, Stage: nd.Stage, Command: ev.Command}
	if ev.Kind == engine.Alert {
		audit.Detail = fmt.Sprintf("%s, respondent %s", b.policy.StageName(nd.Stage), nd.Respondent)
	}
	if ev.Kind == engine.Bounce {
		audit.Detail = "failed: " + strings.Join(ev.Failed, ",")
	}
	if m.Conversation != "" {
		if err := tx.LinkConversation(m.Conversation, nd.Ref); err != nil {
			return res, err
		}
	}
	if ev.Kind != engine.AutoReply && ev.Kind != engine.Bounce {
		nd.References = appendRef(nd.References, m.MessageID)
	}
	if replay {
		intents = nil // no acknowledgement, answer or notice for the past
	}
	res.Queued, err = b.commit(tx, nd, intents, &audit, now)
	res.Escalations = countEscalations(intents)
	return res, err
}

// appendRef keeps the thread's last few Message-IDs for References.
func appendRef(refs []string, id string) []string {
	refs = append(refs, id)
	if len(refs) > 10 {
		refs = append(refs[:1], refs[len(refs)-9:]...) // the root and the latest
	}
	return refs
}
