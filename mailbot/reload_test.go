package mailbot

import (
	"context"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// TestReloadRunningBot reloads the config of a running daemon: a broken
// directory CSV (noticed without a signal) is refused and the old
// directory kept; then a good CSV, in which another person now manages
// the practice lead, and a config changing one live and one restart-only
// setting, taken on SIGHUP. The dispute already in flight escalates to the
// new manager at its next step.
func TestReloadRunningBot(t *testing.T)     { runReload(t, false) }
func TestReloadRunningBotReal(t *testing.T) { runReload(t, true) }

func runReload(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	cfgPath, csvPath := w.cfg.Path("config.toml"), w.cfg.Path("staff.csv")
	w.at(2, 9)
	raise(t, w, "<reload-1@drpbot.test>", "4040404")
	w.at(16, 9) // stage 1's window has lapsed; nothing ticks until the test says so
	w.cfg.Schedule.Tick, w.cfg.Schedule.Digest, w.cfg.Schedule.Report = "", "", ""

	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); w.bot.Run(ctx) }()
	go func() { defer wg.Done(); w.bot.WatchConfig(ctx, cfgPath, hup, 20*time.Millisecond) }()
	defer func() { cancel(); wg.Wait() }()
	waitUntil(t, "the daemon to start", func() bool { return strings.Contains(w.logs.String(), "drpbot running") })

	// A broken export: the practice lead's manager is nobody drpbot knows.
	bad := strings.Replace(staffCSV, "practice.lead@drpbot.test,Pat Lead,practice_lead,North,service.manager@drpbot.test", "practice.lead@drpbot.test,Pat Lead,practice_lead,North,nobody@drpbot.test", 1)
	if bad == staffCSV {
		t.Fatal("the bad CSV is not different")
	}
	os.WriteFile(csvPath, []byte(bad), 0o600)
	waitUntil(t, "the broken CSV to be refused", func() bool { return w.bot.live.refused.Load() == 1 })
	if !strings.Contains(w.logs.String(), "config reload refused") || !strings.Contains(w.logs.String(), "manager nobody@drpbot.test is not in the directory") {
		t.Errorf("the refusal's reason is not logged:\n%s", w.logs.String())
	}
	if _, ok := w.bot.Directory().Person(addrOf("service.manager")); !ok || w.bot.live.reloads.Load() != 0 {
		t.Fatal("the old directory was not kept")
	}

	// A good one, and a config that changes a live and a restart-only key.
	good := strings.ReplaceAll(staffCSV, "service.manager@drpbot.test,Sue Service", "head.of.service@drpbot.test,Sue Service")
	good = strings.ReplaceAll(good, ",service.manager@drpbot.test", ",head.of.service@drpbot.test")
	body, _ := os.ReadFile(cfgPath)
	conf := strings.Replace(string(body), "initials = true", "initials = false", 1)
	conf = strings.Replace(conf, `poll_interval = "1s"`, `poll_interval = "2s"`, 1)
	os.WriteFile(cfgPath, []byte(conf), 0o600)
	os.WriteFile(csvPath, []byte(good), 0o600)
	hup <- os.Interrupt // any value: the daemon sends SIGHUP
	waitUntil(t, "the good files to be taken", func() bool {
		_, ok := w.bot.Directory().Person(addrOf("head.of.service"))
		return ok
	})
	waitUntil(t, "the restart warning", func() bool { return strings.Contains(w.logs.String(), "need a restart") })
	if _, ok := w.bot.Directory().Person(addrOf("service.manager")); ok {
		t.Error("the person removed from the CSV is still in the directory")
	}
	w.bot.live.mu.RLock()
	initials, poll := w.cfg.Privacy.Initials, w.cfg.IMAP.PollInterval.Duration
	w.bot.live.mu.RUnlock()
	if initials || poll != time.Second {
		t.Errorf("after reload: privacy.initials %v (want false, live), imap.poll_interval %v (want 1s until a restart)", initials, poll)
	}
	logs := w.logs.String()
	if !strings.Contains(logs, "imap.poll_interval") || !strings.Contains(logs, "privacy.initials") {
		t.Errorf("the reload does not say what changed:\n%s", logs)
	}

	// The dispute in flight follows the new directory from its next step.
	if n, err := w.bot.Tick(w.now); err != nil || n == 0 {
		t.Fatalf("tick queued %d: %v", n, err)
	}
	w.ms.waitFor(t, addrOf("head.of.service"), 1)
	if got := w.ms.inbox(t, addrOf("head.of.service")); len(got) != 1 || !strings.Contains(got[0].Subject, "Stage 2") {
		t.Errorf("the new service manager got %v", subjects(got))
	}
	if got := w.ms.inbox(t, addrOf("service.manager")); len(got) != 0 {
		t.Errorf("the old service manager got %v", subjects(got))
	}
	cancel()
	wg.Wait()
	if _, err := os.Stat(store.SocketPath(w.bot.Store().Path())); !os.IsNotExist(err) {
		t.Errorf("the backup socket is left behind: %v", err)
	}
}

// TestReloadKeys: which settings a reload puts in force, and which wait
// for a restart.
func TestReloadKeys(t *testing.T) {
	old, nc := config.Defaults(), config.Defaults()
	nc.Mailbox = "new@council.example"
	nc.IMAP.Host = "imap.new.example"
	nc.SMTP.Host = "smtp.new.example"
	nc.SMTP.MaxPerRecipientPerDay = 5
	nc.SMTP.DryRun = true
	nc.Directory.QA = []string{"qa@council.example"}
	nc.Policy.Preset = "wakefield"
	nc.Schedule.Tick = "*/5 * * * *"
	nc.Store.Path = "other.db"
	var res ReloadResult
	before := old
	mergeLive(reflect.ValueOf(&old).Elem(), reflect.ValueOf(&nc).Elem(), "", "", &res)
	slices.Sort(res.Live)
	slices.Sort(res.Restart)
	wantLive := []string{"directory.qa", "policy.preset", "smtp.dry_run", "smtp.max_per_recipient_per_day"}
	wantRestart := []string{"imap.host", "mailbox", "schedule.tick", "smtp.host", "store.path"}
	if !slices.Equal(res.Live, wantLive) || !slices.Equal(res.Restart, wantRestart) {
		t.Errorf("live %v restart %v\nwant live %v restart %v", res.Live, res.Restart, wantLive, wantRestart)
	}
	if old.Mailbox != before.Mailbox || old.IMAP.Host != before.IMAP.Host || old.SMTP.Host != before.SMTP.Host || old.Store.Path != before.Store.Path || old.Schedule.Tick != before.Schedule.Tick {
		t.Error("a restart-only setting was changed in place")
	}
	if old.SMTP.MaxPerRecipientPerDay != 5 || !old.SMTP.DryRun || old.Policy.Preset != "wakefield" || len(old.Directory.QA) != 1 {
		t.Error("a live setting was not taken")
	}
}

// TestReloadNeverBlocksAReader: a reload waiting for the lock must not
// stop an entry point in flight from reading the settings again (a
// sync.RWMutex writer waiting in line would, and the two would deadlock).
func TestReloadNeverBlocksAReader(t *testing.T) {
	w := newWorld(t, false, "newham")
	release := w.bot.readLive() // an entry point in flight
	reloaded := make(chan error, 1)
	go func() {
		_, err := w.bot.Reload(w.cfg.Path("config.toml"))
		reloaded <- err
	}()
	nested := make(chan struct{})
	go func() {
		// The entry point reads again, and again, while the reload
		// prepares and then waits for the lock.
		for i := 0; i < 200; i++ {
			w.bot.Policy()
			time.Sleep(10 * time.Millisecond)
		}
		close(nested)
	}()
	select {
	case <-nested:
	case <-time.After(10 * time.Second):
		t.Fatal("a reader was blocked behind a waiting reload")
	}
	release()
	select {
	case err := <-reloaded:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reload never took the lock")
	}
}

// TestReloadWaitsForTheCSVToHoldStill: an export written in two goes (a
// valid but short directory first, the rest a moment later) is read once,
// whole, after it has stopped changing; the short one is never taken.
func TestReloadWaitsForTheCSVToHoldStill(t *testing.T) {
	w := newWorld(t, false, "newham")
	csvPath := w.cfg.Path("staff.csv")
	const poll = 500 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.bot.WatchConfig(ctx, w.cfg.Path("config.toml"), nil, poll) }()
	defer func() { cancel(); <-done }()
	lines := strings.SplitAfter(staffCSV, "\n")
	short := lines[0] + lines[1] + lines[2] // the IRO and the IRO manager: valid on its own
	full := staffCSV + "head.of.service@drpbot.test,Hana Head,head_of_service,,,\n"
	time.Sleep(poll * 2 / 5)
	os.WriteFile(csvPath, []byte(short), 0o600)
	time.Sleep(poll * 7 / 10) // the first poll sees the short file, the second the whole one
	os.WriteFile(csvPath, []byte(full), 0o600)
	waitUntil(t, "the whole CSV to be taken", func() bool { return w.bot.Directory().Len() == 17 })
	time.Sleep(2 * poll)
	if n, r := w.bot.live.reloads.Load(), w.bot.live.refused.Load(); n != 1 || r != 0 {
		t.Errorf("%d reloads, %d refused; want the whole file read once", n, r)
	}
}
