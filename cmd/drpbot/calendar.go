package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

const calendarUsage = `usage: drpbot calendar [-c config.toml] add DATE N
       drpbot calendar [-c config.toml] holidays YEAR

add       prints the date N working days after DATE (the day itself never
          counts): weekends, bank holidays and configured closures skipped
holidays  lists the bank holidays and closures of YEAR
DATE is YYYY-MM-DD or DD/MM/YYYY.
`

func runCalendar(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calendar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("c", "", "config file (nation and closures); England and Wales when empty")
	fs.Usage = func() { fmt.Fprint(stderr, calendarUsage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return 2
	}
	cal, err := calendarFor(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot calendar: %v\n", err)
		return 1
	}
	switch rest[0] {
	case "add":
		if len(rest) != 3 {
			fs.Usage()
			return 2
		}
		d, err := workdays.ParseDate(rest[1])
		if err != nil {
			fmt.Fprintf(stderr, "drpbot calendar add: %v\n", err)
			return 2
		}
		n, err := strconv.Atoi(rest[2])
		if err != nil || n < 0 {
			fmt.Fprintf(stderr, "drpbot calendar add: N must be a whole number of working days, not %q\n", rest[2])
			return 2
		}
		fmt.Fprintln(stdout, cal.AddWorkingDays(d, n))
		return 0
	case "holidays":
		if len(rest) != 2 {
			fs.Usage()
			return 2
		}
		year, err := strconv.Atoi(rest[1])
		if err != nil || year < 1900 || year > 2200 {
			fmt.Fprintf(stderr, "drpbot calendar holidays: %q is not a year\n", rest[1])
			return 2
		}
		for _, day := range cal.NonWorkingDays(year) {
			fmt.Fprintf(stdout, "%s  %-28s %s\n", day.Date, day.Date.UK(), day.Name)
		}
		return 0
	}
	fs.Usage()
	return 2
}
