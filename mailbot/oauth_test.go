package mailbot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/config"
)

func TestXOAUTH2(t *testing.T) {
	mech, ir, err := NewXOAUTH2Client("lac@council.example", "tok").Start()
	if err != nil || mech != "XOAUTH2" || string(ir) != "user=lac@council.example\x01auth=Bearer tok\x01\x01" {
		t.Errorf("%s %q %v", mech, ir, err)
	}
}

// TestTokenSource runs the client-credentials exchange against a local
// token endpoint (Microsoft's cannot be reached from here): the form it
// posts, the caching, and a refusal's message.
func TestTokenSource(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "app" || r.Form.Get("client_secret") != "s3cret" || r.Form.Get("scope") != "https://outlook.office365.com/.default" {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret.\nTrace ID: x"}`))
			return
		}
		w.Write([]byte(`{"access_token":"abc","expires_in":3600,"token_type":"Bearer"}`))
	}))
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	ts := newTokenSource(config.OAuth2{ClientID: "app", ClientSecretFile: secret, TokenURL: srv.URL})
	for i := 0; i < 3; i++ {
		tok, err := ts.Token(context.Background())
		if err != nil || tok != "abc" {
			t.Fatalf("token %q %v", tok, err)
		}
	}
	if calls != 1 {
		t.Errorf("token fetched %d times; it is cached until near expiry", calls)
	}
	bad := newTokenSource(config.OAuth2{ClientID: "wrong", ClientSecretFile: secret, TokenURL: srv.URL})
	if _, err := bad.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "AADSTS7000215") || strings.Contains(err.Error(), "Trace") {
		t.Errorf("refusal: %v", err)
	}
	if got := newTokenSource(config.OAuth2{TenantID: "contoso"}).tokenURL(); got != "https://login.microsoftonline.com/contoso/oauth2/v2.0/token" {
		t.Errorf("token URL %s", got)
	}
}

func TestNothingSentAtWeekends(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	raise(t, w, "<we1@drpbot.test>", "1818181")
	w.at(7, 10) // Saturday, after the reminder day
	if n, err := w.bot.Tick(w.now); err != nil || n != 0 {
		t.Errorf("weekend tick queued %d (%v)", n, err)
	}
	w.at(9, 9) // Monday: the due day itself; the reminder goes now
	if n, _ := w.bot.Tick(w.now); n != 1 {
		t.Errorf("Monday tick queued %d", n)
	}
}
