package mailbot

import (
	"testing"
)

// Seams between the branches: trust (issue 13) meets what issue 14 reads
// and issue 12 routes.

// A forged out-of-office from the respondent's address, which the
// council's server did not vouch for, must not hand the dispute to the
// deputy: the respondent's own server stamps their real one.
func TestForgedOutOfOfficeKeepsRespondent(t *testing.T)     { forgedOutOfOffice(t, false) }
func TestForgedOutOfOfficeKeepsRespondentReal(t *testing.T) { forgedOutOfOffice(t, true) }

func forgedOutOfOffice(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	ooo := email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "Automatic reply: Dispute Resolution Alert - Stage 1 - 1234567",
		"<fooo@evil.example>", "<alert@drpbot.test>", w.now, "I am on leave until 23 November.",
		"Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All")
	forged(t, w, ooo)
	if d := dispute(t, w, "1234567"); d.Cover != "" {
		t.Errorf("a forged out-of-office made %s the respondent's cover", d.Cover)
	}
	if got := queuedFor(w, addrOf("deputy.practice.lead")); len(got) > 0 {
		t.Errorf("the deputy was sent %q on a forged out-of-office", got)
	}
	unchanged(t, w, "<fooo@evil.example>")

	// The genuine one, stamped by the council's server, still does.
	genuine := stamped(genuineStamp, email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "Automatic reply: Dispute Resolution Alert - Stage 1 - 1234567",
		"<gooo@drpbot.test>", "<alert@drpbot.test>", w.now, "I am on leave until 23 November.",
		"Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"))
	w.ms.send(t, addrOf("practice.lead"), []string{addrOf("lac")}, genuine)
	w.sync(t)
	if d := dispute(t, w, "1234567"); d.Cover != addrOf("deputy.practice.lead") {
		t.Errorf("the genuine out-of-office: cover %q", d.Cover)
	}
}
