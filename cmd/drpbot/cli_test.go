package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/sandbox"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCalendarCommand(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"calendar", "add", "2026-12-21", "5"}, 0, "2026-12-30\n"},
		{[]string{"calendar", "add", "21/12/2026", "5"}, 0, "2026-12-30\n"},
		{[]string{"calendar", "-c", "../../config.example.toml", "add", "2026-12-21", "5"}, 0, "2027-01-04\n"}, // Christmas shutdown
		{[]string{"calendar", "add", "12/21/2026", "5"}, 2, ""},
		{[]string{"calendar", "add", "2026-12-21", "five"}, 2, ""},
		{[]string{"calendar", "add"}, 2, ""},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != tt.code || out != tt.out {
			t.Errorf("%v: exit %d out %q (stderr %q), want %d %q", tt.args, code, out, errs, tt.code, tt.out)
		}
	}
	code, out, _ := runCLI(t, "calendar", "holidays", "2026")
	if code != 0 || strings.Count(out, "\n") != 8 || !strings.Contains(out, "2026-12-28  Monday 28 December 2026") {
		t.Errorf("holidays: %d %s", code, out)
	}
}

func TestCheckConfigCommand(t *testing.T) {
	code, out, errs := runCLI(t, "check-config", "-c", "../../config.example.toml")
	if code != 1 || !strings.Contains(errs, "DRPBOT_IMAP_PASSWORD is not set") {
		t.Errorf("missing secrets: exit %d stderr %q", code, errs)
	}
	t.Setenv("DRPBOT_IMAP_PASSWORD", "x")
	t.Setenv("DRPBOT_SMTP_PASSWORD", "y")
	// The example's store is in /var/lib/drpbot, which a test machine lacks.
	if _, err := os.Stat("/var/lib/drpbot"); err != nil {
		code, _, errs = runCLI(t, "check-config", "../../config.example.toml")
		if code != 1 || !strings.Contains(errs, "store.path: the folder /var/lib/drpbot does not exist") {
			t.Errorf("no store folder: exit %d stderr %q", code, errs)
		}
	}
	dir := t.TempDir()
	example, _ := os.ReadFile("../../config.example.toml")
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(strings.Replace(string(example), `path = "/var/lib/drpbot/drpbot.db"`, `path = "state/drpbot.db"`, 1)), 0o600)
	os.Mkdir(filepath.Join(dir, "state"), 0o700)
	code, out, errs = runCLI(t, "check-config", path)
	if code != 0 || !strings.Contains(out, "policy newham") || !strings.HasSuffix(out, "ok\n") || errs != "" {
		t.Errorf("example: exit %d out %q err %q", code, out, errs)
	}
	code, _, errs = runCLI(t, "check-config", "-c", "testdata/bad.toml")
	if code != 1 || !strings.Contains(errs, "smtp.host: empty") || !strings.Contains(errs, "imap.colour: unknown key") {
		t.Errorf("bad config: exit %d stderr %q", code, errs)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errs := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("exit %d %q", code, errs)
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "s.db")
	s, err := store.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	dst := filepath.Join(dir, "b.db")
	code, out, errs := runCLI(t, "backup", "-store", src, dst)
	if code != 0 || !strings.Contains(out, "consistent copy") {
		t.Fatalf("exit %d %q %q", code, out, errs)
	}
	if _, err := store.Open(dst); err != nil {
		t.Errorf("backup does not open: %v", err)
	}
	if code, _, _ := runCLI(t, "backup", "-store", filepath.Join(dir, "missing", "x.db"), dst); code != 1 {
		t.Errorf("missing store: exit %d", code)
	}
}

func TestTemplatesCommand(t *testing.T) {
	code, out, _ := runCLI(t, "templates", "list")
	if code != 0 || strings.Count(out, "\n") != len(templates.Purposes()) || strings.Contains(out, "BROKEN") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "templates", "-preset", "brighton-hove", "preview", "reminder")
	if code != 0 || !strings.HasPrefix(out, "Subject: Reminder: Looked-after Manager Alert - Level 2") {
		t.Errorf("preview: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "templates", "preview", "escalation", "--html")
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("preview html: %d\n%.200s", code, out)
	}
	if code, _, _ := runCLI(t, "templates", "preview", "nonsense"); code != 2 {
		t.Errorf("unknown purpose: exit %d", code)
	}
}

func TestCheckConfigBrokenTemplate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ack.txt"), []byte(`{{define "lead"}}{{.NoSuchField}}{{end}}{{define "body"}}{{end}}`), 0o644)
	cfg, _ := os.ReadFile("../../config.example.toml")
	body := strings.Replace(string(cfg), `dir = ""`, `dir = "`+dir+`"`, 1)
	path := filepath.Join(dir, "c.toml")
	os.WriteFile(path, []byte(body), 0o600)
	code, _, errs := runCLI(t, "check-config", "-no-secrets", "-c", path)
	if code != 1 || !strings.Contains(errs, "ack.txt") {
		t.Errorf("broken override: exit %d %q", code, errs)
	}
}

// TestSyncAndTickCommands drives `drpbot sync` and `drpbot tick --now`
// against the in-process mail sandbox.
func TestSyncAndTickCommands(t *testing.T) {
	users := map[string]string{"lac@c.test": "pw", "iro@c.test": "pw", "pl@c.test": "pw", "sm@c.test": "pw"}
	sb, err := sandbox.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("pw"), 0o600)
	ih, ip, _ := net.SplitHostPort(sb.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(sb.SMTPAddr)
	cfg := `mailbox = "lac@c.test"
[imap]
host = "` + ih + `"
port = ` + ip + `
security = "plain"
username = "lac@c.test"
password_file = "pw"
[smtp]
host = "` + sh + `"
port = ` + sp + `
security = "plain"
username = "lac@c.test"
password_file = "pw"
[directory]
[[directory.person]]
email = "pl@c.test"
roles = ["practice_lead"]
manager = "sm@c.test"
[[directory.person]]
email = "sm@c.test"
roles = ["service_manager"]
[store]
path = "d.db"
`
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(cfg), 0o600)
	// The password file and the store are relative to the config's folder,
	// not to the working directory (under systemd that is /).
	t.Chdir(t.TempDir())
	alert := "From: iro@c.test\r\nTo: pl@c.test\r\nCc: lac@c.test\r\nSubject: Dispute Resolution Alert - Stage 1 - 1234567\r\nMessage-ID: <a@c.test>\r\nDate: " +
		time.Now().Add(-time.Hour).Format(time.RFC1123Z) + "\r\n\r\nFORMAL STAGE 1\r\n"
	sb.Deliver([]byte(alert), "lac@c.test")
	code, out, errs := runCLI(t, "sync", "-c", path)
	if code != 0 || !strings.Contains(out, "1 messages handled") {
		t.Fatalf("sync: %d %q %q", code, out, errs)
	}
	// Five weeks on, on a working day: stage 1 lapsed long ago.
	cal, _ := workdays.New(workdays.EnglandWales, nil)
	later := time.Now().AddDate(0, 0, 35)
	for !cal.IsWorkingDay(workdays.In(later)) {
		later = later.AddDate(0, 0, 1)
	}
	// Without --send, tick only says what it would send: nobody is
	// emailed and the store is not touched.
	code, out, errs = runCLI(t, "tick", "-c", path, "--now", later.Format(time.RFC3339))
	if code != 0 || !strings.Contains(out, "would queue") || !strings.Contains(out, "escalation to sm@c.test") {
		t.Fatalf("tick without --send: %d %q %q", code, out, errs)
	}
	if sb.Received("sm@c.test") != 0 {
		t.Errorf("tick without --send emailed the service manager")
	}
	code, out, errs = runCLI(t, "tick", "-c", path, "--now", later.Format(time.RFC3339), "--send")
	if code != 0 || !strings.Contains(out, "emails queued") {
		t.Fatalf("tick: %d %q %q", code, out, errs)
	}
	if sb.Received("sm@c.test") != 1 {
		t.Errorf("the service manager got %d escalations", sb.Received("sm@c.test"))
	}
	if code, _, _ := runCLI(t, "tick", "-c", path, "--now", "yesterday"); code != 2 {
		t.Errorf("bad --now: exit %d", code)
	}
	code, out, _ = runCLI(t, "list", "-c", path)
	if code != 0 || !strings.Contains(out, "DRP-") || !strings.Contains(out, "sm@c.test") || !strings.Contains(out, "Stage 2") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "list", "-c", path, "--stage", "1", "--json")
	if code != 0 || out != "" {
		t.Errorf("list --stage 1: %d %q", code, out)
	}
	ref := regexp.MustCompile(`DRP-\d{4}-\d{4}`).FindString(out + listOut(t, path))
	code, out, _ = runCLI(t, "show", "-c", path, ref)
	if code != 0 || !strings.Contains(out, "escalated") && !strings.Contains(out, "lapsed") {
		t.Errorf("show %s: %d\n%s", ref, code, out)
	}
	// Refs in any case, flags after the ref.
	if code, out2, errs := runCLI(t, "show", "["+strings.ToLower(ref)+"]", "-c", path); code != 0 || out2 != out {
		t.Errorf("show [%s] -c: %d %q\n%s", strings.ToLower(ref), code, errs, out2)
	}
	if code, _, _ := runCLI(t, "show", "-c", path, "DRP-1999-0001"); code != 1 {
		t.Errorf("show missing: exit %d", code)
	}
	from, to := time.Now().AddDate(0, 0, -7).Format("2006-01-02"), time.Now().AddDate(0, 0, 60).Format("2006-01-02")
	for format, want := range map[string]string{"md": "## Alerts by stage and month: IROs", "csv": "Alerts by stage and month: IROs", "html": "<svg"} {
		code, out, errs := runCLI(t, "report", "-c", path, "--from", from, "--to", to, "--format", format)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("report --format %s: %d %q\n%.300s", format, code, errs, out)
		}
	}
	if code, _, _ := runCLI(t, "report", "-c", path, "--format", "pdf"); code != 2 {
		t.Errorf("report --format pdf: exit %d", code)
	}
	if code, _, _ := runCLI(t, "report", "-c", path, "--quarter", "2026Q7"); code != 2 {
		t.Errorf("report --quarter 2026Q7: exit %d", code)
	}
}

func listOut(t *testing.T, path string) string {
	_, out, _ := runCLI(t, "list", "-c", path, "--open")
	return out
}
