// Package policy holds the escalation rules of the councils whose written
// procedures drpbot follows, as presets a council can copy and edit: who
// responds at each stage, who is told, how long each response window is,
// and what happens when it lapses.
package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnknownPreset is returned by Preset for a name it does not know.
var ErrUnknownPreset = errors.New("policy: unknown preset")

// OnLapse says what happens when a stage's response window lapses.
type OnLapse string

const (
	// Escalate moves the dispute to the next stage automatically.
	Escalate OnLapse = "escalate"
	// Propose tells the instigator the window lapsed and asks them to
	// decide ("reply Escalate to move on"); nothing moves by itself.
	Propose OnLapse = "propose"
)

// Stage is one level of the procedure.
type Stage struct {
	// Number is 0 for the informal stage, 1..5 for the formal ones.
	Number int `toml:"number"`
	// Name is how the council names it in email ("Stage 2", "Level 3").
	// Empty means StageWord and Number.
	Name string `toml:"name"`
	// Respondent is the directory role that must respond; empty for a
	// Cafcass stage, which the IRO acts on.
	Respondent string `toml:"respondent"`
	// Copy are roles copied on the email that opens the stage.
	Copy []string `toml:"copy"`
	// Notify are roles alerted that the dispute reached this stage.
	Notify []string `toml:"notify"`
	// Days is the response window; 0 means no window (no reminders, no lapse).
	Days int `toml:"days"`
	// CalendarDays counts Days as calendar days instead of working days.
	CalendarDays bool `toml:"calendar_days"`
	// OnLapse is what a lapse does; empty means Escalate.
	OnLapse OnLapse `toml:"on_lapse"`
	// Reminders are working days before the due date on which the
	// respondent is reminded; empty means none.
	Reminders []int `toml:"reminders"`
	// Cafcass marks the referral to Cafcass. The bot only ever proposes it:
	// the referral is the IRO's decision (every procedure says so).
	Cafcass bool `toml:"cafcass"`
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

// LapseAction is the stage's OnLapse with its default.
func (s Stage) LapseAction() OnLapse {
	if s.OnLapse == "" {
		return Escalate
	}
	return s.OnLapse
}

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
		if s.Number < 0 || s.Number > 5 {
			bad("%s.number: %d is not 0..5", key, s.Number)
		}
		if s.Number <= last {
			bad("%s.number: %d is not after %d", key, s.Number, last)
		}
		last = s.Number
		if s.Days < 0 || s.Days > 100 {
			bad("%s.days: %d is not 0..100", key, s.Days)
		}
		if s.OnLapse != "" && s.OnLapse != Escalate && s.OnLapse != Propose {
			bad("%s.on_lapse: %q is not escalate or propose", key, s.OnLapse)
		}
		if s.Cafcass && s.Days > 0 {
			bad("%s: a Cafcass stage has no response window", key)
		}
		if !s.Cafcass && s.Respondent == "" {
			bad("%s.respondent: empty", key)
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
	return errs
}

// Roles lists every role the policy names, sorted.
func (p *Policy) Roles() []string {
	set := map[string]bool{}
	for _, s := range p.Stages {
		if s.Respondent != "" {
			set[s.Respondent] = true
		}
		for _, r := range append(append([]string{}, s.Copy...), s.Notify...) {
			set[r] = true
		}
	}
	for _, r := range p.CapNotify {
		set[r] = true
	}
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
		s.Reminders = append([]int(nil), s.Reminders...)
		c.Stages[i] = s
	}
	c.CapNotify = append([]string(nil), p.CapNotify...)
	return c
}
