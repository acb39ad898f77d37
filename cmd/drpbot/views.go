package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot"
)

func runList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	var f mailbot.Filter
	fs.BoolVar(&f.Open, "open", false, "only disputes not closed")
	fs.BoolVar(&f.Overdue, "overdue", false, "only disputes whose response is overdue")
	stage := fs.Int("stage", -1, "only disputes at this stage (0 informal)")
	fs.StringVar(&f.Instigator, "instigator", "", "only disputes raised by this address")
	fs.StringVar(&f.Respondent, "respondent", "", "only disputes waiting on this address")
	fs.StringVar(&f.Team, "team", "", "only disputes of this team")
	fs.BoolVar(&f.All, "all", false, "with --respondent: closed disputes too")
	asJSON := fs.Bool("json", false, "JSON lines instead of a table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stage >= 0 {
		f.Stage = stage
	}
	if err := answer(*cfg, mailbot.Query{Kind: "list", Filter: f, JSON: *asJSON}, stdout); err != nil {
		fmt.Fprintf(stderr, "drpbot list: %v\n", err)
		return 1
	}
	return 0
}

func runShow(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "config.toml", "config file")
	asJSON := fs.Bool("json", false, "JSON instead of text")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: drpbot show [-c config.toml] [--json] DRP-YYYY-NNNN")
		return 2
	}
	if err := answer(*cfg, mailbot.Query{Kind: "show", Ref: fs.Arg(0), JSON: *asJSON}, stdout); err != nil {
		fmt.Fprintf(stderr, "drpbot show: %v\n", err)
		return 1
	}
	return 0
}
