package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	quarter := fs.String("quarter", "", "the quarter, e.g. 2026Q3 (default: the last full quarter)")
	from := fs.String("from", "", "first day (YYYY-MM-DD), instead of --quarter")
	to := fs.String("to", "", "last day (YYYY-MM-DD), with --from")
	format := fs.String("format", "md", "md, csv or html")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	now := time.Now()
	per := mailbot.PreviousQuarter(now)
	switch {
	case *from != "" || *to != "":
		f, err1 := workdays.ParseDate(*from)
		t, err2 := workdays.ParseDate(*to)
		if err1 != nil || err2 != nil || t.Before(f) {
			fmt.Fprintln(stderr, "drpbot report: --from and --to need two dates, in order (YYYY-MM-DD)")
			return 2
		}
		per = mailbot.Period{Name: f.String() + " to " + t.String(), From: f, To: t.AddDays(1)}
	case *quarter != "":
		q, err := mailbot.Quarter(*quarter)
		if err != nil {
			fmt.Fprintf(stderr, "drpbot %v\n", err)
			return 2
		}
		per = q
	}
	if err := answer(*cfg, mailbot.Query{Kind: "report", Period: per, Format: *format}, stdout); err != nil {
		fmt.Fprintf(stderr, "drpbot report: %v\n", err)
		return 1
	}
	return 0
}
