package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretFilesRelative: a relative *_file names a file beside the config
// file, whatever the working directory (systemd starts drpbot in /).
func TestSecretFilesRelative(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "imap.pw"), []byte("imap-secret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "smtp.pw"), []byte("smtp-secret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "oauth.secret"), []byte("client-secret\n"), 0o600)
	body := strings.NewReplacer(`password_env = "X_IMAP"`, `password_file = "imap.pw"`,
		`password_file = "/nonexistent/secret"`, `password_file = "./smtp.pw"`).Replace(minimal) +
		"[oauth2]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_file = \"oauth.secret\"\n"
	os.WriteFile(filepath.Join(dir, "drpbot.toml"), []byte(body), 0o600)
	// Load by a relative path from the folder's parent, then move away.
	t.Chdir(filepath.Dir(dir))
	c, err := Load(filepath.Join(filepath.Base(dir), "drpbot.toml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("/")
	if errs := c.CheckSecrets(); len(errs) != 0 {
		t.Errorf("secrets: %v", errs)
	}
	for _, s := range []struct {
		secret Secret
		want   string
	}{{c.IMAP.Password(), "imap-secret"}, {c.SMTP.Password(), "smtp-secret"}, {c.OAuth2.ClientSecret(), "client-secret"}} {
		if v, err := s.secret.Value(); v != s.want {
			t.Errorf("%s: %q %v, want %q", s.secret.File, v, err, s.want)
		}
	}
	if got := c.Path(c.Store.Path); got != filepath.Join(dir, "drpbot.db") {
		t.Errorf("store path %s", got)
	}
	// An absolute path stays as written.
	c2, _ := Load(filepath.Join(dir, "drpbot.toml"))
	c2.SMTP.PasswordFile = "/etc/drpbot/smtp.pw"
	c2.resolveFiles()
	if c2.SMTP.PasswordFile != "/etc/drpbot/smtp.pw" {
		t.Errorf("absolute path changed: %s", c2.SMTP.PasswordFile)
	}
}

func TestCheckStore(t *testing.T) {
	dir := t.TempDir()
	load := func(storePath string) *Config {
		t.Helper()
		p := filepath.Join(dir, "c.toml")
		os.WriteFile(p, []byte(minimal+"[store]\npath = \""+storePath+"\"\n"), 0o600)
		c, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := load("drpbot.db").CheckStore(); err != nil {
		t.Errorf("writable folder: %v", err)
	}
	if err := load("missing/drpbot.db").CheckStore(); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing")+" does not exist") {
		t.Errorf("missing folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o600)
	if err := load("file/drpbot.db").CheckStore(); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("a file as the folder: %v", err)
	}
	if os.Geteuid() == 0 {
		// root may write anywhere: the read-only cases cannot fail for it.
		return
	}
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o500)
	if err := load("ro/drpbot.db").CheckStore(); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("read-only folder: %v", err)
	}
}
