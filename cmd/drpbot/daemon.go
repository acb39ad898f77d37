package main

import (
	"context"
	"flag"
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
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return 2
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
	if err := b.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "drpbot run: %v\n", err)
		return 1
	}
	return 0
}

func runSync(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	send := fs.Bool("send", true, "send what the pass queued")
	if err := fs.Parse(args); err != nil {
		return 2
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
	fs := flag.NewFlagSet("tick", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	nowFlag := fs.String("now", "", "run as if at this time (RFC 3339); now when empty")
	send := fs.Bool("send", false, "queue and send for real; without it, only print what would be sent")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "drpbot tick: --now: %v\n", err)
			return 2
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
