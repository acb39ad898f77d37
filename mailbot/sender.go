package mailbot

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/wneessen/go-mail"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

// ErrSMTPUnavailable marks a drain that could not reach the SMTP server
// (or lost it): the emails wait, uncounted, and the sender probes again
// on a short interval.
var ErrSMTPUnavailable = errors.New("mailbot: SMTP server unavailable")

// smtpTimeout bounds each SMTP command, and dialling.
const smtpTimeout = 30 * time.Second

// backoff is the wait after the n-th attempt of one email.
func backoff(n int) time.Duration {
	switch {
	case n <= 1:
		return time.Minute
	case n == 2:
		return 5 * time.Minute
	case n == 3:
		return 15 * time.Minute
	}
	return time.Hour
}

// dialSMTP connects, secures and logs in. The transaction itself is driven
// with go-smtp's client, not go-mail's Send: go-mail abandons the whole
// email when one RCPT is refused and does not say which, and drpbot must
// send to every recipient the server accepts (RFC 5321 3.3) and know who
// was refused.
func (b *Bot) dialSMTP(ctx context.Context) (*smtp.Client, error) {
	s := b.cfg.SMTP
	d := net.Dialer{Timeout: smtpTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.Address())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSMTPUnavailable, err)
	}
	// The greeting, TLS and login share one deadline; each later command
	// has its own (CommandTimeout).
	_ = conn.SetDeadline(time.Now().Add(smtpTimeout))
	tc := &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch s.Security {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "starttls":
		if c, err = smtp.NewClientStartTLS(conn, tc); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: %w", ErrSMTPUnavailable, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = smtpTimeout
	c.SubmissionTimeout = 2 * smtpTimeout
	fail := func(err error) (*smtp.Client, error) {
		c.Close()
		return nil, fmt.Errorf("%w: %w", ErrSMTPUnavailable, err)
	}
	if err := c.Hello(b.helloName()); err != nil {
		return fail(err)
	}
	switch s.Auth {
	case "password":
		pw, err := s.Password().Value()
		if err != nil {
			return fail(fmt.Errorf("smtp password: %w", err))
		}
		if err := c.Auth(sasl.NewPlainClient("", s.Username, pw)); err != nil {
			return fail(err)
		}
	case "oauth2":
		tok, err := b.oauth.Token(ctx)
		if err != nil {
			return fail(err)
		}
		if err := c.Auth(NewXOAUTH2Client(s.Username, tok)); err != nil {
			return fail(err)
		}
	}
	_ = conn.SetDeadline(time.Time{})
	return c, nil
}

// helloName is the name drpbot gives in EHLO: the shared mailbox's domain.
func (b *Bot) helloName() string {
	if b.domain != "" {
		return b.domain
	}
	return "localhost"
}

// message renders row as it goes on the wire. Invalid addresses are left
// out of the header as well as the envelope.
func (b *Bot) message(row store.OutboxRow, now time.Time) (*mail.Msg, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.FromFormat(b.policy.Council+" dispute resolution", b.fromBox(row)); err != nil {
		return nil, err
	}
	if to := validOnly(row.To); len(to) > 0 {
		if err := m.To(to...); err != nil {
			return nil, err
		}
	}
	if cc := validOnly(row.Cc); len(cc) > 0 {
		if err := m.Cc(cc...); err != nil {
			return nil, err
		}
	}
	m.Subject(row.Subject)
	m.SetMessageIDWithValue(strings.Trim(row.MessageID, "<>"))
	m.SetDateWithValue(now)
	// Written as they are: go-mail would Q-encode an 8-bit id and fold a
	// long one inside the id, and either breaks threading.
	irt, refs := threadHeaders(row.InReplyTo, row.References)
	if irt != "" {
		m.SetGenHeaderPreformatted(mail.HeaderInReplyTo, irt)
	}
	if refs != "" {
		m.SetGenHeaderPreformatted(mail.HeaderReferences, refs)
	}
	// RFC 3834: machine-made, so no well-behaved system answers it
	// automatically (out-of-office replies still come, and are wanted).
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader("X-DRPBot-Ref", row.Ref)
	m.SetGenHeader(instanceHeader, b.st.Instance().ID) // tells this drpbot's mail from another's (instance.go)
	m.SetBodyString(mail.TypeTextPlain, row.Text)
	if row.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, row.HTML)
	}
	return m, nil
}

func validOnly(list []string) []string {
	var out []string
	for _, a := range list {
		if validAddr(a) {
			out = append(out, a)
		}
	}
	return out
}

// fromBox is the shared mailbox row goes out from: the one its dispute
// came through, else the configured mailbox.
func (b *Bot) fromBox(row store.OutboxRow) string {
	if row.From != "" {
		return row.From
	}
	return b.cfg.Mailbox
}

// copyAddr is the shared mailbox's blind copy, when configured and not
// already a recipient (copy_to_mailbox = "cc" names it on the stages that
// say so).
func (b *Bot) copyAddr(row store.OutboxRow) []string {
	box := b.fromBox(row)
	if b.cfg.SMTP.CopyToMailbox.On() && !containsAddr(append(append([]string{}, row.To...), row.Cc...), box) {
		return []string{strings.ToLower(box)}
	}
	return nil
}

// Drain sends what the outbox holds that is due at now, batch after batch
// over one SMTP connection until nothing due is left or the server is
// lost. Each batch's attempts are recorded before its first MAIL FROM;
// each email is marked committing before its final dot and its outcome
// (per recipient) recorded the moment the server answers. A recipient
// refused for good is reported once; a temporary refusal waits its
// backoff; a lost connection puts the emails back, uncounted, and returns
// an error wrapping ErrSMTPUnavailable. In dry-run mode nothing is dialled
// and the rows go to the history marked as such.
func (b *Bot) Drain(ctx context.Context, now time.Time) (sent, failed int, err error) {
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	defer b.readLive()()
	var c *smtp.Client
	defer func() {
		if c != nil {
			_ = c.Quit()
			c.Close()
		}
	}()
	if !b.inFlightRecovered {
		// What a dead process left in flight is due again at once (see
		// store.RecoverInFlight); the checks below still come first.
		n, err := b.st.RecoverInFlight(now)
		if err != nil {
			return 0, 0, err
		}
		if n > 0 {
			b.log.Info("emails a previous process was sending when it stopped are due again", "count", n)
		}
		b.inFlightRecovered = true
	}
	for batches := 0; ctx.Err() == nil && batches < 10000; batches++ {
		rows, err := b.st.OutboxDue(now, b.sendLimit)
		if err != nil || len(rows) == 0 {
			return sent, failed, err
		}
		if err := b.reconcileRestore(ctx); err != nil {
			b.log.Warn("nothing sent until the shared mailbox can be searched after a restore", "err", err)
			return sent, failed, err
		}
		if rows, err = b.settleInFlight(ctx, rows, now); err != nil {
			return sent, failed, err
		}
		if rows, err = b.skipSeen(rows, now); err != nil {
			return sent, failed, err
		}
		if len(rows) == 0 {
			continue
		}
		if b.cfg.SMTP.DryRun {
			for _, row := range rows {
				b.log.Info("dry run: would send", "message_id", row.MessageID, "ref", row.Ref, "purpose", row.Purpose, "to", strings.Join(row.To, ","))
				if _, err := b.st.Finish(row.MessageID, now, "", true); err != nil {
					return sent, failed, err
				}
				sent++
			}
			continue
		}
		if c == nil {
			c, err = b.dialSMTP(ctx)
			b.smtpDialed(err) // a TLS failure turns /healthz red (health.go)
			if err != nil {
				c = nil
				b.smtpDown(now, err, len(rows))
				return sent, failed + len(rows), err
			}
			b.smtpUp(now)
		}
		s, f, err := b.sendBatch(ctx, c, rows, now)
		sent, failed = sent+s, failed+f
		if err != nil {
			if errors.Is(err, ErrSMTPUnavailable) {
				b.smtpDown(now, err, len(rows)-s-f)
			}
			return sent, failed, err
		}
	}
	return sent, failed, ctx.Err()
}

// smtpDown logs an outage once (and as an ERROR once it has lasted a
// quarter of an hour: a person must look); smtpUp ends it.
func (b *Bot) smtpDown(now time.Time, err error, waiting int) {
	if b.outageSince.IsZero() {
		b.outageSince = now
		b.outageLogged = false
		b.log.Warn("smtp unavailable; emails wait and the server is probed until it answers", "err", err, "waiting", waiting)
		return
	}
	if !b.outageLogged && now.Sub(b.outageSince) >= 15*time.Minute {
		b.outageLogged = true
		b.log.Error("smtp unavailable for a quarter of an hour; emails wait", "since", b.outageSince.UTC().Format(time.RFC3339), "err", err, "waiting", waiting)
	}
}

func (b *Bot) smtpUp(now time.Time) {
	if !b.outageSince.IsZero() {
		b.log.Info("smtp answers again; sending what waits", "down_for", now.Sub(b.outageSince).Round(time.Second).String())
		b.outageSince = time.Time{}
	}
}

// sendBatch records the attempts of rows (bundling what is over a
// recipient's daily limit, see bundle) and sends the rest over c.
func (b *Bot) sendBatch(ctx context.Context, c *smtp.Client, rows []store.OutboxRow, now time.Time) (sent, failed int, err error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.MessageID
	}
	day := workdays.In(now).String()
	res, err := b.st.BeginAttempts(ids, day, b.cfg.SMTP.MaxPerRecipientPerDay, func(n int) time.Time { return now.Add(backoff(n)) })
	if err != nil {
		return 0, 0, err
	}
	if len(res.Capped) > 0 {
		// Over someone's daily limit: bundled into a digest to them, now.
		if err := b.bundle(res.Capped, now); err != nil {
			return 0, 0, err
		}
	}
	batch := res.Begun
	if len(batch) == 0 {
		return 0, 0, nil
	}
	if err := b.st.Update(func(tx *store.Tx) error { return tx.MarkCommitting(batch[0].MessageID) }); err != nil {
		return 0, 0, err
	}
	for i, row := range batch {
		next := ""
		if i+1 < len(batch) {
			next = batch[i+1].MessageID
		}
		if ctx.Err() != nil {
			return sent, failed, b.release(batch[i:], now, ctx.Err())
		}
		out, cerr := b.transact(c, row, now)
		if cerr != nil {
			// The connection is gone. This email's attempt counts (it waits
			// its backoff: an email the server chokes on must not stop the
			// queue); the rest wait, uncounted, for the server to answer.
			if err := b.st.Update(func(tx *store.Tx) error { return tx.Interrupted(row.MessageID, firstLine(cerr.Error())) }); err != nil {
				return sent, failed, err
			}
			failed++
			return sent, failed, b.release(batch[i+1:], now, cerr)
		}
		stored, err := b.record(row, out, next, now)
		if err != nil {
			return sent, failed, err
		}
		switch {
		case out.Retry:
			failed++
			b.Metrics.SendFailures.Add(1)
			b.log.Warn("email not accepted for everyone yet; will try again", "message_id", row.MessageID, "ref", row.Ref, "err", firstLine(out.Err))
		case stored.Failed:
			failed++
			b.Metrics.SendFailures.Add(1)
		default:
			sent++
			b.Metrics.Sent.Add(1)
			b.log.Info("sent", "message_id", row.MessageID, "ref", row.Ref, "purpose", row.Purpose, "recipients", len(out.Delivered), "refused", len(out.Rejected))
		}
	}
	return sent, failed, nil
}

// release puts rows whose transaction never began back in the queue, due
// at once and uncounted, and reports the outage.
func (b *Bot) release(rows []store.OutboxRow, now time.Time, cause error) error {
	err := b.st.Update(func(tx *store.Tx) error {
		for _, r := range rows {
			if err := tx.Release(r.MessageID, now, firstLine(cause.Error())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if errors.Is(cause, ErrSMTPUnavailable) || errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrSMTPUnavailable, cause)
}

// transact runs one SMTP transaction for row: MAIL, a RCPT per recipient
// still to reach, DATA. The outcome says who has it; connErr is set when
// the connection failed and whether anything reached the server is not
// known from the answers (the row stays committing if it was).
func (b *Bot) transact(c *smtp.Client, row store.OutboxRow, now time.Time) (out store.Outcome, connErr error) {
	out = store.Outcome{ID: row.MessageID, At: now}
	var rcpts []string
	for _, a := range row.Recipients(b.copyAddr(row)...) {
		if validAddr(a) {
			rcpts = append(rcpts, a)
		} else {
			// Never handed to the server.
			out.Rejected = append(out.Rejected, a+": not a valid email address")
		}
	}
	if len(rcpts) == 0 {
		out.Err = "no valid recipient"
		return out, nil
	}
	m, err := b.message(row, now)
	var raw bytes.Buffer
	if err == nil {
		_, err = m.WriteTo(&raw)
	}
	if err != nil {
		out.Err = "cannot write the email: " + err.Error()
		return out, nil
	}
	if err := c.Mail(b.fromBox(row), nil); err != nil {
		return smtpOutcome(c, out, err)
	}
	var accepted, temp []string
	for _, a := range rcpts {
		err := c.Rcpt(a, nil)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			accepted = append(accepted, a)
		case errors.As(err, &se) && se.Code >= 500:
			out.Rejected = append(out.Rejected, a+": "+firstLine(se.Error()))
		case errors.As(err, &se):
			temp = append(temp, a)
			out.Err = firstLine(se.Error())
		default:
			return out, err
		}
	}
	if !hasReal(accepted, b.copyAddr(row)) {
		// Nobody but the copy would get it: send nothing now.
		_ = c.Reset()
		out.Retry = len(temp) > 0
		if out.Err == "" && len(out.Rejected) > 0 {
			out.Err = "every recipient refused"
		}
		return out, nil
	}
	w, err := c.Data()
	if err != nil {
		return smtpOutcome(c, out, err)
	}
	if _, err := w.Write(raw.Bytes()); err != nil {
		return out, err
	}
	if b.sendHook != nil {
		b.sendHook("dot", row)
	}
	if err := w.Close(); err != nil {
		return smtpOutcome(c, out, err)
	}
	if b.sendHook != nil {
		b.sendHook("accepted", row)
	}
	out.Delivered = accepted
	out.Retry = len(temp) > 0
	return out, nil
}

// hasReal reports whether anyone but the shared mailbox's blind copy
// accepted the email.
func hasReal(accepted, blindCopy []string) bool {
	for _, a := range accepted {
		if !containsAddr(blindCopy, a) {
			return true
		}
	}
	return false
}

// smtpOutcome turns a server's refusal of the whole transaction into an
// outcome (5xx: refused for good, 4xx: try again), and anything else into
// a connection error.
func smtpOutcome(c *smtp.Client, out store.Outcome, err error) (store.Outcome, error) {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return out, err
	}
	_ = c.Reset()
	out.Err = firstLine(se.Error())
	out.Retry = se.Code < 500
	return out, nil
}

// record stores an attempt's outcome (and marks next committing) in one
// transaction, with its consequences: the dispute's timeline says who has
// the email and who was refused; a refused address is reported to the
// instigator and the QA inbox once per dispute, and a refused respondent
// is routed around (see routeAround). An email that failed for good is
// reported to the QA inbox.
func (b *Bot) record(row store.OutboxRow, out store.Outcome, next string, now time.Time) (store.OutboxRow, error) {
	if out.Retry && row.Attempts >= b.cfg.SMTP.MaxAttempts {
		out.Retry = false // the attempts ran out: what has not gone fails for good
	}
	var stored store.OutboxRow
	err := b.st.Update(func(tx *store.Tx) error {
		var err error
		if stored, err = tx.Record(out, next); err != nil {
			return err
		}
		if row.Ref != "" {
			if err := b.timeline(tx, row, out, now); err != nil {
				return err
			}
		}
		if len(out.Delivered) > 0 {
			if err := b.startClockAtSend(tx, row, now); err != nil {
				return err
			}
		}
		if len(out.Rejected) > 0 && row.Ref != "" && row.Purpose != string(engine.Bounced) {
			if err := b.refused(tx, row, out.Rejected, now); err != nil {
				return err
			}
		}
		if stored.Failed && !(row.Ref != "" && len(out.Rejected) > 0) {
			return b.reportFailure(tx, row, out.Err, now)
		}
		return nil
	})
	if err == nil && stored.Failed {
		b.log.Error("email failed for good", "message_id", row.MessageID, "ref", row.Ref, "err", firstLine(out.Err))
	}
	return stored, err
}

// timeline adds what the server said to the dispute's audit trail, so
// `show` tells who has an email and who was refused.
func (b *Bot) timeline(tx *store.Tx, row store.OutboxRow, out store.Outcome, now time.Time) error {
	var real []string
	for _, a := range out.Delivered {
		if !containsAddr(b.copyAddr(row), a) {
			real = append(real, a)
		}
	}
	if len(real) > 0 {
		if _, err := tx.AppendEvent(row.Ref, store.Event{At: now, Kind: "sent", Stage: row.Stage, MessageID: row.MessageID, Detail: row.Purpose + " to " + strings.Join(real, ",")}); err != nil {
			return err
		}
	}
	if len(out.Rejected) > 0 {
		if _, err := tx.AppendEvent(row.Ref, store.Event{At: now, Kind: "refused", Stage: row.Stage, MessageID: row.MessageID, Detail: row.Purpose + ": " + strings.Join(out.Rejected, "; ")}); err != nil {
			return err
		}
	}
	return nil
}

// reportFailure queues the QA inbox's report of an email that failed for
// good (never a report of a failed report).
func (b *Bot) reportFailure(tx *store.Tx, row store.OutboxRow, text string, now time.Time) error {
	if row.Purpose == string(engine.Bounced) || len(b.cfg.Directory.QA) == 0 {
		return nil
	}
	seq, err := tx.NextSeq("sendfail")
	if err != nil {
		return err
	}
	td := templates.Data{Purpose: string(engine.Bounced), Council: b.policy.Council, Mailbox: b.cfg.Mailbox, Heading: b.policy.Heading,
		Recipient: templates.Person{Email: b.cfg.Directory.QA[0]}, Reason: strings.Join(row.To, ", ") + " (" + firstLine(text) + ")"}
	if d, err := tx.Dispute(row.Ref); err == nil {
		td = b.data(d, engine.Intent{Purpose: engine.Bounced, To: b.cfg.Directory.QA, Reason: td.Reason}, now)
	}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return err
	}
	return tx.AddOutbox(store.OutboxRow{
		MessageID: store.ServiceMessageID("sendfail", fmt.Sprint(seq), b.domain), Ref: row.Ref, Purpose: string(engine.Bounced),
		To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now,
		InReplyTo: row.InReplyTo, References: row.References,
	})
}

// copyFolders are the shared mailbox's folders where a copy of drpbot's
// own email may be: the watched folders, then those smtp.copy_folders
// names (Sent Items, a mail rule's folder).
func (b *Bot) copyFolders() []string {
	out := append([]string{}, b.cfg.IMAP.Folders...)
	for _, f := range b.cfg.SMTP.CopyFolders {
		if !containsFold(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// settleInFlight decides, before anything is sent, about emails whose
// attempt was recorded but whose outcome was not (the process died, or
// the connection broke). One in flight but never committing did not reach
// the server's final dot: it is simply sent. One committing may have
// gone: drpbot looks for its Message-ID in the shared mailbox's copy
// folders; found, it is recorded as sent; not found anywhere, it is sent;
// when the mailbox cannot be searched it waits (a minute, then looks
// again) rather than risk a second copy. Without any copy to look for
// (copy_to_mailbox off and no copy_folders) it is sent again: at least
// once, as the README says. It returns the rows to send now.
func (b *Bot) settleInFlight(ctx context.Context, rows []store.OutboxRow, now time.Time) ([]store.OutboxRow, error) {
	var unsure []store.OutboxRow
	for _, r := range rows {
		if r.Committing {
			unsure = append(unsure, r)
		}
	}
	if len(unsure) == 0 || b.cfg.SMTP.DryRun {
		return rows, nil
	}
	if !b.cfg.SMTP.CopyToMailbox.On() && len(b.cfg.SMTP.CopyFolders) == 0 {
		for _, r := range unsure {
			b.log.Warn("an email may have gone before a crash and no copy is kept to check; sending it again", "message_id", r.MessageID, "ref", r.Ref)
		}
		return rows, nil
	}
	gone, err := b.findCopies(ctx, unsure)
	if err != nil {
		b.log.Warn("cannot search the shared mailbox for emails that may have gone before a crash; they wait", "err", err, "waiting", len(unsure))
		hold := map[string]bool{}
		uerr := b.st.Update(func(tx *store.Tx) error {
			for _, r := range unsure {
				hold[r.MessageID] = true
				if err := tx.Hold(r.MessageID, now.Add(time.Minute), "waiting to search the shared mailbox for a copy"); err != nil {
					return err
				}
			}
			return nil
		})
		if uerr != nil {
			return nil, uerr
		}
		var out []store.OutboxRow
		for _, r := range rows {
			if !hold[r.MessageID] {
				out = append(out, r)
			}
		}
		return out, nil
	}
	var out []store.OutboxRow
	for _, r := range rows {
		if !gone[r.MessageID] {
			out = append(out, r)
			continue
		}
		b.log.Info("email found sent before a restart; not sending again", "message_id", r.MessageID, "ref", r.Ref)
		rest := r.Recipients()
		err := b.st.Update(func(tx *store.Tx) error {
			if _, err := tx.Record(store.Outcome{ID: r.MessageID, At: now, Delivered: rest}, ""); err != nil {
				return err
			}
			if r.Ref != "" {
				return b.timeline(tx, r, store.Outcome{Delivered: rest}, now)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findCopies searches the copy folders for each row's Message-ID. A
// folder that does not exist holds nothing; any other failure is an error
// (the answer is not known).
func (b *Bot) findCopies(ctx context.Context, rows []store.OutboxRow) (map[string]bool, error) {
	c, err := b.dialIMAP(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	gone := map[string]bool{}
	for _, folder := range b.copyFolders() {
		if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
				b.log.Debug("copy folder not found", "folder", folder)
				continue
			}
			return nil, err
		}
		for _, r := range rows {
			if gone[r.MessageID] {
				continue
			}
			data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: r.MessageID}}}, nil).Wait()
			if err != nil {
				return nil, err
			}
			if len(data.AllUIDs()) > 0 {
				gone[r.MessageID] = true
			}
		}
	}
	return gone, nil
}
