package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigConnect: `check-config --connect` logs in to both
// servers; with a wrong password it exits 1 and says which login failed.
func TestCheckConfigConnect(t *testing.T) {
	_, path := sandboxConfig(t)
	code, out, errs := runCLI(t, "check-config", "-c", path, "--connect")
	if code != 0 || !strings.Contains(out, "imap   ok: logged in to") || !strings.Contains(out, "smtp   ok: logged in as lac@c.test") || !strings.HasSuffix(out, "ok\n") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	os.WriteFile(filepath.Join(filepath.Dir(path), "pw"), []byte("wrong"), 0o600)
	code, out, errs = runCLI(t, "check-config", "-c", path, "--connect")
	if code != 1 || !strings.Contains(errs, "imap login refused: as lac@c.test") || !strings.Contains(errs, "smtp: log in to") || strings.HasSuffix(out, "ok\n") {
		t.Errorf("wrong password: exit %d\n%s\n%s", code, out, errs)
	}
}
