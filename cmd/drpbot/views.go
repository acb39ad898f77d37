package main

import (
	"fmt"
	"io"
	"time"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// openView loads the config and a readable store (a snapshot through the
// daemon when it is running).
func openView(path string) (*config.Config, *store.Store, *policy.Policy, *workdays.Calendar, func(), error) {
	c, err := config.Load(path)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	p, err := c.BuildPolicy()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	cal, err := c.BuildCalendar()
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	st, closeFn, err := store.OpenSnapshot(c.Path(c.Store.Path))
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	return c, st, p, cal, closeFn, nil
}

func runList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("list", "drpbot list [-c FILE] [--open] [--overdue] [--stage N] [--instigator A] [--respondent A] [--team T] [--json]",
		"The disputes, one a line; the filters combine. Works while the daemon runs.", stdout, stderr)
	cfg := fs.config()
	var f mailbot.Filter
	fs.BoolVar(&f.Open, "open", false, "only disputes not closed")
	fs.BoolVar(&f.Overdue, "overdue", false, "only disputes whose response is overdue")
	stage := fs.Int("stage", -1, "only disputes at this stage (0 informal)")
	fs.StringVar(&f.Instigator, "instigator", "", "only disputes raised by this address")
	fs.StringVar(&f.Respondent, "respondent", "", "only disputes waiting on this address")
	fs.StringVar(&f.Team, "team", "", "only disputes of this team")
	asJSON := fs.Bool("json", false, "JSON lines instead of a table")
	if _, code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	if *stage >= 0 {
		f.Stage = stage
	}
	_, st, p, cal, done, err := openView(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot list: %v\n", err)
		return 1
	}
	defer done()
	err = st.View(func(tx *store.Tx) error {
		rows, err := mailbot.List(tx, f, p, cal, time.Now())
		if err != nil {
			return err
		}
		return mailbot.WriteList(stdout, rows, *asJSON)
	})
	if err != nil {
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
	_, st, p, cal, done, err := openView(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot show: %v\n", err)
		return 1
	}
	defer done()
	err = st.View(func(tx *store.Tx) error {
		d, err := tx.Dispute(ref)
		if err != nil {
			return err
		}
		evs, err := tx.Events(d.Ref)
		if err != nil {
			return err
		}
		return mailbot.WriteShow(stdout, d, evs, p, cal, time.Now(), *asJSON)
	})
	if err != nil {
		fmt.Fprintf(stderr, "drpbot show: %v\n", err)
		return 1
	}
	return 0
}
