package mailbot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/store"
)

// TestCapFlood: sixty disputes lapse on the same day and escalate to one
// service manager, with the default limit of 20 emails a person a day.
// The IRO, copied on every escalation and sent sixty acknowledgements,
// uses none of the manager's budget (the limit counts To, not Cc); the
// manager gets twenty escalations on their own and the other forty the
// same day in one digest; every dispute's escalation is recorded as gone
// that day; the QA inbox is told the limit bit.
func TestCapFlood(t *testing.T)     { capFlood(t, false) }
func TestCapFloodReal(t *testing.T) { capFlood(t, true) }

func capFlood(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	if w.cfg.SMTP.MaxPerRecipientPerDay != 20 {
		t.Fatalf("default limit %d", w.cfg.SMTP.MaxPerRecipientPerDay)
	}
	w.at(2, 9)
	const n = 60
	for i := 0; i < n; i++ {
		child := fmt.Sprintf("70%05d", i)
		alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 1 - "+child, fmt.Sprintf("<flood%d@drpbot.test>", i), "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nx")
		if err := submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, alert); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.ms.waitFor(t, addrOf("lac"), n); len(got) < n {
		t.Fatalf("the shared mailbox holds %d alerts", len(got))
	}
	w.sync(t)
	for day := 3; day <= 10; day++ {
		w.at(day, 10)
		w.tick(t)
	}
	// The manager: twenty escalations, then one digest of forty, same day.
	sm := w.ms.waitFor(t, addrOf("service.manager"), 21)
	children := regexp.MustCompile(`Dispute Resolution Alert - Stage 2 - (70\d{5})`)
	seen := map[string]bool{}
	single, digests := 0, 0
	for _, f := range sm {
		if strings.Contains(f.Subject, "more emails for you today") {
			digests++
		} else {
			single++
		}
		for _, m := range children.FindAllStringSubmatch(unfold(f.Raw), -1) {
			seen[m[1]] = true
		}
	}
	if single != 20 || digests != 1 || len(seen) != n {
		t.Errorf("manager: %d escalations, %d digests, %d disputes covered (%q)", single, digests, len(seen), subjects(sm))
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		if tx.OutboxLen() != 0 {
			t.Errorf("%d emails still wait", tx.OutboxLen())
		}
		for i := 0; i < n; i++ {
			d := dispute(t, w, fmt.Sprintf("70%05d", i))
			events, _ := tx.Events(d.Ref)
			gone := false
			for _, e := range events {
				if (e.Kind == "sent" || e.Kind == "bundled") && strings.HasPrefix(e.Detail, "escalation to service.manager") && e.At.Equal(w.now) {
					gone = true
				}
			}
			if d.Stage != 2 || !gone {
				t.Errorf("%s: stage %d, escalation gone today %v", d.Ref, d.Stage, gone)
			}
		}
		return nil
	})
	told := false
	for _, f := range w.ms.inbox(t, addrOf("qa")) {
		if strings.Contains(f.Subject, "daily email limit reached for service.manager@drpbot.test") {
			told = true
		}
	}
	if !told {
		t.Errorf("QA not told the limit bit: %q", subjects(w.ms.inbox(t, addrOf("qa"))))
	}
}

// TestClockStartsWhenSent: the escalation waits over a weekend for the
// SMTP server; the new stage's five working days run from the Monday it
// went, not from the Friday it was decided.
func TestClockStartsWhenSent(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<clock1@drpbot.test>", "8080801")
	w.at(10, 10) // stage 1 lapsed: the escalation is decided today
	if err := w.ms.sb.StopSMTP(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.bot.Tick(w.now); err != nil {
		t.Fatal(err)
	}
	w.bot.Drain(t.Context(), w.now) // the server is down: it waits
	before := dispute(t, w, "8080801")
	if before.Stage != 2 {
		t.Fatalf("stage %d", before.Stage)
	}
	if err := w.ms.sb.StartSMTP(); err != nil {
		t.Fatal(err)
	}
	w.at(12, 9) // two working days later
	w.drain(t)
	after := dispute(t, w, "8080801")
	want := w.bot.Calendar().AddWorkingDays(before.Due, 2)
	if after.Due != want || after.History[len(after.History)-1].Due != want {
		t.Errorf("due %s (stage decided with due %s), want %s", after.Due.UK(), before.Due.UK(), want.UK())
	}
	if n := len(w.ms.inbox(t, addrOf("service.manager"))); n != 1 {
		t.Errorf("the manager holds %d", n)
	}
}
