package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequireAuthenticated: "auto" is the default; true, false and the
// strings are accepted; anything else, and true with no stamp to trust,
// is a problem that names its key.
func TestRequireAuthenticated(t *testing.T) {
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	load := func(t *testing.T, security string) (*Config, error) {
		t.Helper()
		body := string(example)
		i := strings.Index(body, "[security]")
		j := strings.Index(body, "[log]")
		body = body[:i] + "[security]\n" + security + "\n" + body[j:]
		path := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(path, []byte(body), 0o600)
		return Load(path)
	}
	for _, c := range []struct {
		security string
		want     AuthMode
		problem  string
	}{
		{``, AuthAuto, ""},
		{`require_authenticated = "auto"`, AuthAuto, ""},
		{`require_authenticated = true` + "\nauthserv_id = \"mx.council.example\"", AuthOn, ""},
		{`require_authenticated = "true"` + "\nprovider = \"exchange-online\"", AuthOn, ""},
		{`require_authenticated = false`, AuthOff, ""},
		{`require_authenticated = "yes"`, "", "require_authenticated"},
		{`require_authenticated = true` + "\nprovider = \"other\"", AuthOn, "security.require_authenticated: true needs security.authserv_id"},
		{`authserv_id = "mx.council.example; dmarc=pass"`, AuthAuto, "security.authserv_id"},
		{`provider = "exchange"`, AuthAuto, "security.provider"},
		{`domains = ["council@example"]`, AuthAuto, "security.domains[0]"},
	} {
		cfg, err := load(t, c.security)
		if c.problem == "" && err != nil {
			t.Errorf("%s: %v", c.security, err)
			continue
		}
		if c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)) {
			t.Errorf("%s: want a problem naming %q, got %v", c.security, c.problem, err)
			continue
		}
		if c.want != "" && cfg.Security.RequireAuthenticated != c.want {
			t.Errorf("%s: decoded %q", c.security, cfg.Security.RequireAuthenticated)
		}
	}
}

// TestProviderAndStamp: the provider is read from imap.host, and the
// stamp trusted follows from it.
func TestProviderAndStamp(t *testing.T) {
	for _, c := range []struct {
		host, provider, authserv string
		wantProvider, wantID     string
		can                      bool
	}{
		{"outlook.office365.com", "auto", "", ProviderExchange, "", true},
		{"imap.gmail.com", "auto", "", ProviderGoogle, "mx.google.com", true},
		{"imap.gmail.com", "auto", "MX.Council.example", ProviderGoogle, "mx.council.example", true},
		{"mail.council.example", "", "", ProviderOther, "", false},
		{"mail.council.example", "exchange-online", "", ProviderExchange, "", true},
	} {
		cfg := Defaults()
		cfg.Mailbox = "lac@Council.example"
		cfg.IMAP.Host, cfg.Security.Provider, cfg.Security.AuthServID = c.host, c.provider, c.authserv
		if p, id, can := cfg.MailProvider(), cfg.TrustedAuthServID(), cfg.CanAuthenticate(); p != c.wantProvider || id != c.wantID || can != c.can {
			t.Errorf("%+v: provider %s, id %q, can %v", c, p, id, can)
		}
		if d := cfg.CouncilDomains(); len(d) != 1 || d[0] != "council.example" {
			t.Errorf("council domains %v", d)
		}
		if warned := len(cfg.SecurityWarnings()) > 0; warned == c.can {
			t.Errorf("%+v: warnings %v", c, cfg.SecurityWarnings())
		}
	}
}
