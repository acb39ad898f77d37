package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/drpbot/drpbot/mailbot"
	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/policy"
)

// runCheckConfig validates a config file the way the daemon will, and also
// reads every secret it names: exit 0 when the daemon would start.
func runCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check-config", "drpbot check-config [--no-secrets] [--connect] [-c] FILE",
		`Validates the config file as the daemon will, reads every secret it names,
renders every template and checks that the store's folder exists and is
writable; prints every problem at once. Exit status 0 when the daemon would
start. The file is the argument or -c (not both), else $DRPBOT_CONFIG, else
config.toml. Run it as the daemon's user, with its secrets (the README's
install steps show how), so that the checks of files and folders are that
user's. --connect then logs in to IMAP and SMTP as the daemon will (fetching
the OAuth2 token first), reading and sending nothing, to test the credentials
before the first sync.`, stdout, stderr)
	given := fs.String("c", "", "the config `file` (or give it as the argument)")
	noSecrets := fs.Bool("no-secrets", false, "do not read the secrets the config names")
	connect := fs.Bool("connect", false, "also log in to IMAP and SMTP (and fetch the OAuth2 token), reading and sending nothing")
	pos, code, ok := fs.parse(args, 0, 1)
	if !ok {
		return code
	}
	if len(pos) == 1 {
		if *given != "" && *given != pos[0] {
			return fs.usageError("two config files: -c %s and %s", *given, pos[0])
		}
		*given = pos[0]
	}
	path, err := findConfig(*given)
	if err != nil {
		return fs.fail(err)
	}
	c, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	status := 0
	if !*noSecrets {
		for _, e := range c.CheckSecrets() {
			fmt.Fprintf(stderr, "%s: %v\n", path, e)
			status = 1
		}
	}
	if err := c.CheckStore(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		status = 1
	}
	for _, w := range c.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	for _, w := range c.SecurityWarnings() {
		fmt.Fprintf(stderr, "WARNING: %s\n", w)
	}
	set, _, err := templatesFor(c, "")
	if err == nil {
		err = set.Check()
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: templates: %v\n", path, err)
		status = 1
	}
	p, _ := c.BuildPolicy()
	d, _ := c.BuildDirectory()
	fmt.Fprintf(stdout, "%s: policy %s (%s), %d stages, %d working days in all; %d people in the directory; calendar %s\n",
		path, p.Name, p.Council, len(p.Stages), p.TotalDays, d.Len(), c.Calendar.Nation)
	fmt.Fprintf(stdout, "  authentication: %s\n", mailbot.AuthStateOf(c, c.Security.RequireAuthenticated == config.AuthOn))
	if p.StartingPoint {
		fmt.Fprintf(stdout, "  !!! policy %s is a STARTING POINT, not the council's procedure: its formal stages are not public.\n", p.Name)
		fmt.Fprintf(stdout, "  !!! Confirm every stage below with the council and write it in [[policy.stage]] before going live.\n")
	}
	writeStages(stdout, p, c.SMTP.CopyToMailbox)
	if *connect && status == 0 {
		if err := checkConnect(c, stdout); err != nil {
			fmt.Fprintf(stderr, "%s: --connect: %v\n", path, err)
			status = 1
		}
	} else if *connect {
		fmt.Fprintln(stderr, "--connect: not tried; fix the problems above first")
	}
	if status == 0 {
		fmt.Fprintln(stdout, "ok")
	}
	return status
}

// writeStages prints, per stage, who answers, who raises, who is copied
// and alerted, the window and what a lapse does.
func writeStages(w io.Writer, p *policy.Policy, box config.CopyMode) {
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
			// engine.cafcass: to the instigator, and the stage's raiser
			// (Brighton & Hove: "The Head of Safeguarding will make the
			// referral to Cafcass").
			who := "the IRO"
			if st.Raiser != "" {
				who += " and " + st.Raiser
			}
			fmt.Fprintf(w, "    Cafcass referral: proposed to %s, never made by drpbot\n", who)
			if len(st.CafcassFor) > 0 {
				fmt.Fprintf(w, "    only for instigators holding %s; otherwise told instead: %s\n", list(st.CafcassFor), list(st.CafcassElse))
			}
			alerts := list(st.Notify)
			if len(st.Notify) > 0 {
				// engine: a Cafcass step's roles are told when the referral
				// is recorded ("Cafcass referral made"), not before.
				alerts += " when the referral is recorded"
			}
			fmt.Fprintf(w, "    alerts %s; consults %s\n", alerts, list(st.Consult))
			continue
		}
		respond := st.Respondent
		if len(st.AlsoRespond) > 0 {
			respond += " (or " + strings.Join(st.AlsoRespond, ", ") + ")"
		}
		fmt.Fprintf(w, "    respondent %s; raiser %s (%s)\n", respond, raiser, as)
		copies := append([]string(nil), st.Copy...)
		if st.CcMailbox {
			// Only true things: the box is Cc'd only with copy_to_mailbox = "cc".
			switch box {
			case config.CopyCc:
				copies = append(copies, "the shared mailbox (Cc)")
			case config.CopyBcc:
				copies = append(copies, "the shared mailbox (Bcc: copy_to_mailbox is \"bcc\", the procedure says cc)")
			}
		}
		fmt.Fprintf(w, "    copies %s; alerts %s\n", list(copies), list(st.Notify))
		if st.CcMailbox && !box.On() {
			fmt.Fprintf(w, "    the shared mailbox is not copied (copy_to_mailbox is \"off\", the procedure says cc)\n")
		}
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
		next, hasNext := p.Next(st.Number)
		switch {
		case hasNext && next.Cafcass:
			// engine.escalate: a Cafcass step is only ever proposed.
			lapse = "propose the Cafcass referral; drpbot never makes it"
		case hasNext:
			lapse = "escalate to " + p.StageName(next.Number)
		}
		if st.LapseAction() == policy.Consult || !hasNext {
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
		if len(st.OutcomeCopy) > 0 {
			fmt.Fprintf(w, "    resolved here: the confirmation copies %s\n", list(st.OutcomeCopy))
		}
	}
}
