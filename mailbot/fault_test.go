package mailbot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// waitUntil polls cond (bounded); real servers and IDLE are asynchronous.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWatchSurvivesIMAPRestart: the watcher IDLEs; the server restarts;
// alerts sent while it was down and after are all picked up, once.
func TestWatchSurvivesIMAPRestart(t *testing.T)     { watchRestart(t, false, true) }
func TestWatchSurvivesIMAPRestartReal(t *testing.T) { watchRestart(t, true, true) }

// TestWatchPolling is the same without IDLE: polling every poll interval.
func TestWatchPolling(t *testing.T) { watchRestart(t, false, false) }

func watchRestart(t *testing.T, real, idle bool) {
	w := newWorld(t, real, "newham")
	w.cfg.IMAP.Idle = idle
	w.at(2, 9)
	restart := func() {
		if !real {
			if err := w.ms.sb.RestartIMAP(300 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			return
		}
		conf := os.Getenv("DRPBOT_TEST_DOVECOT_CONF")
		if conf == "" {
			t.Fatal("DRPBOT_TEST_DOVECOT_CONF not set: cannot restart Dovecot")
		}
		if out, err := exec.Command("doveadm", "-c", conf, "stop").CombinedOutput(); err != nil {
			t.Fatalf("doveadm stop: %v %s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
		// Run, not CombinedOutput: the daemon would hold the pipe open.
		noInheritedFDs()
		if err := exec.Command("dovecot", "-c", conf).Run(); err != nil {
			t.Fatalf("dovecot: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.Watch(ctx, "INBOX")
	}()
	defer func() { cancel(); wg.Wait() }()
	count, send := alertFeed(t, w, "404040", 3, "w")
	send(1)
	waitUntil(t, "the first alert over IDLE", func() bool { return count() == 1 })
	restart()
	send(2) // while the watcher reconnects
	waitUntil(t, "the alert sent during the restart", func() bool { return count() == 2 })
	send(3)
	waitUntil(t, "an alert after the restart", func() bool { return count() == 3 })
	time.Sleep(200 * time.Millisecond)
	if n := count(); n != 3 {
		t.Errorf("%d disputes for 3 alerts", n)
	}
	if used := strings.Contains(w.logs.String(), "msg=idle "); used != idle {
		t.Errorf("IDLE used: %v, configured: %v", used, idle)
	}
}

// noInheritedFDs marks every descriptor this process inherited beyond
// stdin, stdout and stderr close-on-exec, so that a daemon a test starts
// does not keep them. `flock /tmp/drpbot-mail.lock go test ...` hands the
// test binary the lock's descriptor; a Dovecot restarted here inherited it
// and held the shared mail lock for as long as it ran, so that every other
// test run waited for ever (flock -o avoids it from the caller's side).
func noInheritedFDs() {
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}

// TestKilledAndRestarted20Times runs the daemon in a child process and
// kills it with SIGKILL at random points of a busy run, 20 times, then lets
// it finish: no alert is lost and no email is sent twice.
func TestKilledAndRestarted20Times(t *testing.T) { killRestart(t, false) }
func TestKilledAndRestarted20TimesReal(t *testing.T) {
	killRestart(t, true)
}

func killRestart(t *testing.T, real bool) {
	if os.Getenv("DRPBOT_DAEMON_CHILD") != "" {
		return
	}
	w := newWorld(t, real, "newham")
	cfgPath := filepath.Join(filepath.Dir(w.cfg.Path("x")), "config.toml")
	w.bot.Store().Close() // the child owns the store
	const alerts = 40
	sent := 0
	logFile, err := os.Create(filepath.Join(t.TempDir(), "daemon.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		b, _ := os.ReadFile(logFile.Name())
		recovered := strings.Count(string(b), "found sent before a restart")
		t.Logf("%d daemon starts, %d emails sent, %d found already sent after a kill", strings.Count(string(b), "drpbot running"),
			strings.Count(string(b), "msg=sent "), recovered)
		if recovered == 0 {
			t.Error("no kill landed mid-send: the test did not test the send path")
		}
		if t.Failed() {
			t.Logf("daemon log (last 4000 bytes):\n%s", b[max(0, len(b)-4000):])
		}
	}()
	var child *exec.Cmd
	round := 0
	start := func() {
		round++
		child = exec.Command(os.Args[0], "-test.run=TestDaemonChild$")
		child.Env = append(os.Environ(), "DRPBOT_DAEMON_CHILD="+cfgPath, fmt.Sprintf("DRPBOT_DAEMON_ROUND=%d", round))
		if round <= 20 && round%2 == 1 {
			child.Env = append(child.Env, "DRPBOT_DAEMON_DIE_MIDSEND=1")
		}
		child.Stderr = logFile
		child.Stdout = logFile
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for kill := 0; kill < 20; kill++ {
		start()
		// Two alerts a round, sent while the daemon works.
		for k := 0; k < 2 && sent < alerts; k++ {
			a := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
				fmt.Sprintf("Dispute Resolution Alert - Stage 1 - 50%05d", sent), fmt.Sprintf("<k%d@drpbot.test>", sent), "", time.Now(), fmt.Sprintf("Child ID: 50%05d", sent))
			if err := submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, a); err != nil {
				t.Fatal(err)
			}
			sent++
			time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
		}
		time.Sleep(time.Duration(50+rand.IntN(400)) * time.Millisecond)
		child.Process.Kill()
		child.Wait()
	}
	for sent < alerts {
		a := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			fmt.Sprintf("Dispute Resolution Alert - Stage 1 - 50%05d", sent), fmt.Sprintf("<k%d@drpbot.test>", sent), "", time.Now(), fmt.Sprintf("Child ID: 50%05d", sent))
		submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, a)
		sent++
	}
	// Let it finish its work, including emails whose attempt a kill
	// interrupted (they wait a minute: the child's clock runs ahead).
	start()
	waitUntil(t, "every acknowledgement", func() bool { return len(w.ms.inbox(t, addrOf("iro"))) >= alerts })
	time.Sleep(500 * time.Millisecond)
	child.Process.Kill()
	child.Wait()

	s, err := store.Open(w.cfg.Path(w.cfg.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx *store.Tx) error {
		for i := 0; i < alerts; i++ {
			if n := len(tx.ByChild(fmt.Sprintf("50%05d", i))); n != 1 {
				t.Errorf("alert %d: %d disputes", i, n)
			}
		}
		return nil
	})
	seen := map[string]int{}
	for _, f := range w.ms.inbox(t, addrOf("iro")) {
		seen[f.MessageID]++
	}
	if len(seen) != alerts {
		t.Errorf("%d distinct acknowledgements for %d alerts", len(seen), alerts)
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
}

// TestDaemonChild is the daemon the kill test starts.
func TestDaemonChild(t *testing.T) {
	path := os.Getenv("DRPBOT_DAEMON_CHILD")
	if path == "" {
		return
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c.IMAP.PollInterval = config.Duration{Duration: 100 * time.Millisecond}
	c.SMTP.MaxPerRecipientPerDay = 1000 // the IRO gets 40 acknowledgements today
	st, err := store.Open(c.Path(c.Store.Path))
	for i := 0; err != nil && i < 100; i++ { // the last child may still hold the lock for a moment
		time.Sleep(50 * time.Millisecond)
		st, err = store.Open(c.Path(c.Store.Path))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := New(c, st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	// Each restart runs two minutes further ahead of the wall clock, so
	// that an interrupted attempt's one-minute wait has passed for the
	// next daemon, as it would have in real time.
	round, _ := strconv.Atoi(os.Getenv("DRPBOT_DAEMON_ROUND"))
	b.Now = func() time.Time { return time.Now().Add(time.Duration(round) * 2 * time.Minute) }
	b.sendLimit = 5
	// Odd kill rounds die mid-send, deterministically: right after the
	// server accepted an email and before that was recorded, so the next
	// round must find the email's copy rather than send it again.
	if os.Getenv("DRPBOT_DAEMON_DIE_MIDSEND") != "" {
		b.sendHook = func(point string, _ store.OutboxRow) {
			if point == "accepted" {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.Run(ctx)
}
