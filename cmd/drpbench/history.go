package main

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

// A shared mailbox's history for the import: three years of DRP traffic
// whose every dispute ends in a known state (the ground truth the
// imported store is checked against), among ordinary mail. Most disputes
// are resolved at stage 1; some are withdrawn, some taken to stage 2 by
// the IRO and resolved there, some answered and left without a decision,
// some long overdue, and the last few still open and in time.

// truth is what the import must rebuild of one dispute.
type truth struct {
	status string // open, responded, resolved, closed
	stage  int
	opened time.Time
	closed time.Time
	due    workdays.Date
	lapsed bool // overdue at the switch-on
}

// history returns total messages, of which disputes threads, in arrival
// order, the last a few minutes before end; with attach, the ordinary mail
// carries bulletins and attachments as corpus's does, without, every
// message is small office mail (2-20 KB). truths are keyed by child
// reference.
func history(seed uint64, total, disputes int, end time.Time, attach bool, cal *workdays.Calendar) ([]msg, map[string]truth) {
	r := rand.New(rand.NewPCG(seed, 0x1575))
	g := &gen{r: r}
	span := 3 * 365 * 24 * time.Hour
	start := end.Add(-span)
	truths := map[string]truth{}
	var out []msg
	add := func(o outlook, alert bool) {
		out = append(out, msg{at: o.date, raw: o.bytes(g), id: o.id, alert: alert, thread: true})
	}
	due := func(at time.Time) workdays.Date { return cal.Add(workdays.In(at), 5, false) }
	for i := 0; i < disputes; i++ {
		iro := "iro@" + domain
		mgr := managers[r.IntN(2)] + "@" + domain // a practice lead: stage 1
		child := fmt.Sprintf("%07d", 3000000+i)
		var at time.Time
		kind := r.IntN(100)
		switch {
		case i >= disputes-5: // open and in time: raised in the last working days
			at = end.Add(-time.Duration(1+r.IntN(40)) * time.Hour).Truncate(time.Second)
			for !cal.IsWorkingDay(workdays.In(at)) {
				at = at.Add(-24 * time.Hour)
			}
			kind = -1
		default:
			at = start.Add(time.Duration(r.Int64N(int64(span - 70*24*time.Hour)))).Truncate(time.Second)
			for !cal.IsWorkingDay(workdays.In(at)) {
				at = at.Add(24 * time.Hour)
			}
		}
		subject := "Dispute Resolution Alert - Stage 1 - " + child
		text := fmt.Sprintf("Child's Azeus Number\t%s\nFORMAL STAGE 1\n\nSummary of Concern(s): %s\n", child, g.words(30+r.IntN(60)))
		alert := outlook{from: iro, to: []string{mgr}, cc: []string{"lac@" + domain}, subject: subject, id: g.id("LO2P265MB1812"), date: at, text: text}
		add(alert, true)
		t := truth{status: "open", stage: 1, opened: at, due: due(at)}
		reply := func(from, to string, after time.Time, body string, refs ...string) outlook {
			o := outlook{from: from, to: []string{to}, cc: []string{"lac@" + domain}, subject: "RE: " + subject, id: g.id("LO2P265MB5070"),
				date: after.Add(time.Duration(1+r.IntN(48)) * time.Hour), inReplyTo: refs, text: body}
			add(o, false)
			return o
		}
		switch {
		case kind < 0:
		case kind < 78: // answered, resolved
			rp := reply(mgr, iro, at, g.words(20+r.IntN(40)), alert.id)
			dn := reply(iro, mgr, rp.date, "Resolved\n\nThank you.", alert.id, rp.id)
			t.status, t.closed = "resolved", dn.date
		case kind < 84: // withdrawn
			dn := reply(iro, mgr, at, "Withdrawn\n\nThe placement has ended.", alert.id)
			t.status, t.closed = "closed", dn.date
		case kind < 90: // taken to stage 2 by the IRO, resolved there
			at2 := at.Add(time.Duration(7+r.IntN(4)) * 24 * time.Hour)
			for !cal.IsWorkingDay(workdays.In(at2)) {
				at2 = at2.Add(24 * time.Hour)
			}
			sm := "service.manager@" + domain
			a2 := outlook{from: iro, to: []string{sm}, cc: []string{"lac@" + domain}, subject: "Dispute Resolution Alert - Stage 2 - " + child, id: g.id("LO2P265MB1812"), date: at2,
				text: fmt.Sprintf("Child's Azeus Number\t%s\nFORMAL STAGE 2\n\nNo response at stage 1.\n", child)}
			add(a2, false)
			subject = a2.subject
			rp := reply(sm, iro, at2, g.words(20), a2.id)
			dn := reply(iro, sm, rp.date, "Resolved", a2.id, rp.id)
			t.status, t.stage, t.closed, t.due = "resolved", 2, dn.date, due(at2)
		case kind < 95: // answered, no decision recorded
			reply(mgr, iro, at, g.words(20+r.IntN(40)), alert.id)
			t.status = "responded"
		default: // nobody answered: overdue at the switch-on
			t.lapsed = true
		}
		truths[child] = t
	}
	for len(out) < total {
		at := start.Add(time.Duration(r.Int64N(int64(span))))
		m := g.other(len(out), at)
		if !attach {
			from := fmt.Sprintf("%s@%s", names[r.IntN(len(names))], domain)
			o := outlook{from: from, to: []string{"lac@" + domain}, id: g.id("LO2P265MB3333"), date: at, subject: "RE: " + g.words(4), text: g.words(100 + r.IntN(900))}
			m = msg{at: at, raw: o.bytes(g), id: o.id}
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, truths
}
