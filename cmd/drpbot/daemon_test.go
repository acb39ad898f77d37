//go:build unix

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drpbot/drpbot/store"
)

// TestDaemonReloadsOnSIGHUP runs `drpbot run` and sends the process
// SIGHUP twice: with a broken directory CSV (refused, the daemon goes on)
// and a good one (taken). SIGTERM then stops it cleanly, sockets removed.
func TestDaemonReloadsOnSIGHUP(t *testing.T) {
	_, path := sandboxConfig(t)
	dir := filepath.Dir(path)
	var out, errs lockedBuffer
	code := make(chan int, 1)
	go func() { code <- run([]string{"run", "-c", path}, strings.NewReader(""), &out, &errs) }()
	waitFor(t, "the daemon to start", func() bool { return strings.Contains(errs.String(), "drpbot running") })
	waitFor(t, "the sockets", func() bool {
		_, err1 := os.Stat(store.SocketPath(filepath.Join(dir, "d.db")))
		_, err2 := os.Stat(filepath.Join(dir, "d.db.query.sock"))
		return err1 == nil && err2 == nil
	})

	os.WriteFile(filepath.Join(dir, "staff.csv"), []byte("name,roles\nPat,practice_lead\n"), 0o600) // no email column
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the broken CSV to be refused", func() bool { return strings.Contains(errs.String(), "config reload refused") })
	if !strings.Contains(errs.String(), "no email column") {
		t.Errorf("the refusal does not say why:\n%s", errs.String())
	}

	os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(daemonStaff+"new.sm@c.test,Nia New,service_manager,South,\n"), 0o600)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the good CSV to be taken", func() bool { return strings.Contains(errs.String(), "config reloaded") })
	if !strings.Contains(errs.String(), "people=3 added=1 removed=0") {
		t.Errorf("the reload does not count the directory:\n%s", errs.String())
	}

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d\n%s", c, errs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the daemon did not stop on SIGTERM")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.sock"))
	if len(matches) > 0 {
		t.Errorf("sockets left behind: %v", matches)
	}
}

// TestLiveViewsFromDaemon: while `drpbot run` holds the store, list, show
// and report are answered by the daemon over its query socket. The backup
// socket is removed first, so a copy of the store (the old way) cannot be
// what answers.
func TestLiveViewsFromDaemon(t *testing.T) {
	sb, path := sandboxConfig(t)
	dir := filepath.Dir(path)
	alert := "From: iro@c.test\r\nTo: pl@c.test\r\nCc: lac@c.test\r\nSubject: Dispute Resolution Alert - Stage 1 - 7654321\r\nMessage-ID: <live@c.test>\r\nDate: " +
		time.Now().Add(-time.Hour).Format(time.RFC1123Z) + "\r\n\r\nFORMAL STAGE 1\r\n"
	var out, errs lockedBuffer
	code := make(chan int, 1)
	go func() { code <- run([]string{"run", "-c", path}, strings.NewReader(""), &out, &errs) }()
	defer func() {
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		if c := <-code; c != 0 {
			t.Errorf("daemon exit %d", c)
		}
	}()
	// The alert arrives once the daemon has switched on over the (empty)
	// mailbox: mail already there would be history, imported silently.
	waitFor(t, "the switch-on", func() bool { return strings.Contains(errs.String(), "import done") })
	sb.Deliver([]byte(alert), "lac@c.test")
	waitFor(t, "the alert to be recorded", func() bool { return strings.Contains(errs.String(), "message recorded") })
	ref := regexp.MustCompile(`DRP-\d{4}-\d{4}`).FindString(errs.String())
	waitFor(t, "the sockets", func() bool {
		_, err1 := os.Stat(store.SocketPath(filepath.Join(dir, "d.db")))
		_, err2 := os.Stat(filepath.Join(dir, "d.db.query.sock"))
		return err1 == nil && err2 == nil
	})
	os.Remove(store.SocketPath(filepath.Join(dir, "d.db")))

	c, listed, e := runCLI(t, "list", "-c", path, "--respondent", "pl@c.test")
	if c != 0 || !strings.Contains(listed, ref) || !strings.Contains(listed, "7654321") {
		t.Errorf("list: exit %d %q %q", c, listed, e)
	}
	c, shown, e := runCLI(t, "show", "-c", path, ref)
	if c != 0 || !strings.Contains(shown, "raised by iro@c.test") {
		t.Errorf("show: exit %d %q %q", c, shown, e)
	}
	if c, _, e := runCLI(t, "show", "-c", path, "DRP-1999-0001"); c != 1 || !strings.Contains(e, "not found") {
		t.Errorf("show unknown: exit %d %q", c, e)
	}
	from, to := time.Now().AddDate(0, 0, -7).Format("2006-01-02"), time.Now().Format("2006-01-02")
	if c, rep, e := runCLI(t, "report", "-c", path, "--from", from, "--to", to); c != 0 || !strings.Contains(rep, "Alerts by stage and month") {
		t.Errorf("report: exit %d %q\n%.300s", c, e, rep)
	}
	if c, _, e := runCLI(t, "report", "-c", path, "--format", "pdf"); c != 2 || !strings.Contains(e, "pdf") {
		t.Errorf("report --format pdf: exit %d %q", c, e)
	}
}
