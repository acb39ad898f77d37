package mailbot

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// refused handles the recipients the SMTP server refused for good (or
// that were never valid addresses) on an email about row's dispute, in
// the transaction that records the outcome: the engine hears it as a
// bounce, so the instigator and the QA inbox are told once per address
// per dispute (the dispute keeps the addresses it has reported), and a
// refused respondent is routed around. The email itself went to everyone
// the server accepted.
func (b *Bot) refused(tx *store.Tx, row store.OutboxRow, rejected []string, now time.Time) error {
	d, err := tx.Dispute(row.Ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil // purged since
	} else if err != nil {
		return err
	}
	var addrs []string
	for _, r := range rejected {
		a, _, _ := strings.Cut(r, ": ")
		addrs = append(addrs, strings.ToLower(a))
	}
	nd, intents, err := engine.Apply(d, engine.Event{Kind: engine.Bounce, At: now, Failed: addrs}, b.env(now))
	if err != nil {
		return err
	}
	if d.Status.Done() {
		// The engine has nothing more to say about a closed dispute, but
		// the QA inbox still hears of a dead address, once.
		for _, a := range addrs {
			if containsAddr(nd.Bounced, a) || len(b.cfg.Directory.QA) == 0 {
				continue
			}
			nd.Bounced = append(nd.Bounced, a)
			nd.Seq++
			intents = append(intents, engine.Intent{Purpose: engine.Bounced, Ref: nd.Ref, Stage: nd.Stage, Seq: nd.Seq, To: b.cfg.Directory.QA, Reason: a})
		}
	}
	nd, more := b.routeAround(nd, addrs)
	intents = append(intents, more...)
	if len(intents) == 0 && len(more) == 0 && nd.Seq == d.Seq {
		return nil
	}
	_, err = b.commit(tx, nd, intents, nil, now)
	return err
}

// routeAround finds who covers an open dispute's respondent whose address
// the server refused: their deputy, else their line manager, as the
// directory names them (DESIGN: recipients come from the directory, never
// from guesses; the procedures pass a matter up the line when a level
// cannot act). The dispute records them as cover, so their reply counts
// as the response, and they are sent the alert, the instigator copied.
// With nobody to route to, the bounce report to the instigator and the QA
// inbox is all: a person decides.
func (b *Bot) routeAround(d engine.Dispute, dead []string) (engine.Dispute, []engine.Intent) {
	isDead := func(a string) bool {
		return a == "" || containsAddr(dead, a) || containsAddr(d.Bounced, a) || !validAddr(a)
	}
	if d.Status != engine.Open || d.Respondent == "" || !containsAddr(dead, d.Respondent) || (d.Cover != "" && !isDead(d.Cover)) {
		return d, nil
	}
	p, _ := b.dir.Person(d.Respondent)
	alt, how := "", ""
	switch {
	case p.Deputy != "" && !isDead(strings.ToLower(p.Deputy)):
		alt, how = strings.ToLower(p.Deputy), "deputy"
	case p.Manager != "" && !isDead(strings.ToLower(p.Manager)):
		alt, how = strings.ToLower(p.Manager), "line manager"
	default:
		return d, nil
	}
	d.Cover = alt
	d.AwayStage = d.Stage // an out-of-office from the dead address changes nothing more
	reason := "the mail server refused " + d.Respondent + ", and the directory names you as their " + how
	d.Seq++
	cover := engine.Intent{Purpose: engine.DeputyCover, Ref: d.Ref, Stage: d.Stage, Seq: d.Seq, To: []string{alt}, Reason: reason}
	if !strings.EqualFold(d.Instigator, alt) {
		cover.Cc = []string{d.Instigator}
	}
	// The instigator is copied on the cover email, and the bounce report
	// already told them and the QA inbox that the address is dead.
	return d, []engine.Intent{cover}
}

// startClockAtSend moves a stage's due date when the email that starts
// the stage (the escalation to the new respondent) left on a later working
// day than the stage was entered. The window is a time to respond (Newham
// stage 2: "Maximum timeframe for response is 5 working days"), and nobody
// can respond before they are told, so a day the email spent waiting (an
// SMTP outage, retries) is not taken from them. The timeline records it.
func (b *Bot) startClockAtSend(tx *store.Tx, row store.OutboxRow, at time.Time) error {
	if row.Ref == "" || row.Purpose != string(engine.Escalation) {
		return nil
	}
	late := b.cal.WorkingDaysBetween(workdays.In(row.Created), workdays.In(at))
	if late <= 0 {
		return nil
	}
	d, err := tx.Dispute(row.Ref)
	if err != nil {
		return nil // purged since: nothing to move
	}
	n := len(d.History)
	if d.Status != engine.Open || d.Stage != row.Stage || d.Due.IsZero() || n == 0 || !d.History[n-1].Started.Equal(row.Created) {
		return nil // the stage has moved on since
	}
	d.Due = b.cal.AddWorkingDays(d.Due, late)
	d.History[n-1].Due = d.Due
	if err := tx.PutDispute(d, engine.NextAction(d, b.env(at))); err != nil {
		return err
	}
	_, err = tx.AppendEvent(d.Ref, store.Event{At: at, Kind: "clock", Stage: d.Stage, MessageID: row.MessageID,
		Detail: "the stage's email went " + strconv.Itoa(late) + " working day(s) after the stage began; due moved to " + d.Due.UK()})
	return err
}
