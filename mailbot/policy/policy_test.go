package policy

import (
	"errors"
	"testing"
)

func TestPresetsValid(t *testing.T) {
	if len(Presets()) != 5 {
		t.Errorf("presets: %v", Presets())
	}
	for _, name := range Presets() {
		p, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if errs := p.Validate(); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
		if p.TotalDays != 20 {
			t.Errorf("%s: total %d", name, p.TotalDays)
		}
		for _, s := range p.Stages {
			if s.Cafcass && s.Respondent != "" {
				t.Errorf("%s: Cafcass stage has a respondent", name)
			}
		}
	}
	if _, err := Preset("nowhere"); !errors.Is(err, ErrUnknownPreset) {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestPresetFacts(t *testing.T) {
	bh, _ := Preset("brighton-hove")
	var days []int
	for _, s := range bh.Stages {
		days = append(days, s.Days)
	}
	// Levels 1-5: "5 working days", 5, 4, 3, 3; then Cafcass.
	if len(days) != 7 || days[1] != 5 || days[2] != 5 || days[3] != 4 || days[4] != 3 || days[5] != 3 {
		t.Errorf("brighton-hove days %v", days)
	}
	if s, _ := bh.Stage(6); !s.Cafcass || s.Raiser != "head_of_safeguarding" {
		t.Errorf("brighton-hove after Level 5: %+v", s)
	}
	if s, _ := bh.Stage(2); s.Raiser != RoleIROManager || s.LapseAction() != Consult {
		t.Errorf("brighton-hove Level 2: %+v", s)
	}
	if bh.StageName(3) != "Level 3" {
		t.Errorf("StageName = %q", bh.StageName(3))
	}
	w, _ := Preset("wakefield")
	if s := w.First(); s.Number != 0 || s.Days != 15 {
		t.Errorf("wakefield informal %+v", s)
	}
	n, _ := Preset("newham")
	if s, _ := n.Stage(5); !s.Cafcass {
		t.Error("newham stage 5 is the Cafcass referral")
	}
	if s, _ := n.Stage(3); len(s.Notify) != 1 || s.Notify[0] != "ad_qa" {
		t.Errorf("newham stage 3 notify %v", s.Notify)
	}
	if nx, ok := n.Next(4); !ok || nx.Number != 5 {
		t.Errorf("Next(4) = %v %v", nx, ok)
	}
	if _, ok := n.Next(5); ok {
		t.Error("Next(5) exists")
	}
	k, _ := Preset("kirklees")
	if !k.StartingPoint {
		t.Error("kirklees is a starting point")
	}
}

func TestPresetIsACopy(t *testing.T) {
	a, _ := Preset("newham")
	a.Stages[1].Days = 99
	a.Stages[1].Reminders[0] = 3
	a.Stages[5].CafcassFor[0] = "anyone"
	b, _ := Preset("newham")
	if b.Stages[1].Days != 5 || b.Stages[1].Reminders[0] != 1 || b.Stages[5].CafcassFor[0] != RoleIRO {
		t.Error("editing a preset changed the preset")
	}
}

func TestValidate(t *testing.T) {
	p := Policy{Stages: []Stage{{Number: 2, Respondent: "x", Days: 5}, {Number: 1, Days: -1, OnLapse: "shout", Reminders: []int{7}}}, CapWarnDays: 30, TotalDays: 20}
	errs := p.Validate()
	if len(errs) < 5 {
		t.Errorf("want every problem, got %v", errs)
	}
}

// TestInformalNeverEscalates: an informal stage consults on lapse whatever
// it says, and config cannot make it escalate.
func TestInformalNeverEscalates(t *testing.T) {
	for _, name := range Presets() {
		p, _ := Preset(name)
		for _, s := range p.Stages {
			if s.IsInformal() && s.LapseAction() != Consult {
				t.Errorf("%s stage %d escalates by itself", name, s.Number)
			}
		}
		if p.FirstFormal().IsInformal() {
			t.Errorf("%s: an alert that states no stage opens the informal stage", name)
		}
	}
	p := Policy{Stages: []Stage{{Number: 0, Respondent: "tm", OnLapse: Escalate}, {Number: 1, Respondent: "sm", RaiserAs: "bcc"}}}
	if errs := p.Validate(); len(errs) != 2 {
		t.Errorf("want 2 problems, got %v", errs)
	}
}

func TestHeadings(t *testing.T) {
	w, _ := Preset("wakefield")
	// 3.8 "A Stage 4 Formal Dispute Form" (no "IRO"), 3.5-3.7 "A Stage N IRO
	// Formal Dispute Form": both spellings of every formal stage.
	for h, want := range map[string]int{"IRO Informal Dispute": 0, "informal resolution monitoring form": 0, "Stage 4 Formal Dispute Form": 4,
		"Stage 4 IRO Formal Dispute Form": 4, "Stage 2 Formal Dispute Form": 2, "Stage 1 IRO Formal Dispute Form": 1, "Stage 3 Formal Dispute Form": 3} {
		if n, ok := w.StageForHeading(h); !ok || n != want {
			t.Errorf("%q: stage %d %v", h, n, ok)
		}
	}
	if w.HeadingFor(2) != "Stage 2 IRO Formal Dispute Form" || len(w.AllHeadings()) != 11 {
		t.Errorf("headings %q", w.AllHeadings())
	}
}
