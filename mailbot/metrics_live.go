package mailbot

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/drpbot/drpbot/mailbot/buildinfo"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/store"
)

// registerLiveMetrics adds to reg the metrics read from the store at each
// scrape (open and overdue disputes by stage), the build and the reloads.
func (b *Bot) registerLiveMetrics(reg *prometheus.Registry) {
	reg.MustRegister(disputeCollector{
		b:       b,
		open:    prometheus.NewDesc("drpbot_disputes_open", "Disputes not closed, by stage (0 is informal) and status (open: waiting for the respondent; responded: waiting for the instigator's decision; paused).", []string{"stage", "stage_name", "status"}, nil),
		overdue: prometheus.NewDesc("drpbot_disputes_overdue", "Disputes waiting for a response past the end of its due day, by stage.", []string{"stage", "stage_name"}, nil),
	})
	bi := buildinfo.Read()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_build_info", Help: "Always 1; the labels say which build runs (as drpbot version prints it).",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Commit, "modified": strconv.FormatBool(bi.Modified), "goversion": bi.GoVersion}},
		func() float64 { return 1 }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "drpbot_config_reloads_total", Help: "Config reloads (SIGHUP or a changed directory CSV) that took effect."},
		func() float64 { return float64(b.live.reloads.Load()) }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "drpbot_config_reload_failures_total", Help: "Config reloads refused because a file was invalid; the settings in force were kept."},
		func() float64 { return float64(b.live.refused.Load()) }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "drpbot_config_last_reload_timestamp_seconds", Help: "When a reload last took effect (0: none since start)."},
		func() float64 { return float64(b.live.last.Load()) }))
}

// disputeCollector counts the open disputes at each scrape from the open
// index alone (one small bucket, whatever the store's size).
type disputeCollector struct {
	b             *Bot
	open, overdue *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c disputeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.open; ch <- c.overdue }

// Collect implements prometheus.Collector. Every stage of the policy is
// reported, zero or not, so that an alert on a series never sees it vanish.
func (c disputeCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.b.view() // the policy in force; the scrape does not hold the lock
	now := v.Now
	type key struct {
		stage  int
		status engine.Status
	}
	open, overdue := map[key]int{}, map[int]int{}
	for _, s := range v.Policy.Stages {
		open[key{s.Number, engine.Open}] += 0
		overdue[s.Number] += 0
	}
	err := c.b.st.View(func(tx *store.Tx) error {
		return tx.ForEachOpenBrief(func(d engine.Dispute) error {
			open[key{d.Stage, d.Status}]++
			// Overdue as `drpbot list --overdue` has it: waiting on the
			// respondent after the end of the due day.
			if d.Status == engine.Open && !d.Due.IsZero() && !now.Before(d.Due.End()) {
				overdue[d.Stage]++
			} else {
				overdue[d.Stage] += 0
			}
			return nil
		})
	})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.open, err)
		return
	}
	for k, n := range open {
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(n), strconv.Itoa(k.stage), v.Policy.StageName(k.stage), string(k.status))
	}
	for stage, n := range overdue {
		ch <- prometheus.MustNewConstMetric(c.overdue, prometheus.GaugeValue, float64(n), strconv.Itoa(stage), v.Policy.StageName(stage))
	}
}
