package templates

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func load(t *testing.T) *Set {
	t.Helper()
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEveryPurposeHasTemplates: the engine's purposes and the templates
// are the same list.
func TestEveryPurposeHasTemplates(t *testing.T) {
	have := map[string]bool{}
	for _, p := range Purposes() {
		have[p] = true
	}
	for _, p := range engine.Purposes {
		if !have[string(p)] {
			t.Errorf("no template for purpose %s", p)
		}
		delete(have, string(p))
	}
	for p := range have {
		t.Errorf("template %s serves no purpose", p)
	}
}

func TestGolden(t *testing.T) {
	s := load(t)
	p, _ := policy.Preset("newham")
	for _, purpose := range Purposes() {
		m, err := s.Render(Sample(purpose, &p))
		if err != nil {
			t.Fatalf("%s: %v", purpose, err)
		}
		for ext, got := range map[string]string{".txt": "Subject: " + m.Subject + "\n\n" + m.Text, ".html": m.HTML} {
			path := filepath.Join("testdata", "golden", purpose+ext)
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./templates -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from its golden file; run go test ./templates -update and review the diff\ngot:\n%s", path, got)
			}
		}
	}
}

var (
	scriptRe = regexp.MustCompile(`(?i)<script|javascript:|<img|<link|url\(|@import|<iframe|<form`)
	leadRe   = regexp.MustCompile(`\d{4}|DRP-|child|dispute|Dispute|instructions`)
)

// TestEveryPresetRenders renders every purpose with every preset's data:
// no missing field, no "<no value>", no script or remote image, and the
// first line says what the email is about.
func TestEveryPresetRenders(t *testing.T) {
	s := load(t)
	for _, name := range policy.Presets() {
		p, _ := policy.Preset(name)
		for _, purpose := range Purposes() {
			d := Sample(purpose, &p)
			m, err := s.Render(d)
			if err != nil {
				t.Errorf("%s/%s: %v", name, purpose, err)
				continue
			}
			for _, part := range []string{m.Subject, m.Text, m.HTML} {
				if strings.Contains(part, "<no value>") || strings.Contains(part, "%!") {
					t.Errorf("%s/%s: a field is missing:\n%s", name, purpose, part)
				}
			}
			if scriptRe.MatchString(m.HTML) {
				t.Errorf("%s/%s: HTML has a script, remote resource or form", name, purpose)
			}
			first, _, _ := strings.Cut(m.Text, "\n")
			if !leadRe.MatchString(first) || len(first) > 220 {
				t.Errorf("%s/%s: first line does not say what this is: %q", name, purpose, first)
			}
			if d.Ref != "" && !strings.Contains(m.Subject, "["+d.Ref+"]") {
				t.Errorf("%s/%s: subject lacks the tracking tag: %q", name, purpose, m.Subject)
			}
			if d.Ref != "" && !strings.Contains(m.Subject, p.Heading) && !strings.Contains(m.Subject, d.Heading) {
				t.Errorf("%s/%s: subject lacks the heading: %q", name, purpose, m.Subject)
			}
			// A stage's own heading names that stage: the subject never says
			// two stages ("Stage 2 IRO Formal Dispute Form - Stage 1").
			if n, own := p.StageForHeading(d.Heading); own && d.StageName != p.StageName(n) {
				t.Errorf("%s/%s: heading %q is stage %d's, the email is about %s: %q", name, purpose, d.Heading, n, d.StageName, m.Subject)
			}
			if strings.Contains(m.Subject, "S.C.") {
				t.Errorf("%s/%s: initials in the subject", name, purpose)
			}
		}
	}
}

func TestStageWord(t *testing.T) {
	s := load(t)
	p, _ := policy.Preset("brighton-hove")
	m, err := s.Render(Sample("reminder", &p))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Reminder: Looked-after Manager Alert - Level 2 - 1234567 [DRP-2026-0042]" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "Level 2") || strings.Contains(m.Text, "Stage 2") {
		t.Errorf("stage not named as the council names it:\n%s", m.Text)
	}
}

func TestHTMLEscapes(t *testing.T) {
	s := load(t)
	p, _ := policy.Preset("newham")
	d := Sample("escalation", &p)
	d.AlertText = `<script>alert("x")</script> & <b>`
	m, err := s.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Error("alert text not escaped in HTML")
	}
}

func TestOverrides(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "reminder.txt"), []byte(`{{define "lead"}}Council wording for {{.Child}}{{end}}{{define "body"}}Please reply.{{end}}`), 0o644)
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := policy.Preset("newham")
	m, err := s.Render(Sample("reminder", &p))
	if err != nil || !strings.HasPrefix(m.Text, "Council wording for 1234567 (S.C.)") {
		t.Errorf("override not used: %v\n%s", err, m.Text)
	}
	// A broken override is reported at load, naming the file.
	os.WriteFile(filepath.Join(dir, "overdue.html"), []byte(`{{define "lead"}}{{.Child{{end}}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "overdue.html") {
		t.Errorf("broken override: %v", err)
	}
	// One that names a field that does not exist fails on Check.
	os.Remove(filepath.Join(dir, "overdue.html"))
	os.WriteFile(filepath.Join(dir, "ack.txt"), []byte(`{{define "lead"}}{{.ChildName}}{{end}}{{define "body"}}{{end}}`), 0o644)
	s, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "ack.txt") {
		t.Errorf("Check: %v", err)
	}
}

// TestNoWindowSaysSo: a stage with no window (Oxfordshire stages 3-5, an
// agreed timescale not stated) never reads "respond by ." and the ack says
// there is no deadline.
func TestNoWindowSaysSo(t *testing.T) {
	s := load(t)
	p, _ := policy.Preset("oxfordshire")
	for _, purpose := range []string{"ack", "escalation", "deputy_cover", "notify", "status"} {
		d := Sample(purpose, &p)
		d.Due, d.DaysLeft = "", 0
		m, err := s.Render(d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.Text, "by .") || strings.Contains(m.Text, "by  ") || strings.Contains(m.HTML, "by .") {
			t.Errorf("%s reads as if it had a date:\n%s", purpose, m.Text)
		}
		if purpose == "ack" && !strings.Contains(m.Text, "drpbot sets no deadline") {
			t.Errorf("ack without a date:\n%s", m.Text)
		}
	}
}

// TestReportChartIsItsTable: the preview's chart has a bar for every cell
// of the table it stands for, with the table's numbers.
func TestReportChartIsItsTable(t *testing.T) {
	p, _ := policy.Preset("newham")
	d := Sample("report", &p)
	tab := d.Tables[0]
	i := 0
	for _, row := range tab.Rows[1:] {
		for j := 1; j < len(row)-1; j++ { // the last column is the total
			if i >= len(d.Bars) || d.Bars[i].Label != row[0]+", "+tab.Rows[0][j] || strconv.Itoa(d.Bars[i].Count) != row[j] {
				t.Fatalf("bar %d %+v does not show %s %s = %s", i, d.Bars, row[0], tab.Rows[0][j], row[j])
			}
			i++
		}
	}
	if i != len(d.Bars) || i != 6 {
		t.Errorf("%d bars for %d cells", len(d.Bars), i)
	}
}

// TestCoverForADeadAddress: when the mail server refused the respondent
// and the alert went to their deputy or line manager, the email says so
// and does not say the respondent is away (they may not be).
func TestCoverForADeadAddress(t *testing.T) {
	s := load(t)
	p, _ := policy.Preset("newham")
	d := Sample("deputy_cover", &p)
	d.Reason = "the mail server refused sam.manager@council.example, and the directory names you as their line manager"
	m, err := s.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{m.Text, m.HTML} {
		if strings.Contains(text, "is away") || strings.Contains(text, "named as their deputy") {
			t.Errorf("a dead address reads as an absence:\n%s", text)
		}
		if !strings.Contains(text, "the directory names you as their line manager") || !strings.Contains(text, "refuses") {
			t.Errorf("the reason is missing:\n%s", text)
		}
	}
	d.Reason = ""
	if m, _ := s.Render(d); !strings.Contains(m.Text, "is away") {
		t.Errorf("an out-of-office cover no longer says the respondent is away:\n%s", m.Text)
	}
}

// TestPreviewProposalTrue: the lapse notice's preview reads as the daemon's
// email does: addressed to the stage's raiser too (Brighton & Hove Level 2:
// "IRO Manager (Children Looked-after) raises concerns"; "will consult with
// the Head of Safeguarding"), naming whom the procedure says to consult
// (Wakefield 3.6: "the IRO in consultation with the IRO Manager").
func TestPreviewProposalTrue(t *testing.T) {
	s := load(t)
	for preset, want := range map[string][]string{
		"brighton-hove": {"Iris Reviewer and Ian Manager: the response window", "Hope Safeguarding is copied, as the procedure says to consult them"},
		"wakefield":     {"Iris Reviewer: the response window", "Ian Manager is copied, as the procedure says to consult them"},
	} {
		p, _ := policy.Preset(preset)
		m, err := s.Render(Sample("proposal", &p))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(m.Text, w) || !strings.Contains(m.HTML, w) {
				t.Errorf("%s: the proposal preview lacks %q:\n%s", preset, w, m.Text)
			}
		}
	}
}

// TestPreviewCopiesTrue: the escalation and Cafcass previews name whom the
// daemon's email really copies: Wakefield 3.6 "Copies to be sent to the
// responsible Service Manager, IRO Manager, Service Lead ... and Service
// Manager for the Safeguarding and Reviewing Unit"; Newham s7 Stage 2 "cc to
// the LAC Request email box"; Wakefield 3.8 "a referral to CAFCASS should be
// fully discussed with the IRO Manager, Service Lead ... and Service
// Manager"; Brighton & Hove Level 5 "The Head of Safeguarding will make the
// referral to Cafcass".
func TestPreviewCopiesTrue(t *testing.T) {
	s := load(t)
	for _, c := range []struct{ preset, purpose, want string }{
		{"wakefield", "escalation", "Iris Reviewer, Pat Lead, Ian Manager, Lee Lead and Max Manager are copied"},
		{"newham", "escalation", "Iris Reviewer, Pat Lead and the shared mailbox are copied"},
		{"brighton-hove", "escalation", "Under the procedure Ian Manager raises this stage"},
		{"wakefield", "cafcass_proposal", "Ian Manager, Lee Lead and Max Manager are copied"},
		{"brighton-hove", "cafcass_proposal", "Iris Reviewer and Hope Safeguarding: the next step"},
		{"wakefield", "decision_reminder", "Ian Manager is copied, as the procedure says to consult them"},
		{"brighton-hove", "decision_reminder", "Iris Reviewer and Ian Manager: Sam Manager responded"},
	} {
		p, _ := policy.Preset(c.preset)
		m, err := s.Render(Sample(c.purpose, &p))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, c.want) {
			t.Errorf("%s/%s preview lacks %q:\n%s", c.preset, c.purpose, c.want, m.Text)
		}
	}
}
