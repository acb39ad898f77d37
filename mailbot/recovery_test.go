package mailbot

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// queue puts n emails to the IRO in the outbox, due at w.now.
func queue(t testing.TB, w *world, prefix string, n int) {
	t.Helper()
	err := w.bot.Store().Update(func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if err := tx.AddOutbox(store.OutboxRow{MessageID: fmt.Sprintf("<%s-%d@drpbot.test>", prefix, i),
				To: []string{addrOf("iro")}, Subject: "reminder", Text: "A reminder.\n", Created: w.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDrainTakesTheWholeQueue: one drain sends everything due over one
// connection, batch after batch, not one batch per 30 seconds.
func TestDrainTakesTheWholeQueue(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.cfg.SMTP.MaxPerRecipientPerDay = 1000
	w.cfg.SMTP.CopyToMailbox = config.CopyOff
	w.bot.sendLimit = 50
	w.at(2, 9)
	queue(t, w, "whole", 3*w.bot.sendLimit+7)
	sent, failed, err := w.bot.Drain(context.Background(), w.now)
	if err != nil || failed != 0 || sent != 3*w.bot.sendLimit+7 {
		t.Errorf("one drain: %d sent, %d failed, %v", sent, failed, err)
	}
}

// TestSMTPOutageRecovery: the SMTP server is down (connection refused)
// while mail is queued. Nothing counts as an attempt and nothing backs
// off; the sender probes, and once the server listens again everything
// goes, without the clock moving on at all (a backed-off email would
// wait for ever here).
func TestSMTPOutageRecovery(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.cfg.SMTP.MaxPerRecipientPerDay = 1000
	w.cfg.SMTP.CopyToMailbox = config.CopyOff
	w.bot.smtpProbe = 20 * time.Millisecond
	w.at(2, 9)
	if err := w.ms.sb.StopSMTP(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.bot.sendLoop(ctx)
	}()
	defer func() { cancel(); wg.Wait() }()
	const n = 120
	queue(t, w, "outage", n)
	w.bot.ring()
	time.Sleep(300 * time.Millisecond) // several probes fail
	w.bot.Store().View(func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			row, _ := tx.Outboxed(fmt.Sprintf("<outage-%d@drpbot.test>", i))
			if row.Attempts != 0 || !row.NextAttempt.Equal(w.now) || row.InFlight {
				t.Fatalf("an outage counted against an email: %+v", row)
			}
		}
		return nil
	})
	if err := w.ms.sb.StartSMTP(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "every email after the server came back", func() bool { return w.ms.sb.Received(addrOf("iro")) >= n })
	if got := w.ms.sb.Received(addrOf("iro")); got != n {
		t.Errorf("%d delivered for %d", got, n)
	}
}

// BenchmarkSMTPRecovery: 710 emails wait through an SMTP outage (the
// in-process server stopped: connection refused); the sender runs as the
// daemon runs it (default probe interval). Reports the seconds from the
// server listening again to the last email delivered, and the drain rate.
func BenchmarkSMTPRecovery(b *testing.B) {
	for i := 0; i < b.N; i++ {
		w := newWorld(b, false, "newham")
		w.cfg.SMTP.MaxPerRecipientPerDay = 1 << 20
		w.cfg.SMTP.CopyToMailbox = config.CopyOff
		w.at(2, 9)
		if err := w.ms.sb.StopSMTP(); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.bot.sendLoop(ctx)
		}()
		const n = 710
		queue(b, w, "bench", n)
		w.bot.ring()
		time.Sleep(2 * time.Second) // the outage
		b.ResetTimer()
		back := time.Now()
		if err := w.ms.sb.StartSMTP(); err != nil {
			b.Fatal(err)
		}
		var first time.Duration
		for w.ms.sb.Received(addrOf("iro")) < n {
			if first == 0 && w.ms.sb.Received(addrOf("iro")) > 0 {
				first = time.Since(back)
			}
			if time.Since(back) > 2*time.Minute {
				b.Fatalf("only %d of %d after 2 minutes", w.ms.sb.Received(addrOf("iro")), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		last := time.Since(back)
		b.StopTimer()
		cancel()
		wg.Wait()
		b.ReportMetric(first.Seconds(), "s-to-first")
		b.ReportMetric(last.Seconds(), "s-to-last")
		b.ReportMetric(float64(n)/(last-first).Seconds(), "emails/s")
	}
}
