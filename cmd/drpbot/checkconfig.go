package main

import (
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot/config"
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
	for _, st := range p.Stages {
		if st.Cafcass {
			fmt.Fprintf(stdout, "  %-28s Cafcass referral: proposed to the IRO, never automatic\n", p.StageName(st.Number))
			continue
		}
		fmt.Fprintf(stdout, "  %-28s respondent %-28s %2d working days, on lapse %s\n", p.StageName(st.Number), st.Respondent, st.Days, st.LapseAction())
	}
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
