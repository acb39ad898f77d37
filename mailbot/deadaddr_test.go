package mailbot

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/store"
)

// leaverStaff adds two practice leads whose mailboxes were deleted: the
// sandbox refuses them (no such mailbox) and so does Postfix in CI
// (.ci/mailservers lists them as leavers): a real 550 at RCPT.
const leaverStaff = `leaver@drpbot.test,Lee Leaver,practice_lead,North,service.manager@drpbot.test,deputy.practice.lead@drpbot.test
left.council@drpbot.test,Lou Left,practice_lead,North,service.manager@drpbot.test,
`

func withLeavers(t *testing.T, w *world) {
	t.Helper()
	if err := os.WriteFile(w.cfg.Path("staff.csv"), []byte(staffCSV+leaverStaff), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := w.cfg.BuildDirectory()
	if err != nil {
		t.Fatal(err)
	}
	w.bot.dir = dir
}

// TestDeadRecipient: a leaver's mailbox is refused with 550 at RCPT. The
// emails still go to everyone else the server accepts; the instigator and
// the QA inbox are told once per address; a dead respondent is routed to
// their deputy, or with none to their line manager; and show says so.
func TestDeadRecipient(t *testing.T)     { deadRecipient(t, false) }
func TestDeadRecipientReal(t *testing.T) { deadRecipient(t, true) }

func deadRecipient(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	withLeavers(t, w)
	w.at(2, 9)
	for _, a := range []struct{ id, child, to string }{{"<dead1@drpbot.test>", "3030301", "leaver"}, {"<dead2@drpbot.test>", "3030302", "left.council"}} {
		alert := email(addrOf("iro"), []string{addrOf(a.to)}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 1 - "+a.child, a.id, "", w.now, "Child ID: "+a.child+"\nFORMAL STAGE 1\nPlease review the plan.")
		w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, alert) // the IRO's own server refused the leaver
	}
	w.sync(t)
	// Tick through the window: reminders, the lapse, the escalation.
	for day := 3; day <= 10; day++ {
		w.at(day, 10)
		if _, err := w.bot.Tick(w.now); err != nil {
			t.Fatal(err)
		}
		// Refused emails count as failed here; the drain itself must work.
		if _, _, err := w.bot.Drain(t.Context(), w.now); err != nil {
			t.Fatal(err)
		}
	}
	d1, d2 := dispute(t, w, "3030301"), dispute(t, w, "3030302")
	if !containsAddr(d1.Bounced, "leaver@drpbot.test") || !containsAddr(d2.Bounced, "left.council@drpbot.test") {
		t.Errorf("refusals not recorded: %v %v", d1.Bounced, d2.Bounced)
	}
	// Routed around: the deputy, else the line manager, got the alert.
	dep := w.ms.inbox(t, addrOf("deputy.practice.lead"))
	if len(dep) == 0 || !strings.Contains(string(dep[0].Raw), "Please review the plan.") || !strings.Contains(dep[0].Subject, "3030301") {
		t.Errorf("deputy of the leaver got %q", subjects(dep))
	}
	sm := w.ms.inbox(t, addrOf("service.manager"))
	covered := false
	for _, f := range sm {
		if strings.Contains(f.Subject, "3030302") && strings.Contains(string(f.Raw), "Please review the plan.") {
			covered = true
		}
	}
	if !covered {
		t.Errorf("line manager of the leaver without a deputy got %q", subjects(sm))
	}
	// Told once per address: the QA inbox holds one report per leaver,
	// however many emails to them were refused.
	reports := map[string]int{}
	for _, f := range w.ms.inbox(t, addrOf("qa")) {
		for _, a := range []string{"leaver@drpbot.test", "left.council@drpbot.test"} {
			if body := unfold(f.Raw); strings.Contains(body, "could not be delivered to "+a) {
				reports[a]++
			}
		}
	}
	if reports["leaver@drpbot.test"] != 1 || reports["left.council@drpbot.test"] != 1 {
		t.Errorf("QA reports per dead address: %v (%q)", reports, subjects(w.ms.inbox(t, addrOf("qa"))))
	}
	iroTold := 0
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		if strings.Contains(unfold(f.Raw), "could not be delivered to leaver@drpbot.test") {
			iroTold++
		}
	}
	if iroTold == 0 {
		t.Errorf("the IRO was not told the leaver was refused: %q", subjects(w.ms.inbox(t, addrOf("iro"))))
	}
	// Once the window lapsed, the escalation Cc'd the dead practice lead:
	// it still reached the service manager.
	var events []store.Event
	w.bot.Store().View(func(tx *store.Tx) error {
		events, _ = tx.Events(d1.Ref)
		return nil
	})
	escalated, refusedLogged := false, false
	for _, e := range events {
		if e.Kind == "sent" && strings.HasPrefix(e.Detail, string(engine.Escalation)) && strings.Contains(e.Detail, addrOf("service.manager")) {
			escalated = true
		}
		if e.Kind == "refused" && strings.Contains(e.Detail, "leaver@drpbot.test: SMTP error 550") {
			refusedLogged = true
		}
	}
	if d1.Stage == 2 && !escalated {
		t.Errorf("the escalation with a dead Cc never reached the service manager: %+v", events)
	}
	if !refusedLogged {
		t.Errorf("the timeline does not show the 550: %+v", events)
	}
	// While stage 1 waited, show named the cover and the refusal.
	var mid strings.Builder
	stage1 := d1
	stage1.Stage, stage1.Respondent, stage1.Cover, stage1.Due = 1, addrOf("leaver"), addrOf("deputy.practice.lead"), d1.History[0].Due
	WriteShow(&mid, stage1, nil, w.bot.Policy(), w.bot.Calendar(), w.now.AddDate(0, 0, -5), false)
	if !strings.Contains(mid.String(), "refused leaver@drpbot.test's address") || !strings.Contains(mid.String(), "covered by deputy.practice.lead@drpbot.test") {
		t.Errorf("show while routed around:\n%s", mid.String())
	}
	var show strings.Builder
	if err := WriteShow(&show, d1, events, w.bot.Policy(), w.bot.Calendar(), w.now, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(show.String(), "refused: reminder: leaver@drpbot.test: SMTP error 550") {
		t.Errorf("show does not say the respondent's address was refused:\n%s", show.String())
	}
}

// unfold undoes quoted-printable soft line breaks, enough to look for a
// sentence in a raw email.
func unfold(raw []byte) string {
	return strings.NewReplacer("=\r\n", "", "=\n", "", "\r\n", " ", "\n", " ").Replace(string(raw))
}

// TestBadAddressNeverReachesSMTP: an address that is not one is left out
// of the envelope and the header, and reported; the email goes to the rest.
func TestBadAddressNeverReachesSMTP(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	bad := []string{"not an address", "x@y@drpbot.test", "é@drpbot.test", "a@", "a@localhost"}
	err := w.bot.Store().Update(func(tx *store.Tx) error {
		return tx.AddOutbox(store.OutboxRow{MessageID: "<bad-1@drpbot.test>", To: append([]string{addrOf("iro")}, bad...),
			Subject: "x", Text: "x\n", Created: w.now})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	got := w.ms.inbox(t, addrOf("iro"))
	if len(got) != 1 {
		t.Fatalf("iro holds %d", len(got))
	}
	for _, b := range bad {
		if strings.Contains(string(got[0].Raw), b) {
			t.Errorf("header carries %q", b)
		}
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		row, _ := tx.Outboxed("<bad-1@drpbot.test>")
		if row.Sent.IsZero() || len(row.Rejected) != len(bad) {
			t.Errorf("row: sent %v rejected %q", row.Sent, row.Rejected)
		}
		for _, r := range row.Rejected {
			if !strings.HasSuffix(r, ": not a valid email address") {
				t.Errorf("reached the server: %q", r)
			}
		}
		return nil
	})
}

// TestToTheSharedMailboxItself: an email addressed to the shared mailbox
// (a QA list that names it) is sent, not taken for the blind copy alone.
func TestToTheSharedMailboxItself(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	err := w.bot.Store().Update(func(tx *store.Tx) error {
		return tx.AddOutbox(store.OutboxRow{MessageID: "<self-1@drpbot.test>", To: []string{addrOf("lac")}, Subject: "x", Text: "x\n", Created: w.now})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	if got := w.ms.inbox(t, addrOf("lac")); len(got) != 1 || got[0].MessageID != "<self-1@drpbot.test>" {
		t.Errorf("the shared mailbox holds %q", subjects(got))
	}
}

// TestDeadAddressOnAClosedDispute: the last email of a closed dispute is
// refused for one recipient: the QA inbox is told once all the same.
func TestDeadAddressOnAClosedDispute(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	ref := raise(t, w, "<closed1@drpbot.test>", "3131313")
	var d engine.Dispute
	err := w.bot.Store().Update(func(tx *store.Tx) error {
		var err error
		if d, err = tx.Dispute(ref); err != nil {
			return err
		}
		d.Status, d.Closed = engine.Resolved, w.now
		if err := tx.PutDispute(d, time.Time{}); err != nil {
			return err
		}
		for i := 1; i <= 2; i++ {
			if err := tx.AddOutbox(store.OutboxRow{MessageID: fmt.Sprintf("<closed-%d@drpbot.test>", i), Ref: ref, Purpose: "command_ack",
				To: []string{addrOf("iro")}, Cc: []string{"leaver@drpbot.test"}, Subject: "x", Text: "x\n", Created: w.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	n := 0
	for _, f := range w.ms.inbox(t, addrOf("qa")) {
		if strings.Contains(unfold(f.Raw), "could not be delivered to leaver@drpbot.test") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("QA told %d times (%q)", n, subjects(w.ms.inbox(t, addrOf("qa"))))
	}
}
