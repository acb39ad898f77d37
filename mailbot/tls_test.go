package mailbot

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTLS: implicit TLS for IMAP and STARTTLS for SMTP work, and an
// untrusted certificate is refused unless the config says otherwise.
func TestTLS(t *testing.T) {
	w := newWorld(t, false, "newham")
	if err := w.ms.sb.EnableTLS(); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(w.ms.sb.IMAPSAddr)
	w.cfg.IMAP.Host, w.cfg.IMAP.Security = "localhost", "tls"
	w.cfg.IMAP.Port, _ = strconv.Atoi(port)
	w.cfg.SMTP.Host, w.cfg.SMTP.Security = "localhost", "starttls"
	w.at(2, 9)
	alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")}, "Dispute Resolution Alert - Stage 1 - 2323232", "<tls1@drpbot.test>", "", w.now, "x")
	w.ms.sb.Deliver(alert, addrOf("lac"))

	// Verification is on by default: the self-signed certificate is refused.
	if _, err := w.bot.Sync(t.Context()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted IMAP certificate accepted: %v", err)
	}
	w.cfg.IMAP.InsecureSkipVerify = true
	if _, err := w.bot.Sync(t.Context()); err != nil {
		t.Fatalf("IMAP over TLS: %v", err)
	}
	if _, failed, _ := w.bot.Drain(t.Context(), w.now); failed != 1 {
		t.Fatalf("untrusted SMTP certificate accepted (%d failed)", failed)
	}
	w.cfg.SMTP.InsecureSkipVerify = true
	w.now = w.now.Add(2 * time.Minute) // past the retry wait
	w.drain(t)
	if got := w.ms.inbox(t, addrOf("iro")); len(got) != 1 {
		t.Errorf("acknowledgement over STARTTLS: %d", len(got))
	}
}
