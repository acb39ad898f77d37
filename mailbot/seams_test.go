package mailbot

import (
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/store"
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
	// The QA inbox sees it in the weekly list, as a forged response.
	w.bot.Store().View(func(tx *store.Tx) error {
		held, err := tx.HeldSince(w.now.AddDate(0, 0, -7))
		if err != nil || len(held) != 1 || held[0].MessageID != "<fooo@evil.example>" {
			t.Errorf("held %+v (%v), want the forged out-of-office", held, err)
		}
		return nil
	})

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

// A bounce is never authenticated (a mailer daemon anywhere writes it),
// so what it may report is bounded by what drpbot sent: an address this
// dispute never wrote to is text of the sender's choosing, and neither
// the IRO nor the QA inbox is shown it.
func TestForgedBounceNamesNoStranger(t *testing.T)     { forgedBounce(t, false) }
func TestForgedBounceNamesNoStrangerReal(t *testing.T) { forgedBounce(t, true) }

func forgedBounce(t *testing.T, real bool) {
	w, ref := trustWorld(t, real)
	bait := "call.0800.555.0199.to.verify@evil.example"
	ndr := "From: MAILER-DAEMON@evil.example\r\nTo: lac@drpbot.test\r\nSubject: Undeliverable: Dispute Resolution Alert - Stage 1 - 1234567 [" + ref + "]\r\n" +
		"Message-ID: <fndr@evil.example>\r\nDate: " + w.now.Format(time.RFC1123Z) + "\r\nAuto-Submitted: auto-replied\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n--b\r\n" +
		"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n\r\nFinal-Recipient: rfc822; " + bait + "\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
	forged(t, w, []byte(ndr))
	if d := dispute(t, w, "1234567"); len(d.Bounced) > 0 {
		t.Errorf("the dispute records as dead %q", d.Bounced)
	}
	for _, who := range []string{"qa", "iro"} {
		for _, s := range queuedFor(w, addrOf(who)) {
			if strings.Contains(s, "Undeliverable") || strings.Contains(s, "bounced") {
				t.Errorf("%s was told of the forged bounce: %q", who, s)
			}
		}
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		return tx.History(func(row store.OutboxRow) error {
			if strings.Contains(row.Text, bait) {
				t.Errorf("%s to %v carries the bounce's made-up address", row.Purpose, row.To)
			}
			return nil
		})
	})
}

// A forged near miss in the IRO's name must not have drpbot write to the
// real IRO "reply with this line on its own: Resolved": that is the
// forger's instruction, sent on by drpbot. It is refused as a forged
// instruction is: not authenticated, and no line to send.
func TestForgedNearMissGivesNoLine(t *testing.T)     { forgedNearMiss(t, false) }
func TestForgedNearMissGivesNoLineReal(t *testing.T) { forgedNearMiss(t, true) }

func forgedNearMiss(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	forged(t, w, email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<fnm@evil.example>", "<alert@drpbot.test>", w.now,
		"Resolved as discussed with Pat this morning"))
	unchanged(t, w, "<fnm@evil.example>")
	refusedAtDirectoryAddress(t, w)
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		if body := oneLine(bodyText(t, f.Raw)); strings.Contains(body, "line on its own") || strings.Contains(body, "such as: Resolved") {
			t.Errorf("the IRO was handed the forger's line:\n%s", body)
		}
	}
	strangerGotNothing(t, w)
}

// noneLeftOut fails a test world whose recipient guard left anyone out of
// an email: every purpose the engine has (consult notices, Cafcass
// proposals, cap warnings, maybe_away, a raiser's notice, the shared
// boxes' copies) must reach its people under every preset, and a
// recipient the guard drops is otherwise only a WARN line nobody reads.
func noneLeftOut(t testing.TB, logs string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "recipients outside the directory, the QA inbox and the dispute left out") {
			t.Errorf("the recipient guard dropped someone: %s", line)
		}
	}
}

// brightonLevel3 is a Brighton & Hove dispute the IRO raised, at Level 3
// by the IRO Manager's instruction: the Head of Safeguarding raises it.
func brightonLevel3(t *testing.T, real bool) *world {
	t.Helper()
	w := councilWorld(t, real, "brighton-hove")
	w.at(2, 9)
	w.mail(t, "iro", []string{"pod.team.manager"}, []string{"lac"}, "Looked-after Manager Alert - Level 1 - 7000001", "<b1@drpbot.test>", "",
		"CareFirst ID: 7000001\nLevel 1\nThe PEP is out of date.")
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<b2@drpbot.test>", "<b1@drpbot.test>", "Escalate")
	w.at(3, 9)
	w.mail(t, "irom", []string{"lac"}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<b3@drpbot.test>", "<b2@drpbot.test>", "Escalate")
	d := dispute(t, w, "7000001")
	if d.Stage != 3 || d.Raiser != addrOf("head.of.safeguarding") {
		t.Fatalf("stage %d raised by %q", d.Stage, d.Raiser)
	}
	w.got(t, "head.of.safeguarding", 1) // Level 3's email, copied to its raiser
	return w
}

// The stage's raiser is a party to the dispute: an instruction of theirs
// that cannot be done is refused with its reason, not with the bare
// refusal a stranger to the dispute gets ("only the instigator...").
func TestRaiserIsTold(t *testing.T)     { raiserIsTold(t, false) }
func TestRaiserIsToldReal(t *testing.T) { raiserIsTold(t, true) }

func raiserIsTold(t *testing.T, real bool) {
	w := brightonLevel3(t, real)
	before := len(w.ms.inbox(t, addrOf("head.of.safeguarding")))
	w.at(4, 9)
	w.mail(t, "head.of.safeguarding", []string{"lac"}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<b4@drpbot.test>", "<b3@drpbot.test>", "Stage 3")
	got := w.got(t, "head.of.safeguarding", before+1)
	if body := oneLine(bodyText(t, got.Raw)); !strings.Contains(body, "already at Level 3") || !strings.Contains(body, "7000001") {
		t.Errorf("the raiser's instruction was refused with:\n%s", body)
	}
}

// Brighton & Hove's Head of Safeguarding raises Levels 3-5 and may give
// instructions for them (issue 12); their would-be instruction is answered
// as the IRO's is (issue 14), never ignored in silence.
func TestRaisersNearMissAnswered(t *testing.T)     { raisersNearMissAnswered(t, false) }
func TestRaisersNearMissAnsweredReal(t *testing.T) { raisersNearMissAnswered(t, true) }

func raisersNearMissAnswered(t *testing.T, real bool) {
	w := brightonLevel3(t, real)
	before := len(w.ms.inbox(t, addrOf("head.of.safeguarding")))
	w.at(4, 9)
	w.mail(t, "head.of.safeguarding", []string{"lac"}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<b4@drpbot.test>", "<b3@drpbot.test>",
		"Escalating to level 4 now, thanks.\n\nHope")
	got := w.got(t, "head.of.safeguarding", before+1)
	if body := oneLine(bodyText(t, got.Raw)); !strings.Contains(body, "reply with this line on its own: Escalate to stage 4") {
		t.Errorf("the raiser's near miss was answered with:\n%s", body)
	}
	if d := dispute(t, w, "7000001"); d.Stage != 3 {
		t.Errorf("a near miss moved the dispute to stage %d", d.Stage)
	}
}

// A forged reply in the respondent's name that reads like an
// out-of-office is no response either way (unauthenticated), and the IRO
// is not told a made-up absence.
func TestForgedMaybeAwayTellsNobody(t *testing.T)     { forgedMaybeAwayTellsNobody(t, false) }
func TestForgedMaybeAwayTellsNobodyReal(t *testing.T) { forgedMaybeAwayTellsNobody(t, true) }

func forgedMaybeAwayTellsNobody(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	forged(t, w, email(addrOf("practice.lead"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<fma@evil.example>", "<alert@drpbot.test>", w.now,
		"Hi Iris, the plan has been shared with the carers and the visit notes are being written up today. I'm on annual leave from tomorrow so Sue will pick up anything further.\n\nPat"))
	unchanged(t, w, "<fma@evil.example>")
	if got := queuedFor(w, addrOf("iro")); len(got) != 1 {
		t.Errorf("the IRO was sent %q (the acknowledgement only)", got)
	}
}

// A reload that takes a shared mailbox out of the config (mailboxes is
// live on SIGHUP) leaves disputes that came through it: their mail then
// goes out from, and copies, the configured mailbox drpbot still reads,
// never a box it no longer watches (replies to it would be lost).
func TestDisputeOfARemovedBox(t *testing.T)     { disputeOfARemovedBox(t, false) }
func TestDisputeOfARemovedBoxReal(t *testing.T) { disputeOfARemovedBox(t, true) }

func disputeOfARemovedBox(t *testing.T, real bool) {
	w := councilWorld(t, real, "newham")
	w.cfg.Mailboxes = []string{addrOf("cprs")}
	w.at(2, 9)
	alert := email(addrOf("cp.chair"), []string{addrOf("practice.lead")}, []string{addrOf("cprs")}, "Dispute Resolution Alert - Stage 1 - 9000002", "<cp2@drpbot.test>", "", w.now,
		"Child's Azeus Number: 9000002\nFORMAL STAGE 1\nThe report was not shared before conference.")
	w.ms.send(t, addrOf("cp.chair"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	w.sync(t)
	if d := dispute(t, w, "9000002"); d.Mailbox != addrOf("cprs") {
		t.Fatalf("mailbox %q", d.Mailbox)
	}
	w.cfg.Mailboxes = nil // as a reload leaves it
	w.at(10, 8)
	w.tick(t)
	esc := w.got(t, "service.manager", 1)
	if from, cc := header(esc, "From"), header(esc, "Cc"); strings.Contains(from, addrOf("cprs")) || !strings.Contains(cc, addrOf("lac")) {
		t.Errorf("stage 2 after the CPRS box was removed: From %q Cc %q, want the LAC box", from, cc)
	}
}

// A forged instruction in the name of Brighton & Hove's Head of
// Safeguarding (Level 3's raiser) moves nothing, and the refusal goes to
// their directory address only; stamped by the council's server, the same
// line moves the dispute.
func TestForgedRaiserInstruction(t *testing.T)     { forgedRaiserInstruction(t, false) }
func TestForgedRaiserInstructionReal(t *testing.T) { forgedRaiserInstruction(t, true) }

func forgedRaiserInstruction(t *testing.T, real bool) {
	w := brightonLevel3(t, real)
	secure(w)
	before := len(w.ms.inbox(t, addrOf("head.of.safeguarding")))
	w.at(4, 9)
	forged(t, w, email(addrOf("head.of.safeguarding"), []string{addrOf("lac")}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<fhs@evil.example>", "<b3@drpbot.test>", w.now, "Escalate"))
	if d := dispute(t, w, "7000001"); d.Stage != 3 {
		t.Fatalf("a forged raiser's instruction moved the dispute to stage %d", d.Stage)
	}
	got := w.got(t, "head.of.safeguarding", before+1)
	if body := oneLine(bodyText(t, got.Raw)); !strings.Contains(body, "not mark your email as authenticated") {
		t.Errorf("the raiser was told:\n%s", body)
	}
	strangerGotNothing(t, w)
	w.ms.send(t, addrOf("head.of.safeguarding"), []string{addrOf("lac")}, stamped(genuineStamp,
		email(addrOf("head.of.safeguarding"), []string{addrOf("lac")}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<ghs@drpbot.test>", "<b3@drpbot.test>", w.now, "Escalate")))
	w.sync(t)
	if d := dispute(t, w, "7000001"); d.Stage != 4 {
		t.Errorf("the raiser's stamped instruction left the dispute at stage %d", d.Stage)
	}
}
