package mailbot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

// Period is a span of days, From inclusive to To exclusive (Europe/London).
type Period struct {
	Name     string
	From, To workdays.Date
}

var quarterRe = regexp.MustCompile(`^(\d{4})\s*-?\s*[Qq]([1-4])$`)

// Quarter reads "2026Q3" (calendar quarters: Q3 is July to September).
func Quarter(s string) (Period, error) {
	m := quarterRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Period{}, fmt.Errorf("report: %q is not a quarter like 2026Q3", s)
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	from := workdays.Date{Year: y, Month: time.Month(3*q - 2), Day: 1}
	to := workdays.DateOf(time.Date(y, time.Month(3*q+1), 1, 12, 0, 0, 0, time.UTC))
	return Period{Name: fmt.Sprintf("%dQ%d", y, q), From: from, To: to}, nil
}

// PreviousQuarter is the quarter before the one now falls in.
func PreviousQuarter(now time.Time) Period {
	d := workdays.In(now)
	q := (int(d.Month)-1)/3 + 1
	y := d.Year
	if q--; q == 0 {
		q, y = 4, y-1
	}
	p, _ := Quarter(fmt.Sprintf("%dQ%d", y, q))
	return p
}

func (p Period) contains(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	d := workdays.In(t)
	return !d.Before(p.From) && d.Before(p.To)
}

func (p Period) months() []workdays.Date {
	var out []workdays.Date
	for m := (workdays.Date{Year: p.From.Year, Month: p.From.Month, Day: 1}); m.Before(p.To); m = workdays.DateOf(time.Date(m.Year, m.Month+1, 1, 12, 0, 0, 0, time.UTC)) {
		out = append(out, m)
	}
	return out
}

// Report is the quarterly report the procedures ask for.
type Report struct {
	Council string
	Period  Period
	Tables  []templates.Table
	// Chart is alerts by stage per month: Months by Series (one per stage).
	Months []string
	Series []Series
}

// Series is one stage's alerts per month, for the chart.
type Series struct {
	Name   string
	Counts []int
}

// BuildReport counts what the period holds: alerts by stage and month (IROs
// and CP Chairs apart), contact with Cafcass, by team, by category,
// informal against formal, responses in time at each stage, and the median
// working days to resolution.
func BuildReport(tx *store.Tx, p *policy.Policy, cal *workdays.Calendar, dir *directory.Directory, per Period, now time.Time) (Report, error) {
	// Only disputes open, or closed since shortly before the period, can
	// hold anything in it (a deadline can fall after an early close; no
	// response window is anywhere near three months): the report reads the
	// period's work, not every year kept.
	var ds []engine.Dispute
	if err := tx.ForEachSince(per.From.Time().AddDate(0, -3, 0), func(d engine.Dispute) error { ds = append(ds, d); return nil }); err != nil {
		return Report{}, err
	}
	months := per.months()
	r := Report{Council: p.Council, Period: per}
	for _, m := range months {
		r.Months = append(r.Months, time.Month(m.Month).String()[:3])
	}
	header := append([]string{"Stage"}, r.Months...)
	header = append(header, "Total")
	stageNames := func() []int {
		var out []int
		for _, st := range p.Stages {
			out = append(out, st.Number)
		}
		return out
	}()
	// Alerts by stage and month: every stage entered in the period, by
	// the alert or an escalation, counted in the month it was entered.
	byKind := map[string]map[int][]int{"IRO": {}, "CP Chair": {}}
	cafcass := map[string][]int{}
	for _, d := range ds {
		kind := "IRO"
		if dir.HasRole(d.Instigator, "cp_chair") {
			kind = "CP Chair"
		}
		for _, h := range d.History {
			if !per.contains(h.Started) {
				continue
			}
			row := byKind[kind][h.Stage]
			if row == nil {
				row = make([]int, len(months))
			}
			mi := indexMonth(months, workdays.In(h.Started))
			row[mi]++
			byKind[kind][h.Stage] = row
		}
		// Newham's quarterly tables: "Contact with CAF/CASS" per month, IRO
		// and CP Chair apart: a concurrent referral stated in the alert, or
		// a referral recorded.
		for _, at := range []time.Time{cafcassAt(d, true), cafcassAt(d, false)} {
			if per.contains(at) {
				if cafcass[kind] == nil {
					cafcass[kind] = make([]int, len(months))
				}
				cafcass[kind][indexMonth(months, workdays.In(at))]++
			}
		}
	}
	all := map[int][]int{}
	for _, kind := range []string{"IRO", "CP Chair"} {
		t := templates.Table{Title: "Alerts by stage and month: " + kind + "s", Rows: [][]string{header}}
		for _, n := range stageNames {
			row := byKind[kind][n]
			if row == nil {
				row = make([]int, len(months))
			}
			if all[n] == nil {
				all[n] = make([]int, len(months))
			}
			total := 0
			cells := []string{p.StageName(n)}
			for i, c := range row {
				cells = append(cells, strconv.Itoa(c))
				total += c
				all[n][i] += c
			}
			t.Rows = append(t.Rows, append(cells, strconv.Itoa(total)))
		}
		cells, total := []string{"Contact with Cafcass"}, 0
		for i := range months {
			c := 0
			if cafcass[kind] != nil {
				c = cafcass[kind][i]
			}
			cells = append(cells, strconv.Itoa(c))
			total += c
		}
		t.Rows = append(t.Rows, append(cells, strconv.Itoa(total)))
		r.Tables = append(r.Tables, t)
	}
	// The chart and its table hold the same numbers: both come from all.
	at := templates.Table{Title: "Alerts by stage and month: IROs and CP Chairs", Rows: [][]string{header}}
	for _, n := range stageNames {
		r.Series = append(r.Series, Series{Name: p.StageName(n), Counts: all[n]})
		cells, total := []string{p.StageName(n)}, 0
		for _, c := range all[n] {
			cells = append(cells, strconv.Itoa(c))
			total += c
		}
		at.Rows = append(at.Rows, append(cells, strconv.Itoa(total)))
	}
	r.Tables = append([]templates.Table{at}, r.Tables...)

	// Disputes opened in the period.
	var opened []engine.Dispute
	for _, d := range ds {
		if per.contains(d.Opened) {
			opened = append(opened, d)
		}
	}
	// Contact with Cafcass.
	var concurrent, proposed, referred int
	for _, d := range ds {
		if per.contains(d.Opened) && d.ConcurrentCafcass {
			concurrent++
		}
		if d.CafcassProposed && (per.contains(d.Opened) || per.contains(d.Closed)) {
			proposed++
		}
		if d.Status == engine.Referred && per.contains(d.Closed) {
			referred++
		}
	}
	r.Tables = append(r.Tables, templates.Table{Title: "Contact with Cafcass", Rows: [][]string{
		{"", "Disputes"}, {"Concurrent referral stated in the alert", strconv.Itoa(concurrent)},
		{"Referral proposed to the IRO", strconv.Itoa(proposed)}, {"Referral made", strconv.Itoa(referred)}}})

	// By team: children and alerts.
	teams := map[string][2]int{}
	children := map[string]map[string]bool{}
	for _, d := range opened {
		team := d.Team
		if team == "" {
			team = "(no team)"
		}
		if children[team] == nil {
			children[team] = map[string]bool{}
		}
		children[team][d.ChildRef] = true
		v := teams[team]
		v[1]++
		teams[team] = v
	}
	tt := templates.Table{Title: "By team", Rows: [][]string{{"Team", "Children", "Alerts"}}}
	for _, team := range sortedKeys(teams) {
		tt.Rows = append(tt.Rows, []string{team, strconv.Itoa(len(children[team])), strconv.Itoa(teams[team][1])})
	}
	r.Tables = append(r.Tables, tt)

	r.Tables = append(r.Tables, categoryTable(p, opened))

	// Informal against formal, by the stage each dispute opened at.
	var informal, formal int
	for _, d := range opened {
		if len(d.History) > 0 && isInformal(p, d.History[0].Stage) {
			informal++
		} else {
			formal++
		}
	}
	r.Tables = append(r.Tables, templates.Table{Title: "Informal and formal", Rows: [][]string{
		{"", "Disputes", "%"}, {"Opened informally", strconv.Itoa(informal), percent(informal, len(opened))},
		{"Opened at a formal stage", strconv.Itoa(formal), percent(formal, len(opened))}}})

	// Responses within the window, for stages whose window closed in the
	// period (or that were answered in it).
	type tally struct{ inTime, late, none int }
	resp := map[int]*tally{}
	for _, d := range ds {
		for _, h := range d.History {
			if h.Due.IsZero() || !(per.contains(h.Due.Time()) || per.contains(h.Responded)) {
				continue
			}
			if resp[h.Stage] == nil {
				resp[h.Stage] = &tally{}
			}
			switch {
			case h.Responded.IsZero():
				if !now.Before(h.Due.End()) || !h.Ended.IsZero() {
					resp[h.Stage].none++
				}
			case h.InTime:
				resp[h.Stage].inTime++
			default:
				resp[h.Stage].late++
			}
		}
	}
	rt := templates.Table{Title: "Responses within the window", Rows: [][]string{{"Stage", "In time", "Late", "No response", "% in time"}}}
	for _, n := range stageNames {
		v := resp[n]
		if v == nil {
			v = &tally{}
		}
		rt.Rows = append(rt.Rows, []string{p.StageName(n), strconv.Itoa(v.inTime), strconv.Itoa(v.late), strconv.Itoa(v.none), percent(v.inTime, v.inTime+v.late+v.none)})
	}
	r.Tables = append(r.Tables, rt)

	// Median working days to resolution.
	var days []int
	for _, d := range ds {
		if d.Status == engine.Resolved && per.contains(d.Closed) {
			days = append(days, cal.WorkingDaysBetween(workdays.In(d.Opened), workdays.In(d.Closed))-d.PausedDays)
		}
	}
	med := "-"
	if len(days) > 0 {
		sort.Ints(days)
		if len(days)%2 == 1 {
			med = strconv.Itoa(days[len(days)/2])
		} else {
			med = strconv.FormatFloat(float64(days[len(days)/2-1]+days[len(days)/2])/2, 'f', 1, 64)
		}
	}
	r.Tables = append(r.Tables, templates.Table{Title: "Resolution", Rows: [][]string{
		{"", "Value"}, {"Disputes resolved", strconv.Itoa(len(days))}, {"Median working days to resolution", med}}})
	return r, nil
}

// cafcassAt is when a dispute had contact with Cafcass: the alert that
// stated a concurrent referral (concurrent), or the recorded referral.
func cafcassAt(d engine.Dispute, concurrent bool) time.Time {
	if concurrent {
		if d.ConcurrentCafcass {
			return d.Opened
		}
		return time.Time{}
	}
	if d.Status == engine.Referred {
		return d.Closed
	}
	return time.Time{}
}

func indexMonth(months []workdays.Date, d workdays.Date) int {
	for i := len(months) - 1; i >= 0; i-- {
		if !d.Before(months[i]) {
			return i
		}
	}
	return 0
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	return strconv.Itoa((n*100 + of/2) / of)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteMarkdown writes the report as Markdown tables.
func (r Report) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# %s: dispute resolution report %s\n\n", r.Council, r.Period.Name)
	fmt.Fprintf(w, "From %s to %s.\n", r.Period.From.UK(), r.Period.To.AddDays(-1).UK())
	for _, t := range r.Tables {
		fmt.Fprintf(w, "\n## %s\n\n", t.Title)
		for i, row := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
			if i == 0 {
				fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", len(row)))
			}
		}
	}
	return nil
}

// WriteCSV writes every table, each preceded by its title.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	for _, t := range r.Tables {
		cw.Write([]string{t.Title})
		for _, row := range t.Rows {
			cw.Write(row)
		}
		cw.Write(nil)
	}
	cw.Flush()
	return cw.Error()
}

var reportHTML = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{{.Council}}: dispute resolution report {{.Period.Name}}</title></head>
<body style="font-family:Calibri,Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a;margin:20px;">
<h1 style="font-size:20px;">{{.Council}}: dispute resolution report {{.Period.Name}}</h1>
<p>From {{.Period.From.UK}} to {{.Last}}.</p>
<h2 style="font-size:16px;">Alerts by stage per month</h2>
{{.Chart}}
{{range .Tables}}<h2 style="font-size:16px;">{{.Title}}</h2>
<table cellpadding="0" cellspacing="0" border="1" style="border-collapse:collapse;border:1px solid #cccccc;">{{range $i, $r := .Rows}}<tr{{if eq $i 0}} style="background:#f2f2f2;font-weight:bold;"{{end}}>{{range $r}}<td style="padding:4px 8px;">{{.}}</td>{{end}}</tr>{{end}}</table>
{{end}}</body></html>
`))

var chartColours = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948"}

// Bars is the chart as table-cell bars, for email: one bar per stage and
// month of the report's first table (alerts by stage and month, IROs and
// CP Chairs together), so the chart shows the same numbers as its table.
func (r Report) Bars() []templates.Bar {
	if len(r.Tables) == 0 {
		return nil
	}
	return templates.ChartOf(r.Tables[0])
}

// SVGChart draws alerts by stage per month as grouped bars.
func (r Report) SVGChart() template.HTML {
	const w, h, pad = 640, 260, 40
	max := 1
	for _, s := range r.Series {
		for _, c := range s.Counts {
			if c > max {
				max = c
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="Alerts by stage per month" style="font-family:Arial,sans-serif;font-size:11px;">`, w, h+40)
	groupW := float64(w-2*pad) / float64(max1(len(r.Months)))
	barW := groupW / float64(len(r.Series)+1)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`, pad, h, w-pad, h)
	for mi, m := range r.Months {
		x0 := float64(pad) + groupW*float64(mi)
		for si, s := range r.Series {
			c := 0
			if mi < len(s.Counts) {
				c = s.Counts[mi]
			}
			bh := float64(h-pad) * float64(c) / float64(max)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x0+barW*(float64(si)+0.5), float64(h)-bh, barW*0.9, bh, chartColours[si%len(chartColours)], template.HTMLEscapeString(s.Name), m, c)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x0+groupW/2, h+15, m)
	}
	for si, s := range r.Series {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`, pad+si*100, h+25, chartColours[si%len(chartColours)], pad+si*100+14, h+34, template.HTMLEscapeString(s.Name))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text></svg>`, 4, pad, max)
	return template.HTML(b.String())
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// WriteHTML writes the report as one HTML page with an inline SVG chart.
func (r Report) WriteHTML(w io.Writer) error {
	return reportHTML.Execute(w, struct {
		Report
		Last  string
		Chart template.HTML
	}{r, r.Period.To.AddDays(-1).UK(), r.SVGChart()})
}

// QueueReport builds the report for per and queues it to the QA inbox
// (once per period: a rerun sends nothing twice).
func (b *Bot) QueueReport(per Period, now time.Time) (bool, error) {
	defer b.readLive()()
	if len(b.cfg.Directory.QA) == 0 {
		return false, nil
	}
	queued := false
	err := b.st.Update(func(tx *store.Tx) error {
		r, err := BuildReport(tx, b.policy, b.cal, b.dir, per, now)
		if err != nil {
			return err
		}
		td := templates.Data{Purpose: string(engine.Report), Council: b.policy.Council, Mailbox: b.cfg.Mailbox,
			Recipient: b.person(b.cfg.Directory.QA[0]), Period: per.Name, Tables: r.Tables, Bars: r.Bars()}
		msg, err := b.tpl.Render(td)
		if err != nil {
			return err
		}
		err = tx.AddOutbox(store.OutboxRow{MessageID: store.ServiceMessageID("report", per.Name, b.domain), Purpose: td.Purpose,
			To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now})
		if errors.Is(err, store.ErrDuplicate) {
			return nil
		}
		queued = err == nil
		return err
	})
	if queued {
		b.ring()
	}
	return queued, err
}
