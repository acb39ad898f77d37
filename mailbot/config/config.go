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
	// MaxPerRecipientPerDay caps the emails one address receives in a day.
	MaxPerRecipientPerDay int `toml:"max_per_recipient_per_day"`
	// MaxAttempts caps the tries of one email before it is recorded as
	// failed and reported to the QA inbox.
	MaxAttempts int `toml:"max_attempts"`
	// CopyToMailbox sends the shared mailbox a blind copy of every email,
	// so the shared inbox holds the whole conversation, and so that after
	// a crash mid-send drpbot can see whether an email went before trying
	// again.
	CopyToMailbox bool `toml:"copy_to_mailbox"`
}

// Security settings.
type Security struct {
	// RequireAuthenticated counts an instruction only when the council's
	// own mail server marked the message authenticated (DKIM/DMARC pass in
	// Authentication-Results, or Exchange's internal-origin header), so a
	// forged From cannot close a dispute.
	RequireAuthenticated bool `toml:"require_authenticated"`
	// AuthServID, when set, trusts only Authentication-Results headers
	// added by this server (the authserv-id, e.g. "mx.council.example").
	AuthServID string `toml:"authserv_id"`
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

// Metrics exposes /healthz and /metrics on Listen when set.
type Metrics struct {
	Listen string `toml:"listen"`
}

// Config is the whole configuration.
type Config struct {
	// Mailbox is the shared mailbox's address: drpbot reads it and sends
	// from it.
	Mailbox   string    `toml:"mailbox"`
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
		},
		SMTP: SMTP{
			Server:                Server{Port: 587, Security: "starttls", Auth: "password"},
			MaxPerRecipientPerDay: 20,
			MaxAttempts:           12,
			CopyToMailbox:         true,
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
		Log:      Log{Format: "text", Level: "info"},
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
	errs = append(errs, checkServer("imap", c.IMAP.Server, c.OAuth2)...)
	errs = append(errs, checkServer("smtp", c.SMTP.Server, c.OAuth2)...)
	if len(c.IMAP.Folders) == 0 {
		bad("imap.folders: empty")
	}
	if c.IMAP.PollInterval.Duration < time.Second {
		bad("imap.poll_interval: %v is under a second", c.IMAP.PollInterval)
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

// Path resolves p against the config file's folder.
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
		if p.Heading != "" && !slices.Contains(o.Headings, p.Heading) {
			o.Headings = append([]string{p.Heading}, o.Headings...)
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
