package mailbot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// histMail is one message of a generated history and when it arrived.
type histMail struct {
	raw []byte
	at  time.Time
}

func london(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, workdays.London)
}

// pdfAlert is an alert with a care plan attached: 3 MB of base64 that the
// import must never fetch.
func pdfAlert(from string, to []string, subject, id string, date time.Time, text string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCc: lac@drpbot.test\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n", from, strings.Join(to, ", "), subject, date.Format(time.RFC1123Z), id)
	b.WriteString("Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
	b.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + strings.ReplaceAll(text, "\n", "<br>") + "</p>\r\n--alt--\r\n")
	b.WriteString("\r\n--outer\r\nContent-Type: application/pdf; name=\"care-plan.pdf\"\r\nContent-Disposition: attachment; filename=\"care-plan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 3)[:76] + "\r\n"
	for n := 0; n < 3<<20; n += len(line) {
		b.WriteString(line)
	}
	b.WriteString("--outer--\r\n")
	return []byte(b.String())
}

// pastDisputes is a shared inbox's history: disputes resolved, withdrawn,
// moved on by people, open and in time, open and long overdue, and
// abandoned, among other mail; one of drpbot's own emails, a query, a
// message with a wrong Date and one nobody can read. It is returned in
// an order that is not the date order, as a migrated mailbox may be.
func pastDisputes() []histMail {
	iro, pl, sm := addrOf("iro"), addrOf("practice.lead"), addrOf("service.manager")
	lac := []string{addrOf("lac")}
	m := func(from string, to []string, subject, id, inReplyTo string, at time.Time, body string, extra ...string) histMail {
		return histMail{raw: email(from, to, lac, subject, id, inReplyTo, at, body, extra...), at: at}
	}
	var h []histMail
	// A: resolved in March 2025; the alert carries a 3 MB care plan; the
	// practice lead's out-of-office came first.
	a := london(2025, 3, 3, 9)
	h = append(h, histMail{raw: pdfAlert(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 1111111", "<a1@drpbot.test>", a, "Child ID: 1111111\nFORMAL STAGE 1\nThe plan is late."), at: a},
		m(pl, []string{iro}, "Automatic reply: Dispute Resolution Alert - Stage 1 - 1111111", "<a2@drpbot.test>", "<a1@drpbot.test>", a.Add(time.Minute), "I am out of the office.", "Auto-Submitted: auto-replied"),
		m(pl, []string{iro}, "RE: Dispute Resolution Alert - Stage 1 - 1111111", "<a3@drpbot.test>", "<a1@drpbot.test>", london(2025, 3, 5, 11), "The plan is agreed and booked."),
		m(iro, []string{pl}, "RE: Dispute Resolution Alert - Stage 1 - 1111111", "<a4@drpbot.test>", "<a3@drpbot.test>", london(2025, 3, 6, 10), "Resolved"))
	// A query in the history: never answered now.
	h = append(h, m(iro, lac, "Status", "<q1@drpbot.test>", "", london(2025, 4, 1, 9), "Status"))
	// B: withdrawn; its alert's Date is years wrong, its Received right.
	b := london(2025, 6, 2, 10)
	h = append(h, histMail{raw: email(iro, []string{pl}, lac, "Dispute Resolution Alert - Stage 1 - 2222222", "<b1@drpbot.test>", "", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
		"Child ID: 2222222\nFORMAL STAGE 1", "Received: from mx.drpbot.test by mail.drpbot.test; "+b.Format(time.RFC1123Z)), at: b},
		m(iro, []string{pl}, "RE: Dispute Resolution Alert - Stage 1 - 2222222", "<b2@drpbot.test>", "<b1@drpbot.test>", london(2025, 6, 4, 10), "Withdrawn"))
	// C: the IRO took it to stage 2 by hand; resolved there.
	h = append(h, m(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 3333333", "<c1@drpbot.test>", "", london(2025, 9, 1, 9), "Child ID: 3333333\nFORMAL STAGE 1"),
		m(iro, []string{sm}, "Dispute Resolution Alert - Stage 2 - 3333333", "<c2@drpbot.test>", "", london(2025, 9, 10, 9), "Child ID: 3333333\nFORMAL STAGE 2\nNo answer at stage 1."),
		m(sm, []string{iro}, "RE: Dispute Resolution Alert - Stage 2 - 3333333", "<c3@drpbot.test>", "<c2@drpbot.test>", london(2025, 9, 12, 14), "Funding approved."),
		m(iro, []string{sm}, "RE: Dispute Resolution Alert - Stage 2 - 3333333", "<c4@drpbot.test>", "<c3@drpbot.test>", london(2025, 9, 15, 9), "Resolved"))
	// drpbot's own escalation from an earlier life: its own, not an alert.
	h = append(h, m(addrOf("lac"), []string{sm}, "Dispute Resolution Alert - Stage 2 - 7777777 [DRP-2025-0009]", "<drp-2025-0009.s2.escalation.3@drpbot.test>", "", london(2025, 10, 1, 9), "Escalated.", "Auto-Submitted: auto-generated"))
	// F: the manager answered in November 2025; nobody recorded an outcome.
	h = append(h, m(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 6666666", "<f1@drpbot.test>", "", london(2025, 11, 3, 9), "Child ID: 6666666\nFORMAL STAGE 1"),
		m(pl, []string{iro}, "RE: Dispute Resolution Alert - Stage 1 - 6666666", "<f2@drpbot.test>", "<f1@drpbot.test>", london(2025, 11, 5, 9), "We will look at it."))
	// Unreadable: a header line that is no header line.
	h = append(h, histMail{raw: []byte("From: " + iro + "\r\nSubject: Dispute Resolution Alert - Stage 1 - 8888888\r\nthis line is broken\r\n\r\nChild ID: 8888888\r\n"), at: london(2026, 2, 2, 9)})
	// E: open and long overdue: due 02/11/2026, nobody answered.
	h = append(h, m(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 5555555", "<e1@drpbot.test>", "", london(2026, 10, 26, 9), "Child ID: 5555555\nFORMAL STAGE 1"))
	// D: open and in time: raised two days before the switch-on.
	h = append(h, m(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 4444444", "<d1@drpbot.test>", "", london(2026, 11, 24, 9), "Child ID: 4444444\nFORMAL STAGE 1\nPlease review the plan."))
	// Other mail of a shared inbox.
	for i, at := range []time.Time{london(2025, 1, 10, 9), london(2025, 7, 7, 9), london(2026, 5, 5, 9)} {
		h = append(h, m(addrOf("social.worker"), lac, "Team meeting", fmt.Sprintf("<o%d@drpbot.test>", i), "", at, "Agenda attached."))
	}
	slices.Reverse(h) // the newest first: UID order is not date order
	return h
}

// fillHistory appends the history to the shared mailbox with each
// message's arrival as its INTERNALDATE.
func fillHistory(t testing.TB, ms *mailSystem, hist []histMail) {
	t.Helper()
	c := ms.login(t, addrOf("lac"))
	defer c.Close()
	for _, h := range hist {
		cmd := c.Append("INBOX", int64(len(h.raw)), &imap.AppendOptions{Time: h.at})
		if _, err := cmd.Write(h.raw); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImport switches drpbot on over a mailbox of past disputes (real
// servers when the environment names them): the summary, the exact
// rebuilt states, no stale email, and the normal rules from then on.
func TestImport(t *testing.T)     { testImport(t, false) }
func TestImportReal(t *testing.T) { testImport(t, true) }

func testImport(t *testing.T, real bool) {
	w := newWorldOff(t, real, "newham")
	fillHistory(t, w.ms, pastDisputes())
	w.at(26, 10) // Thursday 26 November 2026: the switch-on
	sums, n, err := w.bot.Import(t.Context(), time.Time{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(sums) != 1 {
		t.Fatalf("%d summaries", len(sums))
	}
	sum := sums[0]
	t.Logf("%d messages went to disputes\n%s", n, sum.Text())

	// Nothing but the summary is queued.
	rows, _ := w.bot.Store().OutboxDue(w.now.AddDate(1, 0, 0), 100)
	if len(rows) != 1 || rows[0].Purpose != "onboarding" || !slices.Equal(rows[0].To, []string{addrOf("qa")}) {
		t.Fatalf("queued after the import: %+v", rows)
	}

	// The rebuilt states, exactly.
	type want struct {
		ref         string
		status      engine.Status
		stage       int
		opened      time.Time
		closed      time.Time
		due         string
		lapsed      bool
		respondent  string
		history     int
		cover       string
		decisionRem bool
	}
	wants := map[string]want{
		"1111111": {ref: "DRP-2025-0001", status: engine.Resolved, stage: 1, opened: london(2025, 3, 3, 9), closed: london(2025, 3, 6, 10), due: "2025-03-10", respondent: addrOf("practice.lead"), history: 1, cover: addrOf("deputy.practice.lead")},
		"2222222": {ref: "DRP-2025-0002", status: engine.Closed, stage: 1, opened: london(2025, 6, 2, 10), closed: london(2025, 6, 4, 10), due: "2025-06-09", respondent: addrOf("practice.lead"), history: 1},
		"3333333": {ref: "DRP-2025-0003", status: engine.Resolved, stage: 2, opened: london(2025, 9, 1, 9), closed: london(2025, 9, 15, 9), due: "2025-09-17", respondent: addrOf("service.manager"), history: 2},
		"6666666": {ref: "DRP-2025-0004", status: engine.Responded, stage: 1, opened: london(2025, 11, 3, 9), due: "2025-11-10", respondent: addrOf("practice.lead"), history: 1, decisionRem: true},
		"5555555": {ref: "DRP-2026-0001", status: engine.Open, stage: 1, opened: london(2026, 10, 26, 9), due: "2026-11-02", lapsed: true, respondent: addrOf("practice.lead"), history: 1},
		"4444444": {ref: "DRP-2026-0002", status: engine.Open, stage: 1, opened: london(2026, 11, 24, 9), due: "2026-12-01", respondent: addrOf("practice.lead"), history: 1},
	}
	for child, wt := range wants {
		d := dispute(t, w, child)
		got := want{ref: d.Ref, status: d.Status, stage: d.Stage, opened: d.Opened, closed: d.Closed, due: d.Due.String(), lapsed: d.Lapsed,
			respondent: d.Respondent, history: len(d.History), cover: d.Cover, decisionRem: d.DecisionReminded}
		if !got.opened.Equal(wt.opened) || !got.closed.Equal(wt.closed) {
			t.Errorf("%s: opened %v closed %v, want %v and %v", child, got.opened, got.closed, wt.opened, wt.closed)
		}
		got.opened, got.closed, wt.opened, wt.closed = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if got != wt {
			t.Errorf("%s:\n got %+v\nwant %+v", child, got, wt)
		}
	}
	if d := dispute(t, w, "3333333"); d.History[0].How != engine.HowMoved || d.History[1].Responded.IsZero() {
		t.Errorf("3333333's stages: %+v", d.History)
	}
	w.bot.Store().View(func(tx *store.Tx) error {
		if refs := tx.ByChild("7777777"); len(refs) != 0 {
			t.Errorf("drpbot's own escalation opened a dispute: %v", refs)
		}
		return nil
	})

	// Last year's quarterly reports work from the imported history.
	q, _ := Quarter("2025Q1")
	var rep Report
	w.bot.Store().View(func(tx *store.Tx) error {
		var err error
		rep, err = BuildReport(tx, w.bot.Policy(), w.bot.Calendar(), w.bot.Directory(), q, w.now)
		return err
	})
	var md strings.Builder
	rep.WriteMarkdown(&md)
	for _, s := range []string{"| Stage 1 | 0 | 0 | 1 | 1 |", "| Disputes resolved | 1 |", "| Stage 1 | 1 | 0 | 0 | 100 |"} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("2025Q1 report lacks %q:\n%s", s, md.String())
		}
	}

	// The summary.
	c := sum.Counts
	if c.Read != 20 || c.Own != 1 || c.Rejected != 1 || sum.Disputes != 6 || sum.Resolved != 2 || sum.Withdrawn != 1 || sum.Open != 3 {
		t.Errorf("summary counts: %+v, disputes %d resolved %d withdrawn %d open %d", c, sum.Disputes, sum.Resolved, sum.Withdrawn, sum.Open)
	}
	if c.Redated < 1 {
		t.Errorf("the wrong Date was not corrected: %+v", c)
	}
	today := workdays.In(w.now)
	overdue := w.bot.Calendar().WorkingDaysBetween(workdays.Date{Year: 2026, Month: 11, Day: 2}, today)
	if len(sum.Overdue) != 1 || sum.Overdue[0].Ref != "DRP-2026-0001" || sum.Overdue[0].Over != overdue {
		t.Errorf("overdue: %+v (want DRP-2026-0001, %d working days)", sum.Overdue, overdue)
	}
	if len(sum.Abandoned) != 1 || sum.Abandoned[0].Ref != "DRP-2025-0004" || !strings.Contains(sum.Abandoned[0].Reply, `"Resolved"`) {
		t.Errorf("abandoned: %+v", sum.Abandoned)
	}
	if len(sum.InTime) != 1 || sum.InTime[0].Ref != "DRP-2026-0002" || len(sum.Unreadable) != 1 {
		t.Errorf("in time %+v, unreadable %+v", sum.InTime, sum.Unreadable)
	}
	text := sum.Text()
	for _, s := range []string{"Messages read: 20", "DRP-2026-0001", fmt.Sprintf("%d working days overdue", overdue), "[DRP-2025-0004]", "Could not be read: 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("summary lacks %q", s)
		}
	}

	// Again: nothing changes, nothing is queued.
	before := dumpStore(t, w.bot.Store())
	if sums, _, err := w.bot.Import(t.Context(), time.Time{}); err != nil || len(sums) != 1 {
		t.Fatalf("second import: %v, %d summaries", err, len(sums))
	}
	if after := dumpStore(t, w.bot.Store()); after != before {
		t.Errorf("a second import changed the store")
	}

	// The one email: the summary, to QA; nobody else hears of the past.
	w.drain(t)
	if got := w.ms.waitFor(t, addrOf("qa"), 1); len(got) != 1 || !strings.HasPrefix(got[0].Subject, "drpbot onboarding summary") {
		t.Fatalf("QA got %q", subjects(got))
	}
	for _, u := range []string{"iro", "irom", "practice.lead", "deputy.practice.lead", "service.manager", "operations.director", "ad.qa"} {
		if got := w.ms.inbox(t, addrOf(u)); len(got) != 0 {
			t.Errorf("%s got mail about the past: %q", u, subjects(got))
		}
	}

	// From the switch-on, the normal rules: today nothing is due; the
	// in-time dispute's reminder and escalation come when due; the
	// overdue one gets no escalation about the past.
	w.tick(t)
	if rows, _ := w.bot.Store().OutboxDue(w.now.AddDate(1, 0, 0), 100); len(rows) != 0 {
		t.Errorf("the first tick queued %d", len(rows))
	}
	w.at(30, 9)
	w.tick(t)
	if got := w.ms.waitFor(t, addrOf("practice.lead"), 1); len(got) != 1 || !strings.Contains(got[0].Subject, "DRP-2026-0002") {
		t.Errorf("reminder for the in-time dispute: %q", subjects(got))
	}
	w.now = time.Date(2026, 12, 2, 9, 0, 0, 0, workdays.London)
	w.tick(t)
	if got := w.ms.waitFor(t, addrOf("service.manager"), 1); len(got) != 1 || !strings.Contains(got[0].Subject, "DRP-2026-0002") {
		t.Errorf("escalation of the in-time dispute: %q", subjects(got))
	}
	if d := dispute(t, w, "5555555"); d.Stage != 1 || d.Status != engine.Open {
		t.Errorf("the overdue dispute moved: stage %d %s", d.Stage, d.Status)
	}
	// New mail is handled as it comes: an alert today is acknowledged.
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 9999999", "<new1@drpbot.test>", "", w.now, "Child ID: 9999999\nFORMAL STAGE 1")
	w.ms.send(t, addrOf("iro"), []string{addrOf("practice.lead"), addrOf("lac")}, alert)
	w.sync(t)
	if got := subjects(w.ms.waitFor(t, addrOf("iro"), 2)); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "9999999") }) {
		t.Errorf("no acknowledgement of a new alert: %q", got)
	}
	if d := dispute(t, w, "9999999"); d.Ref != "DRP-2026-0003" {
		t.Errorf("new dispute %s", d.Ref)
	}
}

// TestImportSince: [imap] start ignores older mail entirely, on the
// first sync as on `drpbot import` (whose --since the command test covers).
func TestImportSince(t *testing.T) {
	w := newWorldOff(t, false, "newham")
	fillHistory(t, w.ms, pastDisputes())
	w.at(26, 10)
	w.cfg.IMAP.Start = config.Day{Date: workdays.Date{Year: 2026, Month: 1, Day: 1}}
	if _, err := w.bot.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	sums := w.bot.Imported()
	if len(sums) != 1 {
		t.Fatalf("%d summaries", len(sums))
	}
	if c := sums[0].Counts; c.Read != 20 || c.Older != 16 || sums[0].Disputes != 2 {
		t.Errorf("since 2026: %+v, %d disputes", c, sums[0].Disputes)
	}
	if !strings.Contains(sums[0].Text(), "(16 before Thursday 1 January 2026 ignored)") {
		t.Errorf("summary:\n%s", sums[0].Text())
	}
}

// dumpStore renders what an import leaves: every dispute, its events, the
// rejects, the checkpoint and the outbox, as text to compare.
func dumpStore(t testing.TB, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	err := st.View(func(tx *store.Tx) error {
		if err := tx.ForEachDispute(func(d engine.Dispute) error {
			j, _ := json.Marshal(d)
			b.Write(j)
			evs, err := tx.Events(d.Ref)
			if err != nil {
				return err
			}
			for _, e := range evs {
				j, _ := json.Marshal(e)
				b.WriteString("\n  ")
				b.Write(j)
			}
			b.WriteString("\n")
			return nil
		}); err != nil {
			return err
		}
		rej, err := tx.Rejects()
		if err != nil {
			return err
		}
		j, _ := json.Marshal(rej)
		b.Write(j)
		cp, err := tx.Checkpoint("INBOX")
		if err != nil {
			return err
		}
		j, _ = json.Marshal(cp)
		b.Write(j)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.OutboxDue(time.Now().AddDate(10, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "\n%s %s %q", r.MessageID, r.To, r.Text)
	}
	return b.String()
}

// TestImportKilled: an import killed (SIGKILL) in the middle of a batch
// resumes at the last batch boundary and ends with the same store as one
// never interrupted.
func TestImportKilled(t *testing.T) {
	if os.Getenv("DRPBOT_IMPORT_CHILD") != "" {
		return
	}
	w := newWorldOff(t, false, "newham")
	fillHistory(t, w.ms, pastDisputes())
	w.at(26, 10)
	defer func(n int) { importBatchSize = n }(importBatchSize)
	importBatchSize = 2

	// The uninterrupted import, into a store of its own.
	whole := w.bot.Store()
	if _, _, err := w.bot.Import(t.Context(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := dumpStore(t, whole)

	// The same mailbox into a second store, by a process killed inside
	// its third batch's transaction, then resumed.
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	cfgText, err := os.ReadFile(filepath.Join(filepath.Dir(w.cfg.Path("x")), "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgText = []byte(strings.Replace(string(cfgText), `path = "drpbot.db"`, `path = "`+filepath.Join(filepath.Dir(cfgPath), "killed.db")+`"`, 1))
	cfgText = []byte(strings.Replace(string(cfgText), `csv = "staff.csv"`, `csv = "`+filepath.Join(filepath.Dir(w.cfg.Path("x")), "staff.csv")+`"`, 1))
	if err := os.WriteFile(cfgPath, cfgText, 0o600); err != nil {
		t.Fatal(err)
	}
	for round, kill := range []int{3, 0} {
		child := newChild(t, "TestImportChild$", "DRPBOT_IMPORT_CHILD="+cfgPath, fmt.Sprintf("DRPBOT_IMPORT_KILL=%d", kill), "DRPBOT_IMPORT_NOW="+w.now.Format(time.RFC3339))
		out, err := child.CombinedOutput()
		if kill > 0 {
			if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("round %d: the child was not killed: %v\n%s", round, err, out)
			}
			continue
		}
		if err != nil {
			t.Fatalf("resumed import: %v\n%s", err, out)
		}
	}
	st, err := store.Open(filepath.Join(filepath.Dir(cfgPath), "killed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := dumpStore(t, st); got != want {
		t.Errorf("the killed and resumed import differs from the uninterrupted one:\n got %s\nwant %s", got, want)
	}
}

// TestImportChild is the import TestImportKilled runs and kills.
func TestImportChild(t *testing.T) {
	cfgPath := os.Getenv("DRPBOT_IMPORT_CHILD")
	if cfgPath == "" {
		t.Skip("run by TestImportKilled")
	}
	importBatchSize = 2
	b := openChildBot(t, cfgPath)
	now, _ := time.Parse(time.RFC3339, os.Getenv("DRPBOT_IMPORT_NOW"))
	b.Now = func() time.Time { return now }
	var kill int
	fmt.Sscan(os.Getenv("DRPBOT_IMPORT_KILL"), &kill)
	batches := 0
	b.inImportBatch = func(int) {
		if batches++; kill > 0 && batches == kill {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
	}
	if _, _, err := b.Import(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// newChild is this test binary, to run one test in a process of its own.
func newChild(t *testing.T, test string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run="+test, "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// openChildBot is the bot of a child process, on the config at path.
func openChildBot(t *testing.T, path string) *Bot {
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(c.Path(c.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := New(c, st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkImport imports a mailbox of 2,000 messages (300 disputes of
// alert, reply and decision among 1,100 other emails) into a fresh store
// per iteration; with -cpuprofile it shows where each message's CPU goes.
// It reads Dovecot when DRPBOT_TEST_IMAP is set (hold the lock), else the
// in-process sandbox.
func BenchmarkImport(b *testing.B) {
	real := os.Getenv("DRPBOT_TEST_IMAP") != ""
	w := newWorldOff(b, real, "newham")
	var hist []histMail
	at := london(2024, 1, 8, 9)
	for i := 0; i < 300; i++ {
		at = at.Add(61 * time.Hour)
		child := fmt.Sprintf("%07d", 6000000+i)
		id := fmt.Sprintf("<bench-a%d@drpbot.test>", i)
		subject := "Dispute Resolution Alert - Stage 1 - " + child
		hist = append(hist,
			histMail{raw: email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, subject, id, "", at, "Child ID: "+child+"\nFORMAL STAGE 1\n"+strings.Repeat("The care plan review is overdue. ", 40)), at: at},
			histMail{raw: email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "RE: "+subject, fmt.Sprintf("<bench-r%d@drpbot.test>", i), id, at.Add(20*time.Hour), strings.Repeat("We have booked the review. ", 30)), at: at.Add(20 * time.Hour)},
			histMail{raw: email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "RE: "+subject, fmt.Sprintf("<bench-d%d@drpbot.test>", i), fmt.Sprintf("<bench-r%d@drpbot.test>", i), at.Add(40*time.Hour), "Resolved"), at: at.Add(40 * time.Hour)})
	}
	for i := 0; len(hist) < 2000; i++ {
		t := london(2024, 1, 8, 9).Add(time.Duration(i) * 13 * time.Hour)
		hist = append(hist, histMail{raw: email(addrOf("social.worker"), []string{addrOf("lac")}, nil, "Team meeting "+fmt.Sprint(i), fmt.Sprintf("<bench-o%d@drpbot.test>", i), "", t, strings.Repeat("Agenda and minutes. ", 200)), at: t})
	}
	fillHistory(b, w.ms, hist)
	w.at(26, 10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		bot, err := New(w.cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			b.Fatal(err)
		}
		bot.Now = w.bot.Now
		b.StartTimer()
		sums, _, err := bot.Import(context.Background(), time.Time{})
		b.StopTimer()
		if err != nil || len(sums) != 1 || sums[0].Disputes != 300 || sums[0].Resolved != 300 {
			b.Fatalf("import: %v, %+v", err, sums)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(hist)), "µs/message")
}

// TestImportMalformed: a malformed message in the history (a part whose
// header is broken, which go-imap's memory server cannot describe in a
// BODYSTRUCTURE) never stops the import: the messages around it are
// imported and nothing of its text reaches the log.
func TestImportMalformed(t *testing.T)     { importMalformed(t, false) }
func TestImportMalformedReal(t *testing.T) { importMalformed(t, true) }

func importMalformed(t *testing.T, real bool) {
	w := newWorldOff(t, real, "newham")
	iro, pl := addrOf("iro"), addrOf("practice.lead")
	damaged := "From: " + iro + "\r\nTo: " + pl + "\r\nSubject: Dispute Resolution Alert - Stage 1 - 5050506\r\nMessage-ID: <m2@drpbot.test>\r\nDate: " +
		london(2026, 11, 20, 9).Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nName of Child Jane Doe\r\n\r\nChild ID: 5050506\r\n--b--\r\n"
	lac := []string{addrOf("lac")}
	fillHistory(t, w.ms, []histMail{
		{raw: email(iro, []string{pl}, lac, "Dispute Resolution Alert - Stage 1 - 4040404", "<g1@drpbot.test>", "", london(2026, 11, 19, 9), "Child ID: 4040404\nFORMAL STAGE 1"), at: london(2026, 11, 19, 9)},
		{raw: []byte(damaged), at: london(2026, 11, 20, 9)},
		{raw: email(iro, []string{pl}, lac, "Dispute Resolution Alert - Stage 1 - 4040405", "<g2@drpbot.test>", "", london(2026, 11, 23, 9), "Child ID: 4040405\nFORMAL STAGE 1"), at: london(2026, 11, 23, 9)},
		// Read without its structure, only its first megabyte is fetched.
		{raw: pdfAlert(iro, []string{pl}, "Dispute Resolution Alert - Stage 1 - 4040406", "<g3@drpbot.test>", london(2026, 11, 24, 9), "Child ID: 4040406\nFORMAL STAGE 1"), at: london(2026, 11, 24, 9)},
	})
	w.at(26, 10)
	sums, _, err := w.bot.Import(t.Context(), time.Time{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(sums) != 1 || sums[0].Counts.Read != 4 {
		t.Fatalf("summaries: %+v", sums)
	}
	for _, child := range []string{"4040404", "4040405", "4040406"} {
		if d := dispute(t, w, child); d.Status != engine.Open {
			t.Errorf("%s: %s", child, d.Status)
		}
	}
	if strings.Contains(w.logs.String(), "Jane") {
		t.Errorf("the child's name reached the log:\n%s", w.logs.String())
	}
}
