package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

func TestExampleLoads(t *testing.T) {
	c, err := Load("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Mailbox != "lac-requests@council.example" || c.IMAP.Port != 993 || c.SMTP.Security != "starttls" {
		t.Errorf("decoded: %+v", c)
	}
	p, err := c.BuildPolicy()
	if err != nil || p.Name != "newham" {
		t.Fatalf("policy: %v", err)
	}
	cal, err := c.BuildCalendar()
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkingDay(workdays.Date{Year: 2026, Month: 12, Day: 29}) {
		t.Error("closure from the example not applied")
	}
	d, err := c.BuildDirectory()
	if err != nil || d.Len() != 12 {
		t.Fatalf("directory: %v (%d people)", err, d.Len())
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("the example has warnings: %v", w)
	}
	o := c.ParserOptions()
	if o.Headings[0] != "Dispute Resolution Alert" {
		t.Errorf("parser headings %v", o.Headings)
	}
}

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimal = `mailbox = "lac@c.example"
[imap]
host = "imap.c.example"
username = "lac@c.example"
password_env = "X_IMAP"
[smtp]
host = "smtp.c.example"
username = "lac@c.example"
password_file = "/nonexistent/secret"
`

func TestDefaults(t *testing.T) {
	c, err := Load(write(t, minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.IMAP.PollInterval.Duration.Seconds() != 60 || c.Schedule.Tick == "" || c.Store.RetentionDays != 1095 || !c.Privacy.Acknowledge {
		t.Errorf("defaults not applied: %+v", c)
	}
	if w := c.Warnings(); len(w) == 0 {
		t.Error("an empty directory gives no warning")
	}
}

func TestEveryProblemReported(t *testing.T) {
	body := strings.Replace(minimal, `password_env = "X_IMAP"`, `password_env = "X_IMAP"
password_file = "/x"
security = "plain"
colour = "blue"`, 1) + `
[schedule]
tick = "every fifteen minutes"
[calendar]
nation = "wessex"
[policy]
preset = "newham"
total_days = -1
[[policy.stage]]
number = 1
days = 5
[store]
retention_days = 1
[log]
format = "xml"
`
	_, err := Load(write(t, body))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	for _, key := range []string{"imap.colour: unknown key", "imap.security", "imap.password_file", "schedule.tick", "calendar.nation", "policy.stage[0].respondent", "policy.total_days", "store.retention_days", "log.format"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s:\n%v", key, err)
		}
	}
}

func TestSecrets(t *testing.T) {
	c, err := Load(write(t, minimal))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("X_IMAP", "")
	errs := c.CheckSecrets()
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "X_IMAP is not set") || !strings.Contains(errs[1].Error(), "smtp.password") {
		t.Errorf("secrets: %v", errs)
	}
	t.Setenv("X_IMAP", "s3cret")
	secret := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(secret, []byte("hunter2\n"), 0o600)
	c.SMTP.PasswordFile = secret
	if errs := c.CheckSecrets(); len(errs) != 0 {
		t.Errorf("secrets present: %v", errs)
	}
	if v, _ := c.SMTP.Password().Value(); v != "hunter2" {
		t.Errorf("file secret = %q", v)
	}
}

func TestDirectoryCSVRelative(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "staff.csv"), []byte("email,roles\npl@c.example,practice_lead\n"), 0o600)
	p := filepath.Join(dir, "c.toml")
	os.WriteFile(p, []byte(minimal+"[directory]\ncsv = \"staff.csv\"\n[[directory.person]]\nemail = \"sm@c.example\"\nroles = [\"service_manager\"]\n"), 0o600)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.BuildDirectory()
	if d.Len() != 2 {
		t.Errorf("people: %d", d.Len())
	}
	if w := strings.Join(c.Warnings(), "\n"); !strings.Contains(w, "operations_director") {
		t.Errorf("warnings: %s", w)
	}
}

// TestCopyToMailbox: cc (the default, and true), bcc, off (and false).
func TestCopyToMailbox(t *testing.T) {
	for value, want := range map[string]CopyMode{"": CopyCc, "true": CopyCc, "false": CopyOff, `"bcc"`: CopyBcc, `"off"`: CopyOff, `"CC"`: CopyCc} {
		body := minimal
		if value != "" {
			body = strings.Replace(minimal, "[smtp]\n", "[smtp]\ncopy_to_mailbox = "+value+"\n", 1)
		}
		c, err := Load(write(t, body))
		if err != nil {
			t.Fatalf("%s: %v", value, err)
		}
		if c.SMTP.CopyToMailbox != want || c.SMTP.CopyToMailbox.On() != (want != CopyOff) {
			t.Errorf("copy_to_mailbox = %s: %q", value, c.SMTP.CopyToMailbox)
		}
	}
	if _, err := Load(write(t, strings.Replace(minimal, "[smtp]\n", "[smtp]\ncopy_to_mailbox = \"sometimes\"\n", 1))); err == nil {
		t.Error("copy_to_mailbox = \"sometimes\" accepted")
	}
}

// TestPolicyStageKeys: every key of a stage can be written in config.
func TestPolicyStageKeys(t *testing.T) {
	body := minimal + `
[policy]
preset = "newham"
report_months = [4, 10]
categories = ["Health", "Other"]
[[policy.stage]]
number = 0
respondent = "team_manager"
also_respond = ["social_worker"]
heading = "Informal Note"
headings = ["Quick Word"]
agreed = true
consult = ["iro_manager"]
consult_every = 3
[[policy.stage]]
number = 1
respondent = "service_manager"
raiser = "iro_manager"
raiser_as = "to"
copy = ["team_manager"]
notify = ["dcs"]
cc_mailbox = true
outcome_copy = ["iro_manager", "qa"]
days = 5
on_lapse = "consult"
[[policy.stage]]
number = 2
cafcass = true
cafcass_for = ["iro"]
cafcass_else = ["instigator_manager"]
`
	c, err := Load(write(t, body))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.BuildPolicy()
	if err != nil {
		t.Fatal(err)
	}
	s0, _ := p.Stage(0)
	s1, _ := p.Stage(1)
	s2, _ := p.Stage(2)
	if !s0.Agreed || s0.ConsultEvery != 3 || s0.AlsoRespond[0] != "social_worker" || s1.Raiser != "iro_manager" || !s1.RaiserTo() || !s1.CcMailbox || len(s1.OutcomeCopy) != 2 ||
		s2.CafcassFor[0] != "iro" || p.ReportMonths[1] != 10 || p.Categories[0] != "Health" {
		t.Errorf("policy %+v", p)
	}
	if n, ok := p.StageForHeading("quick word"); !ok || n != 0 {
		t.Error("a stage's own heading from config")
	}
	o := c.ParserOptions()
	if !slices.Contains(o.Headings, "Quick Word") || !slices.Contains(o.Headings, "Dispute Resolution Alert") || o.Categories[0] != "Health" {
		t.Errorf("parser headings %q categories %q", o.Headings, o.Categories)
	}
}
