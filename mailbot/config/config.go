// Package config reads drpbot's TOML configuration in two steps, as soju
// does: decode onto Defaults (unknown keys are an error, since a misspelt
// key silently ignored is a setting the council thinks it has), then
// Validate every setting and report every problem at once, each naming its
// key. `drpbot check-config` runs the same path.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
)

// ErrInvalid wraps every validation problem.
var ErrInvalid = errors.New("config: invalid")

// Duration is a time.Duration written as "15m" or "60s".
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Secret is a password or client secret, named by where to find it: an
// environment variable or a file. It is never written in the config itself.
type Secret struct {
	Env  string // read from this environment variable
	File string // or from this file (its first line)
}

// Value reads the secret; an empty result is an error.
func (s Secret) Value() (string, error) {
	switch {
	case s.Env != "":
		v := os.Getenv(s.Env)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set", s.Env)
		}
		return v, nil
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", err
		}
		v := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
		if v == "" {
			return "", fmt.Errorf("%s is empty", s.File)
		}
		return v, nil
	}
	return "", errors.New("no secret configured")
}

// Server is how to reach an IMAP or SMTP server.
type Server struct {
	Host string `toml:"host"`
	Port int    `toml:"port"`
	// Security is "tls" (implicit TLS), "starttls", or "plain" (loopback only).
	Security string `toml:"security"`
	Username string `toml:"username"`
	// Auth is "password" or "oauth2" (Microsoft 365 client credentials, XOAUTH2).
	Auth         string `toml:"auth"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`
	// InsecureSkipVerify is never on by default; for a test server only.
	InsecureSkipVerify bool `toml:"insecure_skip_verify"`
}

// Password is the server's password secret.
func (s Server) Password() Secret { return Secret{Env: s.PasswordEnv, File: s.PasswordFile} }

// Address is host:port.
func (s Server) Address() string { return net.JoinHostPort(s.Host, fmt.Sprint(s.Port)) }

// IMAP adds the watcher's settings to Server.
type IMAP struct {
	Server
	// Folders to watch; people use the shared inbox too, so drpbot only
	// reads (BODY.PEEK) and never moves, deletes or marks mail.
	Folders []string `toml:"folders"`
	// Idle waits for new mail with IDLE where the server has it; false
	// polls every PollInterval instead (for a server whose IDLE is broken).
	Idle bool `toml:"idle"`
	// PollInterval is how often to look for new mail without IDLE; with
	// IDLE, how often to look again all the same.
	PollInterval Duration `toml:"poll_interval"`
	// Timeout is how long a command may go unanswered before the
	// connection is taken for dead (a hung server), dropped and made
	// again; it bounds every IMAP operation, and an IDLE is checked every
	// poll interval.
	Timeout Duration `toml:"timeout"`
	// Start, when set, is the oldest mail the first read of a folder (the
	// import of its history) reads; older mail is ignored entirely. Zero
	// reads the whole history.
	Start Day `toml:"start"`
	// AbandonedDays is how long an open dispute found in the history may
	// have had no activity before the onboarding summary calls it
	// abandoned (calendar days); zero means 90.
	AbandonedDays int `toml:"abandoned_days"`
}

// SMTP adds the sender's settings to Server.
type SMTP struct {
	Server
	// DryRun does everything but talk to SMTP: what would be sent is
	// logged and kept in the outbox history.
	DryRun bool `toml:"dry_run"`
	// MaxPerRecipientPerDay caps the emails addressed (To, not Cc) to one
	// address in a day on their own; the rest go the same day as one
	// digest to them, and the QA inbox is told.
	MaxPerRecipientPerDay int `toml:"max_per_recipient_per_day"`
	// MaxAttempts caps the tries of one email before it is recorded as
	// failed and reported to the QA inbox.
	MaxAttempts int `toml:"max_attempts"`
	// CopyToMailbox copies the shared mailbox on every email, so the
	// shared inbox holds the whole conversation, and so that after a crash
	// mid-send drpbot can see whether an email went before trying again:
	// "cc" (the default) copies it visibly where the procedure says so
	// (a stage's cc_mailbox) and blind elsewhere, "bcc" always blind, "off"
	// never. true and false are read as "cc" and "off".
	CopyToMailbox CopyMode `toml:"copy_to_mailbox"`
	// CopyFolders are further folders of the shared mailbox where a copy of
	// drpbot's own email may be ("Sent Items", where Microsoft 365 keeps
	// what is sent over SMTP AUTH; a mail rule's folder). After a crash in
	// the middle of sending, drpbot looks there as well as in the watched
	// folders before sending again. Empty: the watched folders only.
	CopyFolders []string `toml:"copy_folders"`
}

// CopyMode is how the shared mailbox is copied: cc, bcc or off.
type CopyMode string

// Copy modes.
const (
	CopyCc  CopyMode = "cc"
	CopyBcc CopyMode = "bcc"
	CopyOff CopyMode = "off"
)

// On reports whether the mailbox is copied at all.
func (m CopyMode) On() bool { return m != CopyOff && m != "" }

// UnmarshalTOML reads "cc", "bcc", "off", or a boolean (true is "cc").
func (m *CopyMode) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case bool:
		*m = CopyOff
		if x {
			*m = CopyCc
		}
		return nil
	case string:
		switch CopyMode(strings.ToLower(x)) {
		case CopyCc, CopyBcc, CopyOff:
			*m = CopyMode(strings.ToLower(x))
			return nil
		}
	}
	return fmt.Errorf("%v is not cc, bcc or off", v)
}

// Security settings: which mail counts as the council's own (see
// README "Security" and mailbot/trust.go).
type Security struct {
	// RequireAuthenticated decides whether an instruction, a new alert and
	// a stage change count only when the council's own mail server
	// authenticated the message: "auto" (the default) turns it on at the
	// first message from the council's domain that the server has stamped;
	// true and false force it.
	RequireAuthenticated AuthMode `toml:"require_authenticated"`
	// AuthServID is the authserv-id (RFC 8601 section 2.5) the council's
	// server writes first in its Authentication-Results, e.g.
	// "mx.council.example"; only the topmost such headers are read. Empty
	// means the provider's own (mx.google.com for Google Workspace), or
	// none.
	AuthServID string `toml:"authserv_id"`
	// Provider is the shared mailbox's host: "auto" (from imap.host),
	// "exchange-online", "google" or "other". Exchange Online's
	// X-MS-Exchange-Organization-AuthAs is trusted only with
	// "exchange-online", where Exchange removes that header from mail that
	// comes from outside the organisation.
	Provider string `toml:"provider"`
	// Domains are the council's own mail domains; empty means the shared
	// mailbox's domain.
	Domains []string `toml:"domains"`
}

// AuthMode is require_authenticated: "auto", true or false.
type AuthMode string

// The values of AuthMode.
const (
	AuthAuto AuthMode = "auto"
	AuthOn   AuthMode = "true"
	AuthOff  AuthMode = "false"
)

// UnmarshalTOML reads a TOML boolean or the string "auto" (or "true",
// "false").
func (m *AuthMode) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case bool:
		*m = AuthOff
		if x {
			*m = AuthOn
		}
		return nil
	case string:
		switch AuthMode(strings.ToLower(x)) {
		case AuthAuto, AuthOn, AuthOff:
			*m = AuthMode(strings.ToLower(x))
			return nil
		}
	}
	return fmt.Errorf("%v is not \"auto\", true or false", v)
}

// The providers whose own stamps drpbot knows.
const (
	ProviderExchange = "exchange-online"
	ProviderGoogle   = "google"
	ProviderOther    = "other"
)

// MailProvider is security.provider, with "auto" read from imap.host.
func (c *Config) MailProvider() string {
	switch p := strings.ToLower(c.Security.Provider); p {
	case "", "auto":
	default:
		return p
	}
	switch h := strings.ToLower(strings.TrimSuffix(c.IMAP.Host, ".")); {
	case h == "outlook.office365.com" || h == "outlook.office.com":
		return ProviderExchange
	case h == "imap.gmail.com":
		return ProviderGoogle
	}
	return ProviderOther
}

// TrustedAuthServID is the authserv-id whose Authentication-Results count:
// security.authserv_id, or Google's own for a Google mailbox; "" for none.
func (c *Config) TrustedAuthServID() string {
	if c.Security.AuthServID != "" {
		return strings.ToLower(c.Security.AuthServID)
	}
	if c.MailProvider() == ProviderGoogle {
		return "mx.google.com"
	}
	return ""
}

// CouncilDomains are security.domains, or the shared mailbox's domain.
func (c *Config) CouncilDomains() []string {
	if len(c.Security.Domains) > 0 {
		out := make([]string, len(c.Security.Domains))
		for i, d := range c.Security.Domains {
			out[i] = strings.ToLower(strings.TrimSpace(d))
		}
		return out
	}
	if _, d, ok := strings.Cut(c.Mailbox, "@"); ok {
		return []string{strings.ToLower(d)}
	}
	return nil
}

// CanAuthenticate reports whether drpbot knows a stamp of the council's
// own server to look for: an authserv-id, or Exchange Online's.
func (c *Config) CanAuthenticate() bool {
	return c.TrustedAuthServID() != "" || c.MailProvider() == ProviderExchange
}

// SecurityWarnings say, loudly, when instructions may be accepted from a
// forged sender; check-config prints them and the daemon logs them at start.
func (c *Config) SecurityWarnings() []string {
	switch {
	case c.Security.RequireAuthenticated == AuthOff:
		return []string{"security.require_authenticated = false: INSTRUCTIONS, NEW ALERTS AND STAGE CHANGES ARE ACCEPTED UNAUTHENTICATED; anyone who forges an IRO's From can close or escalate a dispute"}
	case !c.CanAuthenticate():
		return []string{"security: no authserv_id and no Exchange Online or Google mailbox: drpbot cannot tell the council's mail server's stamp from a forged one, so INSTRUCTIONS, NEW ALERTS AND STAGE CHANGES ARE ACCEPTED UNAUTHENTICATED; set security.authserv_id"}
	}
	return nil
}

// OAuth2 is the Microsoft identity platform client-credentials flow.
type OAuth2 struct {
	TenantID         string `toml:"tenant_id"`
	ClientID         string `toml:"client_id"`
	ClientSecretEnv  string `toml:"client_secret_env"`
	ClientSecretFile string `toml:"client_secret_file"`
	// TokenURL overrides the token endpoint; empty means Microsoft's for TenantID.
	TokenURL string `toml:"token_url"`
}

// ClientSecret is the app registration's secret.
func (o OAuth2) ClientSecret() Secret {
	return Secret{Env: o.ClientSecretEnv, File: o.ClientSecretFile}
}

// Schedule holds cron specs (five fields, Europe/London).
type Schedule struct {
	Tick   string `toml:"tick"`
	Digest string `toml:"digest"`
	Report string `toml:"report"`
	// OnNonWorkingDays lets scheduled mail go out at weekends and on bank
	// holidays; off by default.
	OnNonWorkingDays bool `toml:"on_non_working_days"`
}

// Day is a date written as a TOML date (2026-12-29) or a string in ISO or
// UK order ("29/12/2026").
type Day struct{ workdays.Date }

// UnmarshalTOML reads a TOML local date or a string.
func (d *Day) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case time.Time:
		d.Date = workdays.DateOf(x)
		return nil
	case string:
		return d.Date.UnmarshalText([]byte(x))
	}
	return fmt.Errorf("%v is not a date", v)
}

// Closure is a council closure day.
type Closure struct {
	Date Day    `toml:"date"`
	Name string `toml:"name"`
}

// Calendar configures working days.
type Calendar struct {
	// Nation is england-and-wales, scotland or northern-ireland.
	Nation   string    `toml:"nation"`
	Closures []Closure `toml:"closure"`
}

// Policy picks a preset and overrides parts of it.
type Policy struct {
	Preset string `toml:"preset"`
	// Heading overrides the preset's heading; more headings are recognised
	// from [parser] headings.
	Heading      string         `toml:"heading"`
	StageWord    string         `toml:"stage_word"`
	TotalDays    *int           `toml:"total_days"`
	CapWarnDays  *int           `toml:"cap_warn_days"`
	DecisionDays *int           `toml:"decision_days"`
	Stages       []policy.Stage `toml:"stage"` // when given, replaces the preset's stages
	// Categories replaces the preset's dispute categories (the report
	// counts them; the parser reads them from the form).
	Categories []string `toml:"categories"`
	// ReportMonths replaces the months the periodic report is due in.
	ReportMonths []int `toml:"report_months"`
}

// Directory lists people inline and/or from a CSV export.
type Directory struct {
	CSV    string             `toml:"csv"` // relative to the config file
	QA     []string           `toml:"qa"`  // QA inbox addresses
	People []directory.Person `toml:"person"`
}

// Parser settings; empty lists keep the defaults.
type Parser struct {
	Headings       []string `toml:"headings"`
	StageWords     []string `toml:"stage_words"`
	ChildRefLabels []string `toml:"child_ref_labels"`
	DueLabels      []string `toml:"due_labels"`
	// Categories of concern the quarterly report counts.
	Categories []string `toml:"categories"`
}

// Store is the bbolt file and retention.
type Store struct {
	Path string `toml:"path"`
	// RetentionDays purges closed disputes this long after closing.
	RetentionDays int `toml:"retention_days"`
}

// Privacy settings.
type Privacy struct {
	// Initials shows the child's initials beside the reference in email,
	// where the alert states them.
	Initials bool `toml:"initials"`
	// Acknowledge sends the instigator an acknowledgement of each alert.
	Acknowledge bool `toml:"acknowledge"`
}

// Templates lets a council override any email template.
type Templates struct {
	// Dir holds files named like the embedded ones (reminder.txt,
	// reminder.html, layout.txt...), relative to the config file; each
	// replaces its namesake. `drpbot templates list` names them.
	Dir string `toml:"dir"`
}

// Log settings.
type Log struct {
	Format string `toml:"format"` // text | json
	Level  string `toml:"level"`  // debug | info | warn | error
}

// Metrics exposes /healthz and /metrics on Listen; on by default on
// loopback (DefaultMetricsListen), off when set to "".
type Metrics struct {
	Listen string `toml:"listen"`
}

// DefaultMetricsListen is where /healthz and /metrics are served unless
// the config says otherwise: loopback only, for a local monitor or systemd.
const DefaultMetricsListen = "127.0.0.1:9742"

// Config is the whole configuration.
type Config struct {
	// Mailbox is the shared mailbox's address: drpbot reads it and sends
	// from it.
	Mailbox string `toml:"mailbox"`
	// Mailboxes are further shared mailboxes delivered into the same IMAP
	// account (aliases, or folders named in imap.folders): Newham's CP
	// Chairs copy the CPRS inbox where IROs copy the LAC request box. A
	// dispute's emails go out from, and are copied to, the box its alert
	// came through.
	Mailboxes []string  `toml:"mailboxes"`
	IMAP      IMAP      `toml:"imap"`
	SMTP      SMTP      `toml:"smtp"`
	OAuth2    OAuth2    `toml:"oauth2"`
	Schedule  Schedule  `toml:"schedule"`
	Calendar  Calendar  `toml:"calendar"`
	Policy    Policy    `toml:"policy"`
	Directory Directory `toml:"directory"`
	Parser    Parser    `toml:"parser"`
	Store     Store     `toml:"store"`
	Privacy   Privacy   `toml:"privacy"`
	Templates Templates `toml:"templates"`
	Security  Security  `toml:"security"`
	Log       Log       `toml:"log"`
	Metrics   Metrics   `toml:"metrics"`

	// dir is the config file's folder, for relative paths.
	dir string
}

// Defaults returns the settings a key left out takes.
func Defaults() Config {
	return Config{
		IMAP: IMAP{
			Server:       Server{Port: 993, Security: "tls", Auth: "password"},
			Folders:      []string{"INBOX"},
			Idle:         true,
			PollInterval: Duration{time.Minute},
			Timeout:      Duration{time.Minute},
		},
		SMTP: SMTP{
			Server:                Server{Port: 587, Security: "starttls", Auth: "password"},
			MaxPerRecipientPerDay: 20,
			MaxAttempts:           12,
			CopyToMailbox:         CopyCc,
		},
		Schedule: Schedule{
			Tick:   "*/15 8-17 * * 1-5",
			Digest: "0 8 * * 1",
			Report: "0 7 1 1,4,7,10 *",
		},
		Calendar: Calendar{Nation: workdays.EnglandWales},
		Policy:   Policy{Preset: "newham"},
		Store:    Store{Path: "drpbot.db", RetentionDays: 3 * 365},
		Privacy:  Privacy{Acknowledge: true},
		Security: Security{RequireAuthenticated: AuthAuto, Provider: "auto"},
		Log:      Log{Format: "text", Level: "info"},
		Metrics:  Metrics{Listen: DefaultMetricsListen},
	}
}

// Load reads path onto Defaults and validates it. Every problem is in the
// returned error, one per line.
func Load(path string) (*Config, error) {
	c := Defaults()
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	if abs, err := filepath.Abs(c.dir); err == nil {
		c.dir = abs
	}
	c.resolveFiles()
	var problems []error
	for _, k := range md.Undecoded() {
		problems = append(problems, fmt.Errorf("%s: unknown key", k))
	}
	problems = append(problems, c.Validate()...)
	if len(problems) > 0 {
		return &c, invalid(path, problems)
	}
	return &c, nil
}

func invalid(path string, problems []error) error {
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = "  " + p.Error()
	}
	return fmt.Errorf("%w: %s: %d problem(s):\n%s", ErrInvalid, path, len(problems), strings.Join(lines, "\n"))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkServer(key string, s Server, oauth OAuth2) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(key+"."+format, a...)) }
	if s.Host == "" {
		bad("host: empty")
	}
	if s.Port <= 0 || s.Port > 65535 {
		bad("port: %d is not a port", s.Port)
	}
	switch s.Security {
	case "tls", "starttls":
	case "plain":
		if !isLoopback(s.Host) {
			bad("security: plain is only allowed to a loopback host, not %q", s.Host)
		}
	default:
		bad("security: %q is not tls, starttls or plain", s.Security)
	}
	switch s.Auth {
	case "password":
		if s.PasswordEnv == "" && s.PasswordFile == "" {
			bad("password_env: set password_env or password_file (never the password itself)")
		}
		if s.PasswordEnv != "" && s.PasswordFile != "" {
			bad("password_file: set password_env or password_file, not both")
		}
	case "none":
		if key != "smtp" || !isLoopback(s.Host) {
			bad("auth: none is only allowed for SMTP to a loopback relay, not %q", s.Host)
		}
	case "oauth2":
		if oauth.TenantID == "" && oauth.TokenURL == "" {
			errs = append(errs, fmt.Errorf("oauth2.tenant_id: needed for %s.auth = oauth2", key))
		}
		if oauth.ClientID == "" {
			errs = append(errs, fmt.Errorf("oauth2.client_id: needed for %s.auth = oauth2", key))
		}
		if oauth.ClientSecretEnv == "" && oauth.ClientSecretFile == "" {
			errs = append(errs, fmt.Errorf("oauth2.client_secret_env: set client_secret_env or client_secret_file for %s.auth = oauth2", key))
		}
	default:
		bad("auth: %q is not password or oauth2", s.Auth)
	}
	if s.Username == "" && s.Auth != "none" {
		bad("username: empty")
	}
	return errs
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// CronParser parses the schedule specs as Validate does.
func CronParser() cron.Parser { return cronParser }

// Validate checks every setting and returns every problem, each naming its key.
func (c *Config) Validate() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Mailbox == "" || !strings.Contains(c.Mailbox, "@") {
		bad("mailbox: %q is not an address", c.Mailbox)
	}
	for i, m := range c.Mailboxes {
		if !strings.Contains(m, "@") {
			bad("mailboxes[%d]: %q is not an address", i, m)
		}
	}
	errs = append(errs, checkServer("imap", c.IMAP.Server, c.OAuth2)...)
	errs = append(errs, checkServer("smtp", c.SMTP.Server, c.OAuth2)...)
	if len(c.IMAP.Folders) == 0 {
		bad("imap.folders: empty")
	}
	if c.IMAP.PollInterval.Duration < time.Second {
		bad("imap.poll_interval: %v is under a second", c.IMAP.PollInterval)
	}
	if c.IMAP.Timeout.Duration < time.Second {
		bad("imap.timeout: %v is under a second", c.IMAP.Timeout)
	}
	if c.IMAP.AbandonedDays < 0 {
		bad("imap.abandoned_days: %d is negative", c.IMAP.AbandonedDays)
	}
	if c.SMTP.MaxAttempts < 1 {
		bad("smtp.max_attempts: %d is under 1", c.SMTP.MaxAttempts)
	}
	if c.SMTP.MaxPerRecipientPerDay < 1 {
		bad("smtp.max_per_recipient_per_day: %d is under 1", c.SMTP.MaxPerRecipientPerDay)
	}
	for key, spec := range map[string]string{"schedule.tick": c.Schedule.Tick, "schedule.digest": c.Schedule.Digest, "schedule.report": c.Schedule.Report} {
		if spec == "" {
			continue // off
		}
		if _, err := cronParser.Parse(spec); err != nil {
			bad("%s: %v", key, err)
		}
	}
	if _, err := workdays.New(c.Calendar.Nation, nil); err != nil {
		bad("calendar.nation: %v", err)
	}
	for i, cl := range c.Calendar.Closures {
		if cl.Date.IsZero() {
			bad("calendar.closure[%d].date: empty", i)
		}
	}
	if _, err := c.BuildPolicy(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.BuildDirectory(); err != nil {
		bad("directory: %v", err)
	}
	for i, q := range c.Directory.QA {
		if !strings.Contains(q, "@") {
			bad("directory.qa[%d]: %q is not an address", i, q)
		}
	}
	if c.Store.Path == "" {
		bad("store.path: empty")
	}
	if c.Store.RetentionDays < 30 {
		bad("store.retention_days: %d is under 30 (closed disputes are kept for the quarterly report)", c.Store.RetentionDays)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		bad("log.format: %q is not text or json", c.Log.Format)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		bad("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			bad("metrics.listen: %v", err)
		}
	}
	errs = append(errs, c.validateSecurity()...)
	return errs
}

// BuildPolicy returns the preset with the config's overrides, validated.
func (c *Config) BuildPolicy() (*policy.Policy, error) {
	p, err := policy.Preset(c.Policy.Preset)
	if err != nil {
		return nil, fmt.Errorf("policy.preset: %w", err)
	}
	if c.Policy.Heading != "" {
		p.Heading = c.Policy.Heading
	}
	if c.Policy.StageWord != "" {
		p.StageWord = c.Policy.StageWord
	}
	if c.Policy.TotalDays != nil {
		p.TotalDays = *c.Policy.TotalDays
	}
	if c.Policy.CapWarnDays != nil {
		p.CapWarnDays = *c.Policy.CapWarnDays
	}
	if c.Policy.DecisionDays != nil {
		p.DecisionDays = *c.Policy.DecisionDays
	}
	if len(c.Policy.Stages) > 0 {
		p.Stages = c.Policy.Stages
	}
	if len(c.Policy.Categories) > 0 {
		p.Categories = c.Policy.Categories
	}
	if len(c.Policy.ReportMonths) > 0 {
		p.ReportMonths = c.Policy.ReportMonths
	}
	if errs := p.Validate(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = "policy." + strings.Replace(e.Error(), "stages[", "stage[", 1)
		}
		return nil, errors.New(strings.Join(msgs, "\n  "))
	}
	return &p, nil
}

// BuildCalendar returns the working-day calendar.
func (c *Config) BuildCalendar() (*workdays.Calendar, error) {
	var cl []workdays.Closure
	for _, x := range c.Calendar.Closures {
		cl = append(cl, workdays.Closure{Date: x.Date.Date, Name: x.Name})
	}
	return workdays.New(c.Calendar.Nation, cl)
}

// Path resolves p against the config file's folder (absolute once Load has
// run, so a later change of working directory does not move it).
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

// BuildDirectory returns the people from [[directory.person]] and the CSV.
func (c *Config) BuildDirectory() (*directory.Directory, error) {
	people := append([]directory.Person(nil), c.Directory.People...)
	if c.Directory.CSV != "" {
		f, err := os.Open(c.Path(c.Directory.CSV))
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		defer f.Close()
		more, err := directory.ReadCSV(f)
		if err != nil {
			return nil, err
		}
		people = append(people, more...)
	}
	return directory.New(people)
}

// ParserOptions returns the parser's settings: the defaults, the policy's
// heading and stage word, and the [parser] lists.
func (c *Config) ParserOptions() parser.Options {
	o := parser.DefaultOptions()
	if p, err := c.BuildPolicy(); err == nil {
		// The council's own headings first: the main one, then the stages'
		// own (Wakefield's "IRO Informal Dispute", "Stage 4 Formal Dispute
		// Form"); the stage itself is read from the subject's "Stage N".
		hs := p.AllHeadings()
		for i := len(hs) - 1; i >= 0; i-- {
			if !slices.Contains(o.Headings, hs[i]) {
				o.Headings = append([]string{hs[i]}, o.Headings...)
			}
		}
		if len(p.Categories) > 0 {
			o.Categories = p.Categories
		}
		if p.StageWord != "" && !slices.Contains(o.StageWords, p.StageWord) {
			o.StageWords = append(o.StageWords, p.StageWord)
		}
	}
	if len(c.Parser.Headings) > 0 {
		o.Headings = c.Parser.Headings
	}
	if len(c.Parser.StageWords) > 0 {
		o.StageWords = c.Parser.StageWords
	}
	if len(c.Parser.ChildRefLabels) > 0 {
		o.ChildRefLabels = c.Parser.ChildRefLabels
	}
	if len(c.Parser.DueLabels) > 0 {
		o.DueLabels = c.Parser.DueLabels
	}
	if len(c.Parser.Categories) > 0 {
		o.Categories = c.Parser.Categories
	}
	return o
}

// CheckSecrets reads every secret the config names, for check-config and
// start-up: a missing password is found before the first connection.
func (c *Config) CheckSecrets() []error {
	var errs []error
	check := func(key string, s Secret) {
		if _, err := s.Value(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", key, err))
		}
	}
	for _, srv := range []struct {
		key string
		s   Server
	}{{"imap", c.IMAP.Server}, {"smtp", c.SMTP.Server}} {
		if srv.s.Auth == "password" {
			check(srv.key+".password", srv.s.Password())
		}
	}
	if c.IMAP.Auth == "oauth2" || c.SMTP.Auth == "oauth2" {
		check("oauth2.client_secret", c.OAuth2.ClientSecret())
	}
	return errs
}

// Warnings are not errors but deserve a look: roles the policy names that
// nobody in the directory holds.
func (c *Config) Warnings() []string {
	p, err := c.BuildPolicy()
	if err != nil {
		return nil
	}
	d, err := c.BuildDirectory()
	if err != nil {
		return nil
	}
	var out []string
	if d.Len() == 0 {
		return []string{"directory: empty; escalations will go to the instigator and QA to route by hand"}
	}
	for _, role := range p.Roles() {
		if role == policy.RoleQA && len(c.Directory.QA) > 0 {
			continue
		}
		if len(d.Holders(role, "")) == 0 {
			out = append(out, fmt.Sprintf("directory: nobody holds the role %q that policy %s names", role, p.Name))
		}
	}
	if len(c.Directory.QA) == 0 {
		out = append(out, "directory.qa: empty; problems that need a person will reach only the instigator")
	}
	return out
}

func (c *Config) validateSecurity() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch c.Security.RequireAuthenticated {
	case AuthAuto, AuthOff, "":
	case AuthOn:
		if !c.CanAuthenticate() {
			bad("security.require_authenticated: true needs security.authserv_id (the name the council's mail server writes first in its Authentication-Results), or a mailbox on Exchange Online or Google; without one any sender could forge the stamp")
		}
	default:
		bad("security.require_authenticated: %q is not \"auto\", true or false", c.Security.RequireAuthenticated)
	}
	switch strings.ToLower(c.Security.Provider) {
	case "", "auto", ProviderExchange, ProviderGoogle, ProviderOther:
	default:
		bad("security.provider: %q is not auto, exchange-online, google or other", c.Security.Provider)
	}
	if id := c.Security.AuthServID; id != "" && (strings.ContainsAny(id, " \t;=()\"") || !strings.Contains(id, ".")) {
		bad("security.authserv_id: %q is not a host name such as mx.council.example", id)
	}
	for i, d := range c.Security.Domains {
		if d == "" || strings.ContainsAny(d, " @") || !strings.Contains(d, ".") {
			bad("security.domains[%d]: %q is not a domain", i, d)
		}
	}
	return errs
}
