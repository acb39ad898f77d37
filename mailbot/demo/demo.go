// Package demo runs drpbot with everything embedded: an in-process mail
// system on 127.0.0.1 (go-imap's in-memory server and a go-smtp server), a
// Newham-style policy, a small directory and a store in a temporary
// folder. It plays a dispute from alert to resolution on a fast clock and
// prints the timeline, then keeps serving so a person can connect a real
// mail client and play IRO and manager themselves.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/sandbox"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// Password is every demo mailbox's password.
const Password = "demo"

// People of the demo council.
var People = []struct{ Email, Name, Roles, Manager, Deputy string }{
	{"iro@demo.test", "Iris Reviewer", "iro", "iro.manager@demo.test", ""},
	{"iro.manager@demo.test", "Ian Manager", "iro_manager", "", ""},
	{"practice.lead@demo.test", "Pat Lead", "practice_lead", "service.manager@demo.test", ""},
	{"service.manager@demo.test", "Sam Service", "service_manager", "operations.director@demo.test", ""},
	{"operations.director@demo.test", "Olu Ops", "operations_director", "corporate.director@demo.test", ""},
	{"corporate.director@demo.test", "Cat Corporate", "corporate_director", "", ""},
	{"ad.qa@demo.test", "Ade Quality", "ad_qa", "", ""},
	{"dcs@demo.test", "Dana DCS", "dcs", "", ""},
}

// Mailbox is the shared mailbox; QA the QA inbox.
const (
	Mailbox = "lac-requests@demo.test"
	QA      = "qa@demo.test"
)

// Options for Run.
type Options struct {
	// NoScript starts an empty sandbox instead of playing the scenario.
	NoScript bool
	// Step is the real time between two steps of the scenario (one
	// working day); 0 means 2 seconds.
	Step time.Duration
	// Exit returns after the scenario instead of serving until ctx ends.
	Exit bool
}

// clock is the demo's fast clock: virtual time set by the scenario step
// by step, then running on its own at the demo's pace (a day per step),
// so that a newcomer's own alerts get their reminders and escalations
// while they watch.
type clock struct {
	mu     sync.Mutex
	base   time.Time     // virtual time at anchor
	anchor time.Time     // real time
	rate   time.Duration // virtual time per real second; 0 stands still
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rate == 0 {
		return c.base
	}
	return c.base.Add(time.Duration(time.Since(c.anchor).Seconds() * float64(c.rate)))
}

// set stops the clock at t.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.base, c.rate = t, 0
	c.mu.Unlock()
}

// run starts the clock from where it stands, one day per step.
func (c *clock) run(step time.Duration) {
	now := c.Now()
	c.mu.Lock()
	c.base, c.anchor = now, time.Now()
	c.rate = time.Duration(float64(24*time.Hour) / step.Seconds())
	c.mu.Unlock()
}

// tickLoop runs the scheduler on the running clock, four times a demo
// day, until ctx ends.
func tickLoop(ctx context.Context, bot *mailbot.Bot, clk *clock, step time.Duration) {
	t := time.NewTicker(max(step/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = bot.Tick(clk.Now())
		}
	}
}

// Run runs the demo, printing to out, until ctx ends (or the scenario
// does, with Options.Exit).
func Run(ctx context.Context, out io.Writer, opts Options) error {
	if opts.Step == 0 {
		opts.Step = 2 * time.Second
	}
	dir, err := os.MkdirTemp("", "drpbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	users := map[string]string{Mailbox: Password, QA: Password}
	for _, p := range People {
		users[p.Email] = Password
	}
	sb, err := sandbox.Start(users)
	if err != nil {
		return err
	}
	defer sb.Close()
	cfg, err := writeConfig(dir, sb)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.Path(cfg.Store.Path))
	if err != nil {
		return err
	}
	defer st.Close()
	// The daemon's own log goes to a file: the terminal shows the timeline.
	logFile, err := os.Create(filepath.Join(dir, "drpbot.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	bot, err := mailbot.New(cfg, st, slog.New(slog.NewTextHandler(logFile, nil)))
	if err != nil {
		return err
	}
	clk := &clock{base: time.Now()}
	bot.Now = clk.Now
	// Mail clients date their mail by the wall clock, which the demo's
	// clock runs ahead of: a message is placed at the demo's time.
	bot.ClockOnly = true
	// Switched on over the empty mailbox before anyone writes: every
	// message from now on is new mail, not history to import.
	if _, err := bot.Sync(ctx); err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		bot.Run(runCtx)
	}()
	defer func() { stop(); wg.Wait() }()
	startClock := func() {
		clk.run(opts.Step)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tickLoop(runCtx, bot, clk, opts.Step)
		}()
	}

	fmt.Fprintf(out, "drpbot demo: a council's shared mailbox, watched by drpbot (policy: %s).\n\n", bot.Policy().Council)
	if !opts.NoScript {
		s := &scenario{out: out, sb: sb, bot: bot, clk: clk, st: st, step: opts.Step, ctx: ctx}
		if err := s.play(); err != nil {
			return err
		}
	}
	if opts.Exit {
		return nil
	}
	startClock()
	printServe(out, sb)
	fmt.Fprintf(out, "The demo's clock runs on from %s, one day every %v: reminders and escalations come while you watch.\n",
		clk.Now().In(workdays.London).Format("Mon 02 Jan 15:04"), opts.Step)
	<-ctx.Done()
	fmt.Fprintln(out, "\ndrpbot demo: stopped.")
	return nil
}

func writeConfig(dir string, sb *sandbox.Sandbox) (*config.Config, error) {
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte(Password), 0o600); err != nil {
		return nil, err
	}
	ih, ip, _ := net.SplitHostPort(sb.IMAPAddr)
	sh, sp, _ := net.SplitHostPort(sb.SMTPAddr)
	var b strings.Builder
	fmt.Fprintf(&b, "mailbox = %q\n[imap]\nhost = %q\nport = %s\nsecurity = \"plain\"\nusername = %q\npassword_file = \"password\"\npoll_interval = \"1s\"\n", Mailbox, ih, ip, Mailbox)
	fmt.Fprintf(&b, "[smtp]\nhost = %q\nport = %s\nsecurity = \"plain\"\nusername = %q\npassword_file = \"password\"\n", sh, sp, Mailbox)
	fmt.Fprintf(&b, "[schedule]\ntick = \"\"\ndigest = \"\"\nreport = \"\"\n[policy]\npreset = \"newham\"\n[directory]\nqa = [%q]\n", QA)
	for _, p := range People {
		fmt.Fprintf(&b, "[[directory.person]]\nemail = %q\nname = %q\nroles = [%q]\nteam = \"Children Looked After\"\nmanager = %q\ndeputy = %q\n", p.Email, p.Name, p.Roles, p.Manager, p.Deputy)
	}
	b.WriteString("[store]\npath = \"demo.db\"\n[privacy]\ninitials = true\n")
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	// Relative secret paths resolve from the config's folder.
	c.IMAP.PasswordFile = filepath.Join(dir, "password")
	c.SMTP.PasswordFile = filepath.Join(dir, "password")
	return c, nil
}

func printServe(out io.Writer, sb *sandbox.Sandbox) {
	ih, ip, _ := net.SplitHostPort(sb.IMAPAddr)
	_, sp, _ := net.SplitHostPort(sb.SMTPAddr)
	fmt.Fprintf(out, "\nThe demo keeps running. Connect a mail client (Thunderbird, mutt) and play IRO and manager yourself:\n")
	fmt.Fprintf(out, "  IMAP  %s port %s, no encryption, normal password\n", ih, ip)
	fmt.Fprintf(out, "  SMTP  %s port %s, no encryption, normal password\n", ih, sp)
	fmt.Fprintf(out, "  every user's password is %q; users:\n", Password)
	addrs := []string{Mailbox + "   (the shared mailbox drpbot watches: copy it in)", QA + "   (the QA inbox)"}
	for _, p := range People {
		addrs = append(addrs, fmt.Sprintf("%s   (%s, %s)", p.Email, p.Name, strings.ReplaceAll(p.Roles, "_", " ")))
	}
	for _, a := range addrs {
		fmt.Fprintf(out, "    %s\n", a)
	}
	fmt.Fprintf(out, "  Send an email headed \"Dispute Resolution Alert - Stage 1 - 1234567\" to a manager, copying %s; reply \"Help\" for the instructions.\n", Mailbox)
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
}

type scenario struct {
	out  io.Writer
	sb   *sandbox.Sandbox
	bot  *mailbot.Bot
	clk  *clock
	st   *store.Store
	step time.Duration
	ctx  context.Context
	seen map[string]bool
}

func (s *scenario) say(format string, a ...any) {
	fmt.Fprintf(s.out, "%s  %s\n", s.clk.Now().In(workdays.London).Format("Mon 02 Jan 15:04"), fmt.Sprintf(format, a...))
}

func (s *scenario) at(day workdays.Date, hour int) error {
	select {
	case <-s.ctx.Done():
		return s.ctx.Err()
	case <-time.After(s.step):
	}
	s.clk.set(time.Date(day.Year, day.Month, day.Day, hour, 0, 0, 0, workdays.London))
	return nil
}

func (s *scenario) send(from string, to, cc []string, subject, id, inReplyTo, body string) error {
	raw := sandbox.Email{From: from, To: to, Cc: cc, Subject: subject, MessageID: id, InReplyTo: inReplyTo, Date: s.clk.Now(), Body: body}.Bytes()
	c, err := smtp.Dial(s.sb.SMTPAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", from, Password)); err != nil {
		return err
	}
	rcpts := append(append([]string{}, to...), cc...)
	return c.SendMail(from, rcpts, bytes.NewReader(raw))
}

// settle waits (bounded) until drpbot has handled the mailbox and sent
// what it queued, then prints what it sent.
func (s *scenario) settle(want int) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s.report() >= want {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// report prints the emails drpbot sent since the last call, and returns
// how many it printed.
func (s *scenario) report() int {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	var rows []store.OutboxRow
	s.st.View(func(tx *store.Tx) error {
		return tx.History(func(r store.OutboxRow) error {
			if !s.seen[r.MessageID] {
				rows = append(rows, r)
			}
			return nil
		})
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	for _, r := range rows {
		s.seen[r.MessageID] = true
		line := fmt.Sprintf("drpbot -> %s: %s", strings.Join(r.To, ", "), r.Subject)
		if len(r.Cc) > 0 {
			line += "  (cc " + strings.Join(r.Cc, ", ") + ")"
		}
		s.say("%s", line)
	}
	return len(rows)
}

// latest reads the newest email in addr's inbox, as their mail client
// would show it: its subject and Message-ID, to reply to.
func (s *scenario) latest(addr string) (subject, id string, err error) {
	c, err := imapclient.DialInsecure(s.sb.IMAPAddr, nil)
	if err != nil {
		return "", "", err
	}
	defer c.Close()
	if err := c.Login(addr, Password).Wait(); err != nil {
		return "", "", err
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages == 0 {
		return "", "", fmt.Errorf("demo: %s has no mail (%v)", addr, err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(sel.NumMessages), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil || len(msgs) == 0 {
		return "", "", fmt.Errorf("demo: fetch: %v", err)
	}
	return msgs[0].Envelope.Subject, "<" + msgs[0].Envelope.MessageID + ">", nil
}

func (s *scenario) play() error {
	d := func(day int) workdays.Date { return workdays.Date{Year: 2026, Month: time.November, Day: day} }
	iro, pl, sm, lac := People[0].Email, People[2].Email, People[3].Email, Mailbox
	subject := "Dispute Resolution Alert - Stage 1 - 1234567"
	s.clk.set(time.Date(2026, 11, 2, 9, 0, 0, 0, workdays.London))
	s.say("Iris (IRO) raises a stage 1 alert to Pat (practice lead), copying %s.", lac)
	err := s.send(iro, []string{pl}, []string{lac}, subject, "<demo-alert@demo.test>", "",
		"Dear Pat,\n\nDate of Alert: 02/11/2026\nName of Child: Sam Child\nChild's Azeus Number: 1234567\nFORMAL STAGE 1\n\nSummary of concern: the care plan has not been reviewed since the placement moved.\nRequested action: review within 5 working days.\n\nKind regards\nIris")
	if err != nil {
		return err
	}
	s.settle(1)
	ref := ""
	s.st.View(func(tx *store.Tx) error {
		if refs := tx.ByChild("1234567"); len(refs) > 0 {
			ref = refs[0]
		}
		return nil
	})
	s.say("drpbot opened %s: stage 1 with Pat, due by the end of Monday 9 November (5 working days).", ref)
	for _, day := range []int{3, 4, 5, 6, 9, 10} {
		if err := s.at(d(day), 9); err != nil {
			return err
		}
		n, _ := s.bot.Tick(s.clk.Now())
		if n == 0 {
			s.say("(a working day passes; nothing is due)")
			continue
		}
		if day == 6 {
			s.say("One working day before the due date: drpbot reminds Pat.")
		}
		if day == 10 {
			s.say("Pat did not respond by the end of Monday: the window lapsed, drpbot escalates to the Service Manager.")
		}
		s.settle(n)
	}
	if err := s.at(d(11), 14); err != nil {
		return err
	}
	s.say("Sam (Service Manager) replies inline in Outlook, reply-all.")
	escSubject, escID, err := s.latest(sm)
	if err != nil {
		return err
	}
	if err := s.send(sm, []string{iro}, []string{lac, pl}, "RE: "+escSubject, "<demo-reply@demo.test>", escID, "A review is booked for Friday 13 November.\n\nSam"); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	s.say("drpbot records it as the response; Iris now decides.")
	if err := s.at(d(12), 10); err != nil {
		return err
	}
	s.say("Iris replies \"Resolved\".")
	if err := s.send(iro, []string{sm}, []string{lac}, "RE: Dispute Resolution Alert - Stage 2 - 1234567 ["+ref+"]", "<demo-resolved@demo.test>", "<demo-reply@demo.test>", "Resolved\n\nThank you, Iris"); err != nil {
		return err
	}
	s.settle(1)
	s.say("The dispute is closed as resolved.")
	fmt.Fprintln(s.out, "\n--- drpbot show "+ref+" ---")
	now := s.clk.Now()
	return s.st.View(func(tx *store.Tx) error {
		dsp, err := tx.Dispute(ref)
		if err != nil {
			return err
		}
		evs, _ := tx.Events(ref)
		if err := mailbot.WriteShow(s.out, dsp, evs, s.bot.Policy(), s.bot.Calendar(), now, false); err != nil {
			return err
		}
		fmt.Fprintln(s.out, "\n--- drpbot list ---")
		rows, err := mailbot.List(tx, mailbot.Filter{}, s.bot.Policy(), s.bot.Calendar(), now)
		if err != nil {
			return err
		}
		if err := mailbot.WriteList(s.out, rows, false); err != nil {
			return err
		}
		fmt.Fprintln(s.out, "\n--- drpbot report --from 2026-11-01 --to 2026-11-30 ---")
		per := mailbot.Period{Name: "November 2026", From: d(1), To: workdays.Date{Year: 2026, Month: time.December, Day: 1}}
		rep, err := mailbot.BuildReport(tx, s.bot.Policy(), s.bot.Calendar(), s.bot.Directory(), per, now)
		if err != nil {
			return err
		}
		if err := rep.WriteMarkdown(s.out); err != nil {
			return err
		}
		fmt.Fprintln(s.out, "\n--- mailboxes (emails received) ---")
		for _, a := range append([]string{Mailbox, QA}, iro, pl, sm) {
			fmt.Fprintf(s.out, "  %-32s %d\n", a, s.sb.Received(a))
		}
		return nil
	})
}
