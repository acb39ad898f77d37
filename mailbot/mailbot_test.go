package mailbot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
)

// raise delivers a Newham stage 1 alert from the IRO to the practice lead
// (copying the shared mailbox), syncs, and returns the dispute reference.
func raise(t *testing.T, w *world, id, child string) string {
	t.Helper()
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 1 - "+child, id, "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nPlease review the plan.")
	if w.cfg.Security.AuthServID != "" {
		alert = stamped(genuineStamp, alert) // the council's server vouches for the IRO
	}
	w.ms.send(t, addrOf("iro"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	w.sync(t)
	return dispute(t, w, child).Ref
}

func dispute(t *testing.T, w *world, child string) engine.Dispute {
	t.Helper()
	var d engine.Dispute
	w.bot.Store().View(func(tx *store.Tx) error {
		refs := tx.ByChild(child)
		if len(refs) == 0 {
			t.Fatalf("no dispute for %s", child)
		}
		var err error
		d, err = tx.Dispute(refs[len(refs)-1])
		return err
	})
	return d
}

func TestOutOfOfficeAndDeputy(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<a1@drpbot.test>", "1111111")
	ooo := email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "Automatic reply: Dispute Resolution Alert - Stage 1 - 1111111",
		"<ooo1@drpbot.test>", "<a1@drpbot.test>", w.now, "I am on leave until 23 November.",
		"Auto-Submitted: auto-replied", "X-MS-Exchange-Inbox-Rules-Loop: practice.lead@drpbot.test", "X-Auto-Response-Suppress: All")
	w.ms.send(t, addrOf("practice.lead"), []string{addrOf("lac")}, ooo)
	w.sync(t)
	d := dispute(t, w, "1111111")
	if d.Status != engine.Open || d.Cover != addrOf("deputy.practice.lead") {
		t.Errorf("out of office: status %s cover %q", d.Status, d.Cover)
	}
	dep := w.ms.inbox(t, addrOf("deputy.practice.lead"))
	if len(dep) != 1 || !strings.Contains(string(dep[0].Raw), "Please review the plan.") {
		t.Errorf("deputy got %q", subjects(dep))
	}
	// drpbot never answers automatic mail: the practice lead got nothing back.
	if n := len(w.ms.inbox(t, addrOf("practice.lead"))); n != 1 {
		t.Errorf("practice lead holds %d", n)
	}
}

func TestUnauthorisedInstruction(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<a2@drpbot.test>", "2222222")
	w.at(3, 9)
	msg := email(addrOf("dcs"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 2222222", "<x2@drpbot.test>", "<a2@drpbot.test>", w.now, "Close")
	w.ms.send(t, addrOf("dcs"), []string{addrOf("lac")}, msg)
	w.sync(t)
	if d := dispute(t, w, "2222222"); d.Status != engine.Open {
		t.Errorf("closed by someone not allowed: %s", d.Status)
	}
	got := w.ms.inbox(t, addrOf("dcs"))
	if len(got) != 1 || !strings.Contains(string(got[0].Raw), "the IRO manager and the QA inbox") {
		t.Errorf("refusal: %q", subjects(got))
	}
}

func TestRequireAuthenticated(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.cfg.Security.RequireAuthenticated = config.AuthOn
	w.cfg.Security.AuthServID = "mx.drpbot.test"
	w.at(2, 9)
	raise(t, w, "<a3@drpbot.test>", "3333333")
	w.at(3, 9)
	forged := stamped("Authentication-Results: evil.example; dkim=pass", email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 3333333", "<f3@drpbot.test>", "<a3@drpbot.test>", w.now, "Resolved"))
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, forged)
	w.sync(t)
	if d := dispute(t, w, "3333333"); d.Status != engine.Open {
		t.Fatalf("unauthenticated instruction counted: %s", d.Status)
	}
	real := stamped("Authentication-Results: mx.drpbot.test; dkim=pass header.d=drpbot.test", email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 3333333", "<g3@drpbot.test>", "<a3@drpbot.test>", w.now, "Resolved"))
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, real)
	w.sync(t)
	if d := dispute(t, w, "3333333"); d.Status != engine.Resolved {
		t.Errorf("authenticated instruction ignored: %s", d.Status)
	}
}

func TestBadMailNeverStopsTheDaemon(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	// A message whose header is too large to read at all.
	huge := "Subject: Dispute Resolution Alert - Stage 1 - 4444444\r\nMessage-ID: <huge@drpbot.test>\r\n" +
		strings.Repeat("X-Padding: "+strings.Repeat("a", 900)+"\r\n", 1300) + "\r\nbody\r\n"
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, []byte(huge))
	// A message whose handling panics.
	w.bot.beforeHandle = func(m *parser.Message) {
		if m.ChildRef == "5555555" {
			panic("boom")
		}
	}
	boom := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 5555555", "<boom@drpbot.test>", "", w.now, "x")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, boom)
	// And a good one after both.
	raise(t, w, "<a4@drpbot.test>", "6666666")
	w.bot.Store().View(func(tx *store.Tx) error {
		rj, _ := tx.Rejects()
		if len(rj) != 2 {
			t.Errorf("rejects: %+v", rj)
		}
		for _, r := range rj {
			if strings.Contains(r.Error, "aaaa") {
				t.Error("a reject keeps message content")
			}
		}
		return nil
	})
	if got := w.bot.Metrics.Panics.Load(); got != 1 {
		t.Errorf("panics counted: %d", got)
	}
	w.bot.Metrics.Panics.Store(0) // the one we caused
	// A second pass does not retry them: the checkpoint moved on.
	w.sync(t)
	if got := w.bot.Metrics.Rejected.Load(); got != 2 {
		t.Errorf("rejected %d times", got)
	}
	if strings.Contains(w.logs.String(), "Please review the plan") || strings.Contains(w.logs.String(), "aaaaaaaa") {
		t.Error("a message body reached the log")
	}
}

func TestIdempotentAcrossFoldersAndUIDValidity(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.cfg.IMAP.Folders = []string{"INBOX", "Archive"}
	c := w.ms.login(t, addrOf("lac"))
	c.Create("Archive", nil).Wait()
	c.Close()
	w.at(2, 9)
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 7777777", "<a7@drpbot.test>", "", w.now, "x")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, alert)
	// The same message copied into another folder (someone filed it).
	c = w.ms.login(t, addrOf("lac"))
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	w.ms.appendTo(t, addrOf("lac"), "Archive", alert)
	w.sync(t)
	// The server renumbers the folder: reread from the start.
	w.bot.Store().Update(func(tx *store.Tx) error {
		return tx.SetCheckpoint("INBOX", store.Checkpoint{UIDValidity: 1, LastUID: 99})
	})
	w.sync(t)
	n := 0
	w.bot.Store().View(func(tx *store.Tx) error {
		n = len(tx.ByChild("7777777"))
		return nil
	})
	if n != 1 {
		t.Errorf("%d disputes for one alert", n)
	}
	if acks := w.ms.inbox(t, addrOf("iro")); len(acks) != 1 {
		t.Errorf("IRO got %d acknowledgements", len(acks))
	}
}

func TestStatusAndHelpByEmail(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<a8@drpbot.test>", "8888888")
	w.at(3, 9)
	q := email(addrOf("iro"), []string{addrOf("lac")}, nil, "Status", "<q8@drpbot.test>", "", w.now, "")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, q)
	h := email(addrOf("team.manager"), []string{addrOf("lac")}, nil, "help", "<h8@drpbot.test>", "", w.now, "")
	w.ms.send(t, addrOf("team.manager"), []string{addrOf("lac")}, h)
	st := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 8888888", "<s8@drpbot.test>", "<a8@drpbot.test>", w.now, "Status")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, st)
	w.sync(t)
	iro := w.ms.inbox(t, addrOf("iro"))
	var list, thread int
	for _, f := range iro {
		if f.Subject == "Status: your open disputes" && strings.Contains(string(f.Raw), "8888888") {
			list++
		}
		if strings.Contains(f.Subject, "[DRP-2026-0001]") && strings.Contains(string(f.Raw), "Status of DRP-2026-0001") {
			thread++
		}
	}
	if len(iro) != 3 || list != 1 || thread != 1 {
		t.Errorf("status replies: %q", subjects(iro))
	}
	tm := w.ms.inbox(t, addrOf("team.manager"))
	if len(tm) != 1 || !strings.Contains(string(tm[0].Raw), "Cafcass referral made") {
		t.Errorf("help: %q", subjects(tm))
	}
}

func TestSMTPDownThenBack(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	w.ms.sb.SetSMTPDown(true)
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 9999999", "<a9@drpbot.test>", "", w.now, "x")
	w.ms.sb.Deliver(alert, addrOf("lac"))
	if _, err := w.bot.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		w.now = w.now.Add(time.Duration(i) * 10 * time.Minute)
		if _, _, err := w.bot.Drain(context.Background(), w.now); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(w.ms.inbox(t, addrOf("iro"))); n != 0 {
		t.Fatalf("sent while SMTP was down: %d", n)
	}
	w.ms.sb.SetSMTPDown(false)
	w.now = w.now.Add(2 * time.Hour)
	w.drain(t)
	w.now = w.now.Add(2 * time.Hour)
	w.drain(t)
	got := w.ms.inbox(t, addrOf("iro"))
	if len(got) != 1 {
		t.Errorf("after SMTP came back the IRO holds %d", len(got))
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		if tx.OutboxLen() != 0 {
			t.Errorf("outbox still holds %d", tx.OutboxLen())
		}
		return nil
	})
}

func TestPermanentFailureReportedToQA(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	alert := email(addrOf("iro"), []string{"left.council@drpbot.test"}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 1212121", "<a12@drpbot.test>", "", w.now, "x")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, alert)
	w.sync(t)
	w.at(6, 9)
	if _, err := w.bot.Tick(w.now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.bot.Drain(context.Background(), w.now); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	qa := w.ms.inbox(t, addrOf("qa"))
	if len(qa) != 1 || !strings.Contains(string(qa[0].Raw), "left.council@drpbot.test") {
		t.Errorf("QA told: %q", subjects(qa))
	}
}

func TestRateLimitAndDryRun(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.cfg.SMTP.MaxPerRecipientPerDay = 1
	w.at(2, 9)
	raise(t, w, "<r1@drpbot.test>", "1313131")
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 1414141", "<r2@drpbot.test>", "", w.now, "x")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, alert)
	w.sync(t)
	// Over the limit, the second acknowledgement goes the same day inside
	// a digest (see TestCapFlood), not on its own and not the next day.
	iro := w.ms.inbox(t, addrOf("iro"))
	if len(iro) != 2 || !strings.Contains(iro[1].Subject, "more emails for you today") || !strings.Contains(unfold(iro[1].Raw), "1414141") {
		t.Errorf("over the limit the IRO got %q", subjects(iro))
	}
	w.at(3, 9)
	w.drain(t)
	if n := len(w.ms.inbox(t, addrOf("iro"))); n != 2 {
		t.Errorf("the next day brought %d", n)
	}

	d := newWorld(t, false, "newham")
	d.cfg.SMTP.DryRun = true
	d.at(2, 9)
	raise(t, d, "<r3@drpbot.test>", "1515151")
	if n := len(d.ms.inbox(t, addrOf("iro"))); n != 0 {
		t.Errorf("dry run sent %d", n)
	}
	d.bot.Store().View(func(tx *store.Tx) error {
		n := 0
		tx.History(func(r store.OutboxRow) error {
			if r.DryRun && !r.Sent.IsZero() {
				n++
			}
			return nil
		})
		if n != 1 {
			t.Errorf("dry-run history rows: %d", n)
		}
		return nil
	})
}

// TestCrashMidSend: an attempt was recorded, then the process died. If the
// shared mailbox holds the blind copy the email went, and it is not sent
// again; if not, it is sent once.
func TestCrashMidSend(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	w.ms.sb.SetSMTPDown(true) // queue the ack without sending it
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 1616161", "<c1@drpbot.test>", "", w.now, "x")
	w.ms.sb.Deliver(alert, addrOf("lac"))
	alert2 := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 1717171", "<c2@drpbot.test>", "", w.now, "x")
	w.ms.sb.Deliver(alert2, addrOf("lac"))
	if _, err := w.bot.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.ms.sb.SetSMTPDown(false)
	rows, _ := w.bot.Store().OutboxDue(w.now, 10)
	if len(rows) != 2 {
		t.Fatalf("outbox %d", len(rows))
	}
	// Both attempts recorded; the first email was committing (its final
	// dot went to the server), reached the server (its copy is in the
	// shared mailbox), and then the process died. The second never got to
	// its dot: it is sent without looking.
	for _, r := range rows {
		if _, err := w.bot.Store().BeginAttempt(r.MessageID, w.now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.bot.Store().Update(func(tx *store.Tx) error { return tx.MarkCommitting(rows[0].MessageID) }); err != nil {
		t.Fatal(err)
	}
	m, _ := w.bot.message(rows[0], w.now)
	var raw strings.Builder
	m.WriteTo(&raw)
	w.ms.sb.Deliver([]byte(raw.String()), addrOf("iro"), addrOf("lac"))

	w.now = w.now.Add(2 * time.Minute)
	w.drain(t)
	got := map[string]int{}
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		got[f.MessageID]++
	}
	if got[rows[0].MessageID] != 1 || got[rows[1].MessageID] != 1 || len(got) != 2 {
		t.Errorf("after the crash: %v", got)
	}
}

// TestThreadMatching: a reply is found by Exchange's Thread-Index alone,
// and by the [DRP-...] tag alone, when References are gone.
func TestThreadMatching(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 1919191", "<t1@drpbot.test>", "", w.now, "x",
		"Thread-Index: AdtVYw1Qy8m1x0n9TkOq9M2b1T8kCg==")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, alert)
	w.sync(t)
	ref := dispute(t, w, "1919191").Ref
	// The manager's reply carries only the conversation (no References,
	// a subject edited beyond recognition).
	w.at(3, 9)
	reply := email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "RE: the plan", "<t2@drpbot.test>", "", w.now, "Booked.",
		"Thread-Index: AdtVYw1Qy8m1x0n9TkOq9M2b1T8kCgABAgM=")
	w.ms.send(t, addrOf("practice.lead"), []string{addrOf("lac")}, reply)
	w.sync(t)
	if d := dispute(t, w, "1919191"); d.Status != engine.Responded {
		t.Errorf("Thread-Index reply not matched: %s", d.Status)
	}
	// The IRO's instruction carries only the tag.
	cmd := email(addrOf("iro"), []string{addrOf("lac")}, nil, "About ["+ref+"]", "<t3@drpbot.test>", "", w.now, "Resolved")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, cmd)
	w.sync(t)
	if d := dispute(t, w, "1919191"); d.Status != engine.Resolved {
		t.Errorf("tag not matched: %s", d.Status)
	}
	// drpbot's emails are machine-made and threaded.
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		raw := string(f.Raw)
		if !strings.Contains(raw, "Auto-Submitted: auto-generated") || f.InReplyTo == "" || !strings.Contains(raw, `From: "London Borough of Newham dispute resolution" <lac@drpbot.test>`) {
			t.Errorf("outgoing email headers:\n%.600s", raw)
		}
	}
}

// TestBounceArrives: an NDR about drpbot's own email tells the instigator
// and QA which address is dead.
func TestBounceArrives(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	ref := raise(t, w, "<b1@drpbot.test>", "2020202")
	ndr := "From: MAILER-DAEMON@drpbot.test\r\nTo: lac@drpbot.test\r\nSubject: Undeliverable: Dispute Resolution Alert - Stage 1 - 2020202 [" + ref + "]\r\n" +
		"Message-ID: <ndr1@drpbot.test>\r\nDate: " + w.now.Format(time.RFC1123Z) + "\r\nAuto-Submitted: auto-replied\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n--b\r\n" +
		"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.drpbot.test\r\n\r\nFinal-Recipient: rfc822; practice.lead@drpbot.test\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n"
	w.ms.send(t, "mailer-daemon@drpbot.test", []string{addrOf("lac")}, []byte(ndr))
	w.sync(t)
	qa := w.ms.inbox(t, addrOf("qa"))
	if len(qa) != 1 || !strings.HasPrefix(qa[0].Subject, "Dispute Resolution Alert") || !strings.Contains(string(qa[0].Raw), "practice.lead@drpbot.test") {
		t.Errorf("QA: %q", subjects(qa))
	}
	// Never answered: the mailer daemon gets nothing.
	if d := dispute(t, w, "2020202"); d.Status != engine.Open || len(d.Bounced) != 1 {
		t.Errorf("%s %v", d.Status, d.Bounced)
	}
}

// TestWeeklyDigest: each IRO their open disputes, each manager what waits
// on them, QA everything overdue; a rerun the same day sends nothing twice.
func TestWeeklyDigest(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<d1@drpbot.test>", "2121212")
	w.at(16, 8) // overdue by now
	n, err := w.bot.Digest(w.now)
	if err != nil || n != 3 {
		t.Fatalf("digest queued %d (%v)", n, err)
	}
	if again, _ := w.bot.Digest(w.now); again != 0 {
		t.Errorf("rerun queued %d", again)
	}
	w.drain(t)
	for _, addr := range []string{addrOf("iro"), addrOf("practice.lead"), addrOf("qa")} {
		box := w.ms.inbox(t, addr)
		last := box[len(box)-1]
		if !strings.Contains(last.Subject, "weekly digest") || !strings.Contains(string(last.Raw), "2121212") {
			t.Errorf("%s: %q", addr, subjects(box))
		}
	}
}

// TestTickIsolatesAFailingDispute: due disputes are ticked a batch a
// transaction; one that fails (here, panics) is rolled back with its batch,
// the rest are done again one by one and move on, and it stays due.
func TestTickIsolatesAFailingDispute(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	var refs []string
	for k := 0; k < 5; k++ {
		child := fmt.Sprintf("%07d", 7100000+k)
		alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 1 - "+child, fmt.Sprintf("<iso-%d@drpbot.test>", k), "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nPlease review the plan.")
		res, err := w.bot.Process(alert, w.now)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.Ref)
	}
	bad := refs[2]
	w.bot.beforeTick = func(ref string) {
		if ref == bad {
			panic("boom")
		}
	}
	w.at(16, 9) // every window has lapsed: each escalates
	n, err := w.bot.Tick(w.now)
	if err != nil {
		t.Fatal(err)
	}
	due := func() []string {
		var d []string
		w.bot.Store().View(func(tx *store.Tx) error { d = tx.Due(w.now); return nil })
		return d
	}
	if got := due(); len(got) != 1 || got[0] != bad {
		t.Errorf("due after the tick: %v, want only %s", got, bad)
	}
	if n == 0 || w.bot.Metrics.Escalations.Load() != 4 {
		t.Errorf("queued %d, escalations %d; want the 4 good disputes escalated", n, w.bot.Metrics.Escalations.Load())
	}
	if got := w.bot.Metrics.Panics.Load(); got != 1 {
		t.Errorf("panics counted: %d", got)
	}
	w.bot.Metrics.Panics.Store(0) // the one we caused
	w.bot.beforeTick = nil
	if _, err := w.bot.Tick(w.now); err != nil {
		t.Fatal(err)
	}
	if got := due(); len(got) != 0 || w.bot.Metrics.Escalations.Load() != 5 {
		t.Errorf("after a clean tick: due %v, escalations %d", got, w.bot.Metrics.Escalations.Load())
	}
}
