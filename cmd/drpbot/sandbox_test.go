package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/sandbox"
)

// lockedBuffer is a buffer the daemon writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const daemonStaff = `email,name,roles,team,manager
pl@c.test,Pat Lead,practice_lead,North,sm@c.test
sm@c.test,Sue Service,service_manager,North,
`

// sandboxConfig starts the in-process mail sandbox and writes a config for
// it, with a directory CSV, in a new folder; it returns the config's path.
func sandboxConfig(t *testing.T) (*sandbox.Sandbox, string) {
	t.Helper()
	sb, err := sandbox.Start(map[string]string{"lac@c.test": "pw", "iro@c.test": "pw", "pl@c.test": "pw", "sm@c.test": "pw", "new.sm@c.test": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("pw"), 0o600)
	os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(daemonStaff), 0o600)
	ih, ip, _ := net.SplitHostPort(sb.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(sb.SMTPAddr)
	cfg := `mailbox = "lac@c.test"
[imap]
host = "` + ih + `"
port = ` + ip + `
security = "plain"
username = "lac@c.test"
password_file = "` + pw + `"
[smtp]
host = "` + sh + `"
port = ` + sp + `
security = "plain"
username = "lac@c.test"
password_file = "` + pw + `"
[directory]
csv = "staff.csv"
qa = ["iro@c.test"]
[store]
path = "` + filepath.Join(dir, "d.db") + `"
[metrics]
listen = "127.0.0.1:0"
`
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(cfg), 0o600)
	return sb, path
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
