package parser

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func intp(i int) *int { return &i }

func parseFile(t testing.TB, name string) (*Message, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f, DefaultOptions())
}

// want is what a fixture must yield; new_text is checked by its first line
// and by words that must not survive (quoted history, signatures).
type want struct {
	id, heading, childRef, due, command, category string
	stage                                         *int
	cafcass, reply, forward, auto, bounce         bool
	firstLine                                     string
	notIn                                         []string
	failed                                        []string
	malformed                                     bool
	// Issue 14's readings (reading_test.go): the exact new text when set,
	// delay notices, out-of-office sure or maybe, near-miss instructions.
	text                string
	delayed, ooo, maybe bool
	near                string
}

func TestFixtures(t *testing.T) {
	tests := map[string]want{
		"newham-alert-outlook.eml": {
			id: "<AM9PR01MB0001@AM9PR01MB0001.eurprd01.prod.outlook.com>", heading: "Dispute Resolution Alert",
			stage: intp(1), childRef: "1234567", due: "2026-11-16", category: "Care Planning",
			firstLine: "Dear Practice Lead,", notIn: []string{"Iris Reviewer", "Kind regards"},
		},
		"outlook-reply-resolved.eml": {
			heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", reply: true,
			command: "resolved", firstLine: "Resolved", notIn: []string{"Review booked", "Escalate", "From:"},
		},
		"oxfordshire-alert-plain.eml": {
			heading: "Resolution and Escalation Alert", stage: intp(2), childRef: "200002",
			due: "2026-11-10", cafcass: true, firstLine: "Resolution and Escalation Process Alert Form",
		},
		"wakefield-alert-html-only.eml": {
			heading: "IRO Alert", stage: intp(0), childRef: "M1234567", due: "2026-12-04",
			firstLine: "Dear Sam,", notIn: []string{"Wendy", "td{"},
		},
		"brighton-level3-cp1252.eml": {
			heading: "Looked-after Manager Alert", stage: intp(3), childRef: "7654321", due: "2026-12-04",
			firstLine: "Looked-after Manager Alert",
		},
		"gmail-reply-extend.eml": {
			heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", reply: true,
			command: "extend 2026-12-11", firstLine: "Extend to 11/12/2026", notIn: []string{"wrote", "Not resolved", "Stage 4"},
		},
		"applemail-reply-escalate-stage.eml": {
			heading: "Dispute Resolution Alert", stage: intp(3), childRef: "1234567", reply: true,
			command: "stage 3", firstLine: "#Escalate to Stage 3", notIn: []string{"wrote", "Resolved", "Stage 5"},
		},
		"outlook-mac-reply-pause.eml": {
			heading: "Dispute Resolution Alert", stage: intp(2), childRef: "1234567", reply: true,
			command: "pause", firstLine: "# Pause", notIn: []string{"Sent from", "Resolved", "From:"},
		},
		"owa-reply-not-resolved.eml": {
			heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", reply: true,
			command: "escalate", firstLine: "Not resolved.", notIn: []string{"Iris Reviewer", "Resume", "Close", "From:"},
		},
		"forward-gmail.eml": { // a bare forward: the stage comes from the forwarded part
			heading: "Dispute Resolution Alert", stage: intp(2), childRef: "1234567", forward: true,
			firstLine: "FYI, see below.", notIn: []string{"Stage of Alert", "Resolved"},
		},
		"stacked-prefixes.eml": {
			heading: "Dispute Resolution Alert", stage: intp(2), childRef: "99887766", reply: true,
			command: "extend 3", firstLine: "extend by 3 working days.", notIn: []string{"Resolved"},
		},
		"forward-outlook.eml": {
			heading: "Resolution and Escalation Alert", stage: intp(4), childRef: "CF123456", forward: true,
			firstLine: "Sharing for the QA file.", notIn: []string{"Cafcass"},
		},
		"exchange-ooo.eml": {
			heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", reply: true, auto: true, ooo: true,
			firstLine: "I am on annual leave until 23 November. For urgent matters contact Sue Deputy.",
		},
		"gmail-vacation.eml": {reply: true, auto: true, ooo: true, firstLine: "Away until Monday."},
		"read-receipt.eml":   {heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", auto: true, firstLine: "Your message was read on Monday, 9 November 2026 10:00:00 (UTC)."},
		"exchange-ndr.eml":   {heading: "Dispute Resolution Alert", stage: intp(2), childRef: "1234567", auto: true, bounce: true, failed: []string{"gone.manager@council.example"}, firstLine: "Your message to gone.manager@council.example couldn't be delivered.", notIn: []string{"Resolved"}},
		"postfix-bounce.eml": {auto: true, bounce: true, failed: []string{"left.council@council.example"}, firstLine: "This is the mail system at host mail.council.example."},
		"manager-response-suppress-only.eml": {
			heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", reply: true,
			firstLine: "Resolved from my side: review booked for 20/11/2026.", notIn: []string{"Pat"},
		},
		"mixed-attachment.eml": {
			heading: "Dispute Resolution Alert", stage: intp(3), childRef: "CF123456", cafcass: true,
			firstLine: "Alert Stage 3", notIn: []string{"Stage 5", "PDF"},
		},
		"broken-no-boundary.eml":       {heading: "Dispute Resolution Alert", stage: intp(1), childRef: "1234567", firstLine: "Child ID: 1234567", malformed: true},
		"broken-charset-base64.eml":    {heading: "Dispute Resolution Alert", stage: intp(4), childRef: "5551234", firstLine: "Stage of Alert: 4", malformed: true},
		"truncated.eml":                {heading: "Dispute Resolution Alert", stage: intp(5), childRef: "4455667", due: "2026-12-04", firstLine: "We are now at Stage five of the process.", malformed: true},
		"no-heading-stage-command.eml": {stage: intp(3), reply: true, command: "stage 3", firstLine: "Stage 3"},
		"new-alert-stage-line.eml":     {heading: "Dispute Resolution Alert", stage: intp(2), childRef: "3344556", due: "2026-12-07", command: "pause", firstLine: "Stage 2"},
	}
	for name, w := range readingTests {
		tests[name] = w
	}
	files, _ := filepath.Glob("testdata/*.eml")
	if len(files) != len(tests) {
		t.Errorf("%d fixtures in testdata, %d in the table: every fixture needs its expectations", len(files), len(tests))
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := parseFile(t, name)
			if m == nil {
				t.Fatalf("no facts: %v", err)
			}
			if w.malformed != (err != nil) {
				t.Errorf("err = %v, want malformed=%v", err, w.malformed)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if w.id != "" && m.MessageID != w.id {
				t.Errorf("MessageID = %q, want %q", m.MessageID, w.id)
			}
			if m.MessageID == "" {
				t.Error("no MessageID")
			}
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", what, got, want)
				}
			}
			check("Heading", m.Heading, w.heading)
			if (m.Stage == nil) != (w.stage == nil) || (m.Stage != nil && *m.Stage != *w.stage) {
				t.Errorf("Stage = %v, want %v", deref(m.Stage), deref(w.stage))
			}
			check("ChildRef", m.ChildRef, w.childRef)
			due := ""
			if !m.DueDate.IsZero() {
				due = m.DueDate.Format("2006-01-02")
			}
			check("DueDate", due, w.due)
			check("Command", m.Command, w.command)
			check("ConcurrentCafcass", m.ConcurrentCafcass, w.cafcass)
			check("IsReply", m.IsReply, w.reply)
			check("IsForward", m.IsForward, w.forward)
			check("AutoReply", m.AutoReply, w.auto)
			check("Bounce", m.Bounce, w.bounce)
			if w.category != "" {
				check("Category", m.Category, w.category)
			}
			if w.failed != nil {
				check("FailedRecipients", m.FailedRecipients, w.failed)
			}
			check("Delayed", m.Delayed, w.delayed)
			check("OutOfOffice", m.OutOfOffice, w.ooo)
			check("MaybeAutoReply", m.MaybeAutoReply, w.maybe)
			check("NearCommand", m.NearCommand, w.near)
			if w.text != "" {
				check("NewText", m.NewText, w.text)
			}
			first, _, _ := strings.Cut(m.NewText, "\n")
			check("NewText first line", first, w.firstLine)
			for _, s := range w.notIn {
				if strings.Contains(m.NewText, s) {
					t.Errorf("NewText keeps %q:\n%s", s, m.NewText)
				}
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestHeaderFacts(t *testing.T) {
	m, err := parseFile(t, "outlook-reply-resolved.eml")
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "iris.reviewer@council.example" || m.FromName != "Iris Reviewer" {
		t.Errorf("From = %q %q", m.From, m.FromName)
	}
	if !reflect.DeepEqual(m.To, []string{"pat.lead@council.example"}) || !reflect.DeepEqual(m.Cc, []string{"lac-requests@council.example"}) {
		t.Errorf("To %v Cc %v", m.To, m.Cc)
	}
	wantRefs := []string{"<AM9PR01MB0001@AM9PR01MB0001.eurprd01.prod.outlook.com>", "<AM9PR01MB0002@AM9PR01MB0009.eurprd01.prod.outlook.com>"}
	if !reflect.DeepEqual(m.References, wantRefs) {
		t.Errorf("References = %v", m.References)
	}
	if !reflect.DeepEqual(m.InReplyTo, wantRefs[1:]) {
		t.Errorf("InReplyTo = %v", m.InReplyTo)
	}
	if !m.Date.Equal(time.Date(2026, 11, 12, 16, 40, 0, 0, time.UTC)) {
		t.Errorf("Date = %v", m.Date)
	}
	// The alert and the reply share the first 22 bytes of Thread-Index.
	alert, _ := parseFile(t, "newham-alert-outlook.eml")
	if alert.Conversation == "" || alert.Conversation != m.Conversation {
		t.Errorf("Conversation %q vs %q", alert.Conversation, m.Conversation)
	}
	g, _ := parseFile(t, "gmail-reply-extend.eml")
	if g.Tag != "DRP-2026-0042" {
		t.Errorf("Tag = %q", g.Tag)
	}
	b, _ := parseFile(t, "brighton-level3-cp1252.eml")
	if b.FromName != "Bridé Iro" || !strings.Contains(b.NewText, "Child’s ID") || !strings.Contains(b.NewText, "overdue – please") {
		t.Errorf("windows-1252 not decoded: %q %q", b.FromName, b.NewText)
	}
	if b.Subject != "Looked-after Manager Alert – Level 3 – 7654321" {
		t.Errorf("Subject = %q", b.Subject)
	}
}

func msg(subject, body string, extra ...string) string {
	h := "From: Iris Reviewer <iris@council.example>\r\nTo: pat@council.example\r\nMessage-ID: <t@council.example>\r\nSubject: " + subject + "\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
}

func parseString(t *testing.T, s string, opts Options) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader(s), opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestStage(t *testing.T) {
	tests := []struct {
		subject, body string
		want          any
	}{
		{"Dispute Resolution Alert - Stage 2 - 1234567", "", 2},
		{"Dispute Resolution Alert - STAGE 2", "", 2},
		{"Dispute Resolution Alert - Stage two", "", 2},
		{"Dispute Resolution Alert - Formal Stage 3", "", 3},
		{"Dispute Resolution Alert - Level 4", "", 4},
		{"Dispute Resolution Alert - Informal - 1234567", "", 0},
		{"Dispute Resolution Alert - Informal Stage", "Stage 3", 0},
		{"Dispute Resolution Alert", "Stage of Alert: 2", 2},
		{"Dispute Resolution Alert", "Stage of Alert\t2", 2},
		{"Dispute Resolution Alert", "Stage of Alert:\n\nthree", 3},
		{"Dispute Resolution Alert", "Alert Stage 3", 3},
		{"Dispute Resolution Alert", "FORMAL STAGE 1", 1},
		{"Dispute Resolution Alert", "Level 4", 4},
		{"Dispute Resolution Alert", "Stage two", 2},
		{"Dispute Resolution Alert", "Stage of Alert: Informal", 0},
		{"Dispute Resolution Alert", "This is an informal stage alert.", 0},
		{"Dispute Resolution Alert", "Stage of Alert: Formal Stage 2", 2},
		{"Dispute Resolution Alert", "Stage 9 is not a stage.\nStage 1", 1},
		{"Dispute Resolution Alert", "The level of support is low.", nil},
		{"Dispute Resolution Alert", "5 working days", nil},
		{"Dispute Resolution Alert - Stage 1", "Stage 3", 1}, // the subject wins
		{"RE: Dispute Resolution Alert", "Thanks.\n\nOn Mon, 2 Nov 2026, An IRO <a@b.c> wrote:\n> Stage 2", nil},
	}
	for _, tt := range tests {
		m := parseString(t, msg(tt.subject, tt.body), DefaultOptions())
		if got := deref(m.Stage); got != tt.want {
			t.Errorf("%q / %q: stage %v, want %v", tt.subject, tt.body, got, tt.want)
		}
	}
}

func TestChildRef(t *testing.T) {
	tests := []struct{ subject, body, want string }{
		{"Dispute Resolution Alert - Stage 1 - 1234567", "", "1234567"},
		{"Dispute Resolution Alert - Stage 1 - 1234567 [DRP-2026-0042]", "", "1234567"},
		{"Dispute Resolution Alert - Stage 1 [DRP-2026-0042]", "", ""},
		{"Dispute Resolution Alert - 02/11/2026", "", ""},
		{"1234567 Dispute Resolution Alert", "", ""}, // before the heading: not a reference
		{"Dispute Resolution Alert", "Azeus Number: 1234567", "1234567"},
		{"Dispute Resolution Alert", "Child's Azeus Number\t1234567", "1234567"},
		{"Dispute Resolution Alert", "Child\u2019s ID: 1234567", "1234567"},
		{"Dispute Resolution Alert", "LAS Number: A.B. / 200002", "200002"},
		{"Dispute Resolution Alert", "CareFirst ID: CF123456", "CF123456"},
		{"Dispute Resolution Alert", "Mosaic ID - M1234567", "M1234567"},
		{"Dispute Resolution Alert", "LCS ID:\n\n998877", "998877"},
		{"Dispute Resolution Alert", "ID No. 4455667", "4455667"},
		{"Dispute Resolution Alert", "Date of Alert: 02/11/2026", ""},
		{"Dispute Resolution Alert", "Azeus Number: 02/11/2026 1234567", "1234567"},
		{"Dispute Resolution Alert", "Mosaic", ""},
	}
	for _, tt := range tests {
		m := parseString(t, msg(tt.subject, tt.body), DefaultOptions())
		if m.ChildRef != tt.want {
			t.Errorf("%q / %q: child_ref %q, want %q", tt.subject, tt.body, m.ChildRef, tt.want)
		}
	}
}

func TestDueDate(t *testing.T) {
	tests := []struct{ body, want string }{
		{"Response due by: 04/12/2026", "2026-12-04"},
		{"Response due by: 4/12/26", "2026-12-04"},
		{"Date response due: 4 December 2026", "2026-12-04"},
		{"Date response due: 4th Dec 2026", "2026-12-04"},
		{"Response due by Friday 4th of December 2026", "2026-12-04"},
		{"Response due: 2026-12-04", "2026-12-04"},
		{"Response due: 04.12.2026", "2026-12-04"},
		{"Response due by: 12/04/2026", "2026-04-12"}, // UK order always
		{"Response due by: 31/02/2026", ""},
		{"Response due by: next week", ""},
		{"Date of Alert: 02/11/2026", ""},
		{"Date response due\n04/12/2026", "2026-12-04"},
	}
	for _, tt := range tests {
		m := parseString(t, msg("Dispute Resolution Alert", tt.body), DefaultOptions())
		got := ""
		if !m.DueDate.IsZero() {
			got = m.DueDate.Format("2006-01-02")
		}
		if got != tt.want {
			t.Errorf("%q: due %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestCommand(t *testing.T) {
	tests := []struct{ body, want string }{
		{"Resolved", "resolved"},
		{"resolved.", "resolved"},
		{"#Resolved", "resolved"},
		{"*Resolved*", "resolved"},
		{"Not resolved", "escalate"},
		{"ESCALATE", "escalate"},
		{"Escalate to stage 4", "stage 4"},
		{"Escalate to Stage four", "stage 4"},
		{"Stage 3", "stage 3"},
		{"# stage 2", "stage 2"},
		{"Level 3", "stage 3"},
		{"Stage 7", ""},
		{"Extend to 11/12/2026", "extend 2026-12-11"},
		{"Extend to 11 December 2026", "extend 2026-12-11"},
		{"Extend 5 days", "extend 5"},
		{"Extend by 5 working days", "extend 5"},
		{"Extend to next week", ""},
		{"Pause", "pause"},
		{"Resume", "resume"},
		{"Cafcass referral made", "cafcass"},
		{"Close", "close"},
		{"Withdrawn", "close"},
		{"The dispute is resolved now", "resolved"}, // near.go rule 3
		{"Not sure this is resolved", ""},
		{"Thanks for the update.\nResolved", "resolved"},
		{"Pause\nResolved", "pause"},
		{"Status", "status"},
		{"#help", "help"},
	}
	for _, tt := range tests {
		m := parseString(t, msg("RE: Dispute Resolution Alert - Stage 1", tt.body), DefaultOptions())
		if m.Command != tt.want {
			t.Errorf("%q: command %q, want %q", tt.body, m.Command, tt.want)
		}
	}
	// In a new alert a stage line is the stage, not an instruction.
	m := parseString(t, msg("Dispute Resolution Alert", "Stage 2"), DefaultOptions())
	if m.Command != "" || deref(m.Stage) != 2 {
		t.Errorf("new alert: command %q stage %v", m.Command, deref(m.Stage))
	}
}

func TestReplyForward(t *testing.T) {
	tests := []struct {
		subject        string
		extra          []string
		reply, forward bool
	}{
		{"RE: Dispute Resolution Alert", nil, true, false},
		{"Re: Dispute Resolution Alert", nil, true, false},
		{"RE: RE: FW: Dispute Resolution Alert", nil, true, false},
		{"FW: RE: Dispute Resolution Alert", []string{"In-Reply-To: <a@b>"}, false, true},
		{"Fwd: Dispute Resolution Alert", nil, false, true},
		{"[EXTERNAL] RE: Dispute Resolution Alert", nil, true, false},
		{"RE[2]: Dispute Resolution Alert", nil, true, false},
		{"Dispute Resolution Alert", []string{"In-Reply-To: <a@b>"}, true, false},
		{"Dispute Resolution Alert", nil, false, false},
		{"Regarding Dispute Resolution Alert", nil, false, false},
	}
	for _, tt := range tests {
		m := parseString(t, msg(tt.subject, "x", tt.extra...), DefaultOptions())
		if m.IsReply != tt.reply || m.IsForward != tt.forward {
			t.Errorf("%q: reply %v forward %v, want %v %v", tt.subject, m.IsReply, m.IsForward, tt.reply, tt.forward)
		}
	}
}

func TestHeading(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"Dispute Resolution Alert - Stage 1", "Dispute Resolution Alert"},
		{"DISPUTE RESOLUTION ALERT: Stage 1", "Dispute Resolution Alert"},
		{"RE: dispute resolution alert", "Dispute Resolution Alert"},
		{"Resolution and Escalation Alert – Stage 2", "Resolution and Escalation Alert"},
		{"Looked After Manager Alert - Level 2", "Looked-after Manager Alert"},
		{"Looked-after  Manager Alert - Level 2", "Looked-after Manager Alert"},
		{"Resolution Alert", ""},
		{"Review meeting", ""},
	}
	for _, tt := range tests {
		m := parseString(t, msg(tt.subject, "x"), DefaultOptions())
		if m.Heading != tt.want {
			t.Errorf("%q: heading %q, want %q", tt.subject, m.Heading, tt.want)
		}
	}
	// A heading only in the body does not count.
	m := parseString(t, msg("Visit", "Dispute Resolution Alert\nStage 1"), DefaultOptions())
	if m.Heading != "" {
		t.Errorf("body heading counted: %q", m.Heading)
	}
	// Headings and labels are configuration.
	o := DefaultOptions()
	o.Headings = []string{"Practice Escalation Notice"}
	o.StageWords = []string{"Tier"}
	o.ChildRefLabels = []string{"EHM Number"}
	m = parseString(t, msg("practice escalation notice - tier 2", "EHM Number: E556677"), o)
	if m.Heading != "Practice Escalation Notice" || deref(m.Stage) != 2 || m.ChildRef != "E556677" {
		t.Errorf("configured: %q %v %q", m.Heading, deref(m.Stage), m.ChildRef)
	}
}

func TestAutomatic(t *testing.T) {
	tests := []struct {
		subject      string
		extra        []string
		auto, bounce bool
	}{
		{"RE: Dispute Resolution Alert", []string{"X-Auto-Response-Suppress: All"}, false, false},
		{"RE: Dispute Resolution Alert", []string{"Auto-Submitted: no"}, false, false},
		{"RE: Dispute Resolution Alert", []string{"Auto-Submitted: auto-replied"}, true, false},
		{"RE: Dispute Resolution Alert", []string{"Precedence: bulk"}, true, false},
		{"RE: Dispute Resolution Alert", []string{"X-Autoreply: yes"}, true, false},
		{"RE: Dispute Resolution Alert", []string{"X-MS-Exchange-Inbox-Rules-Loop: a@b", "X-Auto-Response-Suppress: All"}, true, false},
		{"Automatic reply: Dispute Resolution Alert", nil, true, false},
		{"Out of Office: Dispute Resolution Alert", nil, true, false},
		{"Read: Dispute Resolution Alert", nil, true, false},
		{"Undeliverable: Dispute Resolution Alert", nil, true, true},
		{"Delivery Status Notification (Failure)", nil, true, true},
		{"Readiness review", nil, false, false},
	}
	for _, tt := range tests {
		m := parseString(t, msg(tt.subject, "x", tt.extra...), DefaultOptions())
		if m.AutoReply != tt.auto || m.Bounce != tt.bounce {
			t.Errorf("%q %v: auto %v bounce %v, want %v %v", tt.subject, tt.extra, m.AutoReply, m.Bounce, tt.auto, tt.bounce)
		}
	}
}

func TestCutQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Yes\n\n-----Original Message-----\nFrom: x\nResolved", "Yes"},
		{"Yes\n----- Original Message -----\nResolved", "Yes"},
		{"Yes\n________________________________\nFrom: A\nSent: B\nTo: C\nResolved", "Yes"},
		{"Yes\nFrom: A <a@b>\nSent: Monday\nTo: C\nSubject: D\nResolved", "Yes"},
		{"From: A\nTo: the team\nWe are resolved", "From: A\nTo: the team\nWe are resolved"},
		{"Yes\nOn Mon, 2 Nov 2026 at 09:00, A <a@b> wrote:\n> Resolved", "Yes"},
		{"Yes\n> quoted\nmine", "Yes\nmine"},
		{"Yes\n-- \nIris\nResolved", "Yes"},
		{"Resolved\n\nKind regards,\nIris\nIRO Service", "Resolved"},
		// A closing line does not cut an instruction or a paragraph below it.
		{"Resolved\n\nKind regards,\nIris\nPause", "Resolved\n\nKind regards,\nIris\nPause"},
		{"Noted.\n\nMany thanks\n\nResolved", "Noted.\n\nMany thanks\n\nResolved"},
		{"Noted.\nMany thanks\nI have also asked the team manager to book the review.", "Noted.\nMany thanks\nI have also asked the team manager to book the review."},
		{"Noted.\nMany thanks\nPat Lead\nTeam Manager", "Noted."},
		// Bare rules at the end go; bottom-posting keeps the new text.
		{"Yes\n\n------\n", "Yes"},
		{"Yes\n___", "Yes"},
		{"On Mon, 2 Nov 2026 at 09:00, A <a@b> wrote:\n> Is it resolved?\n\nResolved", "Resolved"},
		{"> Is it resolved?\n> Stage 2\nNot yet.", "Not yet."},
		// A reply that is only a sign-off keeps it: it is the answer.
		{"Thanks,\nPat", "Thanks,\nPat"},
		{"Fine.\n\nIris Reviewer <iris@council.example> wrote on 17/11/2026 09:00:00:\n\nNot resolved", "Fine."},
		{"Fine.\n\n-----Iris Reviewer <iris@council.example> wrote: -----\n\nNot resolved", "Fine."},
		{"Gut.\n\nIris Reviewer <iris@council.example> schrieb am 17.11.2026 um 09:00:\n> Not resolved", "Gut."},
		{"Fine.\n\nQuoting Iris Reviewer <iris@council.example>:\n\n> Not resolved", "Fine."},
		{"好的\n\n在 2026年11月17日 09:00，Iris <iris@council.example> 写道：\n> Not resolved", "好的"},
		{"了解です\n\n2026年11月17日(火) 9:00 Iris Reviewer <iris@council.example>:\n\n> Not resolved", "了解です"},
		{"Thanks\nResolved", "Thanks\nResolved"},
		{"A\n\n\n\nB  ", "A\n\nB"},
		{"Yes\nSent from my iPhone\nResolved", "Yes"},
	}
	for _, tt := range tests {
		if got := cutQuoted(tt.in); got != tt.want {
			t.Errorf("cutQuoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>A</p><p>B</p>`, "A\nB\n"},
		{`<table><tr><td>Label</td><td>Value</td></tr><tr><th>X</th><td> Y </td></tr></table>`, "Label\tValue\nX\tY\n"},
		{`<style>p{}</style><script>alert(1)</script><p>Hi&nbsp;there &amp; you</p>`, "Hi there & you\n"},
		{`<div>A<blockquote>Q<br>R</blockquote>B</div>`, "A\n> Q\n> R\nB\n"},
		{`<ul><li>one</li><li>two</li></ul>`, "- one\n- two\n"},
		{`<div>Yes</div><div class="gmail_signature">Iris</div>`, "Yes\n--\nIris\n"},
		{`<p>broken <b>markup`, "broken markup\n"},
	}
	for _, tt := range tests {
		if got := htmlToText(tt.in); got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLargeMessage(t *testing.T) {
	// A 20 MB attachment costs nothing to parse and loses no facts.
	var b bytes.Buffer
	b.WriteString("From: a@council.example\r\nMessage-ID: <big@x>\r\nSubject: Dispute Resolution Alert - Stage 2 - 1234567\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nCafcass concurrent referral: yes\r\n--b\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUFB", 19) + "\r\n"
	for b.Len() < 20<<20 {
		b.WriteString(line)
	}
	b.WriteString("--b--\r\n")
	m, err := ParseBytes(b.Bytes(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if deref(m.Stage) != 2 || m.ChildRef != "1234567" || !m.ConcurrentCafcass {
		t.Errorf("facts lost: %+v", m)
	}
	// Over the limit: facts from what was read, and ErrTooLarge.
	o := DefaultOptions()
	o.MaxMessageBytes = 1 << 20
	m, err = ParseBytes(b.Bytes(), o)
	if !errors.Is(err, ErrTooLarge) || m == nil || deref(m.Stage) != 2 {
		t.Errorf("over limit: err %v, m %+v", err, m)
	}
	// A huge text part is cut to MaxTextBytes, not held whole.
	huge := msg("Dispute Resolution Alert", strings.Repeat("words and more words\n", 1<<20))
	m, err = ParseBytes([]byte(huge), DefaultOptions())
	if err != nil || len(m.NewText) > 1<<20 {
		t.Errorf("huge text: err %v len %d", err, len(m.NewText))
	}
}

func TestHostileStructure(t *testing.T) {
	// Deep nesting stops at maxDepth with an error, not a stack overflow.
	var b strings.Builder
	b.WriteString("Subject: Dispute Resolution Alert\r\n")
	for i := 0; i < 200; i++ {
		b.WriteString("Content-Type: multipart/mixed; boundary=\"b" + string(rune('a'+i%26)) + strings.Repeat("x", i) + "\"\r\n\r\n--b" + string(rune('a'+i%26)) + strings.Repeat("x", i) + "\r\n")
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nStage 2\r\n")
	m, err := Parse(strings.NewReader(b.String()), DefaultOptions())
	if m == nil || !errors.Is(err, ErrMalformed) {
		t.Errorf("deep nesting: m %v err %v", m, err)
	}
	// Not a message at all.
	for _, in := range []string{"", "\x00\x01\x02", "no colon header line\r\n\r\nbody", strings.Repeat("X-Long: "+strings.Repeat("a", 1000)+"\r\n", 2000)} {
		m, err := Parse(strings.NewReader(in), DefaultOptions())
		if m == nil && !errors.Is(err, ErrNoMessage) {
			t.Errorf("%.20q: nil message with %v", in, err)
		}
	}
}

func TestQueriesAndInitials(t *testing.T) {
	m := parseString(t, msg("Status", ""), DefaultOptions())
	if m.Command != "status" {
		t.Errorf("subject Status: %q", m.Command)
	}
	m = parseString(t, msg("help", "Thanks"), DefaultOptions())
	if m.Command != "help" {
		t.Errorf("subject help: %q", m.Command)
	}
	m = parseString(t, msg("Status of the review", ""), DefaultOptions())
	if m.Command != "" {
		t.Errorf("subject with more words: %q", m.Command)
	}
	tests := map[string]string{
		"Name of Child\tSam Child":                     "S.C.",
		"Name of Child /Fwi/LAS Number: S.C. / 200002": "S.C.",
		"Child's name: jo anne smith":                  "J.A.S.",
		"Name of Child: 1234567":                       "",
		"Name of worker: Pat Lead":                     "",
	}
	for body, want := range tests {
		m := parseString(t, msg("Dispute Resolution Alert", body), DefaultOptions())
		if m.ChildInitials != want {
			t.Errorf("%q: initials %q, want %q", body, m.ChildInitials, want)
		}
	}
}

func TestRedactChildName(t *testing.T) {
	tests := map[string]string{
		"Date: 1/2/2026\nName of Child\tSam Child\nConcern: x": "Date: 1/2/2026\nName of Child\tS.C.\nConcern: x",
		"Name of Child /Fwi/LAS Number: Sam Child / 200002":    "Name of Child /Fwi/LAS Number: S.C. / 200002",
		"Child's name: 12 Oak Road":                            "Child's name: [name withheld]",
		"No name here":                                         "No name here",
	}
	for in, want := range tests {
		if got := RedactChildName(in); got != want {
			t.Errorf("RedactChildName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCategory(t *testing.T) {
	tests := map[string]string{
		"Category: care planning":                       "Care Planning",
		"Category of concern:\tHealth":                  "Health",
		"Category: Something new":                       "Something new",
		"\u2610 Placement \u2612 Contact \u2610 Health": "Contact",
		"[x] Education":                                 "Education",
		"Health is fine":                                "",
	}
	for body, want := range tests {
		m := parseString(t, msg("Dispute Resolution Alert", body), DefaultOptions())
		if m.Category != want {
			t.Errorf("%q: category %q, want %q", body, m.Category, want)
		}
	}
}

// TestNearCommand covers near.go's rules: courtesy around one instruction is
// acted on, hedged wording is nothing, other look-alikes are near misses.
func TestNearCommand(t *testing.T) {
	tests := []struct{ body, cmd, near, reason string }{
		// Rule 3: acted on.
		{"Resolved - thanks Pat.", "resolved", "", ""},
		{"Thanks Pat, this is now resolved.", "resolved", "", ""},
		{"Thanks Pat – resolved!", "resolved", "", ""},
		{"Noted, not resolved.", "escalate", "", ""},
		{"Please escalate.", "escalate", "", ""},
		{"Extend to 11/12/2026 please", "extend 2026-12-11", "", ""},
		{"Hi Pat, pause please.", "pause", "", ""},
		{"The dispute has been resolved.", "resolved", "", ""},
		// Rule 1: hedged, neither.
		{"I believe this is now resolved, please confirm", "", "", ""},
		{"I think this is resolved?", "", "", ""},
		{"Hopefully resolved by Friday.", "", "", ""},
		{"Resolved?", "", "", ""},
		{"Not sure this is resolved", "", "", ""},
		{"Resolved from my side: review booked for 20/11/2026.", "", "", ""},
		// Rule 4: near misses.
		{"Extend to 31/02/2027", "", "extend", "31/02/2027 is not a date: February 2027 has 28 days"},
		{"Extend to 31/13/2027", "", "extend", "31/13/2027 is not a date: there is no month 13 (dates are day/month/year)"},
		{"Extend to next week", "", "extend", "no new date or number of working days was given"},
		{"Extension agreed to 11/12/2026 with the team manager", "", "extend 2026-12-11", ""},
		{"Extend by another 5 days as agreed", "", "extend 5", ""},
		{"Resolved as discussed with Pat this morning", "", "resolved", ""},
		{"Escalating to stage 3 today", "", "stage 3", ""},
		{"Escalate to stage 7", "", "escalate", "there is no stage 7: the formal stages are 1 to 5"},
		{"Stage 7", "", "escalate", "there is no stage 7: the formal stages are 1 to 5"},
		{"This is not resolved, the plan is still missing", "", "escalate", ""},
		{"Putting this on hold while Pat is away", "", "pause", ""},
		{"Cafcass referral has been made today", "", "cafcass", ""},
		{"Withdrawing this alert", "", "close", ""},
		{"This can now be closed as resolved.", "", "resolved", ""},
		{"Thanks Pat, extend to 31/02/2027", "", "extend", "31/02/2027 is not a date: February 2027 has 28 days"},
		// Not instructions at all: the word is used, not an instruction given.
		{"Closing the loop: the plan is now on file.", "", "", ""},
		{"Escalation isn't needed at this point.", "", "", ""},
		{"Resolve the PEP issue first please.", "", "", ""},
		{"Stage 2 response received, thanks.", "", "", ""},
		{"Extended family are now involved.", "", "", ""},
		{"Level 3 of the building is closed on Friday.", "", "", ""},
		{"Resumed contact with mum this week.", "", "", ""},
		{"Pausing for thought here, can we talk?", "", "", ""},
		{"The review is booked for 20/11/2026.", "", "", ""},
		{"Many thanks for the update, I will read the plan and come back to you tomorrow about the resolved items.", "", "", ""},
	}
	for _, tt := range tests {
		m := parseString(t, msg("RE: Dispute Resolution Alert - Stage 1", tt.body), DefaultOptions())
		if m.Command != tt.cmd || m.NearCommand != tt.near || m.NearReason != tt.reason {
			t.Errorf("%q: command %q near %q (%q), want %q %q (%q)", tt.body, m.Command, m.NearCommand, m.NearReason, tt.cmd, tt.near, tt.reason)
		}
	}
	// A new alert's lines are never near misses.
	m := parseString(t, msg("Dispute Resolution Alert - Stage 1", "Extend to 31/02/2027"), DefaultOptions())
	if m.NearCommand != "" || m.Command != "" {
		t.Errorf("new alert: command %q near %q", m.Command, m.NearCommand)
	}
	for cmd, want := range map[string]string{"resolved": "Resolved", "stage 3": "Escalate to stage 3", "extend 2026-12-11": "Extend to 11/12/2026",
		"extend 5": "Extend 5 days", "extend": "Extend to DD/MM/YYYY (or Extend N days)", "close": "Withdrawn", "cafcass": "Cafcass referral made"} {
		if got := InstructionLine(cmd); got != want {
			t.Errorf("InstructionLine(%q) = %q, want %q", cmd, got, want)
		}
	}
}

// TestNewhamFormCategory reads the category ticked on Newham's form, whose
// "FORMAL STAGE 1" table pairs each "Dispute Resolution Category" with a
// "TICK IF APPLICABLE" cell after it, and whose first option ends in ":".
func TestNewhamFormCategory(t *testing.T) {
	first := "Statutory / IRO Handbook /Working Together requirements for the child not met"
	opts := DefaultOptions()
	opts.Categories = []string{first, "Health Issues", "Staff Turnover/Sickness", "Other"}
	tests := map[string]string{
		// The table copied from Word: cells apart by tabs, the tick after.
		first + ":\t\u2612\tStaff Turnover/Sickness\t\u2610": first,
		first + ":\t\u2610\tStaff Turnover/Sickness\t\u2612": "Staff Turnover/Sickness",
		first + ":\tX\tStaff Turnover/Sickness\t":            first,
		"Health Issues\t[x]":                                 "Health Issues",
		"Health Issues \u2611":                               "Health Issues",
		"Other (please specify)\t\u2612":                     "Other",
		// The table flattened one cell a line.
		first + ":\n\u2612\nStaff Turnover/Sickness\n\u2610":     first,
		"Health Issues\n\u2610\nStaff Turnover/Sickness\n\u2713": "Staff Turnover/Sickness",
		// The tick before the category, the trailing ":" kept.
		"\u2612 " + first + ":": first,
		// Nothing ticked, or a tick after a cell that is no category.
		first + ":\t\u2610\tStaff Turnover/Sickness\t\u2610": "",
		"Concurrent referral to Cafcass:\tYes":               "",
	}
	for body, want := range tests {
		m := parseString(t, msg("Dispute Resolution Alert", body), opts)
		if m.Category != want {
			t.Errorf("%q: category %q, want %q", body, m.Category, want)
		}
	}
}
