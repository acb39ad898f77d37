package workdays

import (
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestAddWorkingDays(t *testing.T) {
	ew, err := New("", nil)
	if err != nil {
		t.Fatal(err)
	}
	shutdown, _ := New(EnglandWales, []Closure{{Date: d(2026, 12, 29), Name: "Christmas shutdown"}, {Date: d(2026, 12, 30)}, {Date: d(2026, 12, 31)}})
	scot, _ := New(Scotland, nil)
	ni, _ := New(NorthernIreland, nil)
	tests := []struct {
		name string
		c    *Calendar
		from Date
		n    int
		want Date
	}{
		{"issue example: Christmas 2026", ew, d(2026, 12, 21), 5, d(2026, 12, 30)},
		{"plain week", ew, d(2026, 11, 2), 5, d(2026, 11, 9)},
		{"from Friday", ew, d(2026, 11, 6), 1, d(2026, 11, 9)},
		{"from Saturday: day of issue never counts", ew, d(2026, 11, 7), 1, d(2026, 11, 9)},
		{"Easter 2027", ew, d(2027, 3, 25), 2, d(2027, 3, 31)}, // Good Friday 26, Easter Monday 29
		{"Early May 2027", ew, d(2027, 4, 30), 1, d(2027, 5, 4)},
		{"New Year 2027", ew, d(2026, 12, 31), 1, d(2027, 1, 4)}, // 1 Jan Fri
		{"15 working days (Wakefield informal)", ew, d(2026, 11, 2), 15, d(2026, 11, 23)},
		{"council shutdown", shutdown, d(2026, 12, 21), 5, d(2027, 1, 5)},
		{"zero", ew, d(2026, 11, 2), 0, d(2026, 11, 2)},
		{"Scotland: Easter Monday works", scot, d(2027, 3, 25), 2, d(2027, 3, 30)},
		{"Scotland: St Andrew's Day 2026 (Mon 30 Nov)", scot, d(2026, 11, 27), 1, d(2026, 12, 1)},
		{"Scotland: 2 January 2027 (Sat -> Mon 4)", scot, d(2026, 12, 31), 1, d(2027, 1, 5)},
		{"Northern Ireland: St Patrick's 2027 (Wed)", ni, d(2027, 3, 16), 1, d(2027, 3, 18)},
		{"Northern Ireland: Boyne 2027 (Mon 12 Jul)", ni, d(2027, 7, 9), 1, d(2027, 7, 13)},
	}
	for _, tt := range tests {
		if got := tt.c.AddWorkingDays(tt.from, tt.n); got != tt.want {
			t.Errorf("%s: %v + %d = %v (%s), want %v", tt.name, tt.from, tt.n, got, got.UK(), tt.want)
		}
	}
	if got := ew.SubWorkingDays(d(2026, 12, 30), 5); got != d(2026, 12, 21) {
		t.Errorf("SubWorkingDays = %v", got)
	}
	if n := ew.WorkingDaysBetween(d(2026, 12, 21), d(2026, 12, 30)); n != 5 {
		t.Errorf("WorkingDaysBetween = %d", n)
	}
	if n := ew.WorkingDaysBetween(d(2026, 12, 30), d(2026, 12, 21)); n != -5 {
		t.Errorf("WorkingDaysBetween reversed = %d", n)
	}
	if got := ew.Add(d(2026, 12, 21), 5, true); got != d(2026, 12, 26) {
		t.Errorf("calendar days = %v", got)
	}
}

func TestLondonAcrossBST(t *testing.T) {
	// 23:30 UTC on 30 June is already 1 July in London (BST).
	if got := In(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)); got != d(2026, 7, 1) {
		t.Errorf("In = %v", got)
	}
	// In winter London is UTC.
	if got := In(time.Date(2026, 12, 30, 23, 30, 0, 0, time.UTC)); got != d(2026, 12, 30) {
		t.Errorf("In = %v", got)
	}
	// The end of a summer day is 23:00 UTC.
	if got := d(2026, 7, 1).End(); !got.Equal(time.Date(2026, 7, 1, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("End = %v", got.UTC())
	}
	// The day the clocks go back has 25 hours; End is still midnight local.
	if got := d(2026, 10, 25).End(); !got.Equal(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("End on clock change = %v", got.UTC())
	}
}

func TestNonWorkingDays(t *testing.T) {
	ew, _ := New(EnglandWales, nil)
	days := ew.NonWorkingDays(2026)
	want := []Date{d(2026, 1, 1), d(2026, 4, 3), d(2026, 4, 6), d(2026, 5, 4), d(2026, 5, 25), d(2026, 8, 31), d(2026, 12, 25), d(2026, 12, 28)}
	if len(days) != len(want) {
		t.Fatalf("got %v", days)
	}
	for i, w := range want {
		if days[i].Date != w {
			t.Errorf("day %d = %v %s, want %v", i, days[i].Date, days[i].Name, w)
		}
	}
	if _, err := New("wales-only", nil); err == nil {
		t.Error("unknown nation accepted")
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]Date{"2026-12-30": d(2026, 12, 30), "30/12/2026": d(2026, 12, 30), "4/1/2027": d(2027, 1, 4)} {
		got, err := ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "12/30/2026", "tomorrow", "2026-02-30"} {
		if _, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
	if s := d(2026, 12, 30).UK(); s != "Wednesday 30 December 2026" {
		t.Errorf("UK = %q", s)
	}
}

// TestOneOffHolidays checks the proclaimed one-off days that rickar/cal's
// rules do not give, and that the days it already has are still counted.
func TestOneOffHolidays(t *testing.T) {
	ew, _ := New(EnglandWales, nil)
	scot, _ := New(Scotland, nil)
	ni, _ := New(NorthernIreland, nil)
	off := []struct {
		c    *Calendar
		day  Date
		want bool // a non-working day
	}{
		{ew, d(2022, 9, 19), true}, // the State Funeral (a Monday)
		{scot, d(2022, 9, 19), true},
		{ni, d(2022, 9, 19), true},
		{ew, d(2011, 4, 29), true},  // Royal Wedding (Friday)
		{ew, d(2012, 6, 5), true},   // Diamond Jubilee (Tuesday)
		{ew, d(2012, 6, 4), true},   // Spring Bank Holiday moved here...
		{ew, d(2012, 5, 28), false}, // ...from its rule day
		{ew, d(2002, 6, 3), true},   // Golden Jubilee
		{ew, d(2002, 6, 4), true},   // Spring Bank Holiday moved
		{ew, d(2002, 5, 27), false},
		{ew, d(1999, 12, 31), true}, // Millennium
		{ew, d(1995, 5, 8), true},   // Early May moved to VE Day +50
		{ew, d(1995, 5, 1), false},
		{ew, d(2022, 6, 2), true}, // rickar/cal already: the 2022 move
		{ew, d(2022, 6, 3), true}, // Platinum Jubilee
		{ew, d(2022, 5, 30), false},
		{ew, d(2023, 5, 8), true},  // Coronation
		{ew, d(2020, 5, 8), true},  // VE Day 75
		{ew, d(2020, 5, 4), false}, // Early May moved away
		{ew, d(2023, 9, 18), false},
	}
	for _, tt := range off {
		if got := !tt.c.IsWorkingDay(tt.day); got != tt.want {
			t.Errorf("%s %v (%s): non-working %v, want %v (%q)", tt.c.Nation(), tt.day, tt.day.UK(), got, tt.want, tt.c.NonWorking(tt.day))
		}
	}
	// The example: a count over the funeral was a day out. Five
	// working days from Wednesday 14 September 2022 end on Thursday 22nd.
	if got := ew.AddWorkingDays(d(2022, 9, 14), 5); got != d(2022, 9, 22) {
		t.Errorf("over the State Funeral: %v (%s), want 2022-09-22", got, got.UK())
	}
	if n := ew.WorkingDaysBetween(d(2022, 9, 16), d(2022, 9, 20)); n != 1 {
		t.Errorf("WorkingDaysBetween over the funeral = %d, want 1", n)
	}
	// The year's list names it.
	found := false
	for _, day := range ew.NonWorkingDays(2022) {
		if day.Date == d(2022, 9, 19) && day.Name != "" {
			found = true
		}
	}
	if !found {
		t.Error("NonWorkingDays(2022) misses 19 September")
	}
	if n := len(ew.NonWorkingDays(2012)); n != 9 {
		t.Errorf("2012 has %d bank holidays, want 9: %v", n, ew.NonWorkingDays(2012))
	}
}
