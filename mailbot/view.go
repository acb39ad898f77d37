package mailbot

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// Filter selects disputes for `drpbot list`. Empty fields match all,
// except that a Respondent matches only open disputes unless All is set
// (what waits on someone is the question; their closed cases are history).
type Filter struct {
	Open, Overdue, All     bool
	Stage                  *int
	Instigator, Respondent string
	Team                   string
}

func (f Filter) match(d engine.Dispute, now time.Time) bool {
	switch {
	case f.Open && d.Status.Done():
		return false
	case f.Overdue && !(d.Status == engine.Open && !d.Due.IsZero() && !now.Before(d.Due.End())):
		return false
	case f.Stage != nil && d.Stage != *f.Stage:
		return false
	case f.Instigator != "" && !strings.EqualFold(f.Instigator, d.Instigator):
		return false
	case f.Respondent != "" && !strings.EqualFold(f.Respondent, d.Respondent):
		return false
	case f.Team != "" && !strings.EqualFold(f.Team, d.Team):
		return false
	}
	return true
}

// ListRow is one line of `drpbot list`, and its JSON.
type ListRow struct {
	Ref        string `json:"ref"`
	Child      string `json:"child_ref"`
	Stage      string `json:"stage"`
	Status     string `json:"status"`
	Instigator string `json:"instigator"`
	Respondent string `json:"respondent"`
	Team       string `json:"team,omitempty"`
	Due        string `json:"due,omitempty"`
	DaysLeft   *int   `json:"working_days_left,omitempty"`
}

// List returns the disputes matching f, in reference order.
func List(tx *store.Tx, f Filter, p *policy.Policy, cal *workdays.Calendar, now time.Time) ([]ListRow, error) {
	var out []ListRow
	if f.Respondent != "" && !f.All {
		f.Open = true
	}
	each := tx.ForEachDispute
	if f.Open || f.Overdue {
		each = tx.ForEachOpenBrief // only open disputes can match: read only their briefs
	}
	err := each(func(d engine.Dispute) error {
		if !f.match(d, now) {
			return nil
		}
		r := ListRow{Ref: d.Ref, Child: d.ChildRef, Stage: p.StageName(d.Stage), Status: string(d.Status), Instigator: d.Instigator, Respondent: d.Respondent, Team: d.Team}
		if !d.Due.IsZero() {
			r.Due = d.Due.String()
			if d.Status == engine.Open {
				n := cal.WorkingDaysBetween(workdays.In(now), d.Due)
				r.DaysLeft = &n
			}
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// WriteList prints rows as an aligned table, or JSON lines.
func WriteList(w io.Writer, rows []ListRow, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tCHILD\tSTAGE\tSTATUS\tWITH\tDUE\tLEFT")
	for _, r := range rows {
		left := ""
		if r.DaysLeft != nil {
			left = fmt.Sprint(*r.DaysLeft)
			if *r.DaysLeft < 0 {
				left = fmt.Sprintf("overdue %d", -*r.DaysLeft)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, r.Child, r.Stage, r.Status, r.Respondent, r.Due, left)
	}
	return tw.Flush()
}

// ShowData is `drpbot show --json`.
type ShowData struct {
	Dispute engine.Dispute `json:"dispute"`
	Events  []store.Event  `json:"events"`
}

// WriteShow prints a dispute's whole timeline, with the working days taken
// at each stage.
func WriteShow(w io.Writer, d engine.Dispute, events []store.Event, p *policy.Policy, cal *workdays.Calendar, now time.Time, asJSON bool) error {
	if asJSON {
		d.AlertText = "" // show prints the record, not the email
		return json.NewEncoder(w).Encode(ShowData{Dispute: d, Events: events})
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(workdays.London).Format("Mon 02 Jan 2006 15:04")
	}
	fmt.Fprintf(w, "%s  child %s  %s  %s\n", d.Ref, d.ChildRef, p.StageName(d.Stage), strings.ToUpper(string(d.Status)))
	fmt.Fprintf(w, "  raised by %s on %s; %s\n", d.Instigator, stamp(d.Opened), d.Heading)
	if d.Status == engine.Open && !d.Due.IsZero() {
		left := cal.WorkingDaysBetween(workdays.In(now), d.Due)
		fmt.Fprintf(w, "  waiting for %s, due by the end of %s (%d working days left)\n", d.Respondent, d.Due.UK(), left)
		if containsAddr(d.Bounced, d.Respondent) {
			fmt.Fprintf(w, "  the mail server refused %s's address\n", d.Respondent)
		}
		if d.Cover != "" {
			fmt.Fprintf(w, "  covered by %s, who may respond in their place\n", d.Cover)
		}
	}
	if d.Outcome != "" {
		fmt.Fprintf(w, "  outcome: %s on %s\n", d.Outcome, stamp(d.Closed))
	}
	fmt.Fprintln(w, "\nStages")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  STAGE\tRESPONDENT\tOPENED\tDUE\tRESPONDED\tDAYS\tHOW")
	for _, h := range d.History {
		end := h.Ended
		if end.IsZero() {
			end = now
		}
		days := cal.WorkingDaysBetween(workdays.In(h.Started), workdays.In(end))
		resp := "-"
		if !h.Responded.IsZero() {
			resp = stamp(h.Responded)
			if h.InTime {
				resp += " (in time)"
			} else {
				resp += " (late)"
			}
		}
		how := h.How
		if h.By != "" {
			// A raiser or IRO manager's instruction, not the instigator's.
			how = strings.Replace(how, "the instigator", h.By, 1)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\t%s\n", p.StageName(h.Stage), h.Respondent, stamp(h.Started), h.Due, resp, days, how)
	}
	tw.Flush()
	// What each level answered: the form as it travels up.
	for _, h := range d.History {
		for _, r := range h.Responses {
			fmt.Fprintf(w, "\n%s: response from %s on %s\n%s\n", p.StageName(h.Stage), r.From, stamp(r.At), indentText(r.Text))
		}
	}
	fmt.Fprintln(w, "\nTimeline")
	for _, e := range events {
		what := e.Kind
		if e.Command != "" {
			what += " \"" + e.Command + "\""
		}
		if e.Detail != "" {
			what += ": " + e.Detail
		}
		from := ""
		if e.From != "" {
			from = " from " + e.From
		}
		fmt.Fprintf(w, "  %s  %s%s\n", stamp(e.At), what, from)
		if e.Text != "" {
			fmt.Fprintln(w, indentText(e.Text))
		}
	}
	return nil
}

// indentText indents every line of s for show's timeline.
func indentText(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "      (no text)"
	}
	return "      " + strings.ReplaceAll(s, "\n", "\n      ")
}
