// Package policy holds the escalation rules of the councils whose written
// procedures drpbot follows, as presets a council can copy and edit: who
// responds at each stage, who is told, how long each response window is,
// and what happens when it lapses.
package policy

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ErrUnknownPreset is returned by Preset for a name it does not know.
var ErrUnknownPreset = errors.New("policy: unknown preset")

// OnLapse says what happens when a stage's response window lapses.
type OnLapse string

const (
	// Escalate moves the dispute to the next stage automatically: the
	// procedure sets a window and a next level, with no consultation step.
	Escalate OnLapse = "escalate"
	// Consult tells the instigator, the stage's raiser and the roles the
	// procedure says to consult that the window lapsed, reminds them, and
	// moves only on an instruction ("Escalate"). Wakefield 3.5: "the IRO in
	// consultation with the IRO Manager will progress to Stage 2".
	Consult OnLapse = "consult"
	// Propose is the earlier name of Consult, still accepted in config.
	Propose OnLapse = "propose"
)

// Raiser says how a stage's raiser is named on the stage's email.
const (
	// RaiserCc copies the raiser (the default).
	RaiserCc = "cc"
	// RaiserTo addresses the raiser beside the respondent.
	RaiserTo = "to"
)

// Pseudo-roles a stage may name besides the directory's roles.
const (
	// RoleInstigator is the IRO or CP Chair who raised the dispute.
	RoleInstigator = "instigator"
	// RoleInstigatorManager is the instigator's line manager in the
	// directory (Newham: a CP Chair's manager is told instead of Cafcass).
	RoleInstigatorManager = "instigator_manager"
)

// Stage is one level of the procedure. Every field can be written in
// config ([[policy.stage]]), so a council whose procedure differs from a
// preset writes its own.
type Stage struct {
	// Number is 0 for the informal stage, 1.. for the formal ones (as many
	// as the procedure has: Brighton & Hove has five levels, then Cafcass).
	Number int `toml:"number"`
	// Name is how the council names it in email ("Stage 2", "Level 3").
	// Empty means StageWord and Number.
	Name string `toml:"name"`
	// Heading is the heading the council's own emails carry at this stage
	// (Wakefield: "Stage 2 IRO Formal Dispute Form"); drpbot's emails use
	// it, and an alert carrying it opens or moves a dispute to this stage.
	// Empty means the policy's Heading.
	Heading string `toml:"heading"`
	// Headings are further headings that mean this stage (Wakefield's
	// informal stage: "IRO Informal Dispute").
	Headings []string `toml:"headings"`
	// Informal marks an informal stage (stage 0 always is): drpbot never
	// turns it formal by itself, whatever OnLapse says.
	Informal bool `toml:"informal"`
	// Respondent is the directory role that must respond; empty for a
	// Cafcass stage, which the IRO acts on.
	Respondent string `toml:"respondent"`
	// AlsoRespond are roles whose reply also counts as the stage's response
	// when the alert is addressed to them (Wakefield 2.3: "A response from
	// the social worker or team manager").
	AlsoRespond []string `toml:"also_respond"`
	// Raiser is the role that raises this stage; empty means the
	// instigator (the IRO or CP Chair). The raiser receives the stage's
	// email and may give instructions while the dispute is at this stage
	// (Brighton & Hove Level 2: "IRO Manager ... raises concerns").
	Raiser string `toml:"raiser"`
	// RaiserAs is "cc" (default) or "to": how the raiser is named on the
	// stage's email.
	RaiserAs string `toml:"raiser_as"`
	// Copy are roles copied on the email that opens the stage.
	Copy []string `toml:"copy"`
	// Notify are roles alerted that the dispute reached this stage.
	Notify []string `toml:"notify"`
	// OutcomeCopy are roles copied on the confirmation when the dispute is
	// resolved at this stage ("qa" also copies the [mail] qa inboxes):
	// Newham's form, each formal stage, "copy to be sent to SM & QA Inbox
	// for entry onto tracker"; Wakefield 2.3 "record the outcome ... and
	// forward a copy to the IRO Manager".
	OutcomeCopy []string `toml:"outcome_copy"`
	// CcMailbox copies the shared mailbox visibly (Cc) on the stage's
	// email, where the procedure says so (Newham stage 2: "cc to the LAC
	// Request email box"), when [smtp] copy_to_mailbox = "cc".
	CcMailbox bool `toml:"cc_mailbox"`
	// Days is the response window; 0 means no window (no reminders, no
	// lapse) unless the alert states a due date.
	Days int `toml:"days"`
	// CalendarDays counts Days as calendar days instead of working days.
	CalendarDays bool `toml:"calendar_days"`
	// Agreed marks a stage whose timescale is agreed case by case: the due
	// date the alert states wins over Days (Oxfordshire stage 1: "The email
	// should summarise the conversation with agreed actions and timescales").
	Agreed bool `toml:"agreed"`
	// OnLapse is what a lapse does: "escalate" or "consult"; empty means
	// escalate for a formal stage, consult for an informal one.
	OnLapse OnLapse `toml:"on_lapse"`
	// Consult are the roles told of a lapse with the instigator and the
	// raiser, when OnLapse is consult.
	Consult []string `toml:"consult"`
	// ConsultEvery repeats the lapse notice every so many working days
	// until someone acts; 0 means once.
	ConsultEvery int `toml:"consult_every"`
	// Reminders are working days before the due date on which the
	// respondent is reminded; empty means none.
	Reminders []int `toml:"reminders"`
	// Cafcass marks the referral to Cafcass. The bot only ever proposes it:
	// the referral is a person's decision (every procedure says so).
	Cafcass bool `toml:"cafcass"`
	// CafcassFor are the instigator roles for whom the Cafcass step exists;
	// empty means everyone (Newham stage 5 "(IRO ONLY)": ["iro"]).
	CafcassFor []string `toml:"cafcass_for"`
	// CafcassElse are told instead when the instigator holds none of
	// CafcassFor (Newham: the CP Chair's manager, "instigator_manager").
	CafcassElse []string `toml:"cafcass_else"`
}

// Policy is a council's whole procedure.
type Policy struct {
	// Name is the preset's name ("newham").
	Name string `toml:"name"`
	// Council and Source say whose procedure this is and which document.
	Council string `toml:"council"`
	Source  string `toml:"source"`
	// Heading is the heading the council's alerts carry.
	Heading string `toml:"heading"`
	// StageWord is "Stage" or "Level".
	StageWord string `toml:"stage_word"`
	// Stages in order; the informal stage, where there is one, first.
	Stages []Stage `toml:"stages"`
	// TotalDays caps the whole formal process in working days (20 in every
	// procedure we follow); 0 means no cap.
	TotalDays int `toml:"total_days"`
	// CapWarnDays warns this many working days before the cap is reached.
	CapWarnDays int `toml:"cap_warn_days"`
	// CapNotify are the roles warned about the cap (the IRO manager, QA).
	CapNotify []string `toml:"cap_notify"`
	// DecisionDays is how long the instigator has to record "resolved" or
	// escalate after a response, before being reminded; 0 means no reminder.
	DecisionDays int `toml:"decision_days"`
	// StartingPoint marks a preset built without the full procedure.
	StartingPoint bool `toml:"starting_point"`
	// Categories are the form's dispute categories, counted by the report
	// (Newham's form: thirteen "Dispute Resolution Category" options and
	// Other); empty means the parser's defaults.
	Categories []string `toml:"categories"`
	// ReportMonths are the months (1..12) in which the periodic report is
	// due, each covering the months since the one before (Newham
	// quarterly, Oxfordshire six-monthly, Brighton & Hove October and
	// April); empty means quarterly.
	ReportMonths []int `toml:"report_months"`
}

// StageName names stage n as the council does.
func (p *Policy) StageName(n int) string {
	if s, ok := p.Stage(n); ok && s.Name != "" {
		return s.Name
	}
	if n == 0 {
		return "Informal stage"
	}
	w := p.StageWord
	if w == "" {
		w = "Stage"
	}
	return fmt.Sprintf("%s %d", w, n)
}

// Stage returns stage n.
func (p *Policy) Stage(n int) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Number == n {
			return s, true
		}
	}
	return Stage{}, false
}

// Next returns the stage after n.
func (p *Policy) Next(n int) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Number > n {
			return s, true
		}
	}
	return Stage{}, false
}

// First returns the first stage (informal where there is one).
func (p *Policy) First() Stage {
	if len(p.Stages) == 0 {
		return Stage{Number: 1}
	}
	return p.Stages[0]
}

// FirstFormal returns the first formal stage: where an alert that states
// no stage starts. An informal stage is only ever opened by an alert that
// says it is informal.
func (p *Policy) FirstFormal() Stage {
	for _, s := range p.Stages {
		if !s.IsInformal() {
			return s
		}
	}
	return p.First()
}

// IsInformal reports an informal stage: stage 0, or one marked informal.
func (s Stage) IsInformal() bool { return s.Number == 0 || s.Informal }

// LapseAction is the stage's OnLapse with its default. An informal stage
// always consults: drpbot never turns it formal by itself.
func (s Stage) LapseAction() OnLapse {
	switch {
	case s.IsInformal(), s.OnLapse == Consult, s.OnLapse == Propose:
		return Consult
	}
	return Escalate
}

// RaiserTo reports whether the raiser is addressed (To) rather than copied.
func (s Stage) RaiserTo() bool { return strings.EqualFold(s.RaiserAs, RaiserTo) }

// CafcassOffered reports whether the Cafcass step exists for an
// instigator holding roles (Newham stage 5 "(IRO ONLY)").
func (s Stage) CafcassOffered(hasRole func(string) bool) bool {
	if len(s.CafcassFor) == 0 {
		return true
	}
	for _, r := range s.CafcassFor {
		if hasRole(r) {
			return true
		}
	}
	return false
}

// HeadingFor is the heading drpbot's emails carry at stage n: the
// stage's own heading where the council has one, else the policy's.
func (p *Policy) HeadingFor(n int) string {
	if s, ok := p.Stage(n); ok && s.Heading != "" {
		return s.Heading
	}
	return p.Heading
}

// StageForHeading returns the stage whose own heading (or one of its
// further headings) is h, compared case-insensitively.
func (p *Policy) StageForHeading(h string) (int, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	for _, s := range p.Stages {
		for _, x := range append([]string{s.Heading}, s.Headings...) {
			if x != "" && strings.EqualFold(x, h) {
				return s.Number, true
			}
		}
	}
	return 0, false
}

// AllHeadings lists every heading the policy names, the main one first:
// the parser looks for each in subjects.
func (p *Policy) AllHeadings() []string {
	var out []string
	add := func(h string) {
		if h != "" && !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, h) }) {
			out = append(out, h)
		}
	}
	add(p.Heading)
	for _, s := range p.Stages {
		add(s.Heading)
		for _, h := range s.Headings {
			add(h)
		}
	}
	return out
}

// MaxStage is the highest stage number a policy may have.
const MaxStage = 9

// Validate reports every problem, each naming the field.
func (p *Policy) Validate() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(p.Stages) == 0 {
		bad("stages: none")
	}
	last := -1
	for i, s := range p.Stages {
		key := fmt.Sprintf("stages[%d]", i)
		if s.Number < 0 || s.Number > MaxStage {
			bad("%s.number: %d is not 0..%d", key, s.Number, MaxStage)
		}
		if s.Number <= last {
			bad("%s.number: %d is not after %d", key, s.Number, last)
		}
		last = s.Number
		if s.Days < 0 || s.Days > 100 {
			bad("%s.days: %d is not 0..100", key, s.Days)
		}
		switch s.OnLapse {
		case "", Escalate, Consult, Propose:
		default:
			bad("%s.on_lapse: %q is not escalate or consult", key, s.OnLapse)
		}
		if s.OnLapse == Escalate && s.IsInformal() {
			bad("%s.on_lapse: an informal stage is never turned formal by drpbot alone; use consult", key)
		}
		switch strings.ToLower(s.RaiserAs) {
		case "", RaiserCc, RaiserTo:
		default:
			bad("%s.raiser_as: %q is not to or cc", key, s.RaiserAs)
		}
		if s.ConsultEvery < 0 {
			bad("%s.consult_every: %d is negative", key, s.ConsultEvery)
		}
		if s.Cafcass && s.Days > 0 {
			bad("%s: a Cafcass stage has no response window", key)
		}
		if !s.Cafcass && s.Respondent == "" {
			bad("%s.respondent: empty", key)
		}
		if !s.Cafcass && (len(s.CafcassFor) > 0 || len(s.CafcassElse) > 0) {
			bad("%s.cafcass_for: only a Cafcass stage has cafcass_for and cafcass_else", key)
		}
		for _, r := range s.Reminders {
			if r < 0 || (s.Days > 0 && r >= s.Days) {
				bad("%s.reminders: %d is not within the %d-day window", key, r, s.Days)
			}
		}
	}
	if p.TotalDays < 0 {
		bad("total_days: %d", p.TotalDays)
	}
	if p.CapWarnDays < 0 || (p.TotalDays > 0 && p.CapWarnDays >= p.TotalDays) {
		bad("cap_warn_days: %d is not below total_days %d", p.CapWarnDays, p.TotalDays)
	}
	for _, m := range p.ReportMonths {
		if m < 1 || m > 12 {
			bad("report_months: %d is not a month 1..12", m)
		}
	}
	return errs
}

// Roles lists every directory role the policy names, sorted (the
// pseudo-roles instigator and instigator_manager left out).
func (p *Policy) Roles() []string {
	set := map[string]bool{}
	add := func(rs ...string) {
		for _, r := range rs {
			if r != "" && r != RoleInstigator && r != RoleInstigatorManager {
				set[r] = true
			}
		}
	}
	for _, s := range p.Stages {
		add(s.Respondent, s.Raiser)
		add(s.AlsoRespond...)
		add(s.Copy...)
		add(s.Notify...)
		add(s.OutcomeCopy...)
		add(s.Consult...)
		add(s.CafcassElse...)
	}
	add(p.CapNotify...)
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Presets lists the preset names.
func Presets() []string {
	out := make([]string, 0, len(presets))
	for name := range presets {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Preset returns a copy of the named preset, free to edit.
func Preset(name string) (Policy, error) {
	p, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Policy{}, fmt.Errorf("%w %q (have %s)", ErrUnknownPreset, name, strings.Join(Presets(), ", "))
	}
	return p.clone(), nil
}

func (p Policy) clone() Policy {
	c := p
	c.Stages = make([]Stage, len(p.Stages))
	for i, s := range p.Stages {
		s.Copy = append([]string(nil), s.Copy...)
		s.Notify = append([]string(nil), s.Notify...)
		s.OutcomeCopy = append([]string(nil), s.OutcomeCopy...)
		s.Reminders = append([]int(nil), s.Reminders...)
		s.Headings = append([]string(nil), s.Headings...)
		s.AlsoRespond = append([]string(nil), s.AlsoRespond...)
		s.Consult = append([]string(nil), s.Consult...)
		s.CafcassFor = append([]string(nil), s.CafcassFor...)
		s.CafcassElse = append([]string(nil), s.CafcassElse...)
		c.Stages[i] = s
	}
	c.CapNotify = append([]string(nil), p.CapNotify...)
	c.Categories = append([]string(nil), p.Categories...)
	c.ReportMonths = append([]int(nil), p.ReportMonths...)
	return c
}
