package mailbot

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// healthFailLimit is how many connection failures in a row turn /healthz
// red and tell the QA inbox: one failed try is a blip (a server restart),
// three are an outage.
const healthFailLimit = 3

// imapHealth is what the watchers know of the IMAP connection, for
// /healthz, /metrics and the QA inbox.
type imapHealth struct {
	mu       sync.Mutex
	failures int    // in a row, across folders; 0 once a sync succeeds
	kind     string // of the last failure
	lastErr  string
	since    time.Time // the first failure of this run of them
	total    map[string]int64
	// problems other than the connection, by name (another drpbot on the
	// mailbox); each turns /healthz red while it is set.
	problems map[string]string
}

// imapFailed records a failed connection or session: logged (an ERROR for
// a refused login, an unreachable server, a TLS failure or a hung server;
// a dropped connection is a WARN until it keeps failing), counted, and on
// the healthFailLimit-th failure in a row the QA inbox is told, once a day
// for each kind. It returns the failure's kind.
func (b *Bot) imapFailed(folder string, err error) string {
	kind := imapKind(err)
	now := b.Now()
	h := &b.watch.health
	h.mu.Lock()
	if h.total == nil {
		h.total = map[string]int64{}
	}
	h.total[kind]++
	if h.failures == 0 {
		h.since = now
	}
	h.failures++
	h.kind, h.lastErr = kind, err.Error()
	failures, since := h.failures, h.since
	h.mu.Unlock()

	args := []any{"folder", folder, "kind", kind, "failures_in_a_row", failures, "err", err}
	if kind == kindLost && failures < healthFailLimit {
		b.log.Warn("imap connection lost", args...)
	} else {
		b.log.Error(imapMessage(kind), args...)
	}
	if failures == healthFailLimit {
		b.log.Error("imap: mailbox unreadable; /healthz is red and the QA inbox is told", "kind", kind, "since", since.UTC().Format(time.RFC3339))
		if qerr := b.tellQAOfIMAP(kind, err, since, failures, now); qerr != nil {
			b.log.Error("could not queue the QA inbox's warning", "err", qerr)
		}
	}
	return kind
}

func imapMessage(kind string) string {
	switch kind {
	case kindLoginRefused:
		return "imap login refused"
	case kindUnreachable:
		return "imap server unreachable"
	case kindTLS:
		return "imap tls failed"
	case kindTimeout:
		return "imap server did not answer; connection dropped"
	}
	return "imap connection keeps failing"
}

// imapOK records a successful sync: the connection is healthy again.
func (b *Bot) imapOK(folder string) {
	h := &b.watch.health
	h.mu.Lock()
	failures, since := h.failures, h.since
	h.failures, h.kind, h.lastErr = 0, "", ""
	h.mu.Unlock()
	if failures > 0 {
		b.log.Info("imap connection restored", "folder", folder, "after_failures", failures, "down_for", b.Now().Sub(since).Round(time.Second).String())
	}
}

// setProblem sets (text != "") or clears a named health problem.
func (b *Bot) setProblem(name, text string) {
	h := &b.watch.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.problems == nil {
		h.problems = map[string]string{}
	}
	if text == "" {
		delete(h.problems, name)
		return
	}
	h.problems[name] = text
}

// healthProblems lists what makes /healthz red, empty when nothing does
// (the mailbox's freshness is checked beside it).
func (b *Bot) healthProblems() []string {
	h := &b.watch.health
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	if h.failures >= healthFailLimit {
		out = append(out, fmt.Sprintf("imap %s: %d failures in a row since %s: %s", strings.ReplaceAll(h.kind, "_", " "), h.failures, h.since.UTC().Format(time.RFC3339), h.lastErr))
	}
	names := make([]string, 0, len(h.problems))
	for n := range h.problems {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, h.problems[n])
	}
	return out
}

// imapErrors is the count of failures of kind since start.
func (b *Bot) imapErrors(kind string) int64 {
	h := &b.watch.health
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total[kind]
}

// imapFailuresInARow is the current run of failures.
func (b *Bot) imapFailuresInARow() int {
	h := &b.watch.health
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failures
}

// tellQAOfIMAP queues one email to the QA inbox about an IMAP outage: at
// most one a day for each kind (the Message-ID is the day's and the
// kind's, so a restart or a second folder queues nothing twice). It goes
// out if SMTP still works; it names no dispute and no child.
func (b *Bot) tellQAOfIMAP(kind string, cause error, since time.Time, failures int, now time.Time) error {
	defer b.readLive()() // the QA inbox may change on a reload (reload.go)
	if len(b.cfg.Directory.QA) == 0 {
		return nil
	}
	day := workdays.In(now).String()
	what := map[string]string{
		kindLoginRefused: "the mail server refuses drpbot's login (a changed or expired password, or a revoked app registration)",
		kindUnreachable:  "the mail server cannot be reached",
		kindTLS:          "the secure connection to the mail server fails (its certificate is not trusted, has expired, or names another host)",
		kindTimeout:      "the mail server stops answering",
		kindLost:         "the connection to the mail server keeps failing",
	}[kind]
	text := fmt.Sprintf(`drpbot cannot read the shared mailbox %s: %s.

Since %s it has failed %d times in a row. Until this is mended, new alerts,
replies and instructions sent to the shared mailbox are not seen, and no
acknowledgement, reminder or escalation follows them. Nothing already
received is lost: drpbot reads everything that arrived once it can connect.

What drpbot last saw: %s

Please ask whoever runs drpbot to look at its log and /healthz. drpbot
keeps trying%s.

This email is sent at most once a day.
`, b.cfg.Mailbox, what, since.In(workdays.London).Format("Monday 2 January 2006 at 15:04"), failures, firstLine(cause.Error()),
		map[bool]string{true: ", but only every few minutes to an hour, so that the account is not locked", false: " every minute or so"}[kind == kindLoginRefused])
	row := store.OutboxRow{
		MessageID: store.ServiceMessageID("imap-"+strings.ReplaceAll(kind, "_", "-"), day, b.domain),
		Purpose:   "service-alert",
		To:        append([]string(nil), b.cfg.Directory.QA...),
		Subject:   "drpbot cannot read the shared mailbox (" + strings.ReplaceAll(kind, "_", " ") + ")",
		Text:      text,
		Created:   now,
	}
	err := b.st.Update(func(tx *store.Tx) error { return tx.AddOutbox(row) })
	if errors.Is(err, store.ErrDuplicate) {
		return nil // told today already
	}
	if err != nil {
		return err
	}
	b.ring()
	return nil
}

// smtpDialed records the outcome of connecting to the SMTP server. A TLS
// failure there (an untrusted or expired certificate, a wrong host name)
// will not mend itself: it is an ERROR, counted, and /healthz is red until
// a connection succeeds, rather than a WARN on every attempt for ever.
func (b *Bot) smtpDialed(err error) {
	if err == nil {
		b.setProblem("smtp-tls", "")
		return
	}
	if !isTLSError(err) {
		return // an outage: the sender's retries and reports deal with it
	}
	h := &b.watch.health
	h.mu.Lock()
	if h.total == nil {
		h.total = map[string]int64{}
	}
	h.total["smtp_tls"]++
	h.mu.Unlock()
	b.setProblem("smtp-tls", "smtp tls failed: "+firstLine(err.Error()))
	b.log.Error("smtp tls failed; nothing can be sent until it is mended", "err", err)
}
