package workdays

// The one-off bank holidays of the past. github.com/rickar/cal/v2/gb holds
// the rules that repeat (New Year, Easter, the May and August Mondays,
// Christmas) and, as of v2.1.13, the 2020 VE Day move, the 2022 Spring Bank
// Holiday move with the Platinum Jubilee, and the 2023 Coronation. The other
// one-off days proclaimed under the Banking and Financial Dealings Act 1971
// (Schedule 1 and s1(3)) are listed here, from the published proclamations
// (gov.uk "Bank holidays", and the Royal Proclamations in The Gazette):
// extra days are added, and where a rule day was moved the rule's date is a
// working day again that year.
//
// Extra days were proclaimed for the whole United Kingdom; the moved days
// concern England, Wales and Northern Ireland (Scotland's May holidays are
// set apart and are not moved here).
var oneOffExtra = map[Date]string{
	{1977, 6, 7}:   "Silver Jubilee of Queen Elizabeth II",
	{1981, 7, 29}:  "Royal Wedding (Prince Charles and Lady Diana Spencer)",
	{1999, 12, 31}: "Millennium Celebrations",
	{2002, 6, 3}:   "Golden Jubilee of Queen Elizabeth II",
	{2011, 4, 29}:  "Royal Wedding (Prince William and Catherine Middleton)",
	{2012, 6, 5}:   "Diamond Jubilee of Queen Elizabeth II",
	// The State Funeral of Queen Elizabeth II (proclaimed 12 September
	// 2022); missing from rickar/cal v2.1.13.
	{2022, 9, 19}: "Bank Holiday for the State Funeral of Queen Elizabeth II",
}

// oneOffMoved are the rule days moved to another date in a given year: the
// rule's date (which the rules in rickar/cal still give) and where the
// holiday went.
var oneOffMoved = []struct{ from, to Date }{
	{Date{1977, 5, 30}, Date{1977, 6, 6}}, // Spring Bank Holiday, for the Silver Jubilee
	{Date{1995, 5, 1}, Date{1995, 5, 8}},  // Early May, to VE Day's 50th anniversary
	{Date{2002, 5, 27}, Date{2002, 6, 4}}, // Spring Bank Holiday, for the Golden Jubilee
	{Date{2012, 5, 28}, Date{2012, 6, 4}}, // Spring Bank Holiday, for the Diamond Jubilee
}

// oneOff returns the name of a one-off holiday on d, and whether d is a
// rule day moved away that year (a working day again).
func (c *Calendar) oneOff(d Date) (name string, movedAway bool) {
	if n, ok := oneOffExtra[d]; ok {
		return n, false
	}
	if c.nation == Scotland {
		return "", false
	}
	for _, m := range oneOffMoved {
		switch d {
		case m.to:
			return "Bank holiday (moved from " + m.from.UK() + ")", false
		case m.from:
			return "", true
		}
	}
	return "", false
}
