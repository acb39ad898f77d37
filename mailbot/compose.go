package mailbot

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

func (b *Bot) person(addr string) templates.Person {
	if addr == "" {
		return templates.Person{}
	}
	p, _ := b.dir.Person(addr)
	return templates.Person{Name: p.Name, Email: addr}
}

func (b *Bot) child(d engine.Dispute) string {
	c := d.ChildRef
	if c == "" {
		c = "(reference not given)"
	}
	if b.cfg.Privacy.Initials && d.ChildInitials != "" {
		c += " (" + d.ChildInitials + ")"
	}
	return c
}

func (b *Bot) ukDate(d workdays.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.UK()
}

func (b *Bot) ukTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return workdays.In(t).UK()
}

// data fills the template data for an intent about dispute d.
func (b *Bot) data(d engine.Dispute, in engine.Intent, now time.Time) templates.Data {
	td := templates.Data{
		Purpose:    string(in.Purpose),
		Council:    b.policy.Council,
		Mailbox:    b.cfg.Mailbox,
		Heading:    b.policy.HeadingFor(d.Stage),
		Ref:        d.Ref,
		Child:      b.child(d),
		StageName:  b.policy.StageName(d.Stage),
		Instigator: b.person(d.Instigator),
		Respondent: b.person(d.Respondent),
		Cover:      b.person(d.Cover),
		Due:        b.ukDate(d.Due),
		Responded:  b.ukTime(d.Responded),
		Status:     string(d.Status),
		Outcome:    d.Outcome,
		Reason:     in.Reason,
		Command:    in.Command,
		TotalDays:  b.policy.TotalDays,
	}
	if _, own := b.policy.StageForHeading(td.Heading); !own && d.Heading != "" {
		td.Heading = d.Heading // the heading the alert came with
	}
	if td.Heading == "" {
		td.Heading = b.policy.Heading
	}
	if d.Mailbox != "" {
		td.Mailbox = d.Mailbox
	}
	if d.Raiser != "" && d.Raiser != d.Instigator {
		td.Raiser = b.person(d.Raiser)
	}
	// Only true things: who is copied is read from the email's own Cc.
	var copied []string
	for _, a := range in.Cc {
		if b.isBox(a) {
			copied = append(copied, "the shared mailbox")
			continue
		}
		copied = append(copied, b.person(a).String())
	}
	td.Copied = templates.CopiedClause(copied)
	if len(in.To) > 0 {
		td.Recipient = b.person(in.To[0])
	}
	if !d.Due.IsZero() {
		td.DaysLeft = b.cal.WorkingDaysBetween(workdays.In(now), d.Due)
	}
	if d.Status.Done() {
		// A closed dispute has no response due and no days left.
		td.Due, td.DaysLeft = "", 0
	}
	if in.Purpose == engine.Escalation && len(d.History) > 1 {
		prev := d.History[len(d.History)-2]
		td.Reason = templates.EscalationReasonBy(in.Reason, b.actor(d, prev.By), b.policy.StageName(prev.Stage), b.ukDate(prev.Due))
	}
	if !d.DecisionDue.IsZero() {
		td.DecisionDue = d.DecisionDue.UK()
		td.DecisionDays = b.policy.DecisionDays
	}
	if !d.FormalStart.IsZero() {
		td.UsedDays = b.cal.WorkingDaysBetween(workdays.In(d.FormalStart), workdays.In(now)) - d.PausedDays
	}
	// The history and the alert go to those who act on the dispute: the
	// next level, a deputy, the instigator. They were sent the alert, or
	// the procedure passes it up to them.
	switch in.Purpose {
	case engine.Escalation, engine.DeputyCover, engine.StatusReply, engine.CafcassProposal, engine.Proposal, engine.Notify:
		for _, h := range d.History {
			td.History = append(td.History, b.step(d, h))
		}
		if in.Purpose == engine.Escalation || in.Purpose == engine.DeputyCover || in.Purpose == engine.Notify {
			td.AlertText = d.AlertText
		}
	case engine.HelpCard:
		td.Commands = templates.CommandCard
	}
	return td
}

// step is one stage of the history as an email shows it, with what its
// respondents answered (the form travels up).
func (b *Bot) step(d engine.Dispute, h engine.StageRecord) templates.Step {
	s := templates.Step{Stage: b.policy.StageName(h.Stage), Respondent: b.person(h.Respondent).String(), Started: b.ukTime(h.Started), Due: b.ukDate(h.Due), Responded: b.ukTime(h.Responded), Outcome: h.How}
	if h.By != "" && h.By != d.Instigator {
		// "escalated by the instigator" is not true of a raiser's or the
		// IRO manager's instruction.
		s.Outcome = strings.Replace(h.How, "the instigator", b.actor(d, h.By), 1)
	}
	if h.Raiser != "" && h.Raiser != d.Instigator {
		s.Raiser = b.person(h.Raiser).String()
	}
	if !h.Ended.IsZero() {
		end := workdays.In(h.Ended)
		// A stage that lapsed took its window, not the day it was acted on:
		// a 5-day stage never reads "lapsed (6 working days)".
		if h.How == engine.HowLapsed && !h.Due.IsZero() && h.Due.Before(end) {
			end = h.Due
		}
		s.Days = b.cal.WorkingDaysBetween(workdays.In(h.Started), end)
	}
	for _, r := range h.Responses {
		s.Said = append(s.Said, templates.Said{From: b.person(r.From).String(), At: b.ukTime(r.At), Text: r.Text})
	}
	return s
}

// compose renders an intent into an outbox row threaded into the
// dispute's conversation.
func (b *Bot) compose(d engine.Dispute, in engine.Intent, now time.Time) (store.OutboxRow, error) {
	if b.bare(d, in) {
		return b.composeBare(d, in, now)
	}
	td := b.data(d, in, now)
	msg, err := b.tpl.Render(td)
	if err != nil {
		return store.OutboxRow{}, err
	}
	row := store.OutboxRow{
		MessageID: store.MessageID(d.Ref, in.Stage, string(in.Purpose), in.Seq, b.domain),
		Ref:       d.Ref, Stage: in.Stage, Purpose: string(in.Purpose), Seq: in.Seq,
		To: in.To, Cc: in.Cc, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
		Reason: in.Reason, Created: now,
	}
	if d.Mailbox != "" && !strings.EqualFold(d.Mailbox, b.self) {
		row.From = d.Mailbox // out from the box the dispute came through
	}
	if d.Thread != "" {
		row.InReplyTo = d.Thread
		row.References = append([]string{d.Thread}, d.References...)
		if len(d.References) > 0 {
			row.InReplyTo = d.References[len(d.References)-1]
		}
		row.References = dedupe(row.References)
	}
	return row, nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// globalQuery answers "Status" and "Help" sent to the shared mailbox
// outside any dispute: the sender's open disputes, or the command card.
func (b *Bot) globalQuery(tx *store.Tx, m *parser.Message, now time.Time) (Result, error) {
	res := Result{Kind: engine.Command}
	seq, err := tx.NextSeq("query")
	if err != nil {
		return res, err
	}
	td := templates.Data{Purpose: string(engine.HelpCard), Council: b.policy.Council, Mailbox: b.cfg.Mailbox, Recipient: b.person(m.From), Commands: templates.CommandCard}
	if m.Command == "status" {
		td.Purpose = string(engine.Digest)
		td.Reason = "you are part of that are open"
		td.Subject = "Status: your open disputes"
		err := tx.ForEachOpenBrief(func(d engine.Dispute) error {
			if !containsAddr([]string{d.Instigator, d.Respondent, d.Cover}, m.From) {
				return nil
			}
			row := templates.Row{Ref: d.Ref, Child: d.ChildRef, Stage: b.policy.StageName(d.Stage), Respondent: b.person(d.Respondent).String(), Due: b.ukDate(d.Due), Status: string(d.Status)}
			if !d.Due.IsZero() {
				row.DaysLeft = b.cal.WorkingDaysBetween(workdays.In(now), d.Due)
			}
			td.Rows = append(td.Rows, row)
			return nil
		})
		if err != nil {
			return res, err
		}
		sort.Slice(td.Rows, func(i, j int) bool { return td.Rows[i].Ref < td.Rows[j].Ref })
	}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return res, err
	}
	row := store.OutboxRow{
		MessageID: store.ServiceMessageID("query", fmt.Sprintf("%d.%s", seq, td.Purpose), b.domain),
		Purpose:   td.Purpose, To: []string{b.recipient(engine.Dispute{}, m.From)}, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
		InReplyTo: m.MessageID, References: []string{m.MessageID}, Created: now,
	}
	if err := tx.AddOutbox(row); err != nil {
		return res, err
	}
	res.Queued = 1
	return res, nil
}

// isBox reports one of the council's shared mailboxes.
func (b *Bot) isBox(addr string) bool {
	if strings.EqualFold(addr, b.self) {
		return true
	}
	for _, m := range b.cfg.Mailboxes {
		if strings.EqualFold(addr, m) {
			return true
		}
	}
	return false
}

// liveBox forgets the shared mailbox dispute d came through once a reload
// has taken it out of b.cfg.Mailboxes: its mail then goes out from, and
// copies, the configured mailbox, which drpbot still reads.
func (b *Bot) liveBox(d *engine.Dispute) {
	if d.Mailbox != "" && !b.isBox(d.Mailbox) {
		b.log.Warn("the shared mailbox this dispute came through is no longer configured: its mail now goes through "+b.self, "ref", d.Ref)
		d.Mailbox = ""
	}
}

// boxOf is the shared mailbox a message came through: the first of the
// further mailboxes it is addressed to, else "" (the configured one).
// Newham s7 Stage 1: "The LAC request email or CPRS (should be c.c into
// the email".
func (b *Bot) boxOf(m *parser.Message) string {
	for _, a := range append(append([]string(nil), m.To...), m.Cc...) {
		for _, box := range b.cfg.Mailboxes {
			if strings.EqualFold(a, box) {
				return strings.ToLower(box)
			}
		}
	}
	return ""
}

// actor names who escalated or moved a dispute by instruction: the
// instigator as "the IRO" or "the CP Chair" (Newham's two instigators),
// anyone else by name (Brighton & Hove's IRO Manager and Head of
// Safeguarding raise Levels 2-5; Wakefield's IRO Manager may send the form).
func (b *Bot) actor(d engine.Dispute, by string) string {
	if by == "" || strings.EqualFold(by, d.Instigator) {
		by = d.Instigator
		_, known := b.dir.Person(by)
		switch {
		case !known || b.dir.HasRole(by, policy.RoleIRO):
			return "the IRO"
		case b.dir.HasRole(by, policy.RoleCPChair):
			return "the CP Chair"
		}
		// Wakefield's forms: "From: (IRO/IRO Manager)".
	}
	if p := b.person(by); p.Name != "" {
		return p.Name
	}
	return by
}
