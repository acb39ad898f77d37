package mailbot

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// TestDaemonBusy runs the daemon (a watcher on each of two folders, the
// sender, the backup socket) while other goroutines tick, build digests,
// list, build the quarterly report, read the calendar, and scrape /metrics
// and /healthz without pause, and alerts arrive: every alert is recorded
// once and acknowledged, and nothing panics. Its purpose is `go test
// -race` (CI runs it so): every structure these goroutines share (the
// calendar's holiday cache, the health state, the store) is exercised at
// once.
func TestDaemonBusy(t *testing.T)     { daemonBusy(t, false) }
func TestDaemonBusyReal(t *testing.T) { daemonBusy(t, true) }

func daemonBusy(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.bot.Now = time.Now
	w.cfg.IMAP.Folders = []string{"INBOX", "Filed"}
	w.cfg.SMTP.MaxPerRecipientPerDay = 1000
	c := w.ms.login(t, addrOf("lac"))
	c.Create("Filed", nil).Wait()
	c.Close()
	t.Cleanup(func() {
		if real {
			c := w.ms.login(t, addrOf("lac"))
			c.Delete("Filed").Wait()
			c.Close()
		}
	})
	srv := httptest.NewServer(w.bot.Handler())
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var daemon, workers sync.WaitGroup
	daemon.Add(1)
	go func() {
		defer daemon.Done()
		w.bot.Run(ctx)
	}()
	var rounds atomic.Int64
	work := func(name string, fn func(i int) error) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := 0; ctx.Err() == nil; i++ {
				if err := fn(i); err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				rounds.Add(1)
				time.Sleep(time.Millisecond)
			}
		}()
	}
	work("tick", func(int) error { _, err := w.bot.Tick(time.Now()); return err })
	work("digest", func(int) error { _, err := w.bot.Digest(time.Now()); return err })
	work("list", func(int) error {
		return w.bot.Store().View(func(tx *store.Tx) error {
			_, err := List(tx, Filter{Open: true}, w.bot.Policy(), w.bot.Calendar(), time.Now())
			return err
		})
	})
	work("report", func(int) error {
		return w.bot.Store().View(func(tx *store.Tx) error {
			_, err := BuildReport(tx, w.bot.Policy(), w.bot.Calendar(), w.bot.Directory(), PreviousQuarter(time.Now()), time.Now())
			return err
		})
	})
	work("calendar", func(i int) error {
		// A cold year every round: the holiday cache misses and is written.
		w.bot.Calendar().NonWorkingDays(2000 + i%80)
		w.bot.Calendar().AddWorkingDays(workdays.Date{Year: 2000 + (i*7)%80, Month: 12, Day: 20}, 10)
		return nil
	})
	work("scrape", func(int) error {
		for _, path := range []string{"/metrics", "/healthz"} {
			resp, err := srv.Client().Get(srv.URL + path)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil
	})

	const alerts = 12
	for i := 0; i < alerts; i++ {
		a := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			fmt.Sprintf("Dispute Resolution Alert - Stage 1 - 34%05d", i), fmt.Sprintf("<busy%d-%d@drpbot.test>", i, time.Now().UnixNano()), "", time.Now(), fmt.Sprintf("Child ID: 34%05d", i))
		if i%3 == 2 {
			w.ms.appendTo(t, addrOf("lac"), "Filed", a) // some are filed by a rule
			continue
		}
		if err := submit(w.ms.smtpAddr, addrOf("iro"), []string{addrOf("lac")}, a); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int, dup bool) {
		w.bot.Store().View(func(tx *store.Tx) error {
			for i := 0; i < alerts; i++ {
				k := len(tx.ByChild(fmt.Sprintf("34%05d", i)))
				n += min(k, 1)
				dup = dup || k > 1
			}
			return nil
		})
		return n, dup
	}
	waitUntil(t, "every alert recorded", func() bool { n, _ := count(); return n == alerts })
	waitUntil(t, "every acknowledgement sent", func() bool { return w.bot.Metrics.Sent.Load() >= alerts })
	cancel()
	workers.Wait()
	daemon.Wait()
	if _, dup := count(); dup {
		t.Error("an alert opened two disputes")
	}
	t.Logf("%d rounds of concurrent work beside the daemon", rounds.Load())
}
