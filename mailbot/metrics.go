package mailbot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/drpbot/drpbot/store"
)

// Handler serves /healthz (200 while the mailbox was read recently and
// nothing else is wrong, else 503 and one line per problem) and Prometheus
// /metrics.
func (b *Bot) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	counter := func(name, help string, v func() int64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) }))
	}
	counter("drpbot_messages_seen_total", "Messages read from the mailbox.", b.Metrics.Seen.Load)
	counter("drpbot_alerts_total", "Disputes opened.", b.Metrics.Alerts.Load)
	counter("drpbot_escalations_total", "Escalations to the next level.", b.Metrics.Escalations.Load)
	counter("drpbot_emails_sent_total", "Emails sent.", b.Metrics.Sent.Load)
	counter("drpbot_send_failures_total", "Failed attempts to send an email.", b.Metrics.SendFailures.Load)
	counter("drpbot_messages_rejected_total", "Messages that could not be handled and were skipped.", b.Metrics.Rejected.Load)
	counter("drpbot_messages_held_total", "Messages recorded but not acted on: unauthenticated, or from a stranger.", b.Metrics.Held.Load)
	counter("drpbot_handler_panics_total", "Messages whose handling panicked.", b.Metrics.Panics.Load)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_outbox_depth", Help: "Emails waiting to be sent."}, func() float64 {
		n := 0
		b.st.View(func(tx *store.Tx) error { n = tx.OutboxLen(); return nil })
		return float64(n)
	}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_last_sync_timestamp_seconds", Help: "When the mailbox was last read successfully."}, func() float64 {
		return float64(b.Metrics.LastSync.Load())
	}))
	for _, kind := range imapKinds {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "drpbot_imap_errors_total",
			Help: "IMAP connection failures by kind: login_refused, unreachable, tls, timeout (a hung server), connection_lost.", ConstLabels: prometheus.Labels{"kind": kind}},
			func() float64 { return float64(b.imapErrors(kind)) }))
	}
	counter("drpbot_smtp_tls_errors_total", "Connections to the SMTP server whose TLS failed.", func() int64 { return b.imapErrors("smtp_tls") })
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_imap_failures_in_a_row", Help: "IMAP connection failures since the last successful sync."}, func() float64 {
		return float64(b.imapFailuresInARow())
	}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_healthy", Help: "1 while /healthz answers 200, else 0."}, func() float64 {
		if len(b.unhealthy()) > 0 {
			return 0
		}
		return 1
	}))
	b.registerLiveMetrics(reg) // metrics_live.go
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if problems := b.unhealthy(); len(problems) > 0 {
			http.Error(w, strings.Join(problems, "\n"), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// unhealthy lists why /healthz is red: the mailbox not read recently, the
// IMAP connection failing (healthProblems), another drpbot on the mailbox.
func (b *Bot) unhealthy() []string {
	problems := b.healthProblems()
	last := time.Unix(b.Metrics.LastSync.Load(), 0)
	limit := 2*b.cfg.IMAP.PollInterval.Duration + b.cfg.IMAP.Timeout.Duration + time.Minute
	if b.Metrics.LastSync.Load() == 0 || b.Now().Sub(last) > limit {
		problems = append([]string{fmt.Sprintf("mailbox not read since %s", last.UTC().Format(time.RFC3339))}, problems...)
	}
	return problems
}

// serveMetrics serves Handler on the configured address until ctx ends.
func (b *Bot) serveMetrics(ctx context.Context) error {
	l, err := net.Listen("tcp", b.cfg.Metrics.Listen)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
