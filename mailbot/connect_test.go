package mailbot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckConnect is `check-config --connect` against the sandbox and
// against Dovecot and Postfix: the right credentials log in to both
// servers, reading and sending nothing; a wrong password is a clear
// failure naming the server and the account.
func TestCheckConnect(t *testing.T)     { runCheckConnect(t, false) }
func TestCheckConnectReal(t *testing.T) { runCheckConnect(t, true) }

func runCheckConnect(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.now = time.Now()
	unread := email(addrOf("iro"), []string{addrOf("lac")}, nil, "Team meeting", "<unread@drpbot.test>", "", w.now, "Thursday at ten.")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, unread)
	before := w.ms.inbox(t, addrOf("lac"))

	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.bot.CheckConnect(ctx, &out); err != nil {
		t.Fatalf("right credentials: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "imap   ok: logged in to "+w.ms.imapAddr+" as lac@drpbot.test") ||
		!strings.Contains(out.String(), "imap   ok: folder INBOX holds 1 messages") || !strings.Contains(out.String(), "smtp   ok: ") {
		t.Errorf("output:\n%s", out.String())
	}
	after := w.ms.inbox(t, addrOf("lac"))
	if len(after) != len(before) || after[0].Seen {
		t.Errorf("the check changed the mailbox: %d messages, seen %v", len(after), after[0].Seen)
	}
	if !real {
		for _, u := range testUsers {
			if n := w.ms.sb.Received(addrOf(u)); n != 1 && u == "lac" || n != 0 && u != "lac" {
				t.Errorf("%s received %d emails", u, n)
			}
		}
	}

	// A wrong password.
	wrong := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrong, []byte("not-the-password\n"), 0o600)
	cfg := *w.cfg
	cfg.IMAP.PasswordFile, cfg.SMTP.PasswordFile = wrong, wrong
	bad, err := New(&cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = bad.CheckConnect(ctx, &out)
	if !errors.Is(err, ErrConnect) || !errors.Is(err, ErrLoginRefused) || !strings.Contains(err.Error(), "as lac@drpbot.test") || !strings.Contains(out.String(), "imap   FAILED") {
		t.Errorf("wrong IMAP password: %v\n%s", err, out.String())
	}
	if !real && (!strings.Contains(err.Error(), "smtp: log in to "+w.ms.smtpAddr+" as lac@drpbot.test") || !strings.Contains(out.String(), "smtp   FAILED")) {
		t.Errorf("wrong SMTP password: %v\n%s", err, out.String())
	}
}

// TestCheckConnectOAuth2: the token comes first; a refused client secret
// is the failure reported, and no login is tried without a token.
func TestCheckConnectOAuth2(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
	}))
	defer srv.Close()
	w := newWorld(t, false, "newham")
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	cfg := *w.cfg
	cfg.IMAP.Auth, cfg.SMTP.Auth = "oauth2", "oauth2"
	cfg.OAuth2.ClientID, cfg.OAuth2.ClientSecretFile, cfg.OAuth2.TokenURL = "app", secret, srv.URL
	b, err := New(&cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = b.CheckConnect(context.Background(), &out)
	if calls != 1 || !errors.Is(err, ErrConnect) || !strings.Contains(err.Error(), "AADSTS7000215") ||
		!strings.Contains(out.String(), "imap   skipped: no OAuth2 token") || !strings.Contains(out.String(), "smtp   skipped: no OAuth2 token") {
		t.Errorf("%d token requests; %v\n%s", calls, err, out.String())
	}
}
