package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// newLogger builds the slog logger the config asks for, on stderr.
func newLogger(c *config.Config, stderr io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// openBot loads the config at path, opens the store and builds the bot:
// the start-up every daemon command shares.
func openBot(path string, stderr io.Writer) (*mailbot.Bot, func(), error) {
	c, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	return botFor(c, stderr)
}

// botFor opens the store of an already loaded config and builds the bot.
func botFor(c *config.Config, stderr io.Writer) (*mailbot.Bot, func(), error) {
	st, err := store.Open(c.Path(c.Store.Path))
	if err != nil {
		return nil, nil, err
	}
	b, err := mailbot.New(c, st, newLogger(c, stderr))
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return b, func() { st.Close() }, nil
}

func runDaemon(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "drpbot run [-c FILE]",
		"The daemon: watches the mailbox (IDLE), records, reminds, escalates and sends until SIGTERM or Ctrl-C.\nSIGHUP, or a changed directory CSV, reloads the config and directory (an invalid file is refused and\nthe old kept); list, show and report are answered over its query socket while it runs.", stdout, stderr)
	cfg := fs.config()
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	c, err := config.Load(*cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if errs := c.CheckSecrets(); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s: %v\n", *cfg, e)
		}
		return 1
	}
	b, closeStore, err := botFor(c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot run: %v\n", err)
		return 1
	}
	defer closeStore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SIGHUP reloads the config and directory (so it no longer kills the
	// daemon and leaves its sockets behind); so does a changed directory CSV.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reloaded := make(chan struct{})
	go func() {
		defer close(reloaded)
		b.WatchConfig(ctx, *cfg, hup, 5*time.Second)
	}()
	err = b.Run(ctx)
	stop()
	<-reloaded
	if err != nil {
		fmt.Fprintf(stderr, "drpbot run: %v\n", err)
		return 1
	}
	return 0
}

func runSync(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sync", "drpbot sync [-c FILE] [--send=false]",
		"One pass over the mailbox's new mail, then sends what it queued, and exits.", stdout, stderr)
	cfg := fs.config()
	send := fs.Bool("send", true, "send what the pass queued")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	b, closeStore, err := openBot(*cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot sync: %v\n", err)
		return 1
	}
	defer closeStore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := b.Sync(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot sync: %v\n", err)
		return 1
	}
	sent := 0
	if *send {
		sent, _, err = b.Drain(ctx, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "drpbot sync: send: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "sync: %d messages handled, %d emails sent\n", n, sent)
	return 0
}

func runTick(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("tick", "drpbot tick [-c FILE] [--now 2026-12-30T09:00:00Z] [--send]",
		"One scheduler pass (reminders, escalations, lapses) as if at --now. Without --send it works on a private copy of the store and prints what it would send; with --send it queues and sends for real.", stdout, stderr)
	cfg := fs.config()
	nowFlag := fs.String("now", "", "run as if at this `time` (RFC 3339); now when empty")
	send := fs.Bool("send", false, "queue and send for real; without it, only print what would be sent")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return fs.usageError("--now %q is not an RFC 3339 time such as 2026-12-30T09:00:00Z", *nowFlag)
		}
		now = t
	}
	if !*send {
		return tickDry(*cfg, now, stdout, stderr)
	}
	b, closeStore, err := openBot(*cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	defer closeStore()
	n, err := b.Tick(now)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot tick: %v\n", err)
		return 1
	}
	sent := 0
	if *send {
		if sent, _, err = b.Drain(context.Background(), now); err != nil {
			fmt.Fprintf(stderr, "drpbot tick: send: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "tick at %s: %d emails queued, %d sent\n", now.Format(time.RFC3339), n, sent)
	return 0
}
