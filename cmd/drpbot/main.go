// Command drpbot runs the Dispute Resolution Process for children in care by
// email. This file only parses the command line and hands over to the
// packages; see DESIGN.md for the commands.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `drpbot: the Dispute Resolution Process, by email

usage: drpbot COMMAND [flags] [args]

commands:
  demo                  everything embedded: play a dispute, then serve a sandbox (Ctrl-C stops)
  run -c FILE           the daemon: watch the mailbox, remind, escalate, send
  sync -c FILE          one IMAP pass, then send what it queued
  import -c FILE        switch on over a mailbox's history: replay it, send nothing stale, print and email the summary (--since DATE)
  tick -c FILE --now T  one scheduler pass as if at time T (RFC 3339): prints what it would send; --send sends
  list [filters]        the disputes, as a table (--open --overdue --stage N --instigator A --respondent A --team T --json)
  show REF              a dispute's whole timeline (--json)
  report --quarter Q    the quarterly report (--from/--to, --format md|csv|html)
  parse FILE.eml...     print the facts read from each message as JSON lines
  calendar add DATE N   the date N working days after DATE
  calendar holidays Y   the bank holidays and closures of year Y
  check-config -c FILE  validate a config file and the secrets it names
  templates list        the email templates, one per purpose
  templates preview P   render purpose P with sample data (--html for the HTML)
  backup FILE           write a consistent copy of the store, even while the daemon runs
  help                  this text
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "parse":
		return runParse(args[1:], stdin, stdout, stderr)
	case "calendar":
		return runCalendar(args[1:], stdout, stderr)
	case "check-config":
		return runCheckConfig(args[1:], stdout, stderr)
	case "backup":
		return runBackup(args[1:], stdout, stderr)
	case "templates":
		return runTemplates(args[1:], stdout, stderr)
	case "run":
		return runDaemon(args[1:], stdout, stderr)
	case "sync":
		return runSync(args[1:], stdout, stderr)
	case "import":
		return runImport(args[1:], stdout, stderr)
	case "tick":
		return runTick(args[1:], stdout, stderr)
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "list":
		return runList(args[1:], stdout, stderr)
	case "show":
		return runShow(args[1:], stdout, stderr)
	case "report":
		return runReport(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "drpbot: unknown command %q\n\n%s", args[0], usage)
	return 2
}
