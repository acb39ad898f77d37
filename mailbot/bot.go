// Package mailbot is the daemon: it watches the shared mailbox over IMAP,
// classifies each message (whose dispute, who said what), applies the
// escalation engine, keeps everything in the store, and sends the outbox
// over SMTP on a schedule. cmd/drpbot only wires it up.
package mailbot

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

// Sentinel errors.
var (
	// ErrPanic marks a message whose handling panicked; it is recorded as a
	// reject and skipped, and the daemon goes on.
	ErrPanic = errors.New("mailbot: handler panicked")
	// ErrUnhandled marks a message that cannot be handled however often it
	// is tried (unreadable, or refused by the rules): recorded and skipped.
	ErrUnhandled = errors.New("mailbot: message cannot be handled")
	// ErrStore marks a failure to store the outcome (a full disk, say): the
	// message is not skipped, and is tried again on the next pass.
	ErrStore = errors.New("mailbot: could not store the outcome")
)

// Metrics are counters for /metrics and the tests.
type Metrics struct {
	Seen, Alerts, Escalations, Rejected, Panics, Sent, SendFailures, Ignored atomic.Int64
	LastSync                                                                 atomic.Int64 // unix seconds

	// Held counts messages recorded but not acted on (mailbot/trust.go).
	Held atomic.Int64
}

// Bot is the daemon's state: one per process.
type Bot struct {
	cfg     *config.Config
	st      *store.Store
	log     *slog.Logger
	parser  *parser.Parser
	policy  *policy.Policy
	cal     *workdays.Calendar
	dir     *directory.Directory
	tpl     *templates.Set
	self    string // the shared mailbox, lower case
	domain  string // for Message-IDs
	oauth   *tokenSource
	Metrics Metrics
	wake    chan struct{} // the sender's doorbell
	// Now is the bot's clock: time.Now, or a fast clock in the demo and
	// a fixed one in tests.
	Now func() time.Time
	// ClockOnly places each new message at Now, never at its Date header:
	// the demo's fast clock runs ahead of the mail clients' clocks.
	ClockOnly bool
	// beforeHandle, when set (tests only), runs before each message is
	// handled; a test uses it to make a handler panic.
	beforeHandle func(*parser.Message)
	// beforeTick, when set (tests only), runs before a tick applies to a
	// dispute; a test uses it to make one dispute's tick fail.
	beforeTick func(ref string)
	sendMu     sync.Mutex // one drain at a time
	// sendLimit is how many due emails one batch takes: their attempts are
	// recorded in one transaction and what is over a person's daily limit
	// is bundled into one digest per batch (see bundle). A drain takes
	// batch after batch until nothing due is left.
	sendLimit int
	// sendHook, when set (tests only), runs at points of one email's SMTP
	// transaction: "dot" just before the final dot, "accepted" once the
	// server accepted it and before that is recorded. The kill tests stop
	// the process there.
	sendHook func(point string, row store.OutboxRow)
	// outageSince is when the SMTP server stopped answering (zero: it
	// answers); only the sender, under sendMu, touches it.
	outageSince  time.Time
	outageLogged bool
	// restoreChecked is set once the store is known not to be a restored
	// backup, or its restore was reconciled (see reconcileRestore).
	restoreChecked bool
	// inFlightRecovered is set once what a dead process left in flight has
	// been made due again (store.RecoverInFlight).
	inFlightRecovered bool
	// smtpProbe is how often the sender tries the SMTP server while it is
	// unreachable and mail waits.
	smtpProbe time.Duration
	live      liveState  // reload.go: guards what a reload replaces
	watch     watchState // the IMAP connection's health (imapconn.go, health.go)
	// importing counts the folders whose history is being imported; the
	// scheduler sends nothing meanwhile (see import.go).
	importing atomic.Int32
	importMu  sync.Mutex
	imported  []ImportSummary
	since     time.Time // Import's --since, for the import it runs
	// inImportBatch, when set (tests only), runs inside each batch's
	// transaction of an import, before it commits; a test kills the
	// process there.
	inImportBatch func(processed int)
}

// New builds a Bot from a validated config and an open store.
func New(cfg *config.Config, st *store.Store, log *slog.Logger) (*Bot, error) {
	pol, err := cfg.BuildPolicy()
	if err != nil {
		return nil, err
	}
	cal, err := cfg.BuildCalendar()
	if err != nil {
		return nil, err
	}
	csv := csvState(cfg) // before reading it: a later change is then noticed
	dir, err := cfg.BuildDirectory()
	if err != nil {
		return nil, err
	}
	tdir := ""
	if cfg.Templates.Dir != "" {
		tdir = cfg.Path(cfg.Templates.Dir)
	}
	tpl, err := templates.Load(tdir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	self := strings.ToLower(cfg.Mailbox)
	_, domain, _ := strings.Cut(self, "@")
	b := &Bot{
		cfg: cfg, st: st, log: log, parser: parser.New(cfg.ParserOptions()),
		policy: pol, cal: cal, dir: dir, tpl: tpl, self: self, domain: domain,
		wake: make(chan struct{}, 1), sendLimit: 500, smtpProbe: 5 * time.Second, Now: time.Now,
	}
	b.live.csv = csv
	if cfg.IMAP.Auth == "oauth2" || cfg.SMTP.Auth == "oauth2" {
		b.oauth = newTokenSource(cfg.OAuth2)
	}
	return b, nil
}

// Store is the bot's store.
func (b *Bot) Store() *store.Store { return b.st }

// Policy is the bot's policy.
func (b *Bot) Policy() *policy.Policy { defer b.readLive()(); return b.policy }

// Calendar is the bot's calendar.
func (b *Bot) Calendar() *workdays.Calendar { defer b.readLive()(); return b.cal }

// Directory is the bot's directory.
func (b *Bot) Directory() *directory.Directory { defer b.readLive()(); return b.dir }

func (b *Bot) env(now time.Time) engine.Env {
	return engine.Env{Now: now, Policy: b.policy, Calendar: b.cal, Directory: b.dir, QA: b.cfg.Directory.QA, Acknowledge: b.cfg.Privacy.Acknowledge,
		Mailbox: b.self, CcMailbox: b.cfg.SMTP.CopyToMailbox == config.CopyCc}
}

// ring wakes the sender.
func (b *Bot) ring() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// tickBatch is how many due disputes one transaction of a tick takes:
// one disk sync for the lot instead of one each.
const tickBatch = 100

// Tick runs one scheduler pass as if at now: every dispute whose next
// action is due is loaded, the engine applied, and the results stored with
// their emails, up to tickBatch disputes a transaction. If one dispute
// fails, its batch is rolled back and done again a dispute a transaction,
// so the others still move on. It returns how many emails it queued.
func (b *Bot) Tick(now time.Time) (int, error) {
	defer b.readLive()()
	if !b.cfg.Schedule.OnNonWorkingDays && !b.cal.IsWorkingDay(workdays.In(now)) {
		b.log.Debug("tick skipped: not a working day", "date", workdays.In(now).String())
		return 0, nil
	}
	var refs []string
	importing := b.Importing()
	if err := b.st.View(func(tx *store.Tx) error {
		// While a mailbox's history is imported (or an import waits to
		// resume) no time passes for its disputes: nothing is sent about
		// the past (see import.go).
		if importing = importing || tx.Importing(); !importing {
			refs = tx.Due(now)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if importing {
		b.log.Info("tick skipped: a mailbox's history is being imported")
		return 0, nil
	}
	queued := 0
	for len(refs) > 0 {
		batch := refs[:min(len(refs), tickBatch)]
		refs = refs[len(batch):]
		if n, err := b.tickRefs(batch, now); err == nil {
			queued += n
			continue
		}
		for _, ref := range batch {
			n, err := b.tickRefs([]string{ref}, now)
			if err != nil {
				if errors.Is(err, ErrPanic) {
					b.Metrics.Panics.Add(1)
				}
				b.log.Error("tick failed for a dispute", "ref", ref, "err", err)
				continue
			}
			queued += n
		}
	}
	if queued > 0 {
		b.ring()
	}
	return queued, nil
}

// tickRefs applies a tick to each of refs in one transaction and returns
// how many emails it queued; on error, or a panic, nothing of it is kept.
func (b *Bot) tickRefs(refs []string, now time.Time) (queued int, err error) {
	defer func() {
		if r := recover(); r != nil {
			queued, err = 0, fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	escalations := 0
	err = b.st.Update(func(tx *store.Tx) error {
		for _, ref := range refs {
			if b.beforeTick != nil {
				b.beforeTick(ref)
			}
			d, err := tx.Dispute(ref)
			if err != nil {
				return fmt.Errorf("%s: %w", ref, err)
			}
			b.liveBox(&d)
			nd, intents, err := engine.Apply(d, engine.Event{Kind: engine.Tick, At: now}, b.env(now))
			if err != nil {
				return fmt.Errorf("%s: %w", ref, err)
			}
			n, err := b.commit(tx, nd, intents, nil, now)
			if err != nil {
				return fmt.Errorf("%s: %w", ref, err)
			}
			queued += n
			escalations += countEscalations(intents)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	b.Metrics.Escalations.Add(int64(escalations))
	return queued, nil
}

func countEscalations(intents []engine.Intent) int {
	n := 0
	for _, in := range intents {
		if in.Purpose == engine.Escalation {
			n++
		}
	}
	return n
}

// commit stores the new dispute, the audit event of what arrived (when ev
// is not nil), a "sent" event per email, and the rendered emails, all
// inside tx: one transaction, so a crash keeps all of it or none.
func (b *Bot) commit(tx *store.Tx, d engine.Dispute, intents []engine.Intent, ev *store.Event, now time.Time) (int, error) {
	intents = b.guard(d, intents)
	if err := tx.PutDispute(d, engine.NextAction(d, b.env(now))); err != nil {
		return 0, err
	}
	if ev != nil {
		if _, err := tx.AppendEvent(d.Ref, *ev); err != nil {
			return 0, err
		}
	}
	for i, in := range intents {
		row, err := b.compose(d, in, now)
		if err != nil {
			return i, fmt.Errorf("%w: compose %s: %v", ErrUnhandled, in.Purpose, err)
		}
		if err := tx.AddOutbox(row); err != nil {
			return i, err
		}
		if err := tx.MarkSeen(row.MessageID, d.Ref); err != nil {
			return i, err
		}
		detail := string(in.Purpose) + " to " + strings.Join(in.To, ",")
		if _, err := tx.AppendEvent(d.Ref, store.Event{At: now, Kind: "queued", Stage: in.Stage, MessageID: row.MessageID, Detail: detail}); err != nil {
			return i, err
		}
	}
	return len(intents), nil
}
