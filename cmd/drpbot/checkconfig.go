package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/policy"
)

// runCheckConfig validates a config file the way the daemon will, and also
// reads every secret it names: exit 0 when the daemon would start.
func runCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("c", "config.toml", "config file")
	noSecrets := fs.Bool("no-secrets", false, "do not read the secrets the config names")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	status := 0
	if !*noSecrets {
		for _, e := range c.CheckSecrets() {
			fmt.Fprintf(stderr, "%s: %v\n", *path, e)
			status = 1
		}
	}
	for _, w := range c.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	set, _, err := templatesFor(c, "")
	if err == nil {
		err = set.Check()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: templates: %v\n", *path, err)
		status = 1
	}
	p, _ := c.BuildPolicy()
	d, _ := c.BuildDirectory()
	fmt.Fprintf(stdout, "%s: policy %s (%s), %d stages, %d working days in all; %d people in the directory; calendar %s\n",
		*path, p.Name, p.Council, len(p.Stages), p.TotalDays, d.Len(), c.Calendar.Nation)
	if p.StartingPoint {
		fmt.Fprintf(stdout, "  !!! policy %s is a STARTING POINT, not the council's procedure: its formal stages are not public.\n", p.Name)
		fmt.Fprintf(stdout, "  !!! Confirm every stage below with the council and write it in [[policy.stage]] before going live.\n")
	}
	writeStages(stdout, p)
	if status == 0 {
		fmt.Fprintln(stdout, "ok")
	}
	return status
}

// writeStages prints, per stage, who answers, who raises, who is copied
// and alerted, the window and what a lapse does.
func writeStages(w io.Writer, p *policy.Policy) {
	list := func(rs []string) string {
		if len(rs) == 0 {
			return "-"
		}
		return strings.Join(rs, ", ")
	}
	for _, st := range p.Stages {
		name := p.StageName(st.Number)
		if st.IsInformal() {
			name += " (informal)"
		}
		fmt.Fprintf(w, "  %s", name)
		if h := p.HeadingFor(st.Number); h != p.Heading {
			fmt.Fprintf(w, "  heading %q", h)
		}
		fmt.Fprintln(w)
		raiser := st.Raiser
		if raiser == "" {
			raiser = "the instigator (IRO / CP Chair)"
		}
		as := "cc"
		if st.RaiserTo() {
			as = "to"
		}
		if st.Cafcass {
			who := "the IRO"
			if st.Raiser != "" {
				who = st.Raiser
			}
			fmt.Fprintf(w, "    Cafcass referral: proposed to %s, never made by drpbot\n", who)
			if len(st.CafcassFor) > 0 {
				fmt.Fprintf(w, "    only for instigators holding %s; otherwise told instead: %s\n", list(st.CafcassFor), list(st.CafcassElse))
			}
			fmt.Fprintf(w, "    alerts %s; consults %s\n", list(st.Notify), list(st.Consult))
			continue
		}
		respond := st.Respondent
		if len(st.AlsoRespond) > 0 {
			respond += " (or " + strings.Join(st.AlsoRespond, ", ") + ")"
		}
		fmt.Fprintf(w, "    respondent %s; raiser %s (%s)\n", respond, raiser, as)
		cc := list(st.Copy)
		if st.CcMailbox {
			cc += " + the shared mailbox (Cc)"
		}
		fmt.Fprintf(w, "    copies %s; alerts %s\n", cc, list(st.Notify))
		window := "no window"
		if st.Days > 0 {
			unit := "working"
			if st.CalendarDays {
				unit = "calendar"
			}
			window = fmt.Sprintf("%d %s days", st.Days, unit)
		}
		if st.Agreed {
			window += "; the alert's own due date wins (agreed timescale)"
		}
		lapse := "escalate to the next stage"
		if st.LapseAction() == policy.Consult {
			lapse = "consult: tell the instigator"
			if st.Raiser != "" {
				lapse += " and the raiser"
			}
			if len(st.Consult) > 0 {
				lapse += ", copying " + strings.Join(st.Consult, ", ")
			}
			if st.ConsultEvery > 0 {
				lapse += fmt.Sprintf(", every %d working days; move only on an instruction", st.ConsultEvery)
			} else {
				lapse += "; move only on an instruction"
			}
		}
		fmt.Fprintf(w, "    window %s; on lapse %s\n", window, lapse)
	}
}
