package demo

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/drpbot/drpbot/mailbot/sandbox"
)

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

// startDemo runs the demo until the test ends and returns the sandbox's
// IMAP and SMTP addresses once it serves.
func startDemo(t *testing.T, opts Options) (imapAddr, smtpAddr string, out *lockedBuffer) {
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, out, opts) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	re := regexp.MustCompile(`IMAP  (\S+) port (\d+)[^\n]*\n  SMTP  \S+ port (\d+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1] + ":" + m[2], m[1] + ":" + m[3], out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the demo never served:\n%s", out.String())
	return
}

// clientSend sends as a mail client does: dated by the wall clock.
func clientSend(t *testing.T, smtpAddr, from string, to []string, subject, id string) {
	raw := sandbox.Email{From: from, To: to, Subject: subject, MessageID: id, Date: time.Now(), Body: "Child ID: 5550001\nFORMAL STAGE 1\nPlease review."}.Bytes()
	c, err := smtp.Dial(smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", from, Password)); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
}

// waitSubject waits until addr's inbox has a message whose subject holds
// want.
func waitSubject(t *testing.T, imapAddr, addr, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var got []string
	for time.Now().Before(deadline) {
		got = subjectsOf(t, imapAddr, addr)
		for _, s := range got {
			if strings.Contains(s, want) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never got %q; has %q", addr, want, got)
}

func subjectsOf(t *testing.T, imapAddr, addr string) []string {
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(addr, Password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	return out
}

// TestNoScriptAcknowledgesAtOnce: in an empty sandbox, an alert from a
// mail client (dated by the wall clock) is acknowledged straight away,
// and the clock runs on: the manager is reminded and the next level
// alerted while the newcomer watches.
func TestNoScriptAcknowledgesAtOnce(t *testing.T) {
	imapAddr, smtpAddr, _ := startDemo(t, Options{NoScript: true, Step: 300 * time.Millisecond})
	iro, pl, sm := People[0].Email, People[2].Email, People[3].Email
	clientSend(t, smtpAddr, iro, []string{pl, Mailbox}, "Dispute Resolution Alert - Stage 1 - 5550001", "<client-1@demo.test>")
	waitSubject(t, imapAddr, iro, "5550001", 5*time.Second)
	// Five working days at 300 ms a day: a few seconds.
	waitSubject(t, imapAddr, pl, "Reminder", 20*time.Second)
	waitSubject(t, imapAddr, sm, "Stage 2", 20*time.Second)
}

// TestClockRunsAfterScript: after the scripted play, the clock keeps
// running at the demo's pace: a new alert is acknowledged and, days of
// demo time later, escalated.
func TestClockRunsAfterScript(t *testing.T) {
	imapAddr, smtpAddr, out := startDemo(t, Options{Step: 100 * time.Millisecond})
	if !strings.Contains(out.String(), "The dispute is closed as resolved.") {
		t.Fatalf("the script did not finish:\n%s", out.String())
	}
	iro, pl, sm := People[0].Email, People[2].Email, People[3].Email
	before := len(subjectsOf(t, imapAddr, sm))
	clientSend(t, smtpAddr, iro, []string{pl, Mailbox}, "Dispute Resolution Alert - Stage 1 - 5550001", "<client-2@demo.test>")
	waitSubject(t, imapAddr, iro, "5550001", 5*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for len(subjectsOf(t, imapAddr, sm)) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("no escalation after the script; output:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
