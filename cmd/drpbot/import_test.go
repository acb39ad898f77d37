package main

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/sandbox"
)

// TestImportCommand: `drpbot import` over a mailbox with an alert from
// last year prints the onboarding summary and emails it to QA alone; the
// alert's people hear nothing; a second run only reads new mail.
func TestImportCommand(t *testing.T) {
	users := map[string]string{"lac@c.test": "pw", "iro@c.test": "pw", "pl@c.test": "pw", "sm@c.test": "pw", "qa@c.test": "pw"}
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
password_file = "` + filepath.Join(dir, "pw") + `"
[smtp]
host = "` + sh + `"
port = ` + sp + `
security = "plain"
username = "lac@c.test"
password_file = "` + filepath.Join(dir, "pw") + `"
[directory]
qa = ["qa@c.test"]
[[directory.person]]
email = "pl@c.test"
roles = ["practice_lead"]
manager = "sm@c.test"
[[directory.person]]
email = "sm@c.test"
roles = ["service_manager"]
[store]
path = "` + filepath.Join(dir, "d.db") + `"
`
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(cfg), 0o600)
	old := time.Now().AddDate(-1, 0, 0)
	for i, child := range []string{"1234567", "7654321"} {
		at := old.AddDate(0, i*6, 0)
		alert := "From: iro@c.test\r\nTo: pl@c.test\r\nCc: lac@c.test\r\nSubject: Dispute Resolution Alert - Stage 1 - " + child + "\r\nMessage-ID: <a" + child + "@c.test>\r\nDate: " +
			at.Format(time.RFC1123Z) + "\r\n\r\nFORMAL STAGE 1\r\n"
		sb.Deliver([]byte(alert), "lac@c.test")
	}
	since := old.AddDate(0, 3, 0).Format("02/01/2006")
	code, out, errs := runCLI(t, "import", "-c", path, "--since", since)
	if code != 0 || !strings.Contains(out, "Disputes found: 1 ") || !strings.Contains(out, "Messages read: 2 (1 before") || !strings.Contains(out, "1 emails sent") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	if sb.Received("qa@c.test") != 1 || sb.Received("iro@c.test") != 0 || sb.Received("pl@c.test") != 0 || sb.Received("sm@c.test") != 0 {
		t.Errorf("emails: qa %d, iro %d, pl %d, sm %d; want the summary to QA only", sb.Received("qa@c.test"), sb.Received("iro@c.test"), sb.Received("pl@c.test"), sb.Received("sm@c.test"))
	}
	// Imported disputes are listed and shown like any other.
	code, out, _ = runCLI(t, "list", "-c", path)
	ref := regexp.MustCompile(`DRP-\d{4}-\d{4}`).FindString(out)
	if code != 0 || ref == "" || strings.Contains(out, "1234567") {
		t.Errorf("list after the import: %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "show", "-c", path, ref); code != 0 || !strings.Contains(out, "7654321") {
		t.Errorf("show %s: %d\n%s", ref, code, out)
	}
	code, out, _ = runCLI(t, "import", "-c", path)
	if code != 0 || !strings.Contains(out, "imported before") || sb.Received("qa@c.test") != 1 {
		t.Errorf("second import: %d %q, QA has %d", code, out, sb.Received("qa@c.test"))
	}
	if code, _, _ := runCLI(t, "import", "-c", path, "--since", "soon"); code != 2 {
		t.Errorf("bad --since: exit %d", code)
	}
}
