// Package workdays counts UK working days: the clock every DRP response
// window runs on. Weekends, the bank holidays of the chosen UK nation (from
// github.com/rickar/cal/v2) and a council's own closure days do not count.
// Days are civil dates in Europe/London, so a deadline is right across BST.
//
// "N working days after D" follows the procedures' reading: the day of issue
// does not count, and the deadline is the end of the Nth working day. An
// alert sent on Monday 21 December 2026 with 5 working days is due by the
// end of Wednesday 30 December 2026 (Christmas Day and the Boxing Day
// substitute on Monday 28 December are skipped).
package workdays

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// Nations whose bank holidays are known.
const (
	EnglandWales    = "england-and-wales"
	Scotland        = "scotland"
	NorthernIreland = "northern-ireland"
)

// ErrBadDate is returned for a date that cannot be read.
var ErrBadDate = errors.New("workdays: bad date")

// London is the time zone the procedures' days are counted in.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The tz database is embedded below (time/tzdata), so this is a
		// build problem, not bad input.
		panic(fmt.Sprintf("workdays: %v", err))
	}
	return loc
}

// Date is a civil date, with no time of day or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads an ISO 8601 date (2026-12-30) or a UK one (30/12/2026).
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("%w: %q (want YYYY-MM-DD or DD/MM/YYYY)", ErrBadDate, s)
}

// DateOf returns the date of t as its own fields say (no zone conversion).
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// In returns the date that instant t falls on in London.
func In(t time.Time) Date { return DateOf(t.In(London)) }

// IsZero reports the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time is midnight starting d in London.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, London) }

// End is the instant d ends in London: a deadline "by the end of" d has
// passed at End.
func (d Date) End() time.Time { return d.AddDays(1).Time() }

// AddDays returns the date n calendar days after d.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// String is ISO 8601, 2026-12-30.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// UK is the long UK form, "Wednesday 30 December 2026".
func (d Date) UK() string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
}

// MarshalText writes ISO 8601.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads ISO 8601 or UK order.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Closure is a day the council is shut beyond the bank holidays (the
// Christmas shutdown, say).
type Closure struct {
	Date Date
	Name string
}

// Calendar knows which days are working days. Its zero value is not usable;
// build one with New. A Calendar is safe for concurrent use once built.
type Calendar struct {
	nation   string
	holidays *cal.Calendar
	closures map[Date]string
	// mu guards holidays, whose cache every lookup may write: the
	// watcher and the scheduler ask at the same time.
	mu sync.Mutex
}

// Holidays of Scotland and Northern Ireland that the gb package leaves out.
var (
	weekendAlt = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}
	// 2 January follows New Year's Day: a weekend 2 January moves to the
	// Monday or, when New Year's Day took that Monday, the Tuesday.
	scotJan2       = &cal.Holiday{Name: "2nd January", Type: cal.ObservanceBank, Month: time.January, Day: 2, Func: cal.CalcDayOfMonth, Observed: []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}}}
	stAndrew       = &cal.Holiday{Name: "St Andrew's Day", Type: cal.ObservanceBank, Month: time.November, Day: 30, Func: cal.CalcDayOfMonth, Observed: weekendAlt}
	stPatrick      = &cal.Holiday{Name: "St Patrick's Day", Type: cal.ObservanceBank, Month: time.March, Day: 17, Func: cal.CalcDayOfMonth, Observed: weekendAlt}
	battleOfBoyne  = &cal.Holiday{Name: "Battle of the Boyne", Type: cal.ObservanceBank, Month: time.July, Day: 12, Func: cal.CalcDayOfMonth, Observed: weekendAlt}
	scotlandRemove = map[*cal.Holiday]bool{gb.EasterMonday: true, gb.SummerHoliday: true}
)

// Nations lists the accepted nation names.
func Nations() []string { return []string{EnglandWales, Scotland, NorthernIreland} }

// New returns the calendar of a UK nation ("" means England and Wales) with
// the council's closure days added.
func New(nation string, closures []Closure) (*Calendar, error) {
	c := &Calendar{nation: nation, holidays: &cal.Calendar{Cacheable: true}, closures: map[Date]string{}}
	switch nation {
	case "", EnglandWales:
		c.nation = EnglandWales
		c.holidays.AddHoliday(gb.Holidays...)
	case Scotland:
		for _, h := range gb.Holidays {
			if !scotlandRemove[h] {
				c.holidays.AddHoliday(h)
			}
		}
		c.holidays.AddHoliday(scotJan2, gb.SummerHolidayScotland, stAndrew)
	case NorthernIreland:
		c.holidays.AddHoliday(gb.Holidays...)
		c.holidays.AddHoliday(stPatrick, battleOfBoyne)
	default:
		return nil, fmt.Errorf("workdays: unknown nation %q (want one of %s)", nation, strings.Join(Nations(), ", "))
	}
	for _, cl := range closures {
		name := cl.Name
		if name == "" {
			name = "Council closure"
		}
		c.closures[cl.Date] = name
	}
	return c, nil
}

// Nation is the calendar's nation.
func (c *Calendar) Nation() string { return c.nation }

// NonWorking names why d is not a working day, "" when it is one.
func (c *Calendar) NonWorking(d Date) string {
	if name, ok := c.closures[d]; ok {
		return name
	}
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	c.mu.Lock()
	_, observed, h := c.holidays.IsHoliday(t)
	c.mu.Unlock()
	if observed && h != nil {
		return h.Name
	}
	switch d.Weekday() {
	case time.Saturday:
		return "Saturday"
	case time.Sunday:
		return "Sunday"
	}
	return ""
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) bool { return c.NonWorking(d) == "" }

// AddWorkingDays returns the date n working days after d; d itself never
// counts. n <= 0 returns d.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// SubWorkingDays returns the working day n working days before d.
func (c *Calendar) SubWorkingDays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(-1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// Add returns the date n days after d, counting working days or, when
// calendarDays is set (a policy may say so), every day.
func (c *Calendar) Add(d Date, n int, calendarDays bool) Date {
	if calendarDays {
		return d.AddDays(n)
	}
	return c.AddWorkingDays(d, n)
}

// WorkingDaysBetween counts the working days after a up to and including b;
// negative when b is before a.
func (c *Calendar) WorkingDaysBetween(a, b Date) int {
	if b.Before(a) {
		return -c.WorkingDaysBetween(b, a)
	}
	n := 0
	for d := a.AddDays(1); !b.Before(d); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// Day is one non-working day and why.
type Day struct {
	Date Date
	Name string
}

// NonWorkingDays lists the bank holidays and closures in year (weekends
// left out), in date order.
func (c *Calendar) NonWorkingDays(year int) []Day {
	var out []Day
	for d := (Date{year, time.January, 1}); d.Year == year; d = d.AddDays(1) {
		name := c.NonWorking(d)
		if name != "" && name != "Saturday" && name != "Sunday" {
			out = append(out, Day{d, name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}
