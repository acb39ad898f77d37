package mailbot

import (
	"errors"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
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
	reason := "the mail server refused " + d.Respondent + "; the alert went to their " + how + " " + alt
	d.Seq++
	cover := engine.Intent{Purpose: engine.DeputyCover, Ref: d.Ref, Stage: d.Stage, Seq: d.Seq, To: []string{alt}, Reason: reason}
	if !strings.EqualFold(d.Instigator, alt) {
		cover.Cc = []string{d.Instigator}
	}
	// The instigator is copied on the cover email, and the bounce report
	// already told them and the QA inbox that the address is dead.
	return d, []engine.Intent{cover}
}
