package mailbot

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
)

// Run is the daemon: a watcher per folder, the sender, the cron schedules
// and the backup socket, until ctx ends. On shutdown it stops taking work,
// lets in-flight work finish, and returns; the caller closes the store.
func (b *Bot) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, folder := range b.cfg.IMAP.Folders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Watch(ctx, folder)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.sendLoop(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := b.st.ServeBackups(ctx, store.SocketPath(b.st.Path())); err != nil {
			b.log.Error("backup socket", "err", err)
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := b.ServeQueries(ctx, QuerySocketPath(b.st.Path())); err != nil {
			b.log.Error("query socket", "err", err)
		}
	}()
	if b.cfg.Metrics.Listen != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.serveMetrics(ctx); err != nil {
				b.log.Error("metrics", "err", err)
			}
		}()
	}
	// A job that panics is logged and the daemon goes on.
	c := cron.New(cron.WithLocation(workdays.London), cron.WithParser(config.CronParser()), cron.WithChain(cron.Recover(cronLog{b.log})))
	add := func(name, spec string, fn func()) {
		if spec == "" {
			return
		}
		if _, err := c.AddFunc(spec, fn); err != nil {
			b.log.Error("bad schedule", "job", name, "err", err) // check-config catches this first
		}
	}
	add("tick", b.cfg.Schedule.Tick, func() {
		if _, err := b.Tick(b.Now()); err != nil {
			b.log.Error("tick", "err", err)
		}
	})
	add("digest", b.cfg.Schedule.Digest, func() {
		if _, err := b.Digest(b.Now()); err != nil {
			b.log.Error("digest", "err", err)
		}
	})
	add("report", b.cfg.Schedule.Report, func() {
		now := b.Now()
		// Only in the months the council's procedure reports in (Newham
		// quarterly, Oxfordshire six-monthly, Brighton & Hove October and
		// April), covering the months since the last one.
		per, due := ReportPeriod(now, b.policy.ReportMonths)
		if !due {
			return
		}
		if _, err := b.QueueReport(per, now); err != nil {
			b.log.Error("periodic report", "err", err)
		}
	})
	add("purge", "30 3 * * *", func() {
		now := b.Now()
		n, err := b.st.Purge(now.AddDate(0, 0, -b.cfg.Store.RetentionDays))
		if err != nil {
			b.log.Error("purge", "err", err)
			return
		}
		_ = b.st.ForgetQuota(workdays.In(now).String())
		if n > 0 {
			b.log.Info("purged closed disputes past retention", "count", n)
		}
	})
	c.Start()
	b.log.Info("drpbot running", "mailbox", b.cfg.Mailbox, "folders", len(b.cfg.IMAP.Folders), "policy", b.Policy().Name, "dry_run", b.cfg.SMTP.DryRun, "authentication", b.AuthState())
	b.warnUnprotected()
	<-ctx.Done()
	stop := c.Stop() // waits for running jobs
	<-stop.Done()
	wg.Wait()
	b.log.Info("drpbot stopped")
	return nil
}

// cronLog gives cron's logger interface to slog.
type cronLog struct{ l *slog.Logger }

func (c cronLog) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLog) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// sendLoop drains the outbox when rung and every 30 seconds; while the
// SMTP server is unreachable and mail waits, it probes every smtpProbe
// instead, so mail leaves as soon as the server answers again.
func (b *Bot) sendLoop(ctx context.Context) {
	for {
		wait := 30 * time.Second
		if _, _, err := b.Drain(ctx, b.Now()); errors.Is(err, ErrSMTPUnavailable) {
			wait = b.smtpProbe
		} else if err != nil && ctx.Err() == nil {
			b.log.Error("sender", "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-b.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Digest queues the weekly digest: each IRO their open disputes, each
// manager what waits on them, the QA inbox everything overdue.
func (b *Bot) Digest(now time.Time) (int, error) {
	defer b.readLive()()
	per := map[string][]templates.Row{}
	reasons := map[string]string{}
	var overdue []templates.Row
	err := b.st.View(func(tx *store.Tx) error {
		return tx.ForEachOpenBrief(func(d engine.Dispute) error {
			row := templates.Row{Ref: d.Ref, Child: d.ChildRef, Stage: b.policy.StageName(d.Stage), Respondent: b.person(d.Respondent).String(), Due: b.ukDate(d.Due), Status: string(d.Status)}
			if !d.Due.IsZero() {
				row.DaysLeft = b.cal.WorkingDaysBetween(workdays.In(now), d.Due)
			}
			per[d.Instigator] = append(per[d.Instigator], row)
			reasons[d.Instigator] = "you raised that are open"
			if d.Status == engine.Open && d.Respondent != "" {
				per[d.Respondent] = append(per[d.Respondent], row)
				if reasons[d.Respondent] == "" {
					reasons[d.Respondent] = "waiting on you"
				}
			}
			if d.Status == engine.Open && row.DaysLeft < 0 {
				overdue = append(overdue, row)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	for _, q := range b.cfg.Directory.QA {
		if len(overdue) > 0 {
			per[q] = overdue
			reasons[q] = "overdue across the service"
		}
	}
	week := workdays.In(now).String()
	n := 0
	addrs := make([]string, 0, len(per))
	for a := range per {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	err = b.st.Update(func(tx *store.Tx) error {
		for _, addr := range addrs {
			rows := per[addr]
			sort.Slice(rows, func(i, j int) bool { return rows[i].Ref < rows[j].Ref })
			td := templates.Data{Purpose: string(engine.Digest), Council: b.policy.Council, Mailbox: b.cfg.Mailbox, Recipient: b.person(addr), Reason: reasons[addr], Rows: rows}
			msg, err := b.tpl.Render(td)
			if err != nil {
				return err
			}
			row := store.OutboxRow{MessageID: store.ServiceMessageID("digest", week+"."+addrKey(addr), b.domain), Purpose: td.Purpose, To: []string{addr},
				Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now}
			if err := tx.AddOutbox(row); errors.Is(err, store.ErrDuplicate) {
				continue // this week's digest is already queued: a rerun sends nothing twice
			} else if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err == nil {
		var held int
		held, err = b.heldDigest(now)
		n += held
	}
	if n > 0 {
		b.ring()
	}
	return n, err
}

func addrKey(a string) string {
	out := []byte(a)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			out[i] = '_'
		}
	}
	return string(out)
}
