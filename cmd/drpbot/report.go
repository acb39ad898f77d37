package main

import (
	"fmt"
	"io"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("report", "drpbot report [-c FILE] [--quarter 2026Q3 | --from DATE --to DATE] [--format md|csv|html]",
		"The report the procedure asks for: alerts by stage and month, by team and category, and responses in time.", stdout, stderr)
	cfg := fs.config()
	quarter := fs.String("quarter", "", "the quarter, e.g. 2026Q3 (default: the council's last full report period)")
	from := fs.String("from", "", "first day (YYYY-MM-DD), instead of --quarter")
	to := fs.String("to", "", "last day (YYYY-MM-DD), with --from")
	format := fs.String("format", "md", "md, csv or html")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	if err := choice("format", *format, "md", "csv", "html"); err != nil {
		return fs.fail(err)
	}
	now := time.Now()
	per := mailbot.PreviousQuarter(now)
	councils := *from == "" && *to == "" && *quarter == "" // the council's own cadence, once the config is read
	switch {
	case *from != "" || *to != "":
		f, err1 := workdays.ParseDate(*from)
		t, err2 := workdays.ParseDate(*to)
		if err1 != nil || err2 != nil || t.Before(f) {
			return fs.usageError("--from and --to need two dates, in order (YYYY-MM-DD)")
		}
		per = mailbot.Period{Name: f.String() + " to " + t.String(), From: f, To: t.AddDays(1)}
	case *quarter != "":
		q, err := mailbot.Quarter(*quarter)
		if err != nil {
			return fs.usageError("--quarter %q is not a quarter such as 2026Q3", *quarter)
		}
		per = q
	}
	if err := answer(*cfg, mailbot.Query{Kind: "report", Period: per, LastPeriod: councils, Format: *format}, stdout); err != nil {
		fmt.Fprintf(stderr, "drpbot report: %v\n", err)
		return 1
	}
	return 0
}
