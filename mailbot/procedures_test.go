package mailbot

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// The end-to-end test of each council's ladder, played by the people its
// written procedure names, on the in-process sandbox (TestProcedures) or on
// Dovecot and Postfix (TestProceduresReal). docs/procedures/<council>.md
// cites the sentence each step checks.

// councilCSV gives every role the presets name exactly one holder, so each
// mailbox shows what its role received.
const councilCSV = `email,name,roles,team,manager,deputy
iro@drpbot.test,Iris Reviewer,iro,IRO Service,irom@drpbot.test,
cp.chair@drpbot.test,Chris Chair,cp_chair,IRO Service,irom@drpbot.test,
irom@drpbot.test,Ian Manager,iro_manager,IRO Service,,
social.worker@drpbot.test,Sam Social,social_worker,North,team.manager@drpbot.test,
team.manager@drpbot.test,Tia Team,team_manager,North,service.manager@drpbot.test,
practice.lead@drpbot.test,Pat Lead,practice_lead,North,service.manager@drpbot.test,
pod.team.manager@drpbot.test,Polly Pod,pod_team_manager,North,service.manager@drpbot.test,
service.manager@drpbot.test,Sue Service,service_manager,North,,
ascm@drpbot.test,Ash Ascm,ascm,North,,
operations.director@drpbot.test,Olu Ops,operations_director,,,
head.of.service@drpbot.test,Hana Service,head_of_service,,,
service.director@drpbot.test,Sid Director,service_director,,,
head.of.childrens.delivery@drpbot.test,Hal Delivery,head_of_childrens_delivery,,,
head.of.safeguarding@drpbot.test,Hope Safeguarding,head_of_safeguarding,,,
service.lead.sru@drpbot.test,Lee Lead SRU,service_lead_sru,,,
service.manager.sru@drpbot.test,Max Manager SRU,service_manager_sru,,,
deputy.director@drpbot.test,Dee Deputy Director,deputy_director,,,
director@drpbot.test,Dan Director,director,,,
corporate.director@drpbot.test,Cat Corporate,corporate_director,,,
chief.executive@drpbot.test,Chris Chief,chief_executive,,,
dcs@drpbot.test,Dana DCS,dcs,,,
ad.qa@drpbot.test,Ade QA,ad_qa,,,
sm.safeguarding@drpbot.test,Sid Safeguarding,sm_safeguarding,,,
safeguarding.manager@drpbot.test,Sal Safeguarding,safeguarding_manager,,,
deputy.director.safeguarding@drpbot.test,Dev Safeguarding,deputy_director_safeguarding,,,
`

// councilWorld is newWorld with councilCSV as the directory.
func councilWorld(t *testing.T, real bool, preset string) *world {
	t.Helper()
	return switchOn(t, openWorld(t, real, preset, func(cfg *config.Config) {
		if err := os.WriteFile(cfg.Path("staff.csv"), []byte(councilCSV), 0o600); err != nil {
			t.Fatal(err)
		}
	}))
}

// got waits until who holds n emails and returns the last of them.
func (w *world) got(t *testing.T, who string, n int) fetched {
	t.Helper()
	box := w.ms.waitFor(t, addrOf(who), n)
	if len(box) != n {
		t.Fatalf("%s holds %d emails, want %d: %q", who, len(box), n, subjects(box))
	}
	return box[n-1]
}

// holds checks who holds exactly n emails now.
func (w *world) holds(t *testing.T, who string, n int) {
	t.Helper()
	if box := w.ms.inbox(t, addrOf(who)); len(box) != n {
		t.Errorf("%s holds %d emails, want %d: %q", who, len(box), n, subjects(box))
	}
}

// mail sends an email from who (a test user) to the shared mailbox and the
// others named, and syncs.
func (w *world) mail(t *testing.T, who string, to, cc []string, subject, id, inReplyTo, body string) {
	t.Helper()
	var toA, ccA, rcpt []string
	for _, u := range to {
		toA = append(toA, addrOf(u))
	}
	for _, u := range cc {
		ccA = append(ccA, addrOf(u))
	}
	rcpt = append(append(rcpt, toA...), ccA...)
	w.ms.send(t, addrOf(who), rcpt, email(addrOf(who), toA, ccA, subject, id, inReplyTo, w.now, body))
	w.sync(t)
}

func has(t *testing.T, f fetched, what ...string) {
	t.Helper()
	raw := unfoldQP(string(f.Raw))
	for _, s := range what {
		if !strings.Contains(raw, s) {
			t.Errorf("%q lacks %q", f.Subject, s)
		}
	}
}

func hasNot(t *testing.T, f fetched, what ...string) {
	t.Helper()
	raw := unfoldQP(string(f.Raw))
	for _, s := range what {
		if strings.Contains(raw, s) {
			t.Errorf("%q says %q", f.Subject, s)
		}
	}
}

// unfoldQP undoes quoted-printable soft line breaks and the few escapes
// the checks meet, so a phrase split across lines is still found.
func unfoldQP(s string) string {
	s = strings.ReplaceAll(s, "=\r\n", "")
	s = strings.ReplaceAll(s, "=\n", "")
	return strings.NewReplacer("=3D", "=", "=E2=80=99", "'", "&#39;", "'", "=20", " ").Replace(s)
}

func header(f fetched, name string) string {
	head, _, _ := strings.Cut(string(f.Raw), "\r\n\r\n")
	head = strings.NewReplacer("\r\n\t", " ", "\r\n ", " ").Replace(head)
	for _, line := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestProcedures(t *testing.T)     { runProcedures(t, false) }
func TestProceduresReal(t *testing.T) { runProcedures(t, true) }

func runProcedures(t *testing.T, real bool) {
	t.Run("newham", func(t *testing.T) { newhamLadder(t, real) })
	t.Run("oxfordshire", func(t *testing.T) { oxfordshireLadder(t, real) })
	t.Run("wakefield", func(t *testing.T) { wakefieldLadder(t, real) })
	t.Run("brighton-hove", func(t *testing.T) { brightonLadder(t, real) })
	t.Run("kirklees", func(t *testing.T) { kirkleesLadder(t, real) })
}

// newhamLadder: Stage 1 to the Practice Lead with the LAC box cc'd; the
// Practice Lead's answer travels up; Stage 2 by lapse to the Service
// Manager, LAC box cc'd visibly; Stage 3 alerts the AD QA; Stage 4 copies
// the Operations Director and the HoS; Stage 5 Cafcass for an IRO only,
// the CP Chair's manager told instead.
func newhamLadder(t *testing.T, real bool) {
	w := councilWorld(t, real, "newham")
	w.at(2, 9)
	w.mail(t, "iro", []string{"practice.lead"}, []string{"lac"}, "Dispute Resolution Alert - Stage 1 - 4000001", "<n1@drpbot.test>", "",
		"Child's Azeus Number: 4000001\nFORMAL STAGE 1\n[x] Health Issues\nSummary of Concern(s): health assessment overdue.")
	w.got(t, "iro", 1) // the acknowledgement
	d := dispute(t, w, "4000001")
	if d.Stage != 1 || d.Category != "Health Issues" || d.Due != (workdays.Date{Year: 2026, Month: 11, Day: 9}) {
		t.Fatalf("stage %d category %q due %v", d.Stage, d.Category, d.Due)
	}
	// The Practice Lead answers on the form; the IRO escalates: "Not resolved".
	w.at(4, 10)
	w.mail(t, "practice.lead", []string{"iro"}, []string{"lac"}, "RE: Dispute Resolution Alert - Stage 1 - 4000001", "<n1r@drpbot.test>", "<n1@drpbot.test>",
		"We cannot book the assessment before January.\n\nFrom: Iris Reviewer <iro@drpbot.test>\nSent: 02 November 2026 09:00\nTo: Pat Lead <practice.lead@drpbot.test>\nSubject: Dispute Resolution Alert - Stage 1 - 4000001\n\nold text")
	w.got(t, "iro", 2)
	w.at(5, 9)
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 1 - 4000001", "<n1x@drpbot.test>", "<n1r@drpbot.test>", "Not resolved")
	esc := w.got(t, "service.manager", 1)
	if !strings.Contains(header(esc, "Cc"), "lac@drpbot.test") {
		t.Errorf("stage 2 does not cc the LAC request box visibly: Cc %q", header(esc, "Cc"))
	}
	// s7 Stage 2: "The updated dispute resolution form should be forward".
	has(t, esc, "We cannot book the assessment before January.", "Response from Pat Lead", "the IRO escalated it from Stage 1")
	hasNot(t, esc, "old text")
	// show prints what was said: the response and the IRO's instruction.
	var show bytes.Buffer
	w.bot.Store().View(func(tx *store.Tx) error {
		d := dispute(t, w, "4000001")
		evs, _ := tx.Events(d.Ref)
		return WriteShow(&show, d, evs, w.bot.Policy(), w.bot.Calendar(), w.now, false)
	})
	for _, want := range []string{"Stage 1: response from practice.lead@drpbot.test", "      We cannot book the assessment before January.", "response from practice.lead@drpbot.test"} {
		if !strings.Contains(show.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, show.String())
		}
	}
	// Stage 2 lapses: Stage 3 to the Operations Director; the AD QA alerted.
	w.at(13, 9)
	w.tick(t)
	esc3 := w.got(t, "operations.director", 1)
	has(t, esc3, "Stage 2's response was due by Thursday 12 November 2026 and none came", "We cannot book the assessment before January.")
	// A 5-day stage that lapsed took 5 working days, not the day it was
	// acted on.
	has(t, esc3, "Stage 2: Sue Service, opened Thursday 5 November 2026, due Thursday 12 November 2026 - lapsed (5 working days)")
	hasNot(t, esc3, "Why: lapsed.", "(6 working days)")
	w.got(t, "ad.qa", 1)
	// Stage 4: the Corporate Director, copying the Operations Director and
	// the relevant Head of Service.
	w.at(16, 9)
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 3 - 4000001", "<n4@drpbot.test>", "<n1x@drpbot.test>", "Stage 4")
	w.got(t, "corporate.director", 1)
	w.got(t, "operations.director", 2)
	w.got(t, "head.of.service", 1)
	// Stage 5 (IRO ONLY): the Cafcass step is proposed to the IRO.
	w.at(17, 9)
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 4 - 4000001", "<n5@drpbot.test>", "<n4@drpbot.test>", "Escalate")
	if d := dispute(t, w, "4000001"); !d.CafcassProposed {
		t.Error("the IRO was not offered the Cafcass step")
	}
	// A CP Chair's dispute at Stage 4: no Cafcass step, their manager told.
	w.mail(t, "cp.chair", []string{"corporate.director"}, []string{"lac"}, "Dispute Resolution Alert - Stage 4 - 4000002", "<c1@drpbot.test>", "",
		"Child's Azeus Number: 4000002\nFORMAL STAGE 4\nCore group not held.")
	irom := len(w.ms.inbox(t, addrOf("irom")))
	w.at(18, 9)
	w.mail(t, "cp.chair", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 4 - 4000002", "<c2@drpbot.test>", "<c1@drpbot.test>", "Escalate")
	told := w.got(t, "irom", irom+1)
	has(t, told, "only to an IRO")
	if d := dispute(t, w, "4000002"); d.CafcassProposed {
		t.Error("a CP Chair's dispute was offered Cafcass")
	}
	for _, f := range w.ms.inbox(t, addrOf("cp.chair")) {
		if strings.Contains(f.Subject, "Cafcass") || strings.Contains(unfoldQP(string(f.Raw)), "would be a referral to Cafcass") {
			t.Errorf("the CP Chair was offered Cafcass: %q", f.Subject)
		}
	}
}

// oxfordshireLadder: Stage 1 confirms the conversation to the social worker
// copying the team manager, with the agreed timescale as the due date;
// Stage 2 to the ASCM, SM Safeguarding alerted, 5 working days.
func oxfordshireLadder(t *testing.T, real bool) {
	w := councilWorld(t, real, "oxfordshire")
	w.at(2, 9)
	w.mail(t, "iro", []string{"social.worker"}, []string{"team.manager", "lac"}, "Resolution and Escalation Alert - Stage 1 - 5000001", "<o1@drpbot.test>", "",
		"LAS Number: 5000001\nStage of Alert: 1\nDate response due: 20/11/2026\nAs agreed on the phone, the PEP will be updated.")
	d := dispute(t, w, "5000001")
	if d.Due != (workdays.Date{Year: 2026, Month: 11, Day: 20}) {
		t.Fatalf("agreed timescale: due %v", d.Due)
	}
	w.at(10, 9)
	w.tick(t) // the IRO Handbook's 5 days would have lapsed by now; the agreed date has not
	w.holds(t, "ascm", 0)
	w.at(23, 9)
	w.tick(t)
	esc := w.got(t, "ascm", 1)
	has(t, esc, "Stage 1's response was due by Friday 20 November 2026 and none came")
	w.got(t, "sm.safeguarding", 1)
	if d := dispute(t, w, "5000001"); d.Due != (workdays.Date{Year: 2026, Month: 11, Day: 30}) {
		t.Errorf("stage 2 due %v, want 5 working days", d.Due)
	}
	// Resolved: the confirmation shows no response due and no days left.
	w.at(24, 9)
	before := len(w.ms.inbox(t, addrOf("iro")))
	w.mail(t, "iro", []string{"lac"}, nil, "RE: "+esc.Subject, "<o2@drpbot.test>", esc.MessageID, "Resolved")
	ack := w.got(t, "iro", before+1)
	has(t, ack, "The dispute is now resolved")
	hasNot(t, ack, "left)", "Response due")
}

// wakefieldLadder: "IRO Informal Dispute" opens the informal stage to the
// social worker and team manager, IRO Manager copied; the team manager's
// reply is the response; on the IRO's instruction Stage 1 goes to the
// Service Manager with the four copies; its lapse goes to the IRO and the
// IRO Manager, and nothing moves without them.
func wakefieldLadder(t *testing.T, real bool) {
	w := councilWorld(t, real, "wakefield")
	w.at(2, 9)
	w.mail(t, "iro", []string{"social.worker", "team.manager"}, []string{"irom", "lac"}, "IRO Informal Dispute - 6000001", "<w1@drpbot.test>", "",
		"Informal Resolution Monitoring Form\nID No: 6000001\nWhat are we worried about? Life story work has not started.")
	if d := dispute(t, w, "6000001"); d.Stage != 0 || !d.FormalStart.IsZero() {
		t.Fatalf("not the informal stage: %d", d.Stage)
	}
	w.at(4, 9)
	w.mail(t, "team.manager", []string{"iro"}, []string{"lac"}, "RE: IRO Informal Dispute - 6000001", "<w1r@drpbot.test>", "<w1@drpbot.test>", "Started: first session on 12 November.")
	if d := dispute(t, w, "6000001"); d.Status != engine.Responded {
		t.Fatalf("the team manager's reply is not the response: %s", d.Status)
	}
	w.at(19, 9)
	w.tick(t) // nobody is chased after a valid response
	w.holds(t, "social.worker", 1)
	w.holds(t, "team.manager", 1)
	// 2.3: "If the IRO is not satisfied ... the IRO Manager consulted": the
	// reminder to record the outcome copies the IRO Manager.
	box := w.ms.inbox(t, addrOf("irom"))
	if len(box) == 0 || !strings.Contains(unfoldQP(string(box[len(box)-1].Raw)), "Ian Manager is copied, as the procedure says to consult them") {
		t.Errorf("the IRO Manager was not copied on the decision reminder: %q", subjects(box))
	}
	w.at(20, 9)
	w.mail(t, "iro", []string{"lac"}, nil, "RE: IRO Informal Dispute - 6000001", "<w2@drpbot.test>", "<w1r@drpbot.test>", "Escalate")
	esc := w.got(t, "service.manager", 1)
	if !strings.HasPrefix(esc.Subject, "Stage 1 IRO Formal Dispute Form - 6000001 [") {
		t.Errorf("stage 1 subject %q is not the council's heading", esc.Subject)
	}
	has(t, esc, "Started: first session on 12 November.")
	for _, who := range []string{"service.lead.sru", "service.manager.sru"} {
		w.got(t, who, 1)
	}
	w.got(t, "team.manager", 2)
	// Stage 1 lapses (due Friday 27 November): the IRO and the IRO Manager
	// are consulted; nothing reaches the Service Director.
	irom := len(w.ms.inbox(t, addrOf("irom")))
	w.at(30, 9)
	w.tick(t)
	lapse := w.got(t, "irom", irom+1)
	has(t, lapse, "Ian Manager is copied, as the procedure says to consult them", `Reply with "Escalate"`)
	w.holds(t, "service.director", 0)
	if d := dispute(t, w, "6000001"); d.Stage != 1 {
		t.Errorf("drpbot moved to stage %d without the IRO", d.Stage)
	}
}

// brightonLadder: Level 1 to the Pod Team Manager, the Service Manager
// notified; Level 2 raised by the IRO Manager with the Service Manager, the
// Head of Children's Delivery notified; Level 3 raised by the Head of
// Safeguarding, the DCS notified; after Level 5 the Head of Safeguarding
// makes the Cafcass referral.
func brightonLadder(t *testing.T, real bool) {
	w := councilWorld(t, real, "brighton-hove")
	w.at(2, 9)
	w.mail(t, "iro", []string{"pod.team.manager"}, []string{"lac"}, "Looked-after Manager Alert - Level 1 - 7000001", "<b1@drpbot.test>", "",
		"CareFirst ID: 7000001\nLevel 1\nThe PEP is out of date.")
	w.got(t, "service.manager", 1) // "notifies the relevant Service Manager"
	// Level 1 lapses: the IRO consults the IRO Manager; nothing moves.
	w.at(10, 9)
	w.tick(t)
	w.got(t, "irom", 1)
	w.holds(t, "service.manager", 1)
	// The IRO decides: Level 2, raised by the IRO Manager.
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Looked-after Manager Alert - Level 1 - 7000001", "<b2@drpbot.test>", "<b1@drpbot.test>", "Escalate")
	l2 := w.got(t, "service.manager", 2)
	if !strings.Contains(header(l2, "Cc"), "irom@drpbot.test") {
		t.Errorf("the IRO Manager, Level 2's raiser, is not on its email: Cc %q", header(l2, "Cc"))
	}
	has(t, l2, "Under the procedure Ian Manager raises this stage")
	w.got(t, "head.of.childrens.delivery", 1)
	// The IRO Manager raises Level 3 by instruction; the Head of
	// Safeguarding raises it.
	w.at(11, 9)
	w.mail(t, "irom", []string{"lac"}, nil, "RE: "+l2.Subject, "<b3@drpbot.test>", l2.MessageID, "Escalate")
	l3 := w.got(t, "head.of.childrens.delivery", 2)
	if !strings.Contains(header(l3, "Cc"), "head.of.safeguarding@drpbot.test") {
		t.Errorf("Level 3 Cc %q lacks the Head of Safeguarding", header(l3, "Cc"))
	}
	// Only true things: the IRO Manager escalated it, not the IRO.
	has(t, l3, "Ian Manager escalated it from Level 2", "escalated by Ian Manager")
	hasNot(t, l3, "the IRO escalated it")
	var show bytes.Buffer
	w.bot.Store().View(func(tx *store.Tx) error {
		d := dispute(t, w, "7000001")
		evs, _ := tx.Events(d.Ref)
		return WriteShow(&show, d, evs, w.bot.Policy(), w.bot.Calendar(), w.now, false)
	})
	if !strings.Contains(show.String(), "escalated by irom@drpbot.test") {
		t.Errorf("show does not say the IRO Manager escalated Level 2:\n%s", show.String())
	}
	w.got(t, "dcs", 1)
	// The Head of Safeguarding steers Levels 3-5.
	w.at(12, 9)
	w.mail(t, "head.of.safeguarding", []string{"lac"}, nil, "RE: "+l3.Subject, "<b4@drpbot.test>", l3.MessageID, "Stage 5")
	l5 := w.got(t, "chief.executive", 1)
	has(t, l5, "Hope Safeguarding moved it here from Level 3")
	hasNot(t, l5, "the IRO moved it")
	w.at(13, 9)
	w.mail(t, "head.of.safeguarding", []string{"lac"}, nil, "RE: "+l3.Subject, "<b5@drpbot.test>", "<b4@drpbot.test>", "Escalate")
	prop := w.ms.inbox(t, addrOf("head.of.safeguarding"))
	found := false
	for _, f := range prop {
		if strings.Contains(unfoldQP(string(f.Raw)), "would be a referral to Cafcass") {
			found = true
			// "The Head of Safeguarding will make the referral": the decision
			// is addressed to them as well as the IRO.
			has(t, f, "Iris Reviewer and Hope Safeguarding: the next step")
		}
	}
	if !found {
		t.Errorf("the Head of Safeguarding was not given the Cafcass step: %q", subjects(prop))
	}
}

// kirkleesLadder: the informal quality-assurance stage is never turned
// formal by drpbot; the IRO's "Escalate" makes it Stage 1.
func kirkleesLadder(t *testing.T, real bool) {
	w := councilWorld(t, real, "kirklees")
	w.at(2, 9)
	w.mail(t, "iro", []string{"team.manager"}, []string{"lac"}, "IRO Alert - Informal - 8000001", "<k1@drpbot.test>", "",
		"LCS ID: 8000001\nInformal stage\nThe permanence plan has drifted.")
	w.at(30, 9)
	w.tick(t)
	if d := dispute(t, w, "8000001"); d.Stage != 0 {
		t.Fatalf("the informal stage turned formal: %d", d.Stage)
	}
	w.mail(t, "iro", []string{"lac"}, nil, "RE: IRO Alert - Informal - 8000001", "<k2@drpbot.test>", "<k1@drpbot.test>", "Escalate")
	w.got(t, "service.manager", 1)
	if d := dispute(t, w, "8000001"); d.Stage != 1 || fmt.Sprint(d.History[0].How) != engine.HowEscalated {
		t.Errorf("after Escalate: stage %d, %q", d.Stage, d.History[0].How)
	}
}

// TestSecondSharedInbox: Newham s7 Stage 1 "The LAC request email or CPRS
// (should be c.c into the email": a CP Chair's alert copied to the CPRS box
// (delivered into the account drpbot reads) is tracked, and its emails go
// out from, and are copied to, the CPRS box, not the LAC request box.
func TestSecondSharedInbox(t *testing.T)     { secondInbox(t, false) }
func TestSecondSharedInboxReal(t *testing.T) { secondInbox(t, true) }

func secondInbox(t *testing.T, real bool) {
	w := councilWorld(t, real, "newham")
	w.cfg.Mailboxes = []string{addrOf("cprs")}
	w.at(2, 9)
	// The CPRS box is an alias of the account drpbot watches: the alert is
	// delivered to lac's INBOX while its Cc names the CPRS box.
	alert := email(addrOf("cp.chair"), []string{addrOf("practice.lead")}, []string{addrOf("cprs")}, "Dispute Resolution Alert - Stage 1 - 9000001", "<cp1@drpbot.test>", "", w.now,
		"Child's Azeus Number: 9000001\nFORMAL STAGE 1\nThe report was not shared before conference.")
	w.ms.send(t, addrOf("cp.chair"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	w.sync(t)
	if d := dispute(t, w, "9000001"); d.Mailbox != addrOf("cprs") || d.Respondent != addrOf("practice.lead") {
		t.Fatalf("mailbox %q respondent %q", d.Mailbox, d.Respondent)
	}
	ack := w.got(t, "cp.chair", 1)
	if !strings.Contains(header(ack, "From"), addrOf("cprs")) {
		t.Errorf("the acknowledgement is from %q, not the CPRS box", header(ack, "From"))
	}
	w.at(10, 8)
	w.tick(t)
	esc := w.got(t, "service.manager", 1)
	if !strings.Contains(header(esc, "From"), addrOf("cprs")) || !strings.Contains(header(esc, "Cc"), addrOf("cprs")) || strings.Contains(header(esc, "Cc"), addrOf("lac")) {
		t.Errorf("stage 2 From %q Cc %q: want the CPRS box", header(esc, "From"), header(esc, "Cc"))
	}
	w.got(t, "cprs", 2) // the acknowledgement's blind copy, and stage 2's visible Cc
}

// TestEscalationNamesActor: an escalation says who escalated, truly. Newham
// s7: "IRO/CP Chair will escalate to the Practice Lead's Service Manager" -
// a CP Chair's escalation never reads "the IRO escalated it".
func TestEscalationNamesActor(t *testing.T) {
	w := councilWorld(t, false, "newham")
	w.at(2, 9)
	w.mail(t, "cp.chair", []string{"practice.lead"}, []string{"lac"}, "Dispute Resolution Alert - Stage 1 - 4100001", "<a1@drpbot.test>", "",
		"Child's Azeus Number: 4100001\nFORMAL STAGE 1\nThe report was not shared.")
	w.at(3, 9)
	w.mail(t, "cp.chair", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 1 - 4100001", "<a2@drpbot.test>", "<a1@drpbot.test>", "Escalate")
	esc := w.got(t, "service.manager", 1)
	has(t, esc, "the CP Chair escalated it from Stage 1")
	hasNot(t, esc, "the IRO escalated it")
}

// TestBrightonLevel2Lapse: Level 2 "IRO Manager (Children Looked-after)
// raises concerns with the Service Manager"; "Where the issue has not been
// resolved then the IRO Manager (Children Looked-after) will consult with
// the Head of Safeguarding." The lapse goes to the IRO and the IRO Manager,
// both named, the Head of Safeguarding copied; nothing moves by itself.
func TestBrightonLevel2Lapse(t *testing.T) {
	w := councilWorld(t, false, "brighton-hove")
	w.at(2, 9)
	w.mail(t, "iro", []string{"service.manager"}, []string{"lac"}, "Looked-after Manager Alert - Level 2 - 7100001", "<bl1@drpbot.test>", "",
		"CareFirst ID: 7100001\nLevel 2\nThe care plan has drifted.")
	if d := dispute(t, w, "7100001"); d.Stage != 2 || d.Raiser != addrOf("irom") {
		t.Fatalf("stage %d raiser %q", d.Stage, d.Raiser)
	}
	hos := len(w.ms.inbox(t, addrOf("head.of.safeguarding")))
	w.at(10, 9)
	w.tick(t)
	lapse := w.got(t, "head.of.safeguarding", hos+1)
	if !strings.Contains(header(lapse, "To"), addrOf("iro")) || !strings.Contains(header(lapse, "To"), addrOf("irom")) {
		t.Errorf("the lapse is not to the IRO and the IRO Manager: To %q", header(lapse, "To"))
	}
	has(t, lapse, "Iris Reviewer and Ian Manager: the response window", "Hope Safeguarding is copied, as the procedure says to consult them")
	// The Service Manager's overdue notice says truly who decides.
	over := w.got(t, "service.manager", 2)
	has(t, over, "Iris Reviewer and Ian Manager have been asked whether to escalate")
	w.holds(t, "head.of.childrens.delivery", 1) // Level 2's notice only
	if d := dispute(t, w, "7100001"); d.Stage != 2 {
		t.Errorf("drpbot moved to %d by itself", d.Stage)
	}
}

// TestWakefieldHeadingSpellings: the document names "a Stage 1 IRO Formal
// Dispute Form" (3.5) and "a Stage 4 Formal Dispute Form" (3.8); an alert
// headed either way opens its stage, and drpbot answers in the stage's own
// heading.
func TestWakefieldHeadingSpellings(t *testing.T) {
	w := councilWorld(t, false, "wakefield")
	w.at(2, 9)
	w.mail(t, "iro", []string{"service.director"}, []string{"service.manager", "irom", "lac"}, "Stage 2 Formal Dispute Form - 6100001", "<ws1@drpbot.test>", "",
		"ID No: 6100001\nWhat are we worried about? The placement plan is missing.")
	d := dispute(t, w, "6100001")
	if d.Stage != 2 || d.Respondent != addrOf("service.director") {
		t.Fatalf("stage %d respondent %q", d.Stage, d.Respondent)
	}
	ack := w.got(t, "iro", 1)
	if !strings.HasPrefix(ack.Subject, "Stage 2 IRO Formal Dispute Form - 6100001 [") {
		t.Errorf("ack subject %q", ack.Subject)
	}
}

// TestNewhamOutcomeCopies: Newham s7 Stage 1 "Should the situation is
// resolved the IRO/CP Chair should record in brief the outcome ... and
// advise LAC request email or of the outcome"; the form, at each formal
// stage: "copy to be sent to SM & QA Inbox for entry onto tracker". The
// confirmation of "Resolved" reaches the IRO's manager, the QA inbox and
// the shared mailbox.
func TestNewhamOutcomeCopies(t *testing.T) {
	w := councilWorld(t, false, "newham")
	w.at(2, 9)
	w.mail(t, "iro", []string{"practice.lead"}, []string{"lac"}, "Dispute Resolution Alert - Stage 1 - 4200001", "<oc1@drpbot.test>", "",
		"Child's Azeus Number: 4200001\nFORMAL STAGE 1\nStatutory visits overdue.")
	irom, qa, lac := len(w.ms.inbox(t, addrOf("irom"))), len(w.ms.inbox(t, addrOf("qa"))), len(w.ms.inbox(t, addrOf("lac")))
	w.at(3, 9)
	w.mail(t, "iro", []string{"lac"}, nil, "RE: Dispute Resolution Alert - Stage 1 - 4200001", "<oc2@drpbot.test>", "<oc1@drpbot.test>", "Resolved")
	for who, n := range map[string]int{"irom": irom + 1, "qa": qa + 1} {
		f := w.got(t, who, n)
		has(t, f, "The dispute is now resolved")
	}
	// The shared mailbox holds the IRO's "Resolved" and drpbot's confirmation.
	w.got(t, "lac", lac+2)
}

// TestWakefieldIROManagerRaises: both of Wakefield's forms read "From:
// (IRO/IRO Manager)": an IRO Manager's alert opens a dispute they steer.
func TestWakefieldIROManagerRaises(t *testing.T) {
	w := councilWorld(t, false, "wakefield")
	w.at(2, 9)
	w.mail(t, "irom", []string{"service.manager"}, []string{"team.manager", "service.lead.sru", "service.manager.sru", "lac"}, "Stage 1 IRO Formal Dispute Form - 6200001", "<wm1@drpbot.test>", "",
		"ID No: 6200001\nWhat are we worried about? The PEP is a year old.")
	d := dispute(t, w, "6200001")
	if d.Stage != 1 || d.Instigator != addrOf("irom") || d.Respondent != addrOf("service.manager") {
		t.Fatalf("stage %d instigator %q respondent %q", d.Stage, d.Instigator, d.Respondent)
	}
	w.got(t, "irom", 1) // the acknowledgement
	w.at(3, 9)
	w.mail(t, "irom", []string{"lac"}, nil, "RE: Stage 1 IRO Formal Dispute Form - 6200001", "<wm2@drpbot.test>", "<wm1@drpbot.test>", "Escalate")
	esc := w.got(t, "service.director", 1)
	if !strings.HasPrefix(esc.Subject, "Stage 2 IRO Formal Dispute Form - 6200001 [") {
		t.Errorf("stage 2 subject %q", esc.Subject)
	}
	has(t, esc, "Ian Manager escalated it from Stage 1")
	hasNot(t, esc, "the IRO escalated it")
}
