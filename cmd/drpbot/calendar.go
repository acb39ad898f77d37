package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

const calendarSynopsis = `drpbot calendar [-c FILE] add DATE N
drpbot calendar [-c FILE] holidays YEAR`

const calendarAbout = `add       prints the date N working days after DATE (the day itself never
          counts): weekends, bank holidays and configured closures skipped
holidays  lists the bank holidays and closures of YEAR
DATE is YYYY-MM-DD or DD/MM/YYYY.
`

func runCalendar(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("calendar", calendarSynopsis, calendarAbout, stdout, stderr)
	cfg := fs.String("c", "", "the config `file` (nation and closures); England and Wales when empty")
	rest, code, ok := fs.parse(args, 1, 3)
	if !ok {
		return code
	}
	if rest[0] != "add" && rest[0] != "holidays" {
		return fs.usageError("%q is not add or holidays", rest[0])
	}
	cal, err := calendarFor(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot calendar: %v\n", err)
		return 1
	}
	switch rest[0] {
	case "add":
		if len(rest) != 3 {
			return fs.usageError("add needs a DATE and a number of working days")
		}
		d, err := workdays.ParseDate(rest[1])
		if err != nil {
			return fs.usageError("add: %v", err)
		}
		n, err := strconv.Atoi(rest[2])
		if err != nil || n < 0 {
			return fs.usageError("add: N must be a whole number of working days, not %q", rest[2])
		}
		fmt.Fprintln(stdout, cal.AddWorkingDays(d, n))
		return 0
	case "holidays":
		if len(rest) != 2 {
			return fs.usageError("holidays needs a YEAR")
		}
		year, err := strconv.Atoi(rest[1])
		if err != nil || year < 1900 || year > 2200 {
			return fs.usageError("holidays: %q is not a year", rest[1])
		}
		for _, day := range cal.NonWorkingDays(year) {
			fmt.Fprintf(stdout, "%s  %-28s %s\n", day.Date, day.Date.UK(), day.Name)
		}
		return 0
	}
	return 2 // unreachable: rest[0] was checked above
}
