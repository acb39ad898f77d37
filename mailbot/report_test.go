package mailbot

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

func TestQuarter(t *testing.T) {
	q, err := Quarter("2026Q3")
	if err != nil || q.From.String() != "2026-07-01" || q.To.String() != "2026-10-01" {
		t.Errorf("%+v %v", q, err)
	}
	if _, err := Quarter("2026Q5"); err == nil {
		t.Error("Q5 accepted")
	}
	if p := PreviousQuarter(time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC)); p.Name != "2026Q4" {
		t.Errorf("previous quarter of 1 Jan 2027: %s", p.Name)
	}
}

func TestReport(t *testing.T) {
	w := newWorld(t, false, "newham")
	// Three alerts in November 2026: one resolved at stage 1 after an in-time
	// response, one escalated on lapse and then resolved, one still open.
	w.at(2, 9)
	a := raise(t, w, "<q1@drpbot.test>", "3000001")
	w.at(2, 10)
	b := raise(t, w, "<q2@drpbot.test>", "3000002")
	w.at(4, 10)
	reply := email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "RE: Dispute Resolution Alert - Stage 1 - 3000001", "<q1r@drpbot.test>", "<q1@drpbot.test>", w.now, "Done.")
	w.ms.send(t, addrOf("practice.lead"), []string{addrOf("lac")}, reply)
	w.sync(t)
	res := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: ["+a+"]", "<q1x@drpbot.test>", "<q1r@drpbot.test>", w.now, "Resolved")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, res)
	w.sync(t)
	w.at(10, 9)
	w.tick(t) // b lapses: escalated to the service manager
	w.at(12, 9)
	res2 := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: ["+b+"]", "<q2x@drpbot.test>", "", w.now, "Resolved")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, res2)
	w.sync(t)
	w.at(16, 9)
	raise(t, w, "<q3@drpbot.test>", "3000003")

	q, _ := Quarter("2026Q4")
	var r Report
	w.bot.Store().View(func(tx *store.Tx) error {
		var err error
		r, err = BuildReport(tx, w.bot.Policy(), w.bot.Calendar(), w.bot.Directory(), q, w.now)
		return err
	})
	var md bytes.Buffer
	r.WriteMarkdown(&md)
	out := md.String()
	for _, want := range []string{
		"| Stage 1 | 0 | 3 | 0 | 3 |",  // three stage-1 alerts in November
		"| Stage 2 | 0 | 1 | 0 | 1 |",  // one escalation
		"| Stage 1 | 1 | 0 | 1 | 50 |", // in time, late, none, % in time
		"| Disputes resolved | 2 |",
		"| Median working days to resolution | 5.0 |", // 2 and 8 working days
		"| Opened at a formal stage | 3 | 100 |",
		"| Contact with Cafcass | 0 | 0 | 0 | 0 |", // Newham: per month, IROs and CP Chairs apart
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	var html bytes.Buffer
	r.WriteHTML(&html)
	if !strings.Contains(html.String(), "<svg") || !strings.Contains(html.String(), "Stage 1 Nov: 3") {
		t.Errorf("HTML chart missing:\n%.500s", html.String())
	}
	var csvOut bytes.Buffer
	r.WriteCSV(&csvOut)
	if !strings.Contains(csvOut.String(), "Alerts by stage and month: IROs\nStage,Oct,Nov,Dec,Total\nInformal DRP,0,0,0,0\nStage 1,0,3,0,3") {
		t.Errorf("CSV:\n%s", csvOut.String())
	}
	// Emailed to QA once.
	for i := 0; i < 2; i++ {
		if _, err := w.bot.QueueReport(q, w.now); err != nil {
			t.Fatal(err)
		}
	}
	w.drain(t)
	// QA also holds the confirmations of disputes resolved (Newham's form:
	// "copy to be sent to SM & QA Inbox for entry onto tracker").
	var qa []fetched
	for _, f := range w.ms.inbox(t, addrOf("qa")) {
		if strings.HasPrefix(f.Subject, "Dispute resolution report") {
			qa = append(qa, f)
		}
	}
	if len(qa) != 1 || qa[0].Subject != "Dispute resolution report 2026Q4" || !strings.Contains(string(qa[0].Raw), "Stage 1  0  3  0  3") {
		t.Fatalf("QA: %q", subjects(qa))
	}
	// A report is not a dispute's thread: no "how to reply" footer.
	if strings.Contains(string(qa[0].Raw), "How to reply") {
		t.Error("the report email carries the thread footer")
	}
	// The chart shows the numbers of its table, every cell of it.
	bars, cells := r.Bars(), 0
	for _, row := range r.Tables[0].Rows[1:] {
		for j, c := range row[1 : len(row)-1] {
			b := bars[cells]
			if b.Label != row[0]+", "+r.Tables[0].Rows[0][j+1] || strconv.Itoa(b.Count) != c {
				t.Errorf("bar %d is %s %d; the table says %s %s", cells, b.Label, b.Count, row[0], c)
			}
			cells++
		}
	}
	if len(bars) != cells || cells != 6*3 {
		t.Errorf("%d bars for %d cells", len(bars), cells)
	}
}

// TestReportCadence: Newham quarterly (s10), Oxfordshire six-monthly (s6),
// Brighton & Hove "bi annually (October and April)" (s5).
func TestReportCadence(t *testing.T) {
	at := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 7, 0, 0, 0, workdays.London) }
	for _, c := range []struct {
		preset string
		now    time.Time
		due    bool
		name   string
	}{
		{"newham", at(2027, 1), true, "2026Q4"},
		{"newham", at(2027, 2), false, ""},
		{"oxfordshire", at(2026, 10), true, "2026-04 to 2026-09"},
		{"oxfordshire", at(2026, 7), false, ""},
		{"brighton-hove", at(2027, 4), true, "2026-10 to 2027-03"},
		{"brighton-hove", at(2027, 1), false, ""},
	} {
		p, _ := policy.Preset(c.preset)
		per, due := ReportPeriod(c.now, p.ReportMonths)
		if due != c.due || per.Name != c.name {
			t.Errorf("%s at %s: due %v %q, want %v %q", c.preset, c.now.Format("2006-01"), due, per.Name, c.due, c.name)
		}
	}
	p, _ := policy.Preset("brighton-hove")
	if per := LastReportPeriod(at(2027, 2), p.ReportMonths); per.Name != "2026-04 to 2026-09" {
		t.Errorf("last Brighton & Hove report before Feb 2027: %s", per.Name)
	}
}

// TestNewhamCategories: the form's thirteen "Dispute Resolution Category"
// options and Other are each counted, zeros included, in the form's order.
func TestNewhamCategories(t *testing.T) {
	p, _ := policy.Preset("newham")
	ds := []engine.Dispute{
		{Category: "Statutory / IRO Handbook /Working Together requirements for the child not met:"},
		{Category: "health issues"},
		{Category: "Other (please specify)"},
		{Category: "Something else entirely"},
		{},
	}
	tab := categoryTable(&p, ds)
	if len(tab.Rows) != 1+14+1 {
		t.Fatalf("rows %q", tab.Rows)
	}
	want := map[string]string{p.Categories[0]: "1", "Health Issues": "1", "Other": "2", "(not stated)": "1", "Education Issues": "0"}
	for _, row := range tab.Rows[1:] {
		if w, ok := want[row[0]]; ok && row[1] != w {
			t.Errorf("%s: %s, want %s", row[0], row[1], w)
		}
	}
}
