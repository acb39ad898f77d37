package mailbot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
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
	// threadless: the message is recorded as seen but names no dispute
	// for threading (a stranger's, or one held).
	threadless bool
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
			b.log.Error("message handler panicked", "message_id", res.MessageID, "panic", safePanic(r, raw), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	defer b.readLive()()
	b.Metrics.Seen.Add(1)
	m, perr := b.parser.ParseBytes(raw)
	if m == nil {
		return res, fmt.Errorf("%w: %w", ErrUnhandled, perr)
	}
	if perr != nil {
		// Damaged but readable: the facts we have are used.
		b.log.Warn("message parsed with damage", "message_id", m.MessageID, "err", safeErr(perr, raw))
	}
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "<sha256-" + hex.EncodeToString(sum[:12]) + "@drpbot.invalid>"
	}
	res.MessageID = m.MessageID
	verdict := newTrustRule(b.cfg).judge(raw, m.From)
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
		res, err = b.handle(tx, m, verdict, now, false)
		res.MessageID = m.MessageID
		if err != nil {
			return err
		}
		if res.threadless {
			return tx.MarkSeen(m.MessageID, "")
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
	return b.isBox(m.From) || (strings.HasPrefix(m.MessageID, "<drp-") && strings.HasSuffix(m.MessageID, "@"+b.domain+">"))
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
		if !b.isBox(a) {
			out = append(out, a)
		}
	}
	return out
}

// handle decides what m is and applies it to its dispute inside tx. With
// replay (the import of a mailbox's history) nothing is sent: what the
// message caused then is history.
func (b *Bot) handle(tx *store.Tx, m *parser.Message, v Verdict, now time.Time, replay bool) (Result, error) {
	var res Result
	if b.beforeHandle != nil {
		b.beforeHandle(m)
	}
	if b.ownMail(m) {
		res.Ignored = "drpbot's own mail"
		return res, nil
	}
	if err := b.learnStamp(tx, v, m.MessageID); err != nil {
		return res, err
	}
	// Instructions, new alerts, stage changes and responses count only
	// when the council's server vouched for the sender (mailbot/trust.go).
	unauth := b.authRequired(tx) && !v.Authenticated
	d, found := b.findDispute(tx, m)
	b.liveBox(&d)
	stranger := b.stranger(d, found, m.From)
	ev := engine.Event{At: now, From: m.From, MessageID: m.MessageID}
	switch {
	case m.Bounce:
		ev.Kind, ev.Failed = engine.Bounce, b.ourFailed(d, m.FailedRecipients)
		if len(m.FailedRecipients) > 0 && len(ev.Failed) == 0 {
			// No bounce is authenticated (any mailer daemon writes one):
			// one that reports only addresses drpbot could never have
			// written to for this dispute is not about its mail, and its
			// text is the sender's to choose. Recorded, told to nobody.
			ev.Kind = engine.Note
		}
	case m.AutoReply:
		// Automatic mail is never answered and never a response; an
		// out-of-office from the respondent tells the engine they are away.
		ev.Kind = engine.AutoReply
		if unauth && found && (strings.EqualFold(m.From, d.Respondent) || strings.EqualFold(m.From, d.Cover)) {
			// The respondent's own server stamps their real one; a forged
			// one would hand the dispute to the deputy. Recorded as a
			// note, and the QA inbox sees it.
			ev.Kind = engine.Note
			if _, err := b.hold(tx, m, d.Ref, "an out-of-office", "the council's mail server did not authenticate it ("+v.How+"), so the deputy was not brought in", now, false); err != nil {
				return res, err
			}
		}
	case !found && m.Heading != "" && !m.IsReply && !m.IsForward:
		ev.Kind = engine.Alert
		if unauth {
			return b.hold(tx, m, "", alertWhat(b, m), "the council's mail server did not authenticate it ("+v.How+"), so no dispute was opened and nobody was emailed", now, !replay)
		}
	case !found && (m.Command == "status" || m.Command == "help") && !m.IsReply && replay:
		res.Ignored = "a query in the history: not answered now"
		return res, nil
	case !found && (m.Command == "status" || m.Command == "help") && !m.IsReply:
		if stranger {
			return b.hold(tx, m, "", "the query "+m.Command, "the sender is not in the directory; a stranger is never answered", now, false)
		}
		return b.globalQuery(tx, m, now)
	case !found:
		res.Ignored = "no dispute matches"
		return res, nil
	case m.Heading != "" && !m.IsReply && !m.IsForward && engine.MayRaise(d, m.From, b.env(now)) && m.Stage != nil && *m.Stage != d.Stage:
		ev.Kind = engine.Alert // the instigator (or a stage's raiser) moved the dispute to another stage
		if unauth {
			// Not applied: refused like an instruction (to the instigator's
			// address from the directory), and the QA inbox is told.
			ev.Kind, ev.Command, ev.Unauthenticated = engine.Command, fmt.Sprintf("stage %d", *m.Stage), true
			if _, err := b.hold(tx, m, d.Ref, alertWhat(b, m), "the council's mail server did not authenticate it ("+v.How+"), so the stage was not changed", now, !replay); err != nil {
				return res, err
			}
		}
	case m.Command != "" && stranger:
		// A stranger is never answered; the QA inbox sees it in the digest.
		return b.hold(tx, m, d.Ref, "the instruction "+m.Command, "the sender is neither in the directory nor a party to the dispute", now, false)
	case m.Command != "":
		ev.Kind, ev.Command = engine.Command, m.Command
		ev.Unauthenticated = unauth
	case m.MaybeAutoReply:
		ev.Kind = engine.Note // reading.go: unsure out-of-office, never the response
	case strings.EqualFold(m.From, d.Respondent) || (d.Cover != "" && strings.EqualFold(m.From, d.Cover)) || containsAddr(d.Responders, m.From):
		ev.Kind = engine.Response
		if unauth {
			// A forged response would stop the clock, and the escalation
			// with it: recorded as a note, and the QA inbox sees it.
			ev.Kind = engine.Note
			if _, err := b.hold(tx, m, d.Ref, "a response", "the council's mail server did not authenticate it ("+v.How+"), so it was recorded as a note and the clock runs on", now, false); err != nil {
				return res, err
			}
		}
	default:
		ev.Kind = engine.Note
	}
	if unauth && ev.Kind == engine.Command {
		b.log.Warn("instruction not applied: not authenticated by the council's mail server", "message_id", m.MessageID, "ref", d.Ref, "why", v.How)
	} else if !unauth && !v.Authenticated && (ev.Kind == engine.Command || ev.Kind == engine.Alert) && b.cfg.Security.RequireAuthenticated != config.AuthOn {
		b.log.Warn("accepted without authentication (security.require_authenticated is not on)", "message_id", m.MessageID, "kind", string(ev.Kind))
	}
	if !found && ev.Kind != engine.Alert {
		res.Ignored = string(ev.Kind) + " about no known dispute"
		return res, nil
	}
	res.Kind = ev.Kind
	if ev.Kind == engine.Response || ev.Kind == engine.Note || ev.Kind == engine.Command {
		// What was said is kept (the child's name redacted) and travels up
		// with the dispute, as the procedures forward "the updated form".
		ev.Text = parser.RedactChildName(m.NewText)
	}
	if ev.Kind == engine.Alert {
		ev.To = b.recipients(m)
		ev.Stage = m.Stage
		ev.Heading, ev.ChildRef, ev.ChildInitials, ev.Category = m.Heading, m.ChildRef, m.ChildInitials, m.Category
		// The child's name never enters the store or leaves in an email.
		ev.Text = parser.RedactChildName(m.NewText)
		ev.ConcurrentCafcass = m.ConcurrentCafcass
		ev.Mailbox = b.boxOf(m)
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
	if ev.Kind == engine.Response || ev.Kind == engine.Note {
		audit.Text = ev.Text
		if len(audit.Text) > engine.MaxTextBytes {
			audit.Text = audit.Text[:engine.MaxTextBytes] + "\n[...]"
		}
	}
	if ev.Kind == engine.Alert {
		audit.Detail = fmt.Sprintf("%s, respondent %s", b.policy.StageName(nd.Stage), nd.Respondent)
	}
	if ev.Kind == engine.Bounce {
		audit.Detail = "failed: " + strings.Join(ev.Failed, ",")
	}
	intents = b.readingAnswers(&nd, m, ev, unauth, intents, &audit)
	if ev.Unauthenticated {
		audit.Detail = "not applied: not authenticated by the council's mail server (" + v.How + ")"
	}
	if m.Conversation != "" && !stranger && !unauth {
		// Only mail the council vouched for links an Exchange
		// conversation: a stranger's Thread-Index could name another
		// dispute's conversation and draw its replies here.
		if err := tx.LinkConversation(m.Conversation, nd.Ref); err != nil {
			return res, err
		}
	}
	// Only the people in the dispute thread it: a stranger's or a forged
	// message never becomes what drpbot's mail replies to.
	if ev.Kind != engine.AutoReply && ev.Kind != engine.Bounce && !stranger && !unauth {
		nd.References = appendRef(nd.References, m.MessageID)
	}
	res.threadless = stranger || unauth
	if replay {
		intents = nil // no acknowledgement, answer or notice for the past
	}
	res.Queued, err = b.commit(tx, nd, intents, &audit, now)
	res.Escalations = countEscalations(intents)
	return res, err
}

// ourFailed keeps of a bounce's failed addresses those drpbot could have
// written to for dispute d (what the recipient guard lets through).
func (b *Bot) ourFailed(d engine.Dispute, failed []string) []string {
	var out []string
	for _, a := range failed {
		if b.recipient(d, a) != "" {
			out = append(out, a)
		}
	}
	return out
}

// appendRef keeps the thread's last few Message-IDs for References.
func appendRef(refs []string, id string) []string {
	refs = append(refs, id)
	if len(refs) > 10 {
		refs = append(refs[:1], refs[len(refs)-9:]...) // the root and the latest
	}
	return refs
}
