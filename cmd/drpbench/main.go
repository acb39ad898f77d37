// Command drpbench measures drpbot as a whole program against real mail
// servers: first and second sync of a generated shared mailbox beside
// mbsync, IDLE latency, tick at 1,000 and 100,000 disputes, and the
// daemon's resident memory. It expects Dovecot and Postfix as .ci/mailservers
// starts them and is run by .ci/bench, which prints the Markdown it writes.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

type env struct {
	bin, work, shm   string
	imap, smtp       string
	password         string
	rounds           int
	out              io.Writer
	results          []result
	notes            []string
	bigUser, smlUser string
	emptyUser        string
}

// result is one line of the report.
type result struct {
	figure, drpbot, beside, ratio, target string
	met                                   bool
}

func main() {
	e := &env{out: os.Stdout}
	flag.StringVar(&e.bin, "drpbot", "", "the drpbot binary to measure")
	flag.StringVar(&e.work, "work", "/var/tmp/drpbench", "work directory (on the disk measured)")
	flag.StringVar(&e.shm, "shm", "/dev/shm/drpbench", "tmpfs directory where the large stores are built")
	flag.StringVar(&e.imap, "imap", "127.0.0.1:143", "Dovecot's IMAP address")
	flag.StringVar(&e.smtp, "smtp", "127.0.0.1:25", "the SMTP server's address")
	flag.StringVar(&e.password, "password", "test-password", "the bench users' password")
	flag.IntVar(&e.rounds, "rounds", 3, "measured rounds of each side-by-side figure")
	messages := flag.Int("messages", 10000, "messages in the large mailbox")
	drp := flag.Int("drp", 2000, "of which dispute traffic")
	disputes := flag.Int("disputes", 100000, "disputes in the large store")
	alerts := flag.Int("alerts", 200, "alerts for the IDLE latency")
	importDisputes := flag.Int("import-disputes", 600, "disputes in the import's three-year history")
	importVariants := flag.String("import-variants", "", "import mailboxes to measure (small,with,big); all when empty")
	only := flag.String("only", "", "comma-separated phases to run (sync,import,latency,tick,rss); all when empty")
	flag.Parse()
	if e.bin == "" {
		fmt.Fprintln(os.Stderr, "drpbench: -drpbot is required")
		os.Exit(2)
	}
	e.bigUser, e.smlUser, e.emptyUser = "bench10k@drpbot.test", "bench1k@drpbot.test", "benchempty@drpbot.test"
	for _, d := range []string{e.work, e.shm} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			fatal(err)
		}
	}
	want := func(p string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), p) }
	if want("sync") || want("latency") {
		fatal(e.syncs(*messages, *drp))
	}
	if want("import") {
		fatal(e.imports(*messages, *importDisputes, *importVariants))
	}
	if want("latency") {
		fatal(e.latency(*alerts))
	}
	if want("tick") || want("rss") {
		fatal(e.ticks(*disputes))
	}
	if want("rss") {
		fatal(e.rss(*disputes))
	}
	e.report()
}

func fatal(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "drpbench:", err)
		os.Exit(1)
	}
}

func (e *env) logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "drpbench: "+format+"\n", a...)
}

func (e *env) add(r result) {
	e.results = append(e.results, r)
	e.logf("%s: drpbot %s; %s %s", r.figure, r.drpbot, r.beside, r.ratio)
}

// syncEnd is the generated mailboxes' last day.
var syncEnd = time.Date(2026, 11, 20, 17, 0, 0, 0, workdays.London)

// syncs: the first sync of the large mailbox, drpbot against mbsync, in
// alternating rounds after one warm-up round of each; then the second
// sync (nothing new) of the large and of a ten times smaller mailbox.
func (e *env) syncs(messages, drp int) error {
	big := corpus(1, messages, drp, syncEnd)
	var bytes int64
	for _, m := range big {
		bytes += int64(len(m.raw))
	}
	start := time.Now()
	if _, err := fill(e.imap, e.bigUser, e.password, big); err != nil {
		return err
	}
	e.logf("filled %s: %d messages, %.0f MB (mean %.0f KB) in %s", e.bigUser, len(big), mb(bytes), float64(bytes)/float64(len(big))/1024, time.Since(start).Round(time.Millisecond))
	e.notes = append(e.notes, fmt.Sprintf("Large mailbox: %d messages (%d dispute traffic in %d threads), %.0f MB, mean %.0f KB a message.", len(big), drp, drp/4, mb(bytes), float64(bytes)/float64(len(big))/1024))
	small := corpus(2, messages/10, drp/10, syncEnd)
	if _, err := fill(e.imap, e.smlUser, e.password, small); err != nil {
		return err
	}
	if _, err := fill(e.imap, e.emptyUser, e.password, nil); err != nil {
		return err
	}

	dir := filepath.Join(e.work, "sync")
	os.RemoveAll(dir)
	cfg, err := e.writeConfig(dir, botConfig{user: e.bigUser, store: filepath.Join(dir, "drpbot.db")})
	if err != nil {
		return err
	}
	mirror := filepath.Join(dir, "mirror")
	mcfg, err := e.mbsyncConfig(dir, e.bigUser, mirror)
	if err != nil {
		return err
	}
	drpSync := func(fresh bool) (run, error) {
		if fresh {
			os.Remove(filepath.Join(dir, "drpbot.db"))
		}
		return timed(e.bin, "sync", "-c", cfg, "--send=false")
	}
	mbSync := func(fresh bool) (run, error) {
		if fresh {
			os.RemoveAll(mirror)
			os.MkdirAll(mirror, 0o700)
		}
		return timed("mbsync", "-c", mcfg, "-q", "bench")
	}
	var drpRuns, mbRuns []run
	for round := 0; round <= e.rounds; round++ {
		m, err := mbSync(true)
		if err != nil {
			return err
		}
		d, err := drpSync(true)
		if err != nil {
			return err
		}
		e.logf("first sync round %d: mbsync %s (%.0f MiB), drpbot %s (%.0f MiB): %s", round, m.wall.Round(time.Millisecond), mib(m.maxRSS), d.wall.Round(time.Millisecond), mib(d.maxRSS), strings.TrimSpace(d.out))
		if n := countMaildir(filepath.Join(mirror, "INBOX")); n != len(big) {
			return fmt.Errorf("mbsync mirrored %d messages of %d", n, len(big))
		}
		if !strings.Contains(d.out, fmt.Sprintf("sync: %d messages handled", drp)) {
			return fmt.Errorf("drpbot's first sync did not handle the %d messages of dispute traffic: %s", drp, d.out)
		}
		if round == 0 {
			continue // warm-up: both read a cold index once
		}
		mbRuns, drpRuns = append(mbRuns, m), append(drpRuns, d)
	}
	dm, mm := median(drpRuns), median(mbRuns)
	e.add(result{
		figure: fmt.Sprintf("First sync, %d messages (median of %d)", len(big), e.rounds),
		drpbot: fmt.Sprintf("%s, peak %.0f MiB", secs(dm.wall), mib(maxRSS(drpRuns))),
		beside: fmt.Sprintf("mbsync %s, peak %.0f MiB", secs(mm.wall), mib(maxRSS(mbRuns))),
		ratio:  fmt.Sprintf("%.2fx", dm.wall.Seconds()/mm.wall.Seconds()),
		target: "drpbot ≤ 0.5x mbsync", met: dm.wall*2 <= mm.wall,
	})

	// Second sync: nothing new, large and small mailbox.
	scfg, err := e.writeConfig(filepath.Join(e.work, "sync-small"), botConfig{user: e.smlUser, store: filepath.Join(e.work, "sync-small", "drpbot.db")})
	if err != nil {
		return err
	}
	os.Remove(filepath.Join(e.work, "sync-small", "drpbot.db"))
	if _, err := timed(e.bin, "sync", "-c", scfg, "--send=false"); err != nil {
		return err
	}
	smirror := filepath.Join(e.work, "sync-small", "mirror")
	os.RemoveAll(smirror)
	os.MkdirAll(smirror, 0o700)
	smcfg, err := e.mbsyncConfig(filepath.Join(e.work, "sync-small"), e.smlUser, smirror)
	if err != nil {
		return err
	}
	if _, err := timed("mbsync", "-c", smcfg, "-q", "bench"); err != nil {
		return err
	}
	again := func(name string, args ...string) (run, error) {
		var rs []run
		for i := 0; i < 5; i++ {
			r, err := timed(name, args...)
			if err != nil {
				return r, err
			}
			rs = append(rs, r)
		}
		return median(rs), nil
	}
	d10, err := again(e.bin, "sync", "-c", cfg, "--send=false")
	if err != nil {
		return err
	}
	if !strings.Contains(d10.out, " 0 messages handled") {
		return fmt.Errorf("second sync handled mail: %s", d10.out)
	}
	d1, err := again(e.bin, "sync", "-c", scfg, "--send=false")
	if err != nil {
		return err
	}
	m10, err := again("mbsync", "-c", mcfg, "-q", "bench")
	if err != nil {
		return err
	}
	m1, err := again("mbsync", "-c", smcfg, "-q", "bench")
	if err != nil {
		return err
	}
	e.add(result{
		figure: fmt.Sprintf("Second sync, nothing new: %d vs %d messages (median of 5)", len(big), len(small)),
		drpbot: fmt.Sprintf("%s vs %s", ms(d10.wall), ms(d1.wall)),
		beside: fmt.Sprintf("mbsync %s vs %s", ms(m10.wall), ms(m1.wall)),
		ratio:  fmt.Sprintf("drpbot %.2fx, mbsync %.2fx", d10.wall.Seconds()/d1.wall.Seconds(), m10.wall.Seconds()/m1.wall.Seconds()),
		target: "< 1 s, independent of size", met: d10.wall < time.Second && d1.wall < time.Second,
	})
	return nil
}

// mbsyncConfig mirrors user's INBOX into a local Maildir, with isync's
// defaults otherwise.
func (e *env) mbsyncConfig(dir, user, mirror string) (string, error) {
	host, port, _ := strings.Cut(e.imap, ":")
	body := fmt.Sprintf(`IMAPAccount bench
Host %s
Port %s
User %s
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path %s/
Inbox %s/INBOX

Channel bench
Far :bench-far:
Near :bench-near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
`, host, port, user, e.password, mirror, mirror)
	path := filepath.Join(dir, "mbsyncrc")
	return path, os.WriteFile(path, []byte(body), 0o600)
}

// latency: drpbot run watches the large mailbox with IDLE; alerts are
// appended one at a time and timed from the APPEND until the daemon logs
// the message as recorded (after its transaction committed).
func (e *env) latency(n int) error {
	// The store of the large mailbox, synced.
	dir, db, err := e.fresh("latency", filepath.Join(e.work, "sync", "drpbot.db"))
	if err != nil {
		return err
	}
	addr := freePort()
	cfg, err := e.writeConfig(dir, botConfig{user: e.bigUser, store: db, metrics: addr})
	if err != nil {
		return err
	}
	d, err := startDaemon(e.bin, cfg, addr)
	if err != nil {
		return err
	}
	defer d.stop()
	time.Sleep(500 * time.Millisecond) // into IDLE
	c, err := login(e.imap, e.bigUser, e.password)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return err
	}
	// Beside drpbot, a bare IMAP client idles on the same mailbox: when it
	// hears of the new message is the server's own share of the latency.
	exists := make(chan time.Time, 16)
	ref, err := imapclient.DialInsecure(e.imap, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(m *imapclient.UnilateralDataMailbox) {
			if m.NumMessages != nil {
				select {
				case exists <- time.Now():
				default:
				}
			}
		},
	}})
	if err != nil {
		return err
	}
	defer ref.Close()
	if err := ref.Login(e.bigUser, e.password).Wait(); err != nil {
		return err
	}
	if _, err := ref.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return err
	}
	idle, err := ref.Idle()
	if err != nil {
		return err
	}
	defer idle.Close()
	g := &gen{r: rand.New(rand.NewPCG(3, 3))}
	var lat, server []time.Duration
	for i := 0; i < n; i++ {
		now := time.Now()
		m := g.thread(900000+i, now)[0]
		ch := d.expect(m.id)
		for len(exists) > 0 {
			<-exists
		}
		t0 := time.Now()
		if err := appendOne(c, m.raw, now); err != nil {
			return err
		}
		select {
		case t1 := <-ch:
			lat = append(lat, t1.Sub(t0))
		case <-time.After(30 * time.Second):
			return fmt.Errorf("latency: alert %d not recorded in 30s", i)
		}
		select {
		case t1 := <-exists:
			server = append(server, t1.Sub(t0))
		case <-time.After(10 * time.Second):
			return fmt.Errorf("latency: the reference client heard nothing of alert %d", i)
		}
		time.Sleep(time.Duration(50+g.r.IntN(250)) * time.Millisecond)
	}
	slices.Sort(lat)
	slices.Sort(server)
	pct := func(ds []time.Duration, p int) time.Duration { return ds[len(ds)*p/100] }
	e.add(result{
		figure: fmt.Sprintf("IDLE: APPEND to dispute stored, %d alerts", n),
		drpbot: fmt.Sprintf("median %s, p95 %s, max %s", ms(pct(lat, 50)), ms(pct(lat, 95)), ms(lat[len(lat)-1])),
		beside: fmt.Sprintf("a bare IDLE client hears of it: median %s, p95 %s", ms(pct(server, 50)), ms(pct(server, 95))),
		ratio:  fmt.Sprintf("drpbot's own share: median %s", ms(pct(lat, 50)-pct(server, 50))),
		target: "< 1 s", met: pct(lat, 95) < time.Second,
	})
	return nil
}

// tickAt is the moment the seeded stores are ticked: a Wednesday morning.
var tickAt = time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.London)

// ticks: `drpbot tick` as a whole program, and Bot.Tick in process, with
// 1,000 and with 100,000 disputes stored and 100 due in both.
func (e *env) ticks(large int) error {
	sizes := []int{1000, large}
	type setup struct{ db, work, cfg string }
	setups := map[int]setup{}
	for _, total := range sizes {
		db, err := e.seeded(total)
		if err != nil {
			return err
		}
		dir := filepath.Join(e.work, fmt.Sprintf("tick-%d", total))
		os.MkdirAll(dir, 0o700)
		work := filepath.Join(dir, "drpbot.db")
		cfg, err := e.writeConfig(dir, botConfig{user: e.emptyUser, store: work})
		if err != nil {
			return err
		}
		setups[total] = setup{db, work, cfg}
	}
	// Rounds alternate the two sizes, each on a fresh copy of its store
	// that is on disk before the clock starts.
	whole, inproc := map[int][]time.Duration{}, map[int][]time.Duration{}
	for round := 0; round < 7; round++ {
		for _, total := range sizes {
			su := setups[total]
			if err := copyFile(su.db, su.work); err != nil {
				return err
			}
			r, err := timed(e.bin, "tick", "-c", su.cfg, "--now", tickAt.Format(time.RFC3339), "--send=false")
			if err != nil {
				return err
			}
			if !strings.Contains(r.out, ": 100 emails queued") {
				return fmt.Errorf("tick at %d disputes: %s", total, r.out)
			}
			whole[total] = append(whole[total], r.wall)
			if err := copyFile(su.db, su.work); err != nil {
				return err
			}
			d, err := tickInProcess(su.cfg)
			if err != nil {
				return err
			}
			inproc[total] = append(inproc[total], d)
		}
	}
	times := map[int][2]time.Duration{}
	for _, total := range sizes {
		slices.Sort(whole[total])
		slices.Sort(inproc[total])
		times[total] = [2]time.Duration{whole[total][3], inproc[total][3]}
		e.logf("tick at %d: whole program %v, in process %v", total, whole[total], inproc[total])
	}
	s, l := times[sizes[0]], times[sizes[1]]
	e.add(result{
		figure: fmt.Sprintf("Tick, 100 due: %d vs %d stored, whole program (median of 7)", sizes[1], sizes[0]),
		drpbot: fmt.Sprintf("%s vs %s", ms(l[0]), ms(s[0])),
		ratio:  fmt.Sprintf("%.2fx", l[0].Seconds()/s[0].Seconds()),
		target: "≤ 1.5x, each < 100 ms", met: l[0].Seconds() <= 1.5*s[0].Seconds() && l[0] < 100*time.Millisecond && s[0] < 100*time.Millisecond,
	})
	e.add(result{
		figure: fmt.Sprintf("Tick, 100 due: %d vs %d stored, Bot.Tick in process, store just opened (median of 7)", sizes[1], sizes[0]),
		drpbot: fmt.Sprintf("%s vs %s", ms(l[1]), ms(s[1])),
		ratio:  fmt.Sprintf("%.2fx", l[1].Seconds()/s[1].Seconds()),
		target: "≤ 1.5x, each < 100 ms", met: l[1].Seconds() <= 1.5*s[1].Seconds() && l[1] < 100*time.Millisecond,
	})
	for _, total := range sizes {
		db, _ := e.seeded(total)
		fi, err := os.Stat(db)
		if err != nil {
			return err
		}
		e.notes = append(e.notes, fmt.Sprintf("Store of %d disputes (%d open, 100 due; the rest closed with their replies, decisions and sent emails): %.1f MiB, %.1f KiB a dispute.",
			total, openOf(total), mib(fi.Size()), float64(fi.Size())/float64(total)/1024))
	}
	return nil
}

func openOf(total int) int { return min(1400, total/4) }

// seeded returns the path of a store of total disputes, building it the
// first time (on tmpfs, then copied to the work directory's disk).
func (e *env) seeded(total int) (string, error) {
	path := filepath.Join(e.work, fmt.Sprintf("seed-%d.db", total))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	dir := filepath.Join(e.shm, "seed")
	os.MkdirAll(dir, 0o700)
	tmp := filepath.Join(dir, "seed.db")
	cfg, err := e.writeConfig(dir, botConfig{user: e.emptyUser, store: tmp})
	if err != nil {
		return "", err
	}
	start := time.Now()
	if err := seed(cfg, tmp, total, openOf(total), 100, tickAt); err != nil {
		return "", err
	}
	e.logf("seeded %d disputes in %s", total, time.Since(start).Round(time.Millisecond))
	if err := copyFile(tmp, path); err != nil {
		return "", err
	}
	return path, os.Remove(tmp)
}

func tickInProcess(cfgPath string) (time.Duration, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return 0, err
	}
	st, err := store.Open(cfg.Path(cfg.Store.Path))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	b, err := mailbot.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return 0, err
	}
	start := time.Now()
	n, err := b.Tick(tickAt)
	d := time.Since(start)
	if err == nil && n != 100 {
		err = fmt.Errorf("in-process tick queued %d, want 100", n)
	}
	return d, err
}

// rss: drpbot run holding the large store, with the tick and the weekly
// digest every few seconds; then again with the quarterly report too, so
// that every routine job runs while it is watched. Resident memory is
// sampled every 200 ms.
func (e *env) rss(total int) error {
	db, err := e.seeded(total)
	if err != nil {
		return err
	}
	for _, withReport := range []bool{false, true} {
		dir, work, err := e.fresh("rss", db)
		if err != nil {
			return err
		}
		addr := freePort()
		c := botConfig{user: e.emptyUser, store: work, metrics: addr, tick: "@every 5s", digest: "@every 10s"}
		jobs := "7 ticks, 3 digests"
		if withReport {
			c.report, jobs = "@every 15s", "7 ticks, 3 digests, 2 quarterly reports"
		}
		cfg, err := e.writeConfig(dir, c)
		if err != nil {
			return err
		}
		d, err := startDaemon(e.bin, cfg, addr)
		if err != nil {
			return err
		}
		var peak, peakAnon, peakFile int64
		end := time.Now().Add(35 * time.Second)
		for time.Now().Before(end) {
			peak = max(peak, d.status("VmRSS"))
			peakAnon = max(peakAnon, d.status("RssAnon"))
			peakFile = max(peakFile, d.status("RssFile"))
			time.Sleep(200 * time.Millisecond)
		}
		if err := d.stop(); err != nil {
			e.logf("drpbot run: %v", err)
		}
		e.add(result{
			figure: fmt.Sprintf("Resident memory of drpbot run holding %d disputes, 35 s: %s", total, jobs),
			drpbot: fmt.Sprintf("peak RSS %.0f MiB: anonymous %.0f, file-backed (bbolt's map of the page cache) %.0f", mib(peak), mib(peakAnon), mib(peakFile)),
			target: "< 100 MiB", met: peak < 100<<20,
		})
	}
	return nil
}

func (e *env) report() {
	w := e.out
	host, _ := os.Hostname()
	fmt.Fprintf(w, "### Measured %s on %s\n\n", time.Now().UTC().Format("2006-01-02"), host)
	fmt.Fprintf(w, "%s; %d cores (GOMAXPROCS %d); %s; %s; %s; %s; %s.\n\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), memTotal(), firstLine("uname", "-sr"), firstLine("dovecot", "--version"), firstLine("mbsync", "--version"), runtime.Version())
	fmt.Fprintln(w, "| figure | drpbot | beside it | ratio | target | met |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for _, r := range e.results {
		met := "yes"
		if !r.met {
			met = "**no**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.figure, r.drpbot, r.beside, r.ratio, r.target, met)
	}
	fmt.Fprintln(w)
	for _, n := range e.notes {
		fmt.Fprintln(w, "- "+n)
	}
}

// fresh empties the work directory name and copies the store src into it.
func (e *env) fresh(name, src string) (dir, db string, err error) {
	dir = filepath.Join(e.work, name)
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	db = filepath.Join(dir, "drpbot.db")
	return dir, db, copyFile(src, db)
}

// countMaildir counts the messages of a Maildir folder.
func countMaildir(dir string) int {
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		n += len(entries)
	}
	return n
}

func median(rs []run) run {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b run) int { return int(a.wall - b.wall) })
	return s[len(s)/2]
}

func maxRSS(rs []run) int64 {
	var m int64
	for _, r := range rs {
		m = max(m, r.maxRSS)
	}
	return m
}

func mib(n int64) float64         { return float64(n) / (1 << 20) }
func mb(n int64) float64          { return float64(n) / 1e6 }
func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func ms(d time.Duration) string   { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Everything on disk before anything is timed: otherwise the measured
	// program's first fsync waits for the copy's writeback.
	syscall.Sync()
	return nil
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	var kb int64
	fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%d", &kb)
	return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return name + " ?"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(strings.ToLower(line), strings.ToLower(name)) {
		line = name + " " + line
	}
	return line
}
