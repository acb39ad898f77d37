package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoChild is the subprocess the demo tests start.
func TestDemoChild(t *testing.T) {
	if os.Getenv("DRPBOT_DEMO_CHILD") == "" {
		return
	}
	os.Exit(run(strings.Fields(os.Getenv("DRPBOT_DEMO_CHILD")), nil, os.Stdout, os.Stderr))
}

func demoCmd(args string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=TestDemoChild$")
	cmd.Env = append(os.Environ(), "DRPBOT_DEMO_CHILD="+args)
	return cmd
}

// TestDemoScenario runs `drpbot demo` end to end in a subprocess and
// checks the timeline it prints and the emails in its mailboxes.
func TestDemoScenario(t *testing.T) {
	var out, errb bytes.Buffer
	cmd := demoCmd("demo -step 20ms -exit")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), errb.String())
	}
	text := out.String()
	for _, want := range []string{
		"Iris (IRO) raises a stage 1 alert",
		"drpbot -> iro@demo.test: Dispute Resolution Alert - Stage 1 - 1234567 [DRP-2026-0001]",
		"drpbot -> practice.lead@demo.test: Reminder: Dispute Resolution Alert - Stage 1 - 1234567",
		"drpbot -> service.manager@demo.test: Dispute Resolution Alert - Stage 2 - 1234567 [DRP-2026-0001]  (cc iro@demo.test, practice.lead@demo.test, lac-requests@demo.test)", // Newham s7 Stage 2: "cc to the LAC Request email box"
		"replies inline in Outlook",
		"The dispute is closed as resolved.",
		"DRP-2026-0001  child 1234567  Stage 2  RESOLVED",
		"response from service.manager@demo.test",
		`command "resolved" from iro@demo.test`,
		"## Responses within the window",
		"| Median working days to resolution | 8 |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q:\n%s", want, text)
		}
	}
	// The reminder comes before the escalation, which comes before the close.
	if a, b, c := strings.Index(text, "Reminder:"), strings.Index(text, "Stage 2 - 1234567 [DRP"), strings.Index(text, "closed as resolved"); !(a < b && b < c) {
		t.Errorf("timeline out of order:\n%s", text)
	}
	boxes := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  (\S+@demo\.test)\s+(\d+)$`).FindAllStringSubmatch(text, -1) {
		boxes[m[1]] = m[2]
	}
	// iro: ack, escalation copy, manager's reply, acknowledgement of
	// Resolved. practice lead: alert, reminder, escalation copy, reply-all.
	// service manager: escalation, Resolved. QA: the confirmation of
	// Resolved (Newham's form: "copy to be sent to SM & QA Inbox for entry
	// onto tracker"). The shared mailbox: every email copied to it.
	want := map[string]string{"iro@demo.test": "4", "practice.lead@demo.test": "4", "service.manager@demo.test": "2", "qa@demo.test": "1"}
	for addr, n := range want {
		if boxes[addr] != n {
			t.Errorf("%s received %s, want %s (%v)", addr, boxes[addr], n, boxes)
		}
	}
	if strings.Contains(text, "Sam Child") {
		t.Error("the child's name is printed")
	}
}

// TestDemoServesUntilInterrupted: with --no-script it prints how to
// connect and stops cleanly on Ctrl-C.
func TestDemoServesUntilInterrupted(t *testing.T) {
	cmd := demoCmd("demo -no-script")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	ready := make(chan bool)
	go func() {
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.Contains(sc.Text(), "Press Ctrl-C") {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("demo ended before serving")
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("demo did not start serving")
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("demo did not stop on Ctrl-C")
	}
	for range ready { // the reader has finished with lines
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"IMAP  127.0.0.1 port", "SMTP  127.0.0.1 port", "lac-requests@demo.test", `password is "demo"`, "stopped"} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
}
