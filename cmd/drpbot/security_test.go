package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigSaysWhenUnprotected: check-config says loudly when
// instructions would be accepted from anyone who forges a From, and says
// which stamp it trusts when they would not.
func TestCheckConfigSaysWhenUnprotected(t *testing.T) {
	t.Setenv("DRPBOT_IMAP_PASSWORD", "x")
	t.Setenv("DRPBOT_SMTP_PASSWORD", "y")
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, from, to string
		loud           bool
		out            string
	}{
		{"the example (on Exchange Online)", "", "", false, "authentication: NOT YET: auto turns it on at the first council message stamped by authserv-id mx.council.example or Exchange Online's AuthAs stamp"},
		{"off", `require_authenticated = "auto"`, `require_authenticated = false`, true, "authentication: OFF"},
		{"no stamp to trust", `authserv_id = "mx.council.example"`, `authserv_id = ""`, true, "authentication: OFF"},
		{"on", `require_authenticated = "auto"`, `require_authenticated = true`, false, "authentication: required (authserv-id mx.council.example)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			body := strings.Replace(string(example), c.from, c.to, 1)
			// The example's store folder (/var/lib/drpbot) is not on a test machine.
			body = strings.Replace(body, `path = "/var/lib/drpbot/drpbot.db"`, `path = "`+filepath.Join(dir, "drpbot.db")+`"`, 1)
			if c.from != "" {
				body = strings.Replace(body, `provider = "auto"`, `provider = "other"`, 1) // not Exchange Online
			}
			path := filepath.Join(dir, "config.toml")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCLI(t, "check-config", "-c", path)
			if code != 0 || !strings.Contains(out, c.out) {
				t.Errorf("exit %d out %q err %q", code, out, errs)
			}
			if loud := strings.Contains(errs, "WARNING: ") && strings.Contains(errs, "ACCEPTED UNAUTHENTICATED"); loud != c.loud {
				t.Errorf("loud warning %v, want %v: %q", loud, c.loud, errs)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(path, []byte(strings.Replace(strings.Replace(strings.Replace(string(example), `provider = "auto"`, `provider = "other"`, 1), `authserv_id = "mx.council.example"`, `authserv_id = ""`, 1), `require_authenticated = "auto"`, `require_authenticated = true`, 1)), 0o600)
	if code, _, errs := runCLI(t, "check-config", "-c", path); code != 1 || !strings.Contains(errs, "security.require_authenticated: true needs security.authserv_id") {
		t.Errorf("true without a stamp to trust: exit %d %q", code, errs)
	}
}
