package mailbot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/store"
)

// genuineStamp is what the council's server (authserv-id mx.drpbot.test)
// writes on top of a message from drpbot.test that passed DKIM and DMARC.
const genuineStamp = "Authentication-Results: mx.drpbot.test; dkim=pass header.d=drpbot.test; dmarc=pass header.from=drpbot.test"

// stamped puts header on top of raw, where the receiving server puts its
// own (Postfix then adds its Received above it).
func stamped(header string, raw []byte) []byte {
	return append([]byte(header+"\r\n"), raw...)
}

// secure is the set-up: require_authenticated = true and the
// council's server named.
func secure(w *world) {
	w.cfg.Security = config.Security{RequireAuthenticated: config.AuthOn, AuthServID: "mx.drpbot.test", Provider: config.ProviderOther}
}

// trustWorld is a Newham world with the set-up and one dispute
// raised by the IRO (authenticated), DRP-2026-0001 for child 1234567,
// its alert <alert@drpbot.test>.
func trustWorld(t *testing.T, real bool) (*world, string) {
	t.Helper()
	w := newWorld(t, real, "newham")
	secure(w)
	w.at(2, 9)
	ref := raise(t, w, "<alert@drpbot.test>", "1234567")
	w.at(3, 10)
	return w, ref
}

// forged delivers raw to the shared mailbox as the attacker would: over
// SMTP, an envelope of their choosing, headers of their choosing.
func forged(t *testing.T, w *world, raw []byte) {
	t.Helper()
	w.ms.send(t, addrOf("stranger"), []string{addrOf("lac")}, raw)
	w.sync(t)
}

// unchanged fails unless the dispute is still open at stage 1 with the
// practice lead, and the message id threads nothing.
func unchanged(t *testing.T, w *world, ids ...string) {
	t.Helper()
	d := dispute(t, w, "1234567")
	if d.Status != engine.Open || d.Stage != 1 || d.Respondent != addrOf("practice.lead") {
		t.Errorf("a forged message changed the dispute: %s, stage %d, with %s", d.Status, d.Stage, d.Respondent)
	}
	for _, id := range ids {
		if slices.Contains(d.References, id) {
			t.Errorf("%s joined the thread's References", id)
		}
	}
}

// strangerGotNothing fails if drpbot wrote to the outsider: in their
// mailbox, or in what drpbot queued and sent (a real server may not have
// delivered it yet).
func strangerGotNothing(t *testing.T, w *world) {
	t.Helper()
	if got := w.ms.inbox(t, addrOf("stranger")); len(got) > 0 {
		t.Errorf("the stranger was sent %q", subjects(got))
	}
	if got := queuedFor(w, addrOf("stranger")); len(got) > 0 {
		t.Errorf("drpbot queued for the stranger %q", got)
	}
}

// queuedFor lists the subjects of every email drpbot queued or sent to addr.
func queuedFor(w *world, addr string) []string {
	var out []string
	w.bot.Store().View(func(tx *store.Tx) error {
		return tx.History(func(row store.OutboxRow) error {
			if containsAddr(row.To, addr) || containsAddr(row.Cc, addr) {
				out = append(out, row.Subject)
			}
			return nil
		})
	})
	return out
}

// refusedAtDirectoryAddress fails unless the IRO's own mailbox (the
// directory's address) got exactly one refusal saying the email was not
// authenticated.
func refusedAtDirectoryAddress(t *testing.T, w *world) {
	t.Helper()
	n := 0
	// Real servers deliver in their own time: wait (bounded) for it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		n = 0
		for _, f := range w.ms.inbox(t, addrOf("iro")) {
			if strings.Contains(string(f.Raw), "not mark your email as authenticated") {
				n++
			}
		}
		if n > 0 || time.Now().After(deadline) {
			break
		}
	}
	if n != 1 {
		t.Errorf("the IRO's own mailbox holds %d refusals saying the email was not authenticated", n)
	}
}

// The first attack: any dkim=pass counted, even for evil.example
// with dmarc=fail for the council's From domain. The answer goes to the
// IRO's address from the directory, not the Reply-To the forger set.
func TestForgedDKIMOfAnotherDomain(t *testing.T)     { forgedDKIMOfAnotherDomain(t, false) }
func TestForgedDKIMOfAnotherDomainReal(t *testing.T) { forgedDKIMOfAnotherDomain(t, true) }

func forgedDKIMOfAnotherDomain(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	raw := stamped("Authentication-Results: mx.drpbot.test; dkim=pass header.d=evil.example; dmarc=fail header.from=drpbot.test",
		email("Iris Reviewer <"+addrOf("iro")+">", []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<f1@evil.example>", "<alert@drpbot.test>", w.now, "Resolved",
			"Reply-To: "+addrOf("stranger")))
	forged(t, w, raw)
	unchanged(t, w, "<f1@evil.example>")
	refusedAtDirectoryAddress(t, w)
	strangerGotNothing(t, w)
}

// The second: a substring search found "dkim=pass" in a value the sender
// chose (the envelope sender), inside the council server's own header.
func TestForgedResultInMailFrom(t *testing.T)     { forgedResultInMailFrom(t, false) }
func TestForgedResultInMailFromReal(t *testing.T) { forgedResultInMailFrom(t, true) }

func forgedResultInMailFrom(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	for i, stamp := range []string{
		`Authentication-Results: mx.drpbot.test; spf=pass smtp.mailfrom="dkim=pass"@evil.example`,
		`Authentication-Results: mx.drpbot.test; spf=pass smtp.mailfrom="x;dkim=pass header.d=drpbot.test"@evil.example`,
		`Authentication-Results: mx.drpbot.test; spf=pass (domain of x;dmarc=pass header.from=drpbot.test) smtp.mailfrom=evil.example`,
	} {
		id := "<f2." + string(rune('a'+i)) + "@evil.example>"
		forged(t, w, stamped(stamp, email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", id, "<alert@drpbot.test>", w.now, "Close")))
		unchanged(t, w, id)
	}
	strangerGotNothing(t, w)
}

// The third: any Authentication-Results counted, not only the one the
// council's server put on top; a forged one lower down passed.
func TestForgedLowerAuthResults(t *testing.T)     { forgedLowerAuthResults(t, false) }
func TestForgedLowerAuthResultsReal(t *testing.T) { forgedLowerAuthResults(t, true) }

func forgedLowerAuthResults(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	raw := stamped("Authentication-Results: mx.drpbot.test; spf=softfail smtp.mailfrom=evil.example\r\n"+
		"Received: from mail.evil.example (mail.evil.example [192.0.2.66]) by mx.drpbot.test\r\n"+
		"Authentication-Results: mx.drpbot.test; dkim=pass header.d=drpbot.test; dmarc=pass header.from=drpbot.test",
		email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<f3@evil.example>", "<alert@drpbot.test>", w.now, "Resolved"))
	forged(t, w, raw)
	unchanged(t, w, "<f3@evil.example>")
	refusedAtDirectoryAddress(t, w)
}

// The fourth: a forged new alert (no Re:, a fresh Stage 4 subject from a
// forged IRO address) opened a dispute at Stage 4 and emailed a Corporate
// Director. Now nothing opens, nobody is emailed but the QA inbox, which
// is told the same day; a forged stage change in a dispute is refused to
// the IRO's own mailbox and told to QA too.
func TestForgedStage4Alert(t *testing.T)     { forgedStage4Alert(t, false) }
func TestForgedStage4AlertReal(t *testing.T) { forgedStage4Alert(t, true) }

func forgedStage4Alert(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	forged(t, w, email("Iris Reviewer <"+addrOf("iro")+">", []string{addrOf("corporate.director")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 4 - 4040404", "<f4@evil.example>", "", w.now, "Child ID: 4040404\nFORMAL STAGE 4\nThe placement must end today."))
	w.bot.Store().View(func(tx *store.Tx) error {
		if refs := tx.ByChild("4040404"); len(refs) > 0 {
			t.Errorf("a forged alert opened %v", refs)
		}
		return nil
	})
	if got := append(subjects(w.ms.inbox(t, addrOf("corporate.director"))), queuedFor(w, addrOf("corporate.director"))...); len(got) > 0 {
		t.Errorf("the Corporate Director was emailed: %q", got)
	}
	qa := w.ms.waitFor(t, addrOf("qa"), 1)
	if len(qa) != 1 || !strings.HasPrefix(qa[0].Subject, "Not acted on") || !strings.Contains(string(qa[0].Raw), "4040404") {
		t.Errorf("QA was not told of the held alert: %q", subjects(qa))
	}
	if len(qa) > 0 && strings.Contains(string(qa[0].Raw), "placement must end") {
		t.Error("the held alert's text reached the QA notice")
	}
	// The same as a stage change in the IRO's own dispute.
	forged(t, w, email(addrOf("iro"), []string{addrOf("corporate.director")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 4 - 1234567", "<f4b@evil.example>", "", w.now, "Child ID: 1234567\nFORMAL STAGE 4"))
	unchanged(t, w, "<f4b@evil.example>")
	refusedAtDirectoryAddress(t, w)
	if got := append(subjects(w.ms.inbox(t, addrOf("corporate.director"))), queuedFor(w, addrOf("corporate.director"))...); len(got) > 0 {
		t.Errorf("the Corporate Director was emailed: %q", got)
	}
	if qa := w.ms.waitFor(t, addrOf("qa"), 2); len(qa) != 2 {
		t.Errorf("QA was not told of the held stage change: %q", subjects(qa))
	}
}

// The fifth: with authserv_id empty, the attacker's own
// "evil.example; dmarc=pass" or a forged X-MS-Exchange-Organization-AuthAs
// counted. Now require_authenticated = true without a stamp to trust is a
// config error, and a bot run that way anyway trusts neither.
func TestForgedStampsWithoutAuthservID(t *testing.T)     { forgedStampsWithoutAuthservID(t, false) }
func TestForgedStampsWithoutAuthservIDReal(t *testing.T) { forgedStampsWithoutAuthservID(t, true) }

func forgedStampsWithoutAuthservID(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	w.cfg.Security.AuthServID = ""
	if errs := w.cfg.Validate(); len(errs) == 0 || !strings.Contains(errs[len(errs)-1].Error(), "security.require_authenticated") {
		t.Errorf("require_authenticated = true without a stamp to trust validated: %v", errs)
	}
	for i, stamp := range []string{
		"Authentication-Results: evil.example; dkim=pass header.d=drpbot.test; dmarc=pass header.from=drpbot.test",
		"X-MS-Exchange-Organization-AuthAs: Internal\r\nX-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
	} {
		id := "<f5." + string(rune('a'+i)) + "@evil.example>"
		forged(t, w, stamped(stamp, email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", id, "<alert@drpbot.test>", w.now, "Resolved")))
		unchanged(t, w, id)
	}
}

// The sixth: by default a forged From of the IRO closed the dispute, and
// nothing said the council ran unprotected. Now the default is "auto":
// the first message the council's server stamped turns protection on for
// good (check-config and the start line say when it is off:
// TestCheckConfigSaysWhenUnprotected).
func TestForgedCloseByDefault(t *testing.T)     { forgedCloseByDefault(t, false) }
func TestForgedCloseByDefaultReal(t *testing.T) { forgedCloseByDefault(t, true) }

func forgedCloseByDefault(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.cfg.Security = config.Defaults().Security
	w.cfg.Security.AuthServID = "mx.drpbot.test"
	if w.cfg.Security.RequireAuthenticated != config.AuthAuto {
		t.Fatalf("the default is %q", w.cfg.Security.RequireAuthenticated)
	}
	w.at(2, 9)
	raise(t, w, "<alert@drpbot.test>", "1234567") // stamped by the council's server
	if !strings.Contains(w.logs.String(), "the council's mail server stamps its mail") {
		t.Error("auto did not say it turned on")
	}
	w.at(3, 10)
	forged(t, w, email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<f6@evil.example>", "<alert@drpbot.test>", w.now, "Resolved"))
	unchanged(t, w, "<f6@evil.example>")
	refusedAtDirectoryAddress(t, w)
	// A store reopened keeps it on: the attacker cannot turn it off.
	w.bot.Store().View(func(tx *store.Tx) error {
		if !w.bot.authRequired(tx) {
			t.Error("auto is not on")
		}
		return nil
	})
}

// A stranger (an address in no directory and no party to the dispute)
// who replies in the thread, or asks Status with a guessed sequential
// reference, is sent nothing at all; their Message-ID never threads the
// dispute; the QA inbox sees each in the weekly digest.
func TestStrangerLearnsNothing(t *testing.T)     { strangerLearnsNothing(t, false) }
func TestStrangerLearnsNothingReal(t *testing.T) { strangerLearnsNothing(t, true) }

func strangerLearnsNothing(t *testing.T, real bool) {
	w, ref := trustWorld(t, real)
	from := "Sam Stranger <" + addrOf("stranger") + ">"
	// Authenticated, even: the stranger's own mail is genuine.
	for _, m := range [][]byte{
		email(from, []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<s1@drpbot.test>", "<alert@drpbot.test>", w.now, "Close"),
		email(from, []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<s2@drpbot.test>", "<alert@drpbot.test>", w.now, "Status"),
		email(from, []string{addrOf("lac")}, nil, "Status ["+ref+"]", "<s3@drpbot.test>", "", w.now, "Status"),
		email(from, []string{addrOf("lac")}, nil, "Status", "<s4@drpbot.test>", "", w.now, ""),
		email(from, []string{addrOf("lac")}, nil, "Help", "<s5@drpbot.test>", "", w.now, ""),
		email(from, []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<s6@drpbot.test>", "<alert@drpbot.test>", w.now, "I know this child."),
	} {
		w.ms.send(t, addrOf("stranger"), []string{addrOf("lac")}, stamped(genuineStamp, m))
	}
	w.sync(t)
	unchanged(t, w, "<s1@drpbot.test>", "<s2@drpbot.test>", "<s3@drpbot.test>", "<s6@drpbot.test>")
	// drpbot's next email in the thread replies to the thread, not to them.
	w.at(6, 9)
	w.tick(t)
	for _, f := range w.ms.inbox(t, addrOf("practice.lead")) {
		if strings.HasPrefix(f.Subject, "Reminder") && strings.HasPrefix(f.InReplyTo, "<s") {
			t.Errorf("the reminder replies to the stranger's %s", f.InReplyTo)
		}
	}
	strangerGotNothing(t, w)
	if _, err := w.bot.Digest(w.now); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	var digest string
	for _, f := range w.ms.inbox(t, addrOf("qa")) {
		if strings.HasPrefix(f.Subject, "Not acted on") {
			digest = string(f.Raw)
		}
	}
	if strings.Count(digest, addrOf("stranger")) < 5 {
		t.Errorf("the QA digest does not list the stranger's five instructions and queries:\n%s", digest)
	}
	strangerGotNothing(t, w)
}

// A directory member who is no party to the dispute and guesses its
// sequential reference is refused without a word about it: no child
// reference, stage, respondent, due date, IRO name or tracking reference.
func TestGuessedRefTellsNothing(t *testing.T)     { guessedRefTellsNothing(t, false) }
func TestGuessedRefTellsNothingReal(t *testing.T) { guessedRefTellsNothing(t, true) }

func guessedRefTellsNothing(t *testing.T, real bool) {
	w, ref := trustWorld(t, real)
	for i, body := range []string{"Status", "Close"} {
		id := "<g" + string(rune('a'+i)) + "@drpbot.test>"
		w.ms.send(t, addrOf("dcs"), []string{addrOf("lac")}, stamped(genuineStamp, email(addrOf("dcs"), []string{addrOf("lac")}, nil, "RE: ["+ref+"]", id, "", w.now, body)))
	}
	w.sync(t)
	unchanged(t, w)
	got := w.ms.inbox(t, addrOf("dcs"))
	if len(got) != 2 {
		t.Fatalf("dcs got %q", subjects(got))
	}
	d := dispute(t, w, "1234567")
	for _, f := range got {
		raw := string(f.Raw)
		for _, secret := range []string{"1234567", ref, strings.ToLower(ref), "Stage 1", "practice.lead", "Pat Lead", "Iris", d.Due.UK(), "alert@drpbot.test"} {
			if strings.Contains(raw, secret) {
				t.Errorf("the refusal %q tells %q", f.Subject, secret)
			}
		}
	}
}

// A malformed alert whose broken header line names the child is rejected
// with the line's number and the error's kind, never its text, in the log
// and in the rejects bucket; a readable one with a damaged part is logged
// the same way.
func TestMalformedAlertLeaksNothing(t *testing.T)     { malformedAlertLeaksNothing(t, false) }
func TestMalformedAlertLeaksNothingReal(t *testing.T) { malformedAlertLeaksNothing(t, true) }

func malformedAlertLeaksNothing(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.at(2, 9)
	broken := "From: " + addrOf("iro") + "\r\nTo: " + addrOf("practice.lead") + "\r\nSubject: Dispute Resolution Alert - Stage 1 - 5050505\r\nMessage-ID: <m1@drpbot.test>\r\n" +
		"Name of Child Jane Doe born 01/02/2015\r\n\r\nConcern: Jane's placement\r\n"
	damaged := "From: " + addrOf("iro") + "\r\nTo: " + addrOf("practice.lead") + "\r\nSubject: Dispute Resolution Alert - Stage 1 - 5050506\r\nMessage-ID: <m2@drpbot.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nName of Child Jane Doe\r\n\r\nChild ID: 5050506\r\n--b--\r\n"
	if real {
		w.ms.appendTo(t, addrOf("lac"), "INBOX", []byte(broken))
	} else if err := w.bot.handleRaw("INBOX", 1, 1000, []byte(broken)); err != nil {
		// go-imap's memory server serves no header for a message it cannot
		// parse, so the watcher never fetches it: hand it over as it would.
		t.Fatal(err)
	}
	w.ms.appendTo(t, addrOf("lac"), "INBOX", []byte(damaged))
	w.sync(t)
	if strings.Contains(w.logs.String(), "Jane") {
		t.Errorf("the child's name reached the log:\n%s", w.logs.String())
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		rj, _ := tx.Rejects()
		if len(rj) != 1 {
			t.Fatalf("rejects: %+v", rj)
		}
		if strings.Contains(rj[0].Error, "Jane") || !strings.Contains(rj[0].Error, "line 5") {
			t.Errorf("the reject says %q", rj[0].Error)
		}
		return nil
	})
}

// TestForgedFixtures runs every forged message in testdata/forged (and,
// when DRPBOT_FORGED_DIR names one, a held-out set) at a dispute the IRO
// raised, under the set-up: none may change the dispute, open
// another, thread it, or get anything to the stranger or the Corporate
// Director. Each file is a whole message; {{now}} is replaced by the date.
func TestForgedFixtures(t *testing.T)     { forgedFixtures(t, false) }
func TestForgedFixturesReal(t *testing.T) { forgedFixtures(t, true) }

func forgedFixtures(t *testing.T, real bool) {
	files, _ := filepath.Glob(filepath.Join("testdata", "forged", "*.eml"))
	if dir := os.Getenv("DRPBOT_FORGED_DIR"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		files = append(files, more...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d forged fixtures", len(files))
	}
	w, _ := trustWorld(t, real)
	var ids []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = []byte(strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n", "\r\n"))
		raw = []byte(strings.ReplaceAll(string(raw), "{{now}}", w.now.Format("Mon, 02 Jan 2006 15:04:05 -0700")))
		w.ms.appendTo(t, addrOf("lac"), "INBOX", raw)
		if m, _ := w.bot.parser.ParseBytes(raw); m != nil {
			ids = append(ids, m.MessageID)
		}
	}
	w.sync(t)
	unchanged(t, w, ids...)
	w.bot.Store().View(func(tx *store.Tx) error {
		n := 0
		tx.ForEachDispute(func(engine.Dispute) error { n++; return nil })
		if n != 1 {
			t.Errorf("%d disputes after the forged fixtures", n)
		}
		return nil
	})
	strangerGotNothing(t, w)
	if got := append(subjects(w.ms.inbox(t, addrOf("corporate.director"))), queuedFor(w, addrOf("corporate.director"))...); len(got) > 0 {
		t.Errorf("the Corporate Director was emailed: %q", got)
	}
	if strings.Contains(w.logs.String(), "Jane") {
		t.Error("a fixture's child name reached the log")
	}
}

// TestStartLineSaysWhenUnprotected: the daemon's start line says whether
// authentication is required, and a warning says loudly when it is off.
func TestStartLineSaysWhenUnprotected(t *testing.T) {
	for _, c := range []struct {
		mode   config.AuthMode
		authID string
		want   string
		loud   bool
	}{
		{config.AuthOff, "mx.drpbot.test", `authentication="OFF: instructions are accepted unauthenticated`, true},
		{config.AuthAuto, "", `authentication="OFF: instructions are accepted unauthenticated (no authserv_id`, true},
		{config.AuthAuto, "mx.drpbot.test", `authentication="NOT YET: auto turns it on`, true},
		{config.AuthOn, "mx.drpbot.test", `authentication="required (authserv-id mx.drpbot.test)"`, false},
	} {
		w := newWorld(t, false, "newham")
		w.cfg.Security = config.Security{RequireAuthenticated: c.mode, AuthServID: c.authID, Provider: config.ProviderOther}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		w.bot.Run(ctx)
		cancel()
		logs := w.logs.String()
		if !strings.Contains(logs, c.want) || strings.Contains(logs, "ACCEPTED UNAUTHENTICATED") != c.loud {
			t.Errorf("%s/%q: start line:\n%s", c.mode, c.authID, logs)
		}
	}
}

// A stranger's message that names one dispute (by its tag) but carries
// another's Exchange conversation cannot draw that conversation's replies
// to the wrong dispute: only mail the council vouched for links one.
func TestStrangerCannotMoveAConversation(t *testing.T)     { strangerCannotMoveAConversation(t, false) }
func TestStrangerCannotMoveAConversationReal(t *testing.T) { strangerCannotMoveAConversation(t, true) }

func strangerCannotMoveAConversation(t *testing.T, real bool) {
	w, refA := trustWorld(t, real)
	conv := "Thread-Index: AdtVYw1Qy8m1x0n9TkOq9M2b1T8kCg=="
	alertB := stamped(genuineStamp, email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 1 - 7654321", "<alertB@drpbot.test>", "", w.now, "Child ID: 7654321\nFORMAL STAGE 1", conv))
	w.ms.send(t, addrOf("iro"), []string{addrOf("practice.lead"), addrOf("lac")}, alertB)
	w.sync(t)
	forged(t, w, stamped(genuineStamp, email(addrOf("stranger"), []string{addrOf("lac")}, nil, "RE: ["+refA+"]", "<sc1@drpbot.test>", "<alert@drpbot.test>", w.now, "Noted.",
		"Thread-Index: AdtVYw1Qy8m1x0n9TkOq9M2b1T8kCgABAgM=")))
	// The practice lead answers B with only the conversation to go by.
	reply := stamped(genuineStamp, email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "RE: the plan", "<sc2@drpbot.test>", "", w.now, "Booked.",
		"Thread-Index: AdtVYw1Qy8m1x0n9TkOq9M2b1T8kCgABAgQ="))
	w.ms.send(t, addrOf("practice.lead"), []string{addrOf("lac")}, reply)
	w.sync(t)
	if d := dispute(t, w, "7654321"); d.Status != engine.Responded {
		t.Errorf("the reply in B's conversation did not reach B: %s", d.Status)
	}
	unchanged(t, w, "<sc1@drpbot.test>")
	strangerGotNothing(t, w)
}

// TestForgedAlertFlood: a flood of forged alerts reaches the QA inbox as
// heldNoticesPerDay same-day notices, then as one weekly list of them all.
func TestForgedAlertFlood(t *testing.T) {
	w, _ := trustWorld(t, false)
	for i := range 15 {
		child := fmt.Sprintf("80800%02d", i)
		w.ms.send(t, addrOf("stranger"), []string{addrOf("lac")}, email(addrOf("iro"), []string{addrOf("corporate.director")}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 4 - "+child, "<flood"+child+"@evil.example>", "", w.now, "Child ID: "+child))
	}
	w.sync(t)
	if got := len(w.ms.inbox(t, addrOf("qa"))); got != heldNoticesPerDay {
		t.Errorf("QA got %d same-day notices, want %d", got, heldNoticesPerDay)
	}
	if _, err := w.bot.Digest(w.now); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	qa := w.ms.inbox(t, addrOf("qa"))
	if last := string(qa[len(qa)-1].Raw); len(qa) != heldNoticesPerDay+1 || !strings.Contains(last, "Not acted on: 15 emails") {
		t.Errorf("the weekly list: %q", subjects(qa))
	}
}

// The bounce: a refusal sent to a stranger's made-up address
// bounced, and the bounce told the IRO and the QA inbox the directory
// needed correcting. A stranger is sent nothing, so nothing bounces.
func TestStrangerRefusalNeverBounces(t *testing.T)     { strangerRefusalNeverBounces(t, false) }
func TestStrangerRefusalNeverBouncesReal(t *testing.T) { strangerRefusalNeverBounces(t, true) }

func strangerRefusalNeverBounces(t *testing.T, real bool) {
	w, _ := trustWorld(t, real)
	ghost := "nobody.here@drpbot.test" // no such mailbox
	w.ms.send(t, addrOf("stranger"), []string{addrOf("lac")}, stamped(genuineStamp,
		email(ghost, []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<gh1@drpbot.test>", "<alert@drpbot.test>", w.now, "Status")))
	w.sync(t)
	time.Sleep(time.Second) // a bounce, were there one, comes back
	w.sync(t)
	if got := queuedFor(w, ghost); len(got) > 0 {
		t.Errorf("drpbot wrote to the made-up address: %q", got)
	}
	if qa := w.ms.inbox(t, addrOf("qa")); len(qa) > 0 {
		t.Errorf("QA was told: %q", subjects(qa))
	}
	if iro := w.ms.inbox(t, addrOf("iro")); len(iro) != 1 {
		t.Errorf("the IRO holds %q (the acknowledgement only)", subjects(iro))
	}
	unchanged(t, w, "<gh1@drpbot.test>")
}

// On Exchange Online (here Dovecot plays it: provider = exchange-online),
// the default "auto" turns on at the first internal message Exchange
// stamped; then only Exchange's own AuthAs: Internal lets an instruction
// count.
func TestExchangeOnlineStamp(t *testing.T)     { exchangeOnlineStamp(t, false) }
func TestExchangeOnlineStampReal(t *testing.T) { exchangeOnlineStamp(t, true) }

func exchangeOnlineStamp(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.cfg.Security = config.Security{RequireAuthenticated: config.AuthAuto, Provider: config.ProviderExchange}
	internal := "X-MS-Exchange-Organization-AuthAs: Internal\r\nX-MS-Exchange-Organization-AuthMechanism: 04\r\nX-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com"
	w.at(2, 9)
	alert := stamped(internal, email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
		"Dispute Resolution Alert - Stage 1 - 1234567", "<alert@drpbot.test>", "", w.now, "Child ID: 1234567\nFORMAL STAGE 1"))
	w.ms.send(t, addrOf("iro"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	w.sync(t)
	w.at(3, 10)
	for i, stamp := range []string{"", "X-MS-Exchange-Organization-AuthAs: Anonymous\r\nX-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com"} {
		id := "<ex" + string(rune('a'+i)) + "@evil.example>"
		raw := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", id, "<alert@drpbot.test>", w.now, "Resolved")
		if stamp != "" {
			raw = stamped(stamp, raw)
		}
		forged(t, w, raw)
		unchanged(t, w, id)
	}
	genuine := stamped(internal, email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 1234567", "<exok@drpbot.test>", "<alert@drpbot.test>", w.now, "Resolved"))
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, genuine)
	w.sync(t)
	if d := dispute(t, w, "1234567"); d.Status != engine.Resolved {
		t.Errorf("Exchange's own stamp did not count: %s", d.Status)
	}
}
