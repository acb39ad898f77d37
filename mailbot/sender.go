package mailbot

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/wneessen/go-mail"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

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

func (b *Bot) smtpClient(ctx context.Context) (*mail.Client, error) {
	s := b.cfg.SMTP
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(30 * time.Second), mail.WithTLSConfig(&tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12})}
	switch s.Security {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	switch s.Auth {
	case "password":
		pw, err := s.Password().Value()
		if err != nil {
			return nil, fmt.Errorf("smtp password: %w", err)
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.Username), mail.WithPassword(pw))
	case "oauth2":
		tok, err := b.oauth.Token(ctx)
		if err != nil {
			return nil, err
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthXOAUTH2), mail.WithUsername(s.Username), mail.WithPassword(tok))
	default:
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthNoAuth))
	}
	return mail.NewClient(s.Host, opts...)
}

func (b *Bot) message(row store.OutboxRow, now time.Time) (*mail.Msg, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	box := b.cfg.Mailbox
	if row.From != "" {
		box = row.From // the shared mailbox the dispute came through
	}
	if err := m.FromFormat(b.policy.Council+" dispute resolution", box); err != nil {
		return nil, err
	}
	if err := m.To(row.To...); err != nil {
		return nil, err
	}
	if len(row.Cc) > 0 {
		if err := m.Cc(row.Cc...); err != nil {
			return nil, err
		}
	}
	if b.cfg.SMTP.CopyToMailbox.On() && !containsAddr(append(append([]string{}, row.To...), row.Cc...), box) {
		if err := m.Bcc(box); err != nil {
			return nil, err
		}
	}
	m.Subject(row.Subject)
	m.SetMessageIDWithValue(strings.Trim(row.MessageID, "<>"))
	m.SetDateWithValue(now)
	if row.InReplyTo != "" {
		m.SetGenHeader(mail.HeaderInReplyTo, row.InReplyTo)
	}
	if len(row.References) > 0 {
		m.SetGenHeader(mail.HeaderReferences, strings.Join(row.References, " "))
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

// Drain sends what the outbox holds that is due at now: the attempt is
// recorded before dialling, one SMTP connection serves the batch, a
// temporary failure waits its backoff, a permanent one (or the last
// attempt) is recorded and reported to the QA inbox. In dry-run mode
// nothing is dialled and the rows go to the history marked as such.
func (b *Bot) Drain(ctx context.Context, now time.Time) (sent, failed int, err error) {
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	defer b.readLive()()
	rows, err := b.st.OutboxDue(now, b.sendLimit)
	if err != nil || len(rows) == 0 {
		return 0, 0, err
	}
	day := workdays.In(now).String()
	rows, err = b.settleInFlight(ctx, rows, now)
	if err != nil {
		return 0, 0, err
	}
	// One transaction records every attempt of the batch (and defers what
	// is over a recipient's daily limit) before anything is dialled.
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.MessageID
	}
	tomorrow := workdays.In(now).AddDays(1).Time()
	res, err := b.st.BeginAttempts(ids, day, b.cfg.SMTP.MaxPerRecipientPerDay, tomorrow, func(n int) time.Time { return now.Add(backoff(n)) })
	if err != nil {
		return 0, 0, err
	}
	for _, row := range res.Deferred {
		// Never flood anyone: the email waits for tomorrow.
		b.log.Warn("daily limit per recipient reached; email deferred", "message_id", row.MessageID, "ref", row.Ref)
	}
	batch := res.Begun
	if len(batch) == 0 {
		return 0, 0, nil
	}
	if b.cfg.SMTP.DryRun {
		for _, row := range batch {
			b.log.Info("dry run: would send", "message_id", row.MessageID, "ref", row.Ref, "purpose", row.Purpose, "to", strings.Join(row.To, ","))
			if _, err := b.st.Finish(row.MessageID, now, "", true); err != nil {
				return sent, failed, err
			}
			sent++
		}
		return sent, 0, nil
	}
	c, err := b.smtpClient(ctx)
	if err == nil {
		err = c.DialWithContext(ctx)
	}
	b.smtpDialed(err) // a TLS failure turns /healthz red (health.go)
	if err != nil {
		b.log.Warn("smtp unavailable; emails wait", "err", err, "waiting", len(batch))
		for _, row := range batch {
			if ferr := b.failed(row, err, true, now); ferr != nil {
				return sent, failed, ferr
			}
		}
		return 0, len(batch), nil
	}
	defer c.Close()
	for _, row := range batch {
		m, merr := b.message(row, now)
		if merr == nil {
			merr = c.Send(m)
		}
		if merr != nil {
			var se *mail.SendError
			temporary := !errors.As(merr, &se) || se.IsTemp()
			if ferr := b.failed(row, merr, temporary, now); ferr != nil {
				return sent, failed, ferr
			}
			failed++
			b.Metrics.SendFailures.Add(1)
			_ = c.Reset()
			continue
		}
		if _, err := b.st.Finish(row.MessageID, now, "", false); err != nil {
			return sent, failed, err
		}
		sent++
		b.Metrics.Sent.Add(1)
		b.log.Info("sent", "message_id", row.MessageID, "ref", row.Ref, "purpose", row.Purpose)
	}
	return sent, failed, nil
}

// failed records a failed attempt: a temporary failure waits (the retry
// time was set before dialling) until the attempts run out; a permanent
// one goes to the history and the QA inbox is told.
func (b *Bot) failed(row store.OutboxRow, err error, temporary bool, now time.Time) error {
	text := err.Error()
	if temporary && row.Attempts < b.cfg.SMTP.MaxAttempts {
		return b.st.Retry(row.MessageID, text, row.NextAttempt)
	}
	b.log.Error("email failed for good", "message_id", row.MessageID, "ref", row.Ref, "err", text)
	if _, ferr := b.st.Finish(row.MessageID, now, text, false); ferr != nil {
		return ferr
	}
	if row.Purpose == string(engine.Bounced) || len(b.cfg.Directory.QA) == 0 {
		return nil // never report a failed report
	}
	return b.st.Update(func(tx *store.Tx) error {
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
	})
}

// settleInFlight looks in the shared mailbox for the copies of emails
// whose attempt was recorded but whose outcome was not (the process died
// mid-send): a copy there means the email went, and it is recorded as
// sent instead of being sent twice. It returns the rows still to send.
func (b *Bot) settleInFlight(ctx context.Context, rows []store.OutboxRow, now time.Time) ([]store.OutboxRow, error) {
	var inflight []store.OutboxRow
	for _, r := range rows {
		if r.InFlight {
			inflight = append(inflight, r)
		}
	}
	if len(inflight) == 0 || !b.cfg.SMTP.CopyToMailbox.On() || b.cfg.SMTP.DryRun {
		return rows, nil
	}
	c, err := b.dialIMAP(ctx, nil)
	if err != nil {
		// Cannot tell: wait rather than risk a second copy.
		b.log.Warn("cannot check the shared mailbox for emails sent before a crash; they wait", "err", err)
		return withoutInFlight(rows), nil
	}
	defer c.Close()
	gone := map[string]bool{}
	for _, folder := range b.cfg.IMAP.Folders {
		if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return withoutInFlight(rows), nil
		}
		for _, r := range inflight {
			data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: r.MessageID}}}, nil).Wait()
			if err != nil {
				return withoutInFlight(rows), nil
			}
			if len(data.AllUIDs()) > 0 {
				gone[r.MessageID] = true
			}
		}
	}
	var out []store.OutboxRow
	for _, r := range rows {
		if !gone[r.MessageID] {
			out = append(out, r)
			continue
		}
		b.log.Info("email found sent before a restart; not sending again", "message_id", r.MessageID, "ref", r.Ref)
		if _, err := b.st.Finish(r.MessageID, now, "", false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func withoutInFlight(rows []store.OutboxRow) []store.OutboxRow {
	var out []store.OutboxRow
	for _, r := range rows {
		if !r.InFlight {
			out = append(out, r)
		}
	}
	return out
}
