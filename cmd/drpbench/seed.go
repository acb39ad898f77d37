package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// seed builds, at path, the store of a service that has handled total
// disputes over the last three years, through drpbot's own code: each
// dispute's alert, reply, decision and out-of-office or note are handled
// by Bot.Process at the time they arrived, and every email drpbot queued
// is "sent" (dry run) into the history, as the daemon would have done. At
// tickAt, open of them are still open and exactly due of those are due.
// It works on tmpfs (fsync is free there) and the caller copies the file.
func seed(cfgPath, path string, total, open, due int, tickAt time.Time) error {
	_ = os.Remove(path)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := mailbot.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	g := &gen{r: rand.New(rand.NewPCG(uint64(total), 42))}
	closed := total - open
	span := 3*365*24*time.Hour - 14*24*time.Hour
	first := tickAt.Add(-3 * 365 * 24 * time.Hour)
	handle := func(m msg) error {
		if _, err := b.Process(m.raw, m.at); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		for {
			n, _, err := b.Drain(context.Background(), m.at)
			if err != nil || n == 0 {
				return err
			}
		}
	}
	day := ""
	for k := 0; k < total; k++ {
		var at time.Time
		var thread []msg
		switch {
		case k < closed: // handled and closed: the history
			at = first.Add(span * time.Duration(k) / time.Duration(max(closed, 1)))
			thread = g.thread(k, at)
		case k < closed+due: // its window lapsed: due at tickAt
			at = tickAt.AddDate(0, 0, -12).Add(time.Duration(k%300) * time.Minute)
			thread = g.thread(k, at)[:1]
		default: // raised yesterday: nothing due yet
			at = tickAt.Add(-20 * time.Hour).Add(time.Duration(k%600) * time.Minute / 10)
			thread = g.thread(k, at)[:1]
		}
		// The daemon forgets the per-recipient counts of past days each
		// night; so does the seed.
		if d := workdays.In(at).String(); d != day {
			if err := st.ForgetQuota(d); err != nil {
				return err
			}
			day = d
		}
		for _, m := range sortedByTime(thread) {
			if err := handle(m); err != nil {
				return err
			}
		}
	}
	var n, o int
	st.View(func(tx *store.Tx) error {
		n = len(tx.Due(tickAt))
		return tx.ForEachOpenBrief(func(engine.Dispute) error { o++; return nil })
	})
	if n != due || o != open {
		return fmt.Errorf("seed: %d disputes open and %d due at %s, want %d and %d", o, n, tickAt.Format(time.RFC3339), open, due)
	}
	return nil
}

func sortedByTime(ms []msg) []msg {
	out := append([]msg(nil), ms...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].at.Before(out[j-1].at); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
