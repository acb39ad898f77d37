package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// run is one finished command: its wall time and peak resident memory.
type run struct {
	wall   time.Duration
	maxRSS int64 // bytes
	out    string
}

// timed runs a command to its end and measures it. Peak memory comes from
// GNU time, which forks the command itself: a child forked from this
// (large) process would report this process's memory as its own peak.
func timed(name string, args ...string) (run, error) {
	f, err := os.CreateTemp("", "drpbench-rss-")
	if err != nil {
		return run{}, err
	}
	f.Close()
	defer os.Remove(f.Name())
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", "-o", f.Name(), name}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	r := run{wall: time.Since(start), out: out.String()}
	if b, rerr := os.ReadFile(f.Name()); rerr == nil {
		lines := strings.Fields(string(b))
		if len(lines) > 0 {
			kb, _ := strconv.ParseInt(lines[len(lines)-1], 10, 64)
			r.maxRSS = kb * 1024
		}
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), tail(errb.String(), 2000))
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// botConfig is what a drpbot config for one measurement varies.
type botConfig struct {
	user    string // IMAP user (the shared mailbox's login)
	store   string
	metrics string // listen address, "" for none
	tick    string // schedules, "" for none
	digest  string
	report  string
}

// staff is the bench council's directory: the Newham line of management.
const staff = `email,name,roles,team,manager,deputy
iro@drpbot.test,Iris Reviewer,iro,IRO Service,irom@drpbot.test,
irom@drpbot.test,Ian Manager,iro_manager,IRO Service,,
social.worker@drpbot.test,Sam Social,social_worker,North,practice.lead@drpbot.test,
practice.lead@drpbot.test,Pat Lead,practice_lead,North,service.manager@drpbot.test,deputy.practice.lead@drpbot.test
deputy.practice.lead@drpbot.test,Dee Deputy,practice_lead,North,service.manager@drpbot.test,
service.manager@drpbot.test,Sue Service,service_manager,North,operations.director@drpbot.test,
operations.director@drpbot.test,Olu Ops,operations_director,,corporate.director@drpbot.test,
corporate.director@drpbot.test,Cat Corporate,corporate_director,,,
dcs@drpbot.test,Dana DCS,dcs,,,
ad.qa@drpbot.test,Ade QA,ad_qa,,,
`

// writeConfig writes a config for c in dir and returns its path. Every
// run is a dry run: the outgoing path is measured on its own, through
// Postfix, by the mailbot package's BenchmarkSend.
func (e *env) writeConfig(dir string, c botConfig) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(e.imap)
	if err != nil {
		return "", err
	}
	shost, sport, err := net.SplitHostPort(e.smtp)
	if err != nil {
		return "", err
	}
	pw := filepath.Join(dir, "imap-password")
	if err := os.WriteFile(pw, []byte(e.password+"\n"), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(staff), 0o600); err != nil {
		return "", err
	}
	body := fmt.Sprintf(`mailbox = "lac@drpbot.test"
[imap]
host = %q
port = %s
security = "plain"
username = %q
password_file = %q
[smtp]
host = %q
port = %s
security = "plain"
auth = "none"
dry_run = true
max_per_recipient_per_day = 1000000
[schedule]
tick = %q
digest = %q
report = %q
on_non_working_days = true
[policy]
preset = "newham"
[directory]
qa = ["qa@drpbot.test"]
csv = "staff.csv"
[store]
path = %q
[log]
format = "json"
level = "info"
[metrics]
listen = %q
`, host, port, c.user, pw, shost, sport, c.tick, c.digest, c.report, c.store, c.metrics)
	path := filepath.Join(dir, "config.toml")
	return path, os.WriteFile(path, []byte(body), 0o600)
}

// daemon is a running `drpbot run`, its log read line by line.
type daemon struct {
	cmd     *exec.Cmd
	metrics string
	mu      sync.Mutex
	waiters map[string]chan time.Time // message_id -> when "message recorded" was logged
	done    chan struct{}
}

func startDaemon(bin, cfg, metrics string) (*daemon, error) {
	d := &daemon{cmd: exec.Command(bin, "run", "-c", cfg), metrics: metrics, waiters: map[string]chan time.Time{}, done: make(chan struct{})}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	go d.read(stderr)
	// Ready when /healthz says the mailbox was read.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + metrics + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d, nil
			}
		}
		select {
		case <-d.done:
			return nil, fmt.Errorf("drpbot run exited during start-up")
		case <-time.After(20 * time.Millisecond):
		}
	}
	d.stop()
	return nil, fmt.Errorf("drpbot run: not healthy after 60s")
}

func (d *daemon) read(r io.Reader) {
	defer close(d.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		at := time.Now()
		var line struct {
			Msg       string `json:"msg"`
			MessageID string `json:"message_id"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Msg != "message recorded" {
			continue
		}
		d.mu.Lock()
		ch := d.waiters[line.MessageID]
		delete(d.waiters, line.MessageID)
		d.mu.Unlock()
		if ch != nil {
			ch <- at
		}
	}
}

// expect returns a channel that receives the time messageID is recorded.
func (d *daemon) expect(messageID string) chan time.Time {
	ch := make(chan time.Time, 1)
	d.mu.Lock()
	d.waiters[messageID] = ch
	d.mu.Unlock()
	return ch
}

// status reads one field of /proc/PID/status, in bytes.
func (d *daemon) status(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n * 1024
		}
	}
	return 0
}

func (d *daemon) stop() error {
	_ = d.cmd.Process.Signal(os.Interrupt)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-d.done:
	case <-ctx.Done():
		_ = d.cmd.Process.Kill()
	}
	return d.cmd.Wait()
}

// freePort returns a loopback address nothing listens on.
func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:9631"
	}
	defer l.Close()
	return l.Addr().String()
}
