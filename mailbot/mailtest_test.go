package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/sandbox"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// The test mail domain and its users. .ci/run creates the same users in
// Dovecot, so every test runs unchanged against the real servers.
const (
	testDomain   = "drpbot.test"
	testPassword = "test-password"
)

var testUsers = []string{
	"lac", "iro", "irom", "qa", "practice.lead", "deputy.practice.lead", "service.manager", "operations.director",
	"corporate.director", "ad.qa", "dcs", "social.worker", "team.manager", "ascm", "sm.safeguarding",
	"deputy.director", "safeguarding.manager", "director", "deputy.director.safeguarding", "chief.executive",
	"service.director", "pod.team.manager", "head.of.childrens.delivery", "head.of.service",
	"head.of.safeguarding", "service.lead.sru", "service.manager.sru", "cp.chair", "cprs",
	"stranger", // in no directory: the trust tests' outsider
}

func addrOf(user string) string { return user + "@" + testDomain }

// mailSystem is where the tests' mail lives: the in-process sandbox, or
// Dovecot + Postfix when DRPBOT_TEST_IMAP and DRPBOT_TEST_SMTP name them.
type mailSystem struct {
	imapAddr, smtpAddr string
	real               bool
	sb                 *sandbox.Sandbox
}

func realServers() (imapAddr, smtpAddr string) {
	return os.Getenv("DRPBOT_TEST_IMAP"), os.Getenv("DRPBOT_TEST_SMTP")
}

// newMailSystem starts the sandbox, or uses the real servers, with every
// test user's INBOX empty.
func newMailSystem(t testing.TB, real bool) *mailSystem {
	t.Helper()
	if real {
		i, s := realServers()
		if i == "" || s == "" {
			if os.Getenv("CI") != "" {
				t.Fatal("CI must provide Dovecot and an SMTP server: DRPBOT_TEST_IMAP and DRPBOT_TEST_SMTP are not set")
			}
			t.Skip("DRPBOT_TEST_IMAP/DRPBOT_TEST_SMTP not set: no real mail servers on this machine (.ci/run starts them)")
		}
		ms := &mailSystem{imapAddr: i, smtpAddr: s, real: true}
		for _, u := range testUsers {
			ms.empty(t, addrOf(u))
		}
		return ms
	}
	users := map[string]string{}
	for _, u := range testUsers {
		users[addrOf(u)] = testPassword
	}
	sb, err := sandbox.Start(users)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return &mailSystem{imapAddr: sb.IMAPAddr, smtpAddr: sb.SMTPAddr, sb: sb}
}

func (ms *mailSystem) login(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(ms.imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(addr, testPassword).Wait(); err != nil {
		t.Fatalf("login %s: %v", addr, err)
	}
	return c
}

// empty deletes everything in addr's INBOX (real servers keep mail
// between tests).
func (ms *mailSystem) empty(t testing.TB, addr string) {
	c := ms.login(t, addr)
	defer c.Close()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages > 0 {
		var all imap.SeqSet
		all.AddRange(1, 0)
		if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Expunge().Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// send submits raw over SMTP as a mail client would, for the envelope
// recipients, and waits until each holds it.
func (ms *mailSystem) send(t testing.TB, from string, rcpts []string, raw []byte) {
	t.Helper()
	before := map[string]int{}
	for _, r := range rcpts {
		before[r] = len(ms.inbox(t, r))
	}
	if err := submit(ms.smtpAddr, from, rcpts, raw); err != nil {
		t.Fatalf("submit: %v", err)
	}
	for _, r := range rcpts {
		ms.waitFor(t, r, before[r]+1)
	}
}

// submit sends raw over plain SMTP on loopback.
func submit(addr, from string, rcpts []string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

type fetched struct {
	UID                           imap.UID
	Subject, MessageID, InReplyTo string
	From                          string
	Seen                          bool
	Raw                           []byte
}

// inbox lists addr's INBOX without marking anything read.
func (ms *mailSystem) inbox(t testing.TB, addr string) []fetched {
	t.Helper()
	c := ms.login(t, addr)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Envelope: true, Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []fetched
	for _, m := range msgs {
		f := fetched{UID: m.UID, Subject: m.Envelope.Subject, MessageID: "<" + m.Envelope.MessageID + ">", Raw: m.FindBodySection(body)}
		if len(m.Envelope.InReplyTo) > 0 {
			f.InReplyTo = "<" + m.Envelope.InReplyTo[0] + ">"
		}
		if len(m.Envelope.From) > 0 {
			f.From = m.Envelope.From[0].Addr()
		}
		for _, fl := range m.Flags {
			if fl == imap.FlagSeen {
				f.Seen = true
			}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out
}

// waitFor waits (bounded) until addr holds n messages; real servers
// deliver asynchronously.
func (ms *mailSystem) waitFor(t testing.TB, addr string, n int) []fetched {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := ms.inbox(t, addr)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testConfig is a complete config for preset on ms, with the directory
// the presets need.
func testConfig(t testing.TB, ms *mailSystem, preset string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte(testPassword+"\n"), 0o600)
	ih, ip, _ := net.SplitHostPort(ms.imapAddr)
	sh, sp, _ := net.SplitHostPort(ms.smtpAddr)
	smtpAuth := `auth = "password"
username = "lac@drpbot.test"
password_file = "` + pw + `"`
	if ms.real {
		smtpAuth = `auth = "none"` // Postfix on 127.0.0.1 relays for local clients
	}
	body := fmt.Sprintf(`mailbox = "lac@drpbot.test"
[imap]
host = %q
port = %s
security = "plain"
username = "lac@drpbot.test"
password_file = %q
poll_interval = "1s"
[smtp]
host = %q
port = %s
security = "plain"
%s
[policy]
preset = %q
[directory]
qa = ["qa@drpbot.test"]
csv = "staff.csv"
[store]
path = "drpbot.db"
[privacy]
initials = true
[metrics]
listen = "127.0.0.1:0"
`, ih, ip, pw, sh, sp, smtpAuth, preset)
	os.WriteFile(filepath.Join(dir, "config.toml"), []byte(body), 0o600)
	os.WriteFile(filepath.Join(dir, "staff.csv"), []byte(staffCSV), 0o600)
	c, err := config.Load(filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// staffCSV: one line of management per preset's chain, all in one team.
const staffCSV = `email,name,roles,team,manager,deputy
iro@drpbot.test,Iris Reviewer,iro,IRO Service,irom@drpbot.test,
irom@drpbot.test,Ian Manager,iro_manager,IRO Service,,
social.worker@drpbot.test,Sam Social,social_worker,North,team.manager@drpbot.test,
team.manager@drpbot.test,Tia Team,team_manager,North,service.manager@drpbot.test,
practice.lead@drpbot.test,Pat Lead,practice_lead,North,service.manager@drpbot.test,deputy.practice.lead@drpbot.test
deputy.practice.lead@drpbot.test,Dee Deputy,practice_lead,North,service.manager@drpbot.test,
pod.team.manager@drpbot.test,Polly Pod,pod_team_manager,North,service.manager@drpbot.test,
service.manager@drpbot.test,Sue Service,service_manager;ascm,North,operations.director@drpbot.test,
operations.director@drpbot.test,Olu Ops,operations_director;deputy_director;head_of_childrens_delivery;service_director;head_of_service,,corporate.director@drpbot.test,
corporate.director@drpbot.test,Cat Corporate,corporate_director;director,,chief.executive@drpbot.test,
chief.executive@drpbot.test,Chris Chief,chief_executive,,,
dcs@drpbot.test,Dana DCS,dcs,,chief.executive@drpbot.test,
ad.qa@drpbot.test,Ade QA,ad_qa,,,
sm.safeguarding@drpbot.test,Sid Safeguarding,sm_safeguarding,,,
safeguarding.manager@drpbot.test,Sal Safeguarding,safeguarding_manager,,,
deputy.director.safeguarding@drpbot.test,Dev Safeguarding,deputy_director_safeguarding,,,
`

type world struct {
	ms   *mailSystem
	cfg  *config.Config
	bot  *Bot
	now  time.Time
	logs *syncBuffer
}

// syncBuffer is a log buffer the bot's goroutines write while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newWorld(t testing.TB, real bool, preset string) *world {
	t.Helper()
	return switchOn(t, newWorldOff(t, real, preset))
}

// switchOn runs the drpbot's first sync over the mailbox as it is (empty in
// most tests): what the test sends from now on is new mail, not history to
// import (import_test.go tests that).
func switchOn(t testing.TB, w *world) *world {
	t.Helper()
	if _, err := w.bot.Sync(context.Background()); err != nil {
		t.Fatalf("switch-on: %v", err)
	}
	return w
}

// newWorldOff is a world whose drpbot has never read the mailbox: its
// first sync imports what the mailbox holds.
func newWorldOff(t testing.TB, real bool, preset string) *world {
	t.Helper()
	return openWorld(t, real, preset, nil)
}

// openWorld builds a world whose drpbot has never read the mailbox;
// prepare, if not nil, runs on the config before the drpbot is made
// (to write a directory file, say).
func openWorld(t testing.TB, real bool, preset string, prepare func(*config.Config)) *world {
	t.Helper()
	ms := newMailSystem(t, real)
	cfg := testConfig(t, ms, preset)
	if prepare != nil {
		prepare(cfg)
	}
	st, err := store.Open(cfg.Path(cfg.Store.Path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	b, err := New(cfg, st, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{ms: ms, cfg: cfg, bot: b, logs: logs}
	b.Now = func() time.Time { return w.now }
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("drpbot log:\n%s", logs.String())
		}
		noneLeftOut(t, logs.String())
		if b.Metrics.Panics.Load() > 0 {
			t.Errorf("%d handler panics", b.Metrics.Panics.Load())
		}
	})
	return w
}

func (w *world) at(day, hour int) {
	w.now = time.Date(2026, 11, day, hour, 0, 0, 0, workdays.London)
}

// sync runs one IMAP pass and drains the outbox, as the daemon would.
func (w *world) sync(t testing.TB) {
	t.Helper()
	if _, err := w.bot.Sync(context.Background()); err != nil {
		t.Fatalf("sync: %v", err)
	}
	w.drain(t)
}

func (w *world) drain(t testing.TB) {
	t.Helper()
	if _, failed, err := w.bot.Drain(context.Background(), w.now); err != nil || failed > 0 {
		t.Fatalf("drain: %d failed, %v", failed, err)
	}
}

func (w *world) tick(t testing.TB) {
	t.Helper()
	if _, err := w.bot.Tick(w.now); err != nil {
		t.Fatalf("tick: %v", err)
	}
	w.drain(t)
}

// email writes an RFC 5322 message as Outlook would send it.
func email(from string, to, cc []string, subject, id, inReplyTo string, date time.Time, body string, extra ...string) []byte {
	return sandbox.Email{From: from, To: to, Cc: cc, Subject: subject, MessageID: id, InReplyTo: inReplyTo, Date: date, Body: body, Extra: extra}.Bytes()
}

func subjects(fs []fetched) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Subject)
	}
	return out
}

func (ms *mailSystem) appendTo(t testing.TB, addr, folder string, raw []byte) {
	t.Helper()
	c := ms.login(t, addr)
	defer c.Close()
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// alertFeed drives a watcher test: send(i) submits over SMTP, as the IRO's
// mail client would, a Stage 1 alert for child prefix+i copying the shared
// mailbox, and count tells how many disputes children prefix1..prefixN have.
func alertFeed(t *testing.T, w *world, prefix string, n int, tag string) (count func() int, send func(i int)) {
	count = func() int {
		c := 0
		w.bot.Store().View(func(tx *store.Tx) error {
			for i := 1; i <= n; i++ {
				c += len(tx.ByChild(fmt.Sprintf("%s%d", prefix, i)))
			}
			return nil
		})
		return c
	}
	send = func(i int) {
		a := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			fmt.Sprintf("Dispute Resolution Alert - Stage 1 - %s%d", prefix, i), fmt.Sprintf("<%s%d-%d@drpbot.test>", tag, i, time.Now().UnixNano()), "", w.now, "")
		if err := submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, a); err != nil {
			t.Fatal(err)
		}
	}
	return count, send
}
