package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// TestKillMidSend kills the sender with SIGKILL at chosen points of an
// SMTP transaction, in a child process, and restarts it:
//
//   - after the server accepted an email and before drpbot recorded it,
//     with the shared mailbox's copies then filed into another folder by a
//     mail rule (smtp.copy_folders names it): the email is found there and
//     not sent again;
//   - the same with the shared mailbox unreachable on restart: the email
//     that may have gone waits (it is not resent), while the emails that
//     certainly had not reached their final dot are sent; once the mailbox
//     answers, the waiting one is found and not resent;
//   - just before the final dot: the server never took it; it is sent once.
func TestKillMidSend(t *testing.T)     { killMidSend(t, false) }
func TestKillMidSendReal(t *testing.T) { killMidSend(t, true) }

func killMidSend(t *testing.T, real bool) {
	if os.Getenv("DRPBOT_SEND_CHILD") != "" {
		return
	}
	w := newWorld(t, real, "newham")
	cfgPath := filepath.Join(filepath.Dir(w.cfg.Path("x")), "config.toml")
	w.at(2, 9)
	resetFolder(t, w.ms, addrOf("lac"), "Filed")
	const n = 5
	queue(t, w, "kill", n)
	w.bot.Store().Close() // the children own the store

	run := func(killAt string, ahead time.Duration, imapDown bool) (killed bool) {
		t.Helper()
		child := exec.Command(os.Args[0], "-test.run=^TestSendChild$")
		child.Env = append(os.Environ(), "DRPBOT_SEND_CHILD="+cfgPath, "DRPBOT_KILL_AT="+killAt,
			"DRPBOT_CLOCK="+w.now.Add(ahead).Format(time.RFC3339), "DRPBOT_IMAP_DOWN="+strconv.FormatBool(imapDown))
		out, err := child.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true
			}
		}
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if strings.Contains(string(out), "FAIL") {
			t.Fatalf("child failed:\n%s", out)
		}
		return false
	}
	received := func(want int) map[string]int {
		got := map[string]int{}
		for _, f := range w.ms.waitFor(t, addrOf("iro"), want) {
			got[f.MessageID]++
		}
		return got
	}
	id := func(i int) string { return fmt.Sprintf("<kill-%d@drpbot.test>", i) }

	// 1. Killed once the server accepted the third email.
	if !run("accepted:3", 0, false) {
		t.Fatal("the child was not killed after the third acceptance")
	}
	got := received(3)
	if len(got) != 3 || got[id(2)] != 1 {
		t.Fatalf("before the restart the IRO holds %v", got)
	}
	// A mail rule files drpbot's copies out of the INBOX.
	w.ms.waitFor(t, addrOf("lac"), 3)
	moveAll(t, w.ms, addrOf("lac"), "INBOX", "Filed")

	// 2. Restarted with the shared mailbox unreachable: the two emails that
	// never reached their dot go; the third waits.
	if run("", 2*time.Minute, true) {
		t.Fatal("killed without being asked")
	}
	got = received(n)
	if len(got) != n {
		t.Errorf("after the restart without IMAP: %v", got)
	}
	for i := 0; i < n; i++ {
		if got[id(i)] != 1 {
			t.Errorf("%s received %d times (mailbox unreachable)", id(i), got[id(i)])
		}
	}
	st := openStore(t, w)
	st.View(func(tx *store.Tx) error {
		row, _ := tx.Outboxed(id(2))
		if !row.Committing || !row.Sent.IsZero() {
			t.Errorf("the email that may have gone did not wait: %+v", row)
		}
		return nil
	})
	st.Close()

	// 3. The mailbox answers again: the copy in "Filed" settles it.
	run("", 6*time.Minute, false)
	time.Sleep(300 * time.Millisecond) // anything resent would be delivered by now
	got = received(n)
	for i := 0; i < n; i++ {
		if got[id(i)] != 1 {
			t.Errorf("%s received %d times", id(i), got[id(i)])
		}
	}
	st = openStore(t, w)
	st.View(func(tx *store.Tx) error {
		if tx.OutboxLen() != 0 {
			t.Errorf("outbox still holds %d", tx.OutboxLen())
		}
		row, _ := tx.Outboxed(id(2))
		if row.Sent.IsZero() {
			t.Errorf("not recorded as sent: %+v", row)
		}
		return nil
	})

	// 4. Killed just before the final dot of a new email: it never reached
	// the server, and after the restart it is sent exactly once.
	err := st.Update(func(tx *store.Tx) error {
		return tx.AddOutbox(store.OutboxRow{MessageID: "<kill-dot@drpbot.test>", To: []string{addrOf("iro")}, Subject: "reminder", Text: "x\n", Created: w.now.Add(6 * time.Minute)})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !run("dot:1", 6*time.Minute, false) {
		t.Fatal("the child was not killed at the dot")
	}
	run("", 10*time.Minute, false)
	got = received(n + 1)
	time.Sleep(300 * time.Millisecond)
	got = received(n + 1)
	if got["<kill-dot@drpbot.test>"] != 1 || len(got) != n+1 {
		t.Errorf("killed at the dot: %v", got)
	}
}

func openStore(t *testing.T, w *world) *store.Store {
	t.Helper()
	st, err := store.Open(w.cfg.Path(w.cfg.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// resetFolder deletes folder in addr's mailbox (real servers keep it
// between runs) and creates it empty.
func resetFolder(t *testing.T, ms *mailSystem, addr, folder string) {
	t.Helper()
	c := ms.login(t, addr)
	defer c.Close()
	_ = c.Delete(folder).Wait()
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
}

// moveAll moves every message of from into to, as a mail rule does.
func moveAll(t *testing.T, ms *mailSystem, addr, from, to string) {
	t.Helper()
	c := ms.login(t, addr)
	defer c.Close()
	sel, err := c.Select(from, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		t.Fatal("nothing to move: the copies never arrived")
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	if _, err := c.Move(all, to).Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestSendChild is the sender the kill test starts: it drains the outbox
// at DRPBOT_CLOCK and, when DRPBOT_KILL_AT says "point:n", kills itself
// with SIGKILL at the n-th time the transaction reaches point.
func TestSendChild(t *testing.T) {
	path := os.Getenv("DRPBOT_SEND_CHILD")
	if path == "" {
		return
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c.SMTP.CopyFolders = []string{"Filed"}
	if os.Getenv("DRPBOT_IMAP_DOWN") == "true" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c.IMAP.Port = l.Addr().(*net.TCPAddr).Port
		l.Close() // nothing listens there: connection refused
	}
	st, err := store.Open(c.Path(c.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := New(c, st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, os.Getenv("DRPBOT_CLOCK"))
	if err != nil {
		t.Fatal(err)
	}
	b.Now = func() time.Time { return now }
	b.sendLimit = 50
	if point, nth, ok := strings.Cut(os.Getenv("DRPBOT_KILL_AT"), ":"); ok {
		want, _ := strconv.Atoi(nth)
		seen := 0
		b.sendHook = func(p string, _ store.OutboxRow) {
			if p != point {
				return
			}
			if seen++; seen == want {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	for i := 0; i < 2; i++ {
		if _, _, err := b.Drain(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	}
}
