package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/drpbot/drpbot/mailbot/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noScript := fs.Bool("no-script", false, "start an empty sandbox instead of playing the scenario")
	step := fs.Duration("step", 2*time.Second, "real time for one working day of the scenario")
	exit := fs.Bool("exit", false, "exit after the scenario instead of serving")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.Run(ctx, stdout, demo.Options{NoScript: *noScript, Step: *step, Exit: *exit}); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "drpbot demo: %v\n", err)
		return 1
	}
	return 0
}
