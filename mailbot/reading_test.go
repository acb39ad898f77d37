package mailbot

import (
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"github.com/drpbot/drpbot/mailbot/engine"
)

// TestNearMissAnswers is issue 14 end to end on the sandbox;
// TestNearMissAnswersReal runs the same on Dovecot and Postfix.
func TestNearMissAnswers(t *testing.T)     { runNearMiss(t, false) }
func TestNearMissAnswersReal(t *testing.T) { runNearMiss(t, true) }

// runNearMiss: the IRO's would-be instructions are answered at once with
// what drpbot understood and the exact line (an impossible date refused
// with its reason), nothing changing; an unsure out-of-office from the
// respondent is not their response and the IRO is told; an out-of-office
// known only by its subject brings in the deputy; the manager's hedged
// wording is their response; the IRO's "Resolved - thanks Pat." closes the
// dispute.
func runNearMiss(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	iro, lead, lac := addrOf("iro"), addrOf("practice.lead"), addrOf("lac")
	w.at(2, 9)
	raise(t, w, "<nm-alert@drpbot.test>", "4444444")
	if got := w.ms.waitFor(t, iro, 1); len(got) != 1 {
		t.Fatalf("acknowledgement: %q", subjects(got))
	}
	due := dispute(t, w, "4444444").Due
	subject := "RE: Dispute Resolution Alert - Stage 1 - 4444444"
	say := func(from, id, body string, extra ...string) {
		t.Helper()
		msg := email(from, []string{lac}, nil, subject, id, "<nm-alert@drpbot.test>", w.now, body, extra...)
		w.ms.send(t, from, []string{lac}, msg)
		w.sync(t)
	}
	lastTo := func(addr string, count int) string {
		t.Helper()
		got := w.ms.waitFor(t, addr, count)
		if len(got) != count {
			t.Fatalf("%s holds %d emails, want %d: %q", addr, len(got), count, subjects(got))
		}
		return bodyText(t, got[count-1].Raw)
	}

	// An impossible date: refused with the reason, the deadline unchanged.
	w.at(3, 9)
	say(iro, "<nm-1@drpbot.test>", "Extend to 31/02/2027\n\nIris")
	body := lastTo(iro, 2)
	for _, s := range []string{"31/02/2027 is not a date: February 2027 has 28 days", "Extend to DD/MM/YYYY"} {
		if !strings.Contains(oneLine(body), s) {
			t.Errorf("answer to the impossible date lacks %q:\n%s", s, body)
		}
	}
	if d := dispute(t, w, "4444444"); d.Due != due || d.Status != engine.Open {
		t.Errorf("after the impossible date: due %v status %s", d.Due, d.Status)
	}

	// A would-be "Resolved": answered with the exact line, nothing done.
	say(iro, "<nm-2@drpbot.test>", "Resolved as discussed with Pat this morning")
	body = lastTo(iro, 3)
	if !strings.Contains(oneLine(body), "reply with this line on its own: Resolved") {
		t.Errorf("near-miss answer:\n%s", body)
	}
	if d := dispute(t, w, "4444444"); d.Status != engine.Open {
		t.Fatalf("a near miss changed the dispute: %s", d.Status)
	}

	// The respondent's text reads like an out-of-office, unmarked: not the
	// response; the IRO is told.
	say(lead, "<nm-3@drpbot.test>", "Hi Iris, the plan has been shared with the carers and the visit notes are being written up today. I'm on annual leave from tomorrow so Sue will pick up anything further.\n\nPat")
	if body := lastTo(iro, 4); !strings.Contains(oneLine(body), "reads like an out-of-office, so it was not counted as their response") {
		t.Errorf("the IRO was not told of the unsure out-of-office:\n%s", body)
	}
	if d := dispute(t, w, "4444444"); d.Status != engine.Open || !d.Responded.IsZero() {
		t.Fatalf("an unsure out-of-office counted as the response: %s", d.Status)
	}

	// An out-of-office with only its subject to show for it.
	ooo := email(lead, []string{lac}, nil, "Out of Office", "<nm-5@drpbot.test>", "<nm-alert@drpbot.test>", w.now,
		"I am out of the office until Monday 23 November with no access to email.\n\nFor anything urgent please contact my deputy.")
	w.ms.send(t, lead, []string{lac}, ooo)
	w.sync(t)
	if d := dispute(t, w, "4444444"); d.Status != engine.Open || d.Cover != addrOf("deputy.practice.lead") {
		t.Fatalf("out-of-office by subject: status %s cover %q", d.Status, d.Cover)
	}
	if got := w.ms.waitFor(t, addrOf("deputy.practice.lead"), 1); len(got) != 1 {
		t.Errorf("deputy got %q", subjects(got))
	}

	// The manager's hedged wording is their response, and is not answered.
	w.at(4, 9)
	before := len(w.ms.inbox(t, lead))
	say(lead, "<nm-6@drpbot.test>", "I believe this is now resolved, please confirm")
	if d := dispute(t, w, "4444444"); d.Status != engine.Responded {
		t.Fatalf("hedged manager wording: %s, want responded", d.Status)
	}
	if after := len(w.ms.inbox(t, lead)); after != before {
		t.Errorf("the manager was answered: %d emails, had %d", after, before)
	}

	// Courtesy around one instruction is the instruction.
	say(iro, "<nm-7@drpbot.test>", "Resolved - thanks Pat.")
	if d := dispute(t, w, "4444444"); d.Status != engine.Resolved {
		t.Fatalf("\"Resolved - thanks Pat.\": %s", d.Status)
	}
}

// bodyText is the decoded text/plain part of a raw email.
func bodyText(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := mail.CreateReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err != nil {
			return ""
		}
		if ct := p.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "text/plain") {
			b, _ := io.ReadAll(p.Body)
			return string(b)
		}
	}
}

// oneLine folds a text's line breaks, as templates wrap long lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
