package mailbot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// BenchmarkSend sends emails through SMTP (Postfix when DRPBOT_TEST_SMTP is
// set, else the in-process sandbox) over one connection, in batches of 50
// (one store transaction records a batch's attempts) against batches of
// one. Reports emails per second.
func BenchmarkSend(b *testing.B) {
	for _, batch := range []int{50, 1} {
		name := "reused"
		if batch == 1 {
			name = "per-email"
		}
		b.Run(name, func(b *testing.B) {
			_, smtpAddr := realServers()
			w := newWorld(b, smtpAddr != "", "newham")
			w.cfg.SMTP.MaxPerRecipientPerDay = 1 << 30
			w.cfg.SMTP.CopyToMailbox = config.CopyOff
			w.bot.sendLimit = batch
			w.at(2, 9)
			err := w.bot.Store().Update(func(tx *store.Tx) error {
				for i := 0; i < b.N; i++ {
					if err := tx.AddOutbox(store.OutboxRow{MessageID: fmt.Sprintf("<bench-%s-%d@drpbot.test>", name, i),
						To: []string{addrOf("iro")}, Subject: "bench", Text: "A reminder.\n", Created: w.now}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			sent := 0
			for sent < b.N {
				n, failed, err := w.bot.Drain(context.Background(), w.now)
				if err != nil || failed > 0 {
					b.Fatalf("drain: %d failed, %v", failed, err)
				}
				sent += n
			}
			b.ReportMetric(float64(sent)/time.Since(start).Seconds(), "emails/s")
		})
	}
}

// BenchmarkTick is one scheduler pass over 100 disputes whose window has
// lapsed: 100 escalations decided, rendered and queued, against a store on
// disk (each commit synced).
func BenchmarkTick(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := newWorld(b, false, "newham")
		w.at(2, 9)
		for k := 0; k < 100; k++ {
			child := fmt.Sprintf("%07d", 5000000+k)
			alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
				"Dispute Resolution Alert - Stage 1 - "+child, fmt.Sprintf("<tick-%d@drpbot.test>", k), "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nPlease review the plan.")
			if _, err := w.bot.Process(alert, w.now); err != nil {
				b.Fatal(err)
			}
		}
		w.at(16, 9)
		b.StartTimer()
		n, err := w.bot.Tick(w.now)
		if err != nil || n < 100 {
			b.Fatalf("tick queued %d: %v", n, err)
		}
	}
}
