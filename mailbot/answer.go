package mailbot

// Who drpbot answers, and what it may tell them: nothing about a dispute
// goes outside the directory, the QA inbox and the dispute's own parties; a
// stranger gets no reply at all, and what drpbot did not act on is recorded
// for the QA inbox (README, "Security").

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

// isParty reports addr among the dispute's own people: its instigator,
// every respondent and raiser it has had (Brighton & Hove: the IRO
// Manager raises Level 2), a further responder of this stage, and a
// deputy covering now.
func isParty(d engine.Dispute, addr string) bool {
	if addr == "" {
		return false
	}
	if containsAddr([]string{d.Instigator, d.Respondent, d.Cover, d.Raiser}, addr) || containsAddr(d.Responders, addr) {
		return true
	}
	for _, h := range d.History {
		if strings.EqualFold(h.Respondent, addr) || strings.EqualFold(h.Raiser, addr) {
			return true
		}
	}
	return false
}

// stranger reports a sender who is neither in the directory, nor a QA
// inbox, nor a party to the dispute the message concerns: drpbot never
// answers one, and its mail never threads a dispute.
func (b *Bot) stranger(d engine.Dispute, found bool, from string) bool {
	if _, ok := b.dir.Person(from); ok {
		return false
	}
	if containsAddr(b.cfg.Directory.QA, from) {
		return false
	}
	return !(found && isParty(d, from))
}

// entitled reports someone who may read about dispute d: its parties, the
// QA inbox, the IRO managers.
func (b *Bot) entitled(d engine.Dispute, addr string) bool {
	return isParty(d, addr) || containsAddr(b.cfg.Directory.QA, addr) || b.dir.HasRole(addr, policy.RoleIROManager)
}

// recipient is the address to write to for addr: the directory's own, the
// QA inbox's, the dispute's party's, or one of the council's shared
// mailboxes; "" for anyone else. A reply to a message therefore goes to the
// address the council knows, never to whatever the message's From said.
func (b *Bot) recipient(d engine.Dispute, addr string) string {
	if p, ok := b.dir.Person(addr); ok && p.Email != "" {
		return strings.ToLower(p.Email)
	}
	for _, q := range b.cfg.Directory.QA {
		if strings.EqualFold(q, addr) {
			return strings.ToLower(q)
		}
	}
	if isParty(d, addr) || b.isBox(addr) {
		// The council's own shared mailboxes are copied where the
		// procedure says so (Newham s7: "cc the LAC request box").
		return strings.ToLower(addr)
	}
	return ""
}

// guard keeps every email's recipients to the directory, the QA inbox and
// the dispute's parties (DESIGN.md: nothing about a dispute goes anywhere
// else); an email left with nobody is not sent, and logged.
func (b *Bot) guard(d engine.Dispute, intents []engine.Intent) []engine.Intent {
	out := intents[:0:0]
	for _, in := range intents {
		var to, cc []string
		dropped := 0
		for _, list := range []struct {
			src []string
			dst *[]string
		}{{in.To, &to}, {in.Cc, &cc}} {
			for _, a := range list.src {
				r := b.recipient(d, a)
				if r == "" {
					dropped++
					continue
				}
				if !containsAddr(to, r) && !containsAddr(cc, r) {
					*list.dst = append(*list.dst, r)
				}
			}
		}
		if len(to) == 0 {
			to, cc = cc, nil
		}
		if dropped > 0 {
			b.log.Warn("recipients outside the directory, the QA inbox and the dispute left out", "ref", d.Ref, "purpose", string(in.Purpose), "count", dropped)
		}
		if len(to) == 0 {
			continue
		}
		in.To, in.Cc = to, cc
		out = append(out, in)
	}
	return out
}

// bare reports an email that must say nothing about its dispute: a refusal
// or a help card for someone not entitled to read about it.
func (b *Bot) bare(d engine.Dispute, in engine.Intent) bool {
	if in.Purpose != engine.CommandRefused && in.Purpose != engine.HelpCard {
		return false
	}
	for _, a := range append(append([]string(nil), in.To...), in.Cc...) {
		if !b.entitled(d, a) {
			return true
		}
	}
	return false
}

// composeBare renders a refusal or help card with nothing of the dispute:
// no child, stage, respondent, due date, names or tracking reference, not
// even in its Message-ID or threading.
func (b *Bot) composeBare(d engine.Dispute, in engine.Intent, now time.Time) (store.OutboxRow, error) {
	td := templates.Data{Purpose: string(in.Purpose), Council: b.policy.Council, Mailbox: b.cfg.Mailbox, Command: in.Command, Reason: in.Reason}
	if len(in.To) > 0 {
		td.Recipient = b.person(in.To[0])
	}
	switch in.Purpose {
	case engine.HelpCard:
		td.Commands = templates.CommandCard
	default:
		td.Subject = "drpbot: your instruction was not carried out"
		td.Reason = bareReason(in.Reason)
	}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return store.OutboxRow{}, err
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%s", d.Ref, in.Seq, in.Purpose)))
	return store.OutboxRow{
		MessageID: store.ServiceMessageID("answer", hex.EncodeToString(sum[:10]), b.domain),
		Purpose:   string(in.Purpose), To: in.To, Cc: in.Cc, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
		Reason: td.Reason, Created: now,
	}, nil
}

// bareReason keeps a refusal's reason free of the dispute's facts: the
// engine's reasons may name a stage or a date.
func bareReason(reason string) string {
	switch {
	case strings.Contains(reason, "not mark your email as authenticated"):
		return reason
	case strings.Contains(reason, "status of a dispute"):
		return "the status of a dispute goes only to the people in it"
	}
	return "only the instigator, the IRO manager and the QA inbox can give instructions"
}

// alertWhat describes an alert for the QA inbox: stage, child reference,
// addressees; never its text.
func alertWhat(b *Bot, m *parser.Message) string {
	stage := "stage not stated"
	if m.Stage != nil {
		stage = b.policy.StageName(*m.Stage)
	}
	s := "an alert (" + stage
	if m.ChildRef != "" {
		s += ", child " + m.ChildRef
	}
	if to := b.recipients(m); len(to) > 0 {
		s += ", to " + strings.Join(to, ", ")
	}
	return s + ")"
}

// hold records a message drpbot did not act on, for the QA inbox's weekly
// digest; when notify is set (an alert or a stage change: statutory mail
// someone may be waiting for) the QA inbox is told the same day.
func (b *Bot) hold(tx *store.Tx, m *parser.Message, ref, what, why string, now time.Time, notify bool) (Result, error) {
	res := Result{Ignored: "held: " + why, threadless: true}
	h := store.Held{At: now, From: strings.ToLower(m.From), MessageID: m.MessageID, Ref: ref, What: what, Why: why}
	b.Metrics.Held.Add(1)
	b.log.Warn("message held, not acted on", "message_id", m.MessageID, "ref", ref, "why", why)
	if notify && len(b.cfg.Directory.QA) == 0 {
		b.log.Error("a held alert needs a person, and directory.qa is empty", "message_id", m.MessageID)
		notify = false
	}
	if notify {
		// A flood of forged alerts must not become a flood of emails: past
		// heldNoticesPerDay in a day, the rest wait for the weekly list.
		told := 0
		today, err := tx.HeldSince(workdays.In(now).Time())
		if err != nil {
			return res, err
		}
		for _, x := range today {
			if x.Told {
				told++
			}
		}
		if told >= heldNoticesPerDay {
			b.log.Warn("held alert not told to QA at once: too many today; it is in the weekly list", "message_id", m.MessageID)
			notify = false
		}
	}
	h.Told = notify
	if err := tx.AddHeld(h); err != nil {
		return res, err
	}
	if !notify {
		return res, nil
	}
	td := templates.Data{Purpose: purposeHeld, Council: b.policy.Council, Mailbox: b.cfg.Mailbox,
		Subject: "Not acted on: an alert drpbot could not authenticate", Reason: "an email that drpbot did not act on", Held: []templates.Held{heldRow(h)}}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return res, fmt.Errorf("%w: compose held notice: %v", ErrUnhandled, err)
	}
	sum := sha256.Sum256([]byte(m.MessageID))
	row := store.OutboxRow{MessageID: store.ServiceMessageID("held", hex.EncodeToString(sum[:10]), b.domain), Purpose: purposeHeld,
		To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now}
	if err := tx.AddOutbox(row); err != nil && !errors.Is(err, store.ErrDuplicate) {
		return res, err
	}
	res.Queued = 1
	return res, nil
}

// heldNoticesPerDay caps the same-day notices to the QA inbox.
const heldNoticesPerDay = 10

// purposeHeld is the email that tells the QA inbox what drpbot did not act on.
const purposeHeld = string(engine.Held)

func heldRow(h store.Held) templates.Held {
	return templates.Held{At: workdays.In(h.At).UK() + " " + h.At.In(workdays.London).Format("15:04"), From: h.From, What: h.What, Why: h.Why, Ref: h.Ref}
}

// heldDigest queues, with the weekly digest, one email to the QA inbox
// listing what drpbot recorded but did not act on in the last seven days:
// strangers' mail about disputes, alerts and instructions its server did
// not authenticate. Nothing held, nothing sent.
func (b *Bot) heldDigest(now time.Time) (int, error) {
	if len(b.cfg.Directory.QA) == 0 {
		return 0, nil
	}
	n := 0
	err := b.st.Update(func(tx *store.Tx) error {
		held, err := tx.HeldSince(now.AddDate(0, 0, -7))
		if err != nil || len(held) == 0 {
			return err
		}
		td := templates.Data{Purpose: purposeHeld, Council: b.policy.Council, Mailbox: b.cfg.Mailbox,
			Recipient: templates.Person{Name: "QA", Email: b.cfg.Directory.QA[0]}, Period: "in the week to " + workdays.In(now).UK()}
		for _, h := range held {
			td.Held = append(td.Held, heldRow(h))
		}
		msg, err := b.tpl.Render(td)
		if err != nil {
			return err
		}
		row := store.OutboxRow{MessageID: store.ServiceMessageID("held", "week."+workdays.In(now).String(), b.domain), Purpose: purposeHeld,
			To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now}
		if err := tx.AddOutbox(row); errors.Is(err, store.ErrDuplicate) {
			return nil // this week's is already queued
		} else if err != nil {
			return err
		}
		n = 1
		return nil
	})
	return n, err
}
