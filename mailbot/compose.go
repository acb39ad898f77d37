package mailbot

import (
	"fmt"
	"sort"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
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
		Heading:    d.Heading,
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
	if td.Heading == "" {
		td.Heading = b.policy.Heading
	}
	if len(in.To) > 0 {
		td.Recipient = b.person(in.To[0])
	}
	if !d.Due.IsZero() {
		td.DaysLeft = b.cal.WorkingDaysBetween(workdays.In(now), d.Due)
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
	case engine.Escalation, engine.DeputyCover, engine.StatusReply, engine.CafcassProposal, engine.Proposal:
		for _, h := range d.History {
			step := templates.Step{Stage: b.policy.StageName(h.Stage), Respondent: b.person(h.Respondent).String(), Started: b.ukTime(h.Started), Due: b.ukDate(h.Due), Responded: b.ukTime(h.Responded), Outcome: h.How}
			if !h.Ended.IsZero() {
				step.Days = b.cal.WorkingDaysBetween(workdays.In(h.Started), workdays.In(h.Ended))
			}
			td.History = append(td.History, step)
		}
		if in.Purpose == engine.Escalation || in.Purpose == engine.DeputyCover {
			td.AlertText = d.AlertText
		}
	case engine.HelpCard:
		td.Commands = templates.CommandCard
	}
	return td
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
