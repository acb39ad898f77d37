package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

// runImport is `drpbot import`: the switch-on over a mailbox that already
// holds years of mail. Each folder never read before has its history
// replayed at each message's own date, nothing about the past is sent,
// and the onboarding summary is printed and emailed to the QA inbox. An
// interrupted import resumes; a second run only reads new mail.
func runImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import", "drpbot import [-c FILE] [--since DATE] [--send=false]",
		"Switch on over a mailbox's history: replay it at each message's own date, send nothing stale, print and email the onboarding summary.", stdout, stderr)
	cfg := fs.config()
	sinceFlag := fs.String("since", "", "ignore mail older than this `date` (2025-04-01 or 01/04/2025); [imap] start when empty")
	send := fs.Bool("send", true, "email the onboarding summary to the QA inbox")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	var since time.Time
	if *sinceFlag != "" {
		d, err := workdays.ParseDate(*sinceFlag)
		if err != nil {
			return fs.usageError("--since: %v", err)
		}
		since = d.Time()
	}
	b, closeStore, err := openBot(*cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot import: %v\n", err)
		return 1
	}
	defer closeStore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sums, n, err := b.Import(ctx, since)
	for _, s := range sums {
		fmt.Fprintln(stdout, s.Text())
	}
	if err != nil {
		fmt.Fprintf(stderr, "drpbot import: %v (run it again to resume)\n", err)
		return 1
	}
	if len(sums) == 0 {
		fmt.Fprintf(stdout, "import: every folder was imported before; %d new messages handled\n", n)
	}
	if *send {
		sent, _, err := b.Drain(ctx, b.Now())
		if err != nil {
			fmt.Fprintf(stderr, "drpbot import: send: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "import: %d emails sent\n", sent)
	}
	return 0
}
