package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// seedDisputes fills st with total disputes raised over the three years
// before now, as .ci/bench's stores hold them: 1.4% still open (at stage 1
// or 2, with one of 50 respondents), the rest closed; each with its alert
// text, two stages of history and six audit events. It writes through the
// store's own API, 2,000 disputes a transaction.
func seedDisputes(tb testing.TB, st *store.Store, total int, now time.Time) {
	tb.Helper()
	alert := strings.Repeat("The care plan's contact arrangements were changed without consultation. ", 30)
	span := 3 * 365 * 24 * time.Hour
	open := total * 14 / 1000
	for start := 0; start < total; start += 2000 {
		err := st.Update(func(tx *store.Tx) error {
			for i := start; i < min(start+2000, total); i++ {
				opened := now.Add(-span + span/time.Duration(total)*time.Duration(i))
				d := engine.Dispute{
					Ref: fmt.Sprintf("DRP-%d-%06d", opened.Year(), i), Heading: "Dispute Resolution Alert", ChildRef: fmt.Sprintf("%07d", 3000000+i),
					AlertText: alert, Thread: fmt.Sprintf("<alert-%d@council.example>", i), Instigator: fmt.Sprintf("iro%d@council.example", i%20),
					Team: "North", Stage: 2, Respondent: fmt.Sprintf("manager%d@council.example", i%50), Status: engine.Resolved,
					Opened: opened, Closed: opened.Add(9 * 24 * time.Hour), Outcome: "resolved", Seq: 4,
					History: []engine.StageRecord{
						{Stage: 1, Respondent: "pl@council.example", Started: opened, Due: workdays.In(opened.Add(7 * 24 * time.Hour)), Ended: opened.Add(7 * 24 * time.Hour), How: "escalated"},
						{Stage: 2, Respondent: "sm@council.example", Started: opened.Add(7 * 24 * time.Hour), Due: workdays.In(opened.Add(14 * 24 * time.Hour)), Responded: opened.Add(8 * 24 * time.Hour), InTime: true, How: "resolved"},
					},
				}
				next := time.Time{}
				if i >= total-open { // the newest are still open
					d.Status, d.Closed, d.Outcome, d.Stage = engine.Open, time.Time{}, "", 1+i%2
					d.Due = workdays.In(now.AddDate(0, 0, i%10-3))
					next = now.Add(time.Duration(i%100) * time.Hour)
				}
				if err := tx.PutDispute(d, next); err != nil {
					return err
				}
				for k, kind := range []string{"alert", "queued", "sent", "response", "decision", "closed"} {
					if _, err := tx.AppendEvent(d.Ref, store.Event{At: opened.Add(time.Duration(k) * 24 * time.Hour), Kind: kind, From: d.Instigator,
						MessageID: fmt.Sprintf("<%s-%d@council.example>", kind, i), Detail: "Stage 2 to sm@council.example"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkQuery answers list, show and report over a running daemon's
// query socket with 1,000 and with 100,000 disputes stored, beside the
// way they were answered before: a copy of the whole store through the
// backup socket, then the query on the copy ("show-by-copy"). Seeding the
// larger store takes a minute or two.
//
//	go test ./mailbot -run XXX -bench Query -benchtime 20x
func BenchmarkQuery(b *testing.B) {
	for _, total := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("disputes=%d", total), func(b *testing.B) {
			w := newWorld(b, false, "newham")
			w.now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
			seedDisputes(b, w.bot.Store(), total, w.now)
			st := w.bot.Store()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sock, backups := QuerySocketPath(st.Path()), store.SocketPath(st.Path())
			go w.bot.ServeQueries(ctx, sock)
			go st.ServeBackups(ctx, backups)
			for _, p := range []string{sock, backups} {
				for _, err := os.Stat(p); err != nil; _, err = os.Stat(p) {
					time.Sleep(time.Millisecond)
				}
			}
			if fi, err := os.Stat(st.Path()); err == nil {
				b.Logf("store of %d disputes: %.1f MiB", total, float64(fi.Size())/(1<<20))
			}
			last := fmt.Sprintf("DRP-2026-%06d", total-1)
			queries := []struct {
				name string
				q    Query
			}{
				{"show", Query{Kind: "show", Ref: last}},
				{"list-open", Query{Kind: "list", Filter: Filter{Open: true}}},
				{"list-respondent", Query{Kind: "list", Filter: Filter{Respondent: "manager7@council.example"}}},
				{"report-quarter", Query{Kind: "report", Period: PreviousQuarter(w.now)}},
			}
			for _, q := range queries {
				b.Run(q.name, func(b *testing.B) {
					var out bytes.Buffer
					for b.Loop() {
						out.Reset()
						if err := AskDaemon(ctx, sock, q.q, &out); err != nil || out.Len() == 0 {
							b.Fatalf("%v (%d bytes)", err, out.Len())
						}
					}
				})
			}
			b.Run("show-by-copy", func(b *testing.B) {
				dst := filepath.Join(b.TempDir(), "copy.db")
				for b.Loop() {
					if _, err := store.BackupFromSocket(backups, dst); err != nil {
						b.Fatal(err)
					}
					cp, err := store.Open(dst)
					if err != nil {
						b.Fatal(err)
					}
					var out bytes.Buffer
					v := View{Policy: w.bot.Policy(), Calendar: w.bot.Calendar(), Directory: w.bot.Directory(), Now: w.now}
					if err := cp.View(func(tx *store.Tx) error { return Answer(&out, tx, Query{Kind: "show", Ref: last}, v) }); err != nil {
						b.Fatal(err)
					}
					cp.Close()
					os.Remove(dst)
				}
			})
		})
	}
}
