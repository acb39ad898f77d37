package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/drpbot/drpbot/mailbot/config"
)

// runCheckConfig validates a config file the way the daemon will, and also
// reads every secret it names: exit 0 when the daemon would start.
func runCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("c", "config.toml", "config file")
	noSecrets := fs.Bool("no-secrets", false, "do not read the secrets the config names")
	connect := fs.Bool("connect", false, "also log in to IMAP and SMTP (and fetch the OAuth2 token), reading and sending nothing")
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
	for _, st := range p.Stages {
		if st.Cafcass {
			fmt.Fprintf(stdout, "  %-28s Cafcass referral: proposed to the IRO, never automatic\n", p.StageName(st.Number))
			continue
		}
		fmt.Fprintf(stdout, "  %-28s respondent %-28s %2d working days, on lapse %s\n", p.StageName(st.Number), st.Respondent, st.Days, st.LapseAction())
	}
	if *connect && status == 0 {
		if err := checkConnect(c, stdout); err != nil {
			fmt.Fprintf(stderr, "%s: --connect: %v\n", *path, err)
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
