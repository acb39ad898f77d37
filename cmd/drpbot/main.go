// Command drpbot runs the Dispute Resolution Process for children in care by
// email. This file only dispatches the command line to the commands (see
// cli.go for how flags are read) and they hand over to the packages; see
// docs/DESIGN.md for the commands.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/drpbot/drpbot/mailbot/buildinfo"
)

const usage = `drpbot: the Dispute Resolution Process, by email

usage: drpbot COMMAND [flags] [args]     flags may come before or after the args

commands:
  demo                  everything embedded: play a dispute, then serve a sandbox (Ctrl-C stops)
  run -c FILE           the daemon: watch the mailbox, remind, escalate, send (SIGHUP reloads the config)
  sync -c FILE          one IMAP pass, then send what it queued
  import -c FILE        switch on over a mailbox's history: replay it, send nothing stale, print and email the summary (--since DATE)
  tick -c FILE --now T  one scheduler pass as if at time T (RFC 3339): prints what it would send; --send sends
  list [filters]        the disputes, as a table (--open --overdue --stage N --instigator A --respondent A [--all] --team T --json)
  show REF              a dispute's whole timeline (--json)
  report --quarter Q    the quarterly report (--from/--to, --format md|csv|html)
  parse FILE.eml...     print the facts read from each message as JSON lines
  calendar add DATE N   the date N working days after DATE
  calendar holidays Y   the bank holidays and closures of year Y
  check-config [FILE]   validate a config file and the secrets it names (--connect: and log in to IMAP and SMTP)
  templates list        the email templates, one per purpose
  templates preview P   render purpose P with sample data (--html for the HTML)
  backup FILE           write a consistent copy of the store, even while the daemon runs
  version               the version, commit and Go version (also --version)
  help [COMMAND]        this text, or one command's usage and flags (also COMMAND -h)

The config file is -c FILE, else $DRPBOT_CONFIG, else config.toml here.
Exit status: 0 done, 1 failed, 2 wrong command line.
`

// commands are drpbot's commands by name; each parses its own flags.
var commands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int{
	"parse":    runParse,
	"calendar": func(a []string, _ io.Reader, o, e io.Writer) int { return runCalendar(a, o, e) },
	"check-config": func(a []string, _ io.Reader, o, e io.Writer) int {
		return runCheckConfig(a, o, e)
	},
	"backup":    func(a []string, _ io.Reader, o, e io.Writer) int { return runBackup(a, o, e) },
	"templates": func(a []string, _ io.Reader, o, e io.Writer) int { return runTemplates(a, o, e) },
	"run":       func(a []string, _ io.Reader, o, e io.Writer) int { return runDaemon(a, o, e) },
	"sync":      func(a []string, _ io.Reader, o, e io.Writer) int { return runSync(a, o, e) },
	"import":    func(a []string, _ io.Reader, o, e io.Writer) int { return runImport(a, o, e) },
	"tick":      func(a []string, _ io.Reader, o, e io.Writer) int { return runTick(a, o, e) },
	"demo":      func(a []string, _ io.Reader, o, e io.Writer) int { return runDemo(a, o, e) },
	"list":      func(a []string, _ io.Reader, o, e io.Writer) int { return runList(a, o, e) },
	"show":      func(a []string, _ io.Reader, o, e io.Writer) int { return runShow(a, o, e) },
	"report":    func(a []string, _ io.Reader, o, e io.Writer) int { return runReport(a, o, e) },
	"version":   func(a []string, _ io.Reader, o, e io.Writer) int { return runVersion(a, o, e) },
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			fmt.Fprint(stdout, usage)
			return 0
		}
		// "help calendar add" is the calendar command's help.
		if cmd := commands[args[1]]; cmd != nil {
			return cmd([]string{"-h"}, stdin, stdout, stderr)
		}
		fmt.Fprintf(stderr, "drpbot help: no command %q\n\n%s", args[1], usage)
		return 2
	case "-version", "--version":
		return runVersion(args[1:], stdout, stderr)
	}
	if cmd := commands[args[0]]; cmd != nil {
		return cmd(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "drpbot: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	f := newFlags("version", "drpbot version", "Prints the version (stamped by the release build), the commit and the Go version the binary was built from.", stdout, stderr)
	if _, code, ok := f.parse(args, 0, 0); !ok {
		return code
	}
	fmt.Fprintln(stdout, buildinfo.Read())
	return 0
}
