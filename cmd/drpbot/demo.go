package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/drpbot/drpbot/mailbot/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "drpbot demo [--no-script] [--step 2s] [--exit]",
		`Everything embedded: an IMAP and an SMTP server on 127.0.0.1, a policy and a
directory. Plays one dispute on a fast clock, prints its timeline, then keeps
serving (and prints how to connect a mail client) until Ctrl-C.`, stdout, stderr)
	noScript := fs.Bool("no-script", false, "start an empty sandbox instead of playing the scenario")
	step := fs.Duration("step", 2*time.Second, "real time for one working day of the scenario")
	exit := fs.Bool("exit", false, "exit after the scenario instead of serving")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.Run(ctx, stdout, demo.Options{NoScript: *noScript, Step: *step, Exit: *exit}); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "drpbot demo: %v\n", err)
		return 1
	}
	return 0
}
