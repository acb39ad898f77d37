package main

import (
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot"
)

func runList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("list", "drpbot list [-c FILE] [--open] [--overdue] [--stage N] [--instigator A] [--respondent A [--all]] [--team T] [--json]",
		"The disputes, one a line; the filters combine. --respondent lists the disputes open with that person\n(--all adds their closed ones). While the daemon runs, it answers over its query socket.", stdout, stderr)
	cfg := fs.config()
	var f mailbot.Filter
	fs.BoolVar(&f.Open, "open", false, "only disputes not closed")
	fs.BoolVar(&f.Overdue, "overdue", false, "only disputes whose response is overdue")
	stage := fs.Int("stage", -1, "only disputes at this stage (0 informal)")
	fs.StringVar(&f.Instigator, "instigator", "", "only disputes raised by this address")
	fs.StringVar(&f.Respondent, "respondent", "", "only disputes waiting on this address")
	fs.StringVar(&f.Team, "team", "", "only disputes of this team")
	fs.BoolVar(&f.All, "all", false, "with --respondent: closed disputes too")
	asJSON := fs.Bool("json", false, "JSON lines instead of a table")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
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
	fs := newFlags("show", "drpbot show [-c FILE] [--json] REF",
		"One dispute's whole timeline, with the working days taken at each stage.\nREF is its tracking reference, e.g. DRP-2026-0042 (any case; brackets from a subject are fine).", stdout, stderr)
	cfg := fs.config()
	asJSON := fs.Bool("json", false, "JSON instead of text")
	pos, code, ok := fs.parse(args, 1, 1)
	if !ok {
		return code
	}
	ref := normalizeRef(pos[0])
	if err := answer(*cfg, mailbot.Query{Kind: "show", Ref: ref, JSON: *asJSON}, stdout); err != nil {
		fmt.Fprintf(stderr, "drpbot show: %v\n", err)
		return 1
	}
	return 0
}
