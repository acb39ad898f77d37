package mailbot

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
)

// freezeProxy stands between drpbot and the sandbox's IMAP server and can
// freeze the connections open at a moment, as SIGSTOP freezes the server
// process serving one: the socket stays open (the kernel still accepts
// bytes) and nothing is answered. New connections are served.
type freezeProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []*atomic.Bool // each open connection's frozen flag
}

func newFreezeProxy(t *testing.T, target string) *freezeProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezeProxy{l: l, target: target}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			frozen := &atomic.Bool{}
			p.mu.Lock()
			p.conns = append(p.conns, frozen)
			p.mu.Unlock()
			pipe := func(dst, src net.Conn) {
				defer dst.Close()
				defer src.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := src.Read(buf)
					for frozen.Load() {
						time.Sleep(10 * time.Millisecond)
					}
					if n > 0 {
						if _, werr := dst.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
	return p
}

func (p *freezeProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.conns {
		f.Store(true)
	}
}

func (p *freezeProxy) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.conns {
		f.Store(false)
	}
}

// lastConn remembers the socket of the watcher's latest connection.
type lastConn struct {
	mu    sync.Mutex
	c     net.Conn
	times []time.Time
}

func (l *lastConn) hook(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c = c
	l.times = append(l.times, time.Now())
}

func (l *lastConn) get() (net.Conn, []time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c, append([]time.Time(nil), l.times...)
}

// dovecotProcessOf finds the Dovecot imap process serving the connection
// whose local (client) port is port: the socket's inode from
// /proc/net/tcp, the process holding it from /proc/*/fd, checked to be an
// "imap" process (never the master) that `doveadm who` lists for user.
func dovecotProcessOf(t *testing.T, serverPort, port int, user string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Fatal(err)
	}
	local := fmt.Sprintf("0100007F:%04X", serverPort)
	remote := fmt.Sprintf("0100007F:%04X", port)
	inode := ""
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 9 && f[1] == local && f[2] == remote {
			inode = f[9]
		}
	}
	if inode == "" || inode == "0" {
		t.Fatalf("no server socket for 127.0.0.1:%d <- :%d in /proc/net/tcp", serverPort, port)
	}
	want := "socket:[" + inode + "]"
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range dirs {
		if l, err := os.Readlink(fd); err == nil && l == want {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			if strings.TrimSpace(string(comm)) == "imap" {
				pids = append(pids, pid)
			}
		}
	}
	if len(pids) != 1 {
		t.Fatalf("imap processes holding the connection: %v", pids)
	}
	if conf := os.Getenv("DRPBOT_TEST_DOVECOT_CONF"); conf != "" {
		out, err := exec.Command("doveadm", "-c", conf, "who", user).CombinedOutput()
		if err != nil {
			t.Fatalf("doveadm who: %v %s", err, out)
		}
		if !strings.Contains(string(out), strconv.Itoa(pids[0])) {
			t.Fatalf("process %d is not among %s's in doveadm who:\n%s", pids[0], user, out)
		}
	}
	return pids[0]
}

// TestHungServer: the server serving the watcher's connection freezes
// mid-IDLE (SIGSTOP against Dovecot; a proxy that stops forwarding against
// the sandbox). The IDLE is ended every poll interval, the DONE goes
// unanswered, imap.timeout drops the connection (an ERROR, counted), a new
// one is made, and the alert sent meanwhile is recorded.
func TestHungServer(t *testing.T)     { hungServer(t, false) }
func TestHungServerReal(t *testing.T) { hungServer(t, true) }

func hungServer(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.cfg.IMAP.Timeout = config.Duration{Duration: 2 * time.Second}
	w.cfg.IMAP.PollInterval = config.Duration{Duration: time.Second}
	w.bot.watch.backoff = &backoffPolicy{first: 100 * time.Millisecond, max: time.Second, refusedFirst: time.Second, refusedMax: 2 * time.Second}
	conns := &lastConn{}
	w.bot.watch.onConnect = conns.hook
	w.at(2, 9)
	var freeze func()
	if !real {
		p := newFreezeProxy(t, w.ms.imapAddr)
		_, port, _ := net.SplitHostPort(p.l.Addr().String())
		w.cfg.IMAP.Port, _ = strconv.Atoi(port)
		freeze = p.freeze
		t.Cleanup(p.thaw)
	} else {
		_, sport, _ := net.SplitHostPort(w.ms.imapAddr)
		serverPort, _ := strconv.Atoi(sport)
		freeze = func() {
			c, _ := conns.get()
			port := c.LocalAddr().(*net.TCPAddr).Port
			pid := dovecotProcessOf(t, serverPort, port, addrOf("lac"))
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
			t.Logf("SIGSTOP dovecot imap process %d (the watcher's connection, port %d)", pid, port)
		}
	}
	count, send := alertFeed(t, w, "606060", 2, "hung")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.Watch(ctx, "INBOX")
	}()
	defer func() {
		cancel()
		if c, _ := conns.get(); c != nil {
			c.Close() // so that a watcher stuck for ever fails the test rather than hangs it
		}
		wg.Wait()
	}()

	send(1)
	waitUntil(t, "the first alert over IDLE", func() bool { return count() == 1 })
	waitUntil(t, "the watcher idling", func() bool { return strings.Contains(w.logs.String(), "msg=idle ") })
	freeze()
	frozen := time.Now()
	send(2)
	waitUntil(t, "the alert sent while the server hung", func() bool { return count() == 2 })
	t.Logf("alert recorded %v after the server froze (poll interval 1s, timeout 2s)", time.Since(frozen).Round(10*time.Millisecond))
	if n := w.bot.imapErrors(kindTimeout); n < 1 {
		t.Errorf("timeouts counted: %d", n)
	}
	logs := w.logs.String()
	if !strings.Contains(logs, `level=ERROR msg="imap server did not answer; connection dropped"`) {
		t.Error("the hung server was not logged as an ERROR")
	}
	waitUntil(t, "the recovery logged", func() bool { return strings.Contains(w.logs.String(), "imap connection restored") })
}

// TestLoginRefusedTurnsHealthRed: a refused login (a wrong password,
// against Dovecot in CI) is an ERROR, counted in /metrics; after
// healthFailLimit refusals in a row /healthz is red and the QA inbox gets
// one email; the waits after a refusal are the long ones; with the right
// password back, health is green again.
func TestLoginRefusedTurnsHealthRed(t *testing.T)     { loginRefused(t, false) }
func TestLoginRefusedTurnsHealthRedReal(t *testing.T) { loginRefused(t, true) }

func loginRefused(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.bot.Now = time.Now
	w.cfg.IMAP.PollInterval = config.Duration{Duration: time.Second}
	bo := backoffPolicy{first: 20 * time.Millisecond, max: 100 * time.Millisecond, refusedFirst: 400 * time.Millisecond, refusedMax: 800 * time.Millisecond}
	w.bot.watch.backoff = &bo
	conns := &lastConn{}
	w.bot.watch.onConnect = conns.hook
	pw := filepath.Join(t.TempDir(), "imap-password") // the IMAP login's own, so SMTP keeps working
	os.WriteFile(pw, []byte(testPassword), 0o600)
	w.cfg.IMAP.PasswordFile = pw
	srv := httptest.NewServer(w.bot.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.Watch(ctx, "INBOX")
	}()
	defer func() { cancel(); wg.Wait() }()
	waitUntil(t, "a healthy watcher", func() bool { code, _ := get("/healthz"); return code == 200 })

	// The password is changed under drpbot, and the connection drops.
	os.WriteFile(pw, []byte("wrong-password"), 0o600)
	c, before := conns.get()
	c.Close()
	var body string
	waitUntil(t, "/healthz red", func() bool {
		var code int
		code, body = get("/healthz")
		return code == 503
	})
	// Not at the first failure: a dropped connection then two refusals.
	if n := w.bot.imapFailuresInARow(); n < healthFailLimit {
		t.Errorf("red after %d failures in a row, want %d", n, healthFailLimit)
	}
	if !strings.Contains(body, "imap login refused") {
		t.Errorf("/healthz says %q", body)
	}
	_, metrics := get("/metrics")
	for _, want := range []string{`drpbot_imap_errors_total{kind="login_refused"} `, "drpbot_healthy 0", "drpbot_imap_failures_in_a_row "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(w.logs.String(), `level=ERROR msg="imap login refused"`) {
		t.Error("a refused login was not logged as an ERROR")
	}
	// Refused logins are retried only after the long waits.
	_, times := conns.get()
	refusals := times[len(before):]
	for i := 1; i < len(refusals); i++ {
		if gap := refusals[i].Sub(refusals[i-1]); gap < bo.refusedFirst*3/4 {
			t.Errorf("login retried %v after a refusal, want at least %v", gap, bo.refusedFirst*3/4)
		}
	}
	// The QA inbox is told once, however often it fails.
	waitUntil(t, "more refusals", func() bool { return w.bot.imapErrors(kindLoginRefused) >= healthFailLimit+2 })
	if _, failed, err := w.bot.Drain(context.Background(), time.Now()); err != nil || failed > 0 {
		t.Fatalf("drain: %d failed, %v", failed, err)
	}
	qa := w.ms.waitFor(t, addrOf("qa"), 1)
	if len(qa) != 1 || qa[0].Subject != "drpbot cannot read the shared mailbox (login refused)" {
		t.Errorf("QA inbox: %q", subjects(qa))
	}
	// The password is put right: green again at the next try.
	os.WriteFile(pw, []byte(testPassword), 0o600)
	waitUntil(t, "/healthz green again", func() bool { code, _ := get("/healthz"); return code == 200 })
	waitUntil(t, "the recovery logged", func() bool { return strings.Contains(w.logs.String(), "imap connection restored") })
	if len(w.ms.inbox(t, addrOf("qa"))) != 1 {
		t.Error("QA told more than once")
	}
}

// TestTLSFailureTurnsHealthRed: an untrusted certificate is an ERROR of
// its own kind and a red /healthz, not a WARN for ever.
func TestTLSFailureTurnsHealthRed(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.bot.Now = time.Now
	w.bot.watch.backoff = &backoffPolicy{first: 10 * time.Millisecond, max: 50 * time.Millisecond, refusedFirst: time.Second, refusedMax: time.Second}
	if err := w.ms.sb.EnableTLS(); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(w.ms.sb.IMAPSAddr)
	w.cfg.IMAP.Host, w.cfg.IMAP.Security = "localhost", "tls"
	w.cfg.IMAP.Port, _ = strconv.Atoi(port)
	w.bot.Metrics.LastSync.Store(time.Now().Unix()) // it was reading the mailbox until now
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.Watch(ctx, "INBOX")
	}()
	defer func() { cancel(); wg.Wait() }()
	waitUntil(t, "TLS failures", func() bool { return w.bot.imapErrors(kindTLS) >= healthFailLimit })
	problems := strings.Join(w.bot.unhealthy(), "\n")
	if !strings.Contains(problems, "imap tls") || !strings.Contains(problems, "certificate") {
		t.Errorf("/healthz says %q", problems)
	}
	if !strings.Contains(w.logs.String(), `level=ERROR msg="imap tls failed"`) {
		t.Error("a TLS failure was not logged as an ERROR")
	}
}

// TestSMTPTLSFailureTurnsHealthRed: an untrusted SMTP certificate is an
// ERROR and a red /healthz until a connection succeeds.
func TestSMTPTLSFailureTurnsHealthRed(t *testing.T) {
	w := newWorld(t, false, "newham")
	if err := w.ms.sb.EnableTLS(); err != nil {
		t.Fatal(err)
	}
	w.cfg.SMTP.Host, w.cfg.SMTP.Security = "localhost", "starttls"
	w.at(2, 9)
	w.ms.sb.Deliver(email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 2424242", "<stls@drpbot.test>", "", w.now, "x"), addrOf("lac"))
	if _, err := w.bot.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, failed, _ := w.bot.Drain(t.Context(), w.now); failed != 1 {
		t.Fatalf("untrusted SMTP certificate accepted (%d failed)", failed)
	}
	if p := strings.Join(w.bot.healthProblems(), "\n"); !strings.Contains(p, "smtp tls failed") {
		t.Errorf("/healthz says %q", p)
	}
	if !strings.Contains(w.logs.String(), `level=ERROR msg="smtp tls failed; nothing can be sent until it is mended"`) {
		t.Error("not an ERROR")
	}
	w.cfg.SMTP.InsecureSkipVerify = true
	w.now = w.now.Add(2 * time.Minute)
	w.drain(t)
	if p := w.bot.healthProblems(); len(p) != 0 {
		t.Errorf("still red after a good connection: %q", p)
	}
}

// TestUnreachableTurnsHealthRed: a server nobody answers on is an ERROR
// each time, retried within about a minute at most, and red after
// healthFailLimit tries.
func TestUnreachableTurnsHealthRed(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.bot.Now = time.Now
	w.bot.watch.backoff = &backoffPolicy{first: 10 * time.Millisecond, max: 40 * time.Millisecond, refusedFirst: time.Second, refusedMax: time.Second}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close() // nothing listens there now
	w.cfg.IMAP.Port, _ = strconv.Atoi(port)
	w.bot.Metrics.LastSync.Store(time.Now().Unix())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.Watch(ctx, "INBOX")
	}()
	defer func() { cancel(); wg.Wait() }()
	waitUntil(t, "red", func() bool { return len(w.bot.healthProblems()) > 0 })
	if n := w.bot.imapErrors(kindUnreachable); n < healthFailLimit {
		t.Errorf("%d unreachable counted", n)
	}
	if p := strings.Join(w.bot.healthProblems(), "\n"); !strings.Contains(p, "imap unreachable") {
		t.Errorf("/healthz says %q", p)
	}
	if !strings.Contains(w.logs.String(), `level=ERROR msg="imap server unreachable"`) {
		t.Error("not an ERROR")
	}
}

// TestReconnectWaits: the waits between tries double from the first to
// the cap (about a minute by default) and no further; after a refused
// login they start long.
func TestReconnectWaits(t *testing.T) {
	var got, refused []string
	for n := 1; n <= 10; n++ {
		got = append(got, defaultBackoff.wait(false, n).String())
		refused = append(refused, defaultBackoff.wait(true, n).String())
	}
	if s := strings.Join(got, " "); s != "1s 2s 4s 8s 16s 32s 1m0s 1m0s 1m0s 1m0s" {
		t.Errorf("waits after failures: %s", s)
	}
	if s := strings.Join(refused, " "); s != "5m0s 10m0s 20m0s 40m0s 1h0m0s 1h0m0s 1h0m0s 1h0m0s 1h0m0s 1h0m0s" {
		t.Errorf("waits after refused logins: %s", s)
	}
	for i := 0; i < 1000; i++ {
		j := jitter(time.Minute)
		if j < 45*time.Second || j > 75*time.Second {
			t.Fatalf("jitter(1m) = %v", j)
		}
	}
}
