// Package templates renders the emails drpbot sends: one text/template and
// one html/template per purpose, embedded, each wrapped in a layout that
// puts who must do what, for which child, by when, and how to reply in the
// first lines. A council can override any file from a directory.
//
// The HTML is built for Outlook (desktop and web) and Gmail: tables and
// inline CSS, no scripts, no remote images. The text alternative reads as
// well on its own.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/drpbot/drpbot/mailbot/policy"
)

//go:embed mail/*.txt mail/*.html
var embedded embed.FS

// ErrUnknownPurpose is returned for a purpose with no template.
var ErrUnknownPurpose = errors.New("templates: unknown purpose")

// Person names someone in an email.
type Person struct {
	Name  string
	Email string
}

// String is the name, or the address when the directory has no name.
func (p Person) String() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}

// Step is one row of a dispute's history.
type Step struct {
	Stage, Respondent, Started, Due, Responded, Outcome string
	Days                                                int
	// Raiser is who raised the stage, where it was not the instigator.
	Raiser string
	// Said are the stage's responses, in order: the form travels up.
	Said []Said
}

// Said is one response on the record: who, when (UK long form), what.
type Said struct {
	From, At, Text string
}

// Row is one dispute in a digest.
type Row struct {
	Ref, Child, Stage, Respondent, Due, Status string
	DaysLeft                                   int
}

// Command is one line of the command language, for the help card.
type Command struct{ Line, Effect string }

// Table is one table of the quarterly report; its first row is the header.
type Table struct {
	Title string
	Rows  [][]string
}

// Bar is one bar of a chart drawn with table cells, which every mail
// client shows (Outlook desktop shows no SVG).
type Bar struct {
	Label string
	Count int
	Width int // pixels
}

// Data is everything a template may show. Fields a purpose does not use
// stay empty. Dates are already in UK long form ("Wednesday 30 December
// 2026"); the child is already as privacy allows (reference, initials).
type Data struct {
	Purpose string
	Subject string
	Council string
	Mailbox string

	Heading   string
	Ref       string
	Child     string
	StageName string

	Recipient  Person
	Instigator Person
	Respondent Person
	Cover      Person
	// Raiser raises the current stage where the procedure names someone
	// other than the instigator (Brighton & Hove Level 2: the IRO Manager).
	Raiser Person

	Due          string
	DaysLeft     int
	Responded    string
	DecisionDue  string
	DecisionDays int
	UsedDays     int
	TotalDays    int

	Status  string
	Outcome string
	Reason  string
	Command string

	AlertText string
	History   []Step
	// Copied says who is copied, as a clause ("Iris Reviewer and Pat
	// Lead are copied"); empty when nobody is, so an email never claims a
	// copy it does not carry.
	Copied string

	Rows     []Row
	Held     []Held // what drpbot did not act on, for the QA inbox
	Commands []Command
	Period   string
	Tables   []Table
	Bars     []Bar
}

// ChartOf draws table t as bars: one per data cell (the header row, the
// label column and a "Total" column left out), so a chart always shows the
// same numbers as the table it is drawn from. Bars are scaled to 240 pixels.
func ChartOf(t Table) []Bar {
	if len(t.Rows) < 2 {
		return nil
	}
	head := t.Rows[0]
	type cell struct {
		label string
		n     int
	}
	var cells []cell
	top := 1
	for _, row := range t.Rows[1:] {
		for j := 1; j < len(row) && j < len(head); j++ {
			if strings.EqualFold(head[j], "Total") {
				continue
			}
			n, err := strconv.Atoi(row[j])
			if err != nil {
				continue
			}
			cells = append(cells, cell{row[0] + ", " + head[j], n})
			top = max(top, n)
		}
	}
	out := make([]Bar, len(cells))
	for i, c := range cells {
		out[i] = Bar{Label: c.label, Count: c.n, Width: 240 * c.n / top}
	}
	return out
}

// Message is a rendered email.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Purposes lists the purposes with templates.
func Purposes() []string {
	entries, _ := fs.ReadDir(embedded, "mail")
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".txt")
		if name != e.Name() && name != "layout" {
			out = append(out, name)
		}
	}
	return out
}

var funcs = map[string]any{
	"neg":  func(n int) int { return -n },
	"join": strings.Join,
	// indent puts n spaces before every line of s.
	"indent": func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
	},
}

// Set is the parsed templates, safe for concurrent use.
type Set struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// Load parses the embedded templates, each replaced by the file of the
// same name in overrideDir where there is one ("" for none). A broken file
// is an error that names it.
func Load(overrideDir string) (*Set, error) {
	read := func(name string) ([]byte, string, error) {
		if overrideDir != "" {
			p := filepath.Join(overrideDir, name)
			if b, err := os.ReadFile(p); err == nil {
				return b, p, nil
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, p, err
			}
		}
		b, err := embedded.ReadFile("mail/" + name)
		return b, "mail/" + name, err
	}
	s := &Set{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	layoutText, ltName, err := read("layout.txt")
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", ltName, err)
	}
	layoutHTML, lhName, err := read("layout.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", lhName, err)
	}
	var errs []error
	for _, p := range Purposes() {
		tb, tName, err := read(p + ".txt")
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", tName, err))
			continue
		}
		t, err := texttemplate.New(p).Funcs(funcs).Option("missingkey=error").Parse(string(layoutText))
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", ltName, err))
			continue
		}
		if _, err := t.Parse(string(tb)); err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", tName, err))
			continue
		}
		s.text[p] = t
		hb, hName, err := read(p + ".html")
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", hName, err))
			continue
		}
		h, err := htmltemplate.New(p).Funcs(funcs).Option("missingkey=error").Parse(string(layoutHTML))
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", lhName, err))
			continue
		}
		if _, err := h.Parse(string(hb)); err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", hName, err))
			continue
		}
		s.html[p] = h
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// Subject is the subject line: the heading, the stage and the tracking tag,
// so that replies thread and people can search for it.
func Subject(d Data) string {
	switch d.Purpose {
	case "help":
		return "drpbot: how to steer a dispute by email"
	case "digest":
		return "Disputes " + d.Reason + ": weekly digest"
	case "report":
		return "Dispute resolution report " + d.Period
	case "held":
		return "Not acted on: emails about disputes " + d.Period
	}
	parts := []string{d.Heading}
	// A council's stage heading may name the stage itself (Wakefield
	// "Stage 2 IRO Formal Dispute Form"): it is not said twice.
	if d.StageName != "" && !strings.Contains(strings.ToLower(d.Heading), strings.ToLower(d.StageName)) {
		parts = append(parts, d.StageName)
	}
	if ref := childRefOnly(d.Child); ref != "" {
		parts = append(parts, ref)
	}
	s := strings.Join(parts, " - ")
	if d.Ref != "" {
		s += " [" + d.Ref + "]"
	}
	if d.Purpose == "reminder" || d.Purpose == "overdue" {
		s = strings.ToUpper(d.Purpose[:1]) + d.Purpose[1:] + ": " + s
	}
	return s
}

// CopiedClause says who is copied: "" for nobody, "A is copied", "A and B
// are copied", "A, B and C are copied".
func CopiedClause(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0] + " is copied"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are copied"
}

// EscalationReason says in a sentence why a dispute came to its new
// stage, from how the previous stage ended (engine.HowLapsed and its
// kin): prev is the previous stage's name, due its due date.
func EscalationReason(how, prev, due string) string {
	return EscalationReasonBy(how, "the IRO", prev, due)
}

// EscalationReasonBy is EscalationReason naming who escalated or moved
// the dispute by instruction ("the CP Chair", "Ian Manager"): only true
// things, where the procedure lets someone other than the IRO do it.
func EscalationReasonBy(how, who, prev, due string) string {
	switch how {
	case "":
		return ""
	case "lapsed":
		if due == "" {
			return "no response came at " + prev
		}
		return prev + "'s response was due by " + due + " and none came"
	case "escalated by the instigator":
		return who + " escalated it from " + prev
	case "moved by the instigator":
		return who + " moved it here from " + prev
	}
	return how
}

// childRefOnly keeps the reference and drops initials from the subject:
// subjects show in previews and notifications.
func childRefOnly(child string) string {
	ref, _, _ := strings.Cut(child, " ")
	return ref
}

// Render renders d.Purpose.
func (s *Set) Render(d Data) (Message, error) {
	t, ok := s.text[d.Purpose]
	h := s.html[d.Purpose]
	if !ok || h == nil {
		return Message{}, fmt.Errorf("%w: %q", ErrUnknownPurpose, d.Purpose)
	}
	if d.Subject == "" {
		d.Subject = Subject(d)
	}
	var tb, hb bytes.Buffer
	if err := t.ExecuteTemplate(&tb, "layout", d); err != nil {
		return Message{}, fmt.Errorf("templates: %s.txt: %w", d.Purpose, err)
	}
	if err := h.ExecuteTemplate(&hb, "layout", d); err != nil {
		return Message{}, fmt.Errorf("templates: %s.html: %w", d.Purpose, err)
	}
	text := tidy(tb.String())
	return Message{Subject: d.Subject, Text: text, HTML: hb.String()}, nil
}

// tidy trims trailing spaces and runs of blank lines from rendered text.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// CommandCard is the command language, as the help card shows it.
var CommandCard = []Command{
	{"Resolved", "close the dispute as resolved"},
	{"Not resolved  or  Escalate", "escalate to the next stage now"},
	{"Escalate to stage N  or  Stage N", "move to stage N (stages may be bypassed)"},
	{"Extend to DD/MM/YYYY  or  Extend N days", "move the response deadline"},
	{"Pause  /  Resume", "stop / restart the clocks"},
	{"Cafcass referral made", "record the referral to Cafcass"},
	{"Close  or  Withdrawn", "close without resolution"},
	{"Status", "get the dispute's state back (a new email with the subject Status lists your open disputes)"},
	{"Help", "get this card"},
}

// Check renders every purpose with every preset's sample data, so a broken
// override is found by check-config, never at 3 a.m. in the daemon.
func (s *Set) Check() error {
	var errs []error
	for _, name := range policy.Presets() {
		p, _ := policy.Preset(name)
		for _, purpose := range Purposes() {
			m, err := s.Render(Sample(purpose, &p))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (policy %s): %w", purpose, name, err))
				continue
			}
			if strings.Contains(m.Text+m.HTML, "<no value>") {
				errs = append(errs, fmt.Errorf("%s (policy %s): renders <no value>", purpose, name))
			}
		}
		if len(errs) > 0 {
			break // the same problem again under the next preset says nothing new
		}
	}
	return errors.Join(errs...)
}
