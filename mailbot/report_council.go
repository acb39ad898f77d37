package mailbot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/templates"
)

// This file holds what the councils' procedures ask of their periodic
// report beyond the generic tables: the form's categories, and the cadence.

// DefaultReportMonths are the months a quarterly report is due in.
var DefaultReportMonths = []int{1, 4, 7, 10}

// ReportPeriod is the period a report due at now covers, and whether one
// is due this month at all: months are the policy's report months (Newham
// quarterly; Oxfordshire six-monthly; Brighton & Hove "bi annually (October
// and April)"), each report covering the months since the one before.
func ReportPeriod(now time.Time, months []int) (Period, bool) {
	if len(months) == 0 {
		months = DefaultReportMonths
	}
	ms := slices.Clone(months)
	slices.Sort(ms)
	ms = slices.Compact(ms)
	d := workdays.In(now)
	cur := int(d.Month)
	i := slices.Index(ms, cur)
	if i < 0 {
		return Period{}, false
	}
	prevMonth, prevYear := ms[len(ms)-1], d.Year-1
	if i > 0 {
		prevMonth, prevYear = ms[i-1], d.Year
	}
	if len(ms) == 1 {
		prevMonth, prevYear = cur, d.Year-1
	}
	from := workdays.Date{Year: prevYear, Month: time.Month(prevMonth), Day: 1}
	to := workdays.Date{Year: d.Year, Month: time.Month(cur), Day: 1}
	return periodFor(from, to), true
}

// LastReportPeriod is the period of the most recent report due at or
// before now under the council's cadence.
func LastReportPeriod(now time.Time, months []int) Period {
	d := workdays.In(now)
	for i := 0; i < 12; i++ {
		t := time.Date(d.Year, d.Month-time.Month(i), 1, 12, 0, 0, 0, workdays.London)
		if per, ok := ReportPeriod(t, months); ok {
			return per
		}
	}
	return PreviousQuarter(now)
}

// periodFor names a span of whole months: "2026Q3" for a calendar
// quarter, else "2026-04 to 2026-09".
func periodFor(from, to workdays.Date) Period {
	last := to.AddDays(-1)
	if from.Year == last.Year && (int(from.Month)-1)%3 == 0 && int(last.Month) == int(from.Month)+2 {
		return Period{Name: fmt.Sprintf("%dQ%d", from.Year, (int(from.Month)-1)/3+1), From: from, To: to}
	}
	return Period{Name: fmt.Sprintf("%d-%02d to %d-%02d", from.Year, from.Month, last.Year, last.Month), From: from, To: to}
}

func isInformal(p *policy.Policy, n int) bool {
	if st, ok := p.Stage(n); ok {
		return st.IsInformal()
	}
	return n == 0
}

// normCategory folds a category for comparison: case, punctuation and
// spacing ignored ("Statutory / IRO Handbook /Working Together
// requirements for the child not met:" matches its form spelling).
func normCategory(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reportCategory is the policy's category c names, "Other" for one it does
// not list (the form's "Other (please specify)"), "" for none stated.
func reportCategory(p *policy.Policy, c string) string {
	n := normCategory(c)
	if n == "" {
		return ""
	}
	for _, k := range p.Categories {
		if kn := normCategory(k); kn == n || (len(n) >= 12 && strings.HasPrefix(kn, n)) || (len(kn) >= 12 && strings.HasPrefix(n, kn)) {
			return k
		}
	}
	if strings.HasPrefix(n, "other") && len(p.Categories) > 0 {
		return "Other"
	}
	if len(p.Categories) > 0 && slices.Contains(p.Categories, "Other") {
		return "Other"
	}
	return c
}

// categoryTable counts the disputes opened in the period by category:
// every category the policy lists, in its order, zeros included (Newham's
// "Dispute Resolution Breakdown by category"), then any others found.
func categoryTable(p *policy.Policy, opened []engine.Dispute) templates.Table {
	counts := map[string]int{}
	var extra []string
	for _, d := range opened {
		c := reportCategory(p, d.Category)
		if c == "" {
			c = "(not stated)"
		}
		if counts[c] == 0 && !slices.Contains(p.Categories, c) {
			extra = append(extra, c)
		}
		counts[c]++
	}
	slices.Sort(extra)
	t := templates.Table{Title: "By category", Rows: [][]string{{"Category", "Alerts", "%"}}}
	for _, c := range append(slices.Clone(p.Categories), extra...) {
		t.Rows = append(t.Rows, []string{c, strconv.Itoa(counts[c]), percent(counts[c], len(opened))})
	}
	return t
}
