package mailbot

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drpbot/drpbot/mailbot/config"
)

// Reloading. Staff change every month, so the daemon takes a new config
// and directory without a restart: on SIGHUP, and when the directory CSV
// changes on disk. The new files are loaded and validated exactly as at
// start-up (config.Load, then New); anything invalid is refused with the
// reason logged and the settings in force are kept. A valid file replaces,
// under liveState's lock, the settings that can change live:
//
//   - the directory (people, CSV, QA inbox), the policy, the calendar's
//     closures, the parser's lists, the templates, privacy and security
//     settings, and the sender's caps and dry_run;
//
// and logs, but does not apply, the ones that need a restart because a
// connection, a file or a schedule was opened with them:
//
//   - mailbox, imap.*, the SMTP server and login (smtp.host, smtp.port,
//     smtp.security, smtp.username, smtp.auth, smtp.password_*), oauth2.*,
//     store.*, metrics.*, log.* and schedule.*.
//
// A secret's file or environment variable is read again at each login, so
// a new password needs neither. Disputes in flight keep what is already
// decided (their current respondent) and follow the new directory and
// policy from their next step, since the engine looks people up at each
// step.

// restartKeys are the Config fields (Go names, dotted) that a reload does
// not change. A field not named here, nor above one named here, is live.
var restartKeys = map[string]bool{
	"Mailbox": true, "IMAP": true, "SMTP.Server": true, "OAuth2": true,
	"Store": true, "Metrics": true, "Log": true, "Schedule": true,
}

// liveState guards the settings a reload replaces (Bot's cfg live
// sections, policy, cal, dir, tpl and parser) and counts reloads. The
// entry points that read them (Process, Tick, Drain, Digest, QueueReport,
// relevant) hold the read side for their duration; the query socket and
// /metrics take the pointers under it and let go. Readers may nest: a
// reload never queues for the write side (lockLive), and holds it only to
// swap the pointers; it never changes a policy, calendar, directory or
// template set in place.
type liveState struct {
	mu      sync.RWMutex
	reloads atomic.Int64 // reloads that took effect
	refused atomic.Int64 // reloads refused for an invalid file
	last    atomic.Int64 // unix seconds of the last reload that took effect
	csv     fileState    // the directory CSV as it was when last read
}

// readLive takes the read side of the live settings' lock and returns its
// release: `defer b.readLive()()`.
func (b *Bot) readLive() func() {
	b.live.mu.RLock()
	return b.live.mu.RUnlock
}

// lockLive takes the write side without queueing for it: a writer waiting
// in sync.RWMutex's line would block new readers, so a reader that reads
// again further down (Process calling Policy(), say) would deadlock
// against it. Polling TryLock never blocks a reader; a reload waits at
// most for the longest entry point in flight (a batch of sends).
func (b *Bot) lockLive() {
	for !b.live.mu.TryLock() {
		time.Sleep(5 * time.Millisecond)
	}
}

// ReloadResult says what a reload changed.
type ReloadResult struct {
	// Live are the config keys whose new values are now in force.
	Live []string
	// Restart are the config keys changed in the file whose old values
	// stay in force until the daemon restarts.
	Restart []string
	// People is the directory's size now; Added and Removed count the
	// addresses that came and went.
	People, Added, Removed int
}

// Reload reads the config at path (and the directory CSV it names),
// validates it as start-up does, and puts its live settings in force. An
// invalid file is refused: the error says why, it is logged, and nothing
// changes.
func (b *Bot) Reload(path string) (ReloadResult, error) {
	var res ReloadResult
	nc, err := config.Load(path)
	if err == nil {
		var fresh *Bot
		if fresh, err = New(nc, b.st, b.log); err == nil {
			err = fresh.tpl.Check()
		}
		if err == nil {
			b.lockLive()
			old := b.dir
			mergeLive(reflect.ValueOf(b.cfg).Elem(), reflect.ValueOf(nc).Elem(), "", "", &res)
			b.policy, b.cal, b.dir, b.tpl, b.parser = fresh.policy, fresh.cal, fresh.dir, fresh.tpl, fresh.parser
			b.live.csv = fresh.live.csv
			b.live.mu.Unlock()
			res.People = fresh.dir.Len()
			for _, e := range fresh.dir.Emails() {
				if _, ok := old.Person(e); !ok {
					res.Added++
				}
			}
			for _, e := range old.Emails() {
				if _, ok := fresh.dir.Person(e); !ok {
					res.Removed++
				}
			}
		}
	}
	if err != nil {
		b.log.Error("config reload refused; the settings in force are kept", "config", path, "err", err)
		b.live.refused.Add(1)
		return res, fmt.Errorf("mailbot: reload %s: %w", path, err)
	}
	b.live.reloads.Add(1)
	b.live.last.Store(time.Now().Unix())
	b.log.Info("config reloaded", "config", path, "changed", strings.Join(res.Live, " "), "people", res.People, "added", res.Added, "removed", res.Removed)
	if len(res.Restart) > 0 {
		b.log.Warn("changed settings need a restart; the old values stay in force until then", "keys", strings.Join(res.Restart, " "))
	}
	return res, nil
}

// mergeLive copies src's live fields into dst, field by field (never the
// restart-only ones, which other goroutines read without the lock), and
// records in res which keys changed.
func mergeLive(dst, src reflect.Value, goPath, key string, res *ReloadResult) {
	t := dst.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue // the config file's folder: the same file is reloaded
		}
		p, k := goPath+f.Name, joinKey(key, f)
		d, s := dst.Field(i), src.Field(i)
		switch {
		case restartKeys[p]:
			res.Restart = append(res.Restart, diffKeys(d, s, k)...)
		case restartBelow(p) && f.Type.Kind() == reflect.Struct:
			mergeLive(d, s, p+".", k, res)
		case !reflect.DeepEqual(d.Interface(), s.Interface()):
			res.Live = append(res.Live, diffKeys(d, s, k)...)
			d.Set(s)
		}
	}
}

// restartBelow reports whether a restart-only key lies inside goPath.
func restartBelow(goPath string) bool {
	for k := range restartKeys {
		if strings.HasPrefix(k, goPath+".") {
			return true
		}
	}
	return false
}

// diffKeys lists the TOML keys, at or under key, where a and b differ.
func diffKeys(a, b reflect.Value, key string) []string {
	if reflect.DeepEqual(a.Interface(), b.Interface()) {
		return nil
	}
	if !isSection(a.Type()) {
		return []string{key}
	}
	var out []string
	for i := 0; i < a.Type().NumField(); i++ {
		f := a.Type().Field(i)
		if f.IsExported() {
			out = append(out, diffKeys(a.Field(i), b.Field(i), joinKey(key, f))...)
		}
	}
	return out
}

// isSection reports whether t is a table of TOML keys (a config section,
// or a struct embedding one) rather than one value such as a Duration.
func isSection(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("toml") != "" || f.Anonymous && isSection(f.Type) {
			return true
		}
	}
	return false
}

// joinKey is f's TOML key under key; an embedded struct's fields sit at
// its parent's level, as TOML decodes them.
func joinKey(key string, f reflect.StructField) string {
	if f.Anonymous {
		return key
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	if key == "" {
		return name
	}
	return key + "." + name
}

// fileState is what the poll compares: a file's size and modification
// time, or that it is missing.
type fileState struct {
	size, mod int64 // bytes; unix nanoseconds
	missing   bool
}

func statFile(path string) fileState {
	fi, err := os.Stat(path)
	if err != nil {
		return fileState{missing: true}
	}
	return fileState{size: fi.Size(), mod: fi.ModTime().UnixNano()}
}

// csvState is the state of the directory CSV cfg names; the zero
// fileState when it names none.
func csvState(cfg *config.Config) fileState {
	if cfg.Directory.CSV == "" {
		return fileState{}
	}
	return statFile(cfg.Path(cfg.Directory.CSV))
}

// csvPath is the directory CSV the settings in force name, "" for none,
// and its state when it was read.
func (b *Bot) csvPath() (string, fileState) {
	defer b.readLive()()
	if b.cfg.Directory.CSV == "" {
		return "", fileState{}
	}
	return b.cfg.Path(b.cfg.Directory.CSV), b.live.csv
}

// WatchConfig reloads the config at path on every value from hup (the
// daemon's SIGHUP), and when the directory CSV changes on disk, until ctx
// ends. The CSV's size and modification time are polled every poll; a
// change is read once the file has held still for one poll, so an export
// still being written is never taken for a short directory. A refused
// file is not tried again until it changes again (or the next SIGHUP).
func (b *Bot) WatchConfig(ctx context.Context, path string, hup <-chan os.Signal, poll time.Duration) {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	csv, loaded := b.csvPath()
	pending := loaded
	reload := func(why string) {
		b.log.Info("reloading the config", "config", path, "why", why)
		if _, err := b.Reload(path); err != nil { // Reload logs why
			// Not again until the file changes again.
			loaded = statFile(csv)
		} else {
			csv, loaded = b.csvPath()
		}
		pending = loaded
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			reload("SIGHUP")
		case <-t.C:
			if csv == "" {
				continue
			}
			cur := statFile(csv)
			switch {
			case cur == loaded:
				pending = cur
			case cur == pending:
				reload("the directory CSV changed")
			default:
				pending = cur // still changing: look again next poll
			}
		}
	}
}
