package parser

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// matchers are the regular expressions built once from Options.
type matchers struct {
	headings     []heading
	stage        *regexp.Regexp // "Stage 2", "Formal Stage 3", "Stage of Alert: two", "Informal stage"
	stageLabel   *regexp.Regexp // a stage label alone on its line; the value is on the next
	childLabel   labelSet
	dueLabel     labelSet
	cmdStage     *regexp.Regexp
	stageWordsRe string
}

type heading struct {
	spelling string // as configured, reported
	norm     string // normalised for matching
}

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "zero": 0}

// alternation builds "(?:a|b|c)" from literal words, longest first so that
// "Azeus Number" wins over "Azeus"; spaces match any run of white space.
func alternation(words []string) string {
	ws := append([]string(nil), words...)
	sort.SliceStable(ws, func(i, j int) bool { return len(ws[i]) > len(ws[j]) })
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		q := regexp.QuoteMeta(normalise(w))
		q = strings.ReplaceAll(q, " ", `[ \t]+`)
		q = strings.ReplaceAll(q, "'", `'?`)
		parts = append(parts, q)
	}
	if len(parts) == 0 {
		return `(?:\x00never\x00)`
	}
	return "(?:" + strings.Join(parts, "|") + ")"
}

func compileMatchers(o Options) *matchers {
	m := &matchers{}
	for _, h := range o.Headings {
		if n := headingNorm(h); n != "" {
			m.headings = append(m.headings, heading{spelling: h, norm: n})
		}
	}
	sort.SliceStable(m.headings, func(i, j int) bool { return len(m.headings[i].norm) > len(m.headings[j].norm) })
	words := o.StageWords
	if len(words) == 0 {
		words = []string{"Stage"}
	}
	sw := alternation(words)
	m.stageWordsRe = sw
	num := `([0-9]{1,2}|one|two|three|four|five)`
	m.stage = regexp.MustCompile(`(?i)\b(?:` +
		// "Informal stage", "Informal level"
		`(informal)[ \t]+` + sw +
		`|` +
		// "Stage 2", "FORMAL STAGE 1", "Alert Stage 3", "Stage of Alert: 2",
		// "Stage of Alert: Formal Stage 2", "Stage: informal"
		`(?:formal[ \t]+)?(?:alert[ \t]+)?` + sw + `(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:alert|dispute|escalation))?` +
		`[ \t]*(?:[:#.\-\x{2013}\x{2014}][ \t]*)?(?:formal[ \t]+)?(?:` + sw + `[ \t]*)?(?:(informal)|` + num + `)` +
		`)\b`)
	m.stageLabel = regexp.MustCompile(`(?i)^(?:alert[ \t]+)?` + sw + `(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:alert|dispute|escalation))?[ \t]*:?$`)
	m.childLabel = newLabelSet(o.ChildRefLabels)
	m.dueLabel = newLabelSet(o.DueLabels)
	m.cmdStage = regexp.MustCompile(`(?i)^(?:escalate\s+to\s+)?` + sw + `\s*(?:[:#]\s*)?([1-5]|one|two|three|four|five)$`)
	return m
}

// normalise folds the typography Outlook adds (curly quotes, no-break
// spaces, en and em dashes) into plain ASCII so labels match as typed.
var typography = strings.NewReplacer(
	"\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`,
	"\u00a0", " ", "\u2013", "-", "\u2014", "-", "\u200b", "",
)

func normalise(s string) string { return typography.Replace(s) }

// headingNorm lower-cases and folds dashes and runs of space so that
// "Looked-after Manager Alert" matches "LOOKED AFTER MANAGER ALERT".
func headingNorm(s string) string {
	s = strings.ToLower(normalise(s))
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ':', '\t':
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// facts fills in everything read from the subject and the text.
func (p *parserState) facts(msg *Message, h mail.Header, b *bodies) {
	text := b.plain
	if strings.TrimSpace(text) == "" && b.hasHTML {
		text = htmlToText(b.html)
	}
	var quotedAt int
	msg.NewText, quotedAt = splitQuoted(text)
	own := normalise(msg.NewText)
	lower := asciiLower(own)
	lines := strings.Split(own, "\n")
	subj := normalise(msg.Subject)

	kind, rest := subjectPrefix(subj)
	msg.IsForward = kind == "fw"
	msg.IsReply = kind == "re" || (kind == "" && len(msg.InReplyTo) > 0)

	var afterHeading string
	msg.Heading, afterHeading = p.findHeading(rest)
	msg.Stage = p.subjectStage(rest)
	if msg.Stage == nil {
		msg.Stage = p.textStage(own, lines)
	}
	msg.ChildRef = p.subjectChildRef(rest, afterHeading, msg.Heading != "")
	if msg.ChildRef == "" {
		msg.ChildRef = labelled(own, lower, lines, p.m.childLabel, findRef)
	}
	if d := labelled(own, lower, lines, p.m.dueLabel, findDate); d != "" {
		msg.DueDate, _ = time.Parse("2006-01-02", d)
	}
	msg.ConcurrentCafcass = concurrentCafcass(lines)
	msg.Category = p.category(lines)
	msg.ChildInitials = childInitials(lines)
	if msg.IsForward || msg.NewText == "" {
		p.forwardedFacts(msg, text, quotedAt)
	}

	newAlert := !msg.IsReply && msg.Heading != ""
	msg.Command = p.command(lines, newAlert)
	if msg.Command == "" && !newAlert {
		msg.Command, msg.NearCommand, msg.NearReason = p.nearCommand(lines)
	}
	if msg.Command == "" {
		// A query by subject alone: "Status", "Help".
		switch commandLine(rest) {
		case "status", "help":
			msg.Command = commandLine(rest)
		}
	}

	classifyAutomatic(msg, h, b, subj, own)
	if msg.AutoReply {
		// Automatic mail gives no instructions, even when it quotes one.
		msg.Command, msg.NearCommand, msg.NearReason = "", "", ""
	}
}

var prefixRe = regexp.MustCompile(`(?i)^\s*(?:\[[^\]]{1,40}\]\s*)?(re|aw|sv|antw|fw|fwd|tr|wg)\s*(?:\[\d+\])?\s*:\s*`)

// subjectPrefix strips stacked reply/forward prefixes ("RE: RE: FW:") and an
// "[EXTERNAL]" style tag, and says whether the outermost was a reply ("re") or
// a forward ("fw").
func subjectPrefix(subj string) (kind, rest string) {
	rest = subj
	for i := 0; i < 20; i++ {
		m := prefixRe.FindStringSubmatchIndex(rest)
		if m == nil {
			break
		}
		if kind == "" {
			switch strings.ToLower(rest[m[2]:m[3]]) {
			case "fw", "fwd", "tr", "wg":
				kind = "fw"
			default:
				kind = "re"
			}
		}
		rest = rest[m[1]:]
	}
	return kind, rest
}

// findHeading returns the configured heading in the subject and the part of
// the subject after it.
func (p *parserState) findHeading(subj string) (string, string) {
	n := headingNorm(subj)
	for _, h := range p.m.headings {
		if i := strings.Index(n, h.norm); i >= 0 {
			// Map the end back to the original subject by counting words.
			words := len(strings.Fields(n[:i+len(h.norm)]))
			rest := subj
			for k := 0; k < words; k++ {
				rest = strings.TrimLeft(rest, " \t-_:\u2013\u2014")
				j := strings.IndexAny(rest, " \t-_:")
				if j < 0 {
					rest = ""
					break
				}
				rest = rest[j:]
			}
			return h.spelling, rest
		}
	}
	return "", ""
}

func stageValue(word string) (int, bool) {
	w := strings.ToLower(word)
	if w == "informal" {
		return 0, true
	}
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	v, err := strconv.Atoi(w)
	if err != nil || v < 0 || v > 5 {
		return 0, false
	}
	return v, true
}

// firstStage returns the first valid stage stated in s.
func (p *parserState) firstStage(s string) *int {
	for _, m := range p.m.stage.FindAllStringSubmatchIndex(s, -1) {
		if v, ok := stageMatch(s, m); ok {
			return &v
		}
	}
	return nil
}

var informalWordRe = regexp.MustCompile(`(?i)\binformal\b`)

func (p *parserState) subjectStage(subj string) *int {
	subj = tagRe.ReplaceAllString(subj, "")
	if st := p.firstStage(subj); st != nil {
		return st
	}
	if informalWordRe.MatchString(subj) {
		v := 0
		return &v
	}
	return nil
}

func (p *parserState) textStage(text string, lines []string) *int {
	// One pass over the whole text finds the first stage stated inline.
	var inline *int
	inlineLine := len(lines)
	for _, m := range p.m.stage.FindAllStringSubmatchIndex(text, -1) {
		if v, ok := stageMatch(text, m); ok {
			inline = &v
			inlineLine = strings.Count(text[:m[0]], "\n")
			break
		}
	}
	// A form whose label and value sit on separate lines, above that.
	for i := 0; i < inlineLine && i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || len(t) > 40 || !p.m.stageLabel.MatchString(t) {
			continue
		}
		if v := nextValue(lines, i); v != "" {
			if st, ok := stageValue(strings.Fields(v)[0]); ok {
				return &st
			}
		}
	}
	return inline
}

// stageMatch reads the value of one match of the stage pattern.
func stageMatch(s string, m []int) (int, bool) {
	for g := 2; g+1 < len(m); g += 2 {
		if m[g] >= 0 {
			return stageValue(s[m[g]:m[g+1]])
		}
	}
	return 0, false
}

func nextValue(lines []string, i int) string {
	for j := i + 1; j < len(lines) && j <= i+3; j++ {
		if t := strings.TrimSpace(lines[j]); t != "" {
			return t
		}
	}
	return ""
}

var (
	bareRefRe = regexp.MustCompile(`\b([A-Za-z]{1,3}\d{5,10}|\d{5,10})\b`)
	refRe     = regexp.MustCompile(`\b([A-Za-z]{1,4}-?\d{3,10}|\d{4,10})\b`)
	dateLike  = regexp.MustCompile(`\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\b`)
)

// findRef returns the first case-system number in s, skipping dates.
func findRef(s string) string {
	s = dateLike.ReplaceAllString(s, " ")
	if m := refRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func (p *parserState) subjectChildRef(subj, afterHeading string, hasHeading bool) string {
	subj = tagRe.ReplaceAllString(subj, " ")
	for _, loc := range p.m.childLabel.find(asciiLower(subj)) {
		if r := findRef(subj[loc[1]:]); r != "" {
			return r
		}
	}
	if !hasHeading {
		return ""
	}
	after := dateLike.ReplaceAllString(tagRe.ReplaceAllString(afterHeading, " "), " ")
	if m := bareRefRe.FindStringSubmatch(after); m != nil {
		return m[1]
	}
	return ""
}

// labelSet finds form labels ("Azeus Number") in text. Labels are literal,
// so a plain substring search over the lower-cased text does what a
// case-insensitive alternation would, many times faster.
type labelSet struct {
	lits []string // lower case, longest first
}

func newLabelSet(labels []string) labelSet {
	var ls labelSet
	seen := map[string]bool{}
	add := func(s string) {
		s = asciiLower(strings.Join(strings.Fields(normalise(s)), " "))
		if s != "" && !seen[s] {
			seen[s] = true
			ls.lits = append(ls.lits, s)
		}
	}
	for _, l := range labels {
		add(l)
		add(strings.ReplaceAll(l, "'", "")) // "Childs ID" as typed in a hurry
	}
	sort.SliceStable(ls.lits, func(i, j int) bool { return len(ls.lits[i]) > len(ls.lits[j]) })
	return ls
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maxLabelHits bounds the occurrences looked at: a form states its labels
// once, and a hostile message repeating one must not cost quadratic time.
const maxLabelHits = 100

// find returns the [start, end) of each label occurrence in lower that
// stands as whole words, in text order; where labels overlap the longest
// wins.
func (ls labelSet) find(lower string) [][2]int {
	var hits [][2]int
	for _, lit := range ls.lits {
		n := 0
		for from := 0; from < len(lower) && n < maxLabelHits; {
			i := strings.Index(lower[from:], lit)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(lit)
			from = end
			if (start > 0 && isWordByte(lower[start-1])) || (end < len(lower) && isWordByte(lower[end])) {
				from = start + 1
				continue
			}
			hits = append(hits, [2]int{start, end})
			n++
		}
	}
	// In text order, longest first at one start; drop what overlaps a kept hit.
	sort.Slice(hits, func(i, j int) bool {
		if hits[i][0] != hits[j][0] {
			return hits[i][0] < hits[j][0]
		}
		return hits[i][1] > hits[j][1]
	})
	out := hits[:0]
	lastEnd := -1
	for _, h := range hits {
		if h[0] >= lastEnd {
			out = append(out, h)
			lastEnd = h[1]
		}
	}
	return out
}

// asciiLower lower-cases ASCII letters only, so byte offsets in the result
// are offsets in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 0x20
		}
	}
	return string(b)
}

// labelled finds the first place label occurs in text and returns what find
// reads from the rest of that line, or from the next line when the form put
// the value below its label. lines is text split at "\n".
func labelled(text, lower string, lines []string, label labelSet, find func(string) string) string {
	line, counted := 0, 0 // line number of offset counted
	for _, loc := range label.find(lower) {
		end := strings.IndexByte(text[loc[1]:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += loc[1]
		}
		if end-loc[1] > 300 {
			end = loc[1] + 300 // a value sits right after its label
		}
		rest := text[loc[1]:end]
		if v := find(rest); v != "" {
			return v
		}
		if strings.Trim(rest, " \t:-#.|") == "" {
			line += strings.Count(text[counted:loc[0]], "\n")
			counted = loc[0]
			if v := find(nextValue(lines, line)); v != "" {
				return v
			}
		}
	}
	return ""
}

var (
	monthRe = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`
	// UK order always: 04/12/2026 is 4 December.
	numDateRe  = regexp.MustCompile(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b`)
	isoDateRe  = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	textDateRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRe + `\.?,?\s+(\d{4}|\d{2})\b`)
	usTextRe   = regexp.MustCompile(`(?i)\b` + monthRe + `\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
)

func monthNumber(s string) int {
	s = strings.ToLower(s)
	for i, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, m) {
			return i + 1
		}
	}
	return 0
}

func makeDate(y, m, d int) string {
	if y < 100 {
		y += 2000
	}
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 2000 || y > 2200 {
		return ""
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "" // 31/02
	}
	return t.Format("2006-01-02")
}

func timeParseISO(d string) (time.Time, error) { return time.Parse("2006-01-02", d) }

// findDate reads the first date in s, UK day/month order, as ISO 8601.
func findDate(s string) string {
	type cand struct {
		at   int
		date string
	}
	var best *cand
	try := func(at int, date string) {
		if date != "" && (best == nil || at < best.at) {
			best = &cand{at, date}
		}
	}
	if m := isoDateRe.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		try(m[0], makeDate(y, mo, d))
	}
	if m := numDateRe.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		try(m[0], makeDate(y, mo, d))
	}
	if m := textDateRe.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		try(m[0], makeDate(y, monthNumber(s[m[4]:m[5]]), d))
	}
	if m := usTextRe.FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		try(m[0], makeDate(y, monthNumber(s[m[2]:m[3]]), d))
	}
	if best == nil {
		return ""
	}
	return best.date
}

var (
	cafcassLabelRe = regexp.MustCompile(`(?i)(?:\bconcurrent\b.*\bcafcass\b|\bcafcass\b.*\bconcurrent\b)(?:\s+(?:referral|referred|made))*`)
	yesNoRe        = regexp.MustCompile(`(?i)^[\s:\-?|\t.]*(?:\[x\]|\(x\)|\x{2612}|\x{2611})?\s*(yes|y|no|n|true|false)\b`)
)

// concurrentCafcass reads "Concurrent referral to Cafcass: Yes".
func concurrentCafcass(lines []string) bool {
	for i, line := range lines {
		if !containsFold(line, "cafcass") {
			continue
		}
		loc := cafcassLabelRe.FindStringIndex(line)
		if loc == nil {
			continue
		}
		rest := line[loc[1]:]
		if strings.Trim(rest, " \t:-?|.") == "" {
			rest = nextValue(lines, i)
		}
		if m := yesNoRe.FindStringSubmatch(rest); m != nil {
			v := strings.ToLower(m[1])
			return v == "yes" || v == "y" || v == "true"
		}
		return false
	}
	return false
}

var (
	categoryRe = regexp.MustCompile(`(?i)^\s*(?:category|category of (?:concern|dispute|issue)|concern category)\s*[:\t\-]\s*(.+)$`)
	tickRe     = regexp.MustCompile(`(?i)(?:\x{2612}|\x{2611}|\x{2713}|\x{2714}|\[x\]|\(x\))\s*([^\t\x{2610}\[\(]+)`)
)

// category reads a "Category: ..." line, or the category ticked in a form,
// in the configured spelling when it is one of the configured categories.
func (p *parserState) category(lines []string) string {
	known := func(v string) (string, bool) {
		// Newham's form spells its first option with a trailing colon
		// ("... requirements for the child not met:").
		v = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ".;,:"))
		// "Other (please specify)" is the form's Other.
		if len(v) > len("(please specify)") && strings.HasSuffix(strings.ToLower(v), "(please specify)") {
			v = strings.TrimSpace(v[:len(v)-len("(please specify)")])
		}
		for _, c := range p.opts.Categories {
			if strings.EqualFold(v, c) {
				return c, true
			}
		}
		return v, false
	}
	for _, line := range lines {
		if !containsFold(line, "category") {
			continue
		}
		if m := categoryRe.FindStringSubmatch(line); m != nil {
			v, _ := known(m[1])
			return v
		}
	}
	// Newham's form is a table of "Dispute Resolution Category | TICK IF
	// APPLICABLE" pairs: the tick is in the cell after its category, on the
	// same line (cells apart by tabs) or on the next line (a table flattened
	// one cell a line). The cell before a tick names it.
	prev := ""
	for _, line := range lines {
		cells := strings.Split(line, "\t")
		for _, c := range cells {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			if tickCell(c) {
				if v, ok := known(prev); ok {
					return v
				}
			} else if v, ok := trailingTick(c); ok {
				if v, ok := known(v); ok {
					return v
				}
			}
			prev = c
		}
	}
	for _, line := range lines {
		for _, m := range tickRe.FindAllStringSubmatch(line, -1) {
			if v, ok := known(m[1]); ok {
				return v
			}
		}
	}
	return ""
}

// tickMarks are what a person types or a form renders in a "TICK IF
// APPLICABLE" cell.
var tickMarks = []string{"\u2612", "\u2611", "\u2713", "\u2714", "[x]", "(x)", "x", "yes", "y"}

// tickCell reports a cell that holds only a tick.
func tickCell(c string) bool {
	c = strings.ToLower(strings.TrimSpace(c))
	return slices.Contains(tickMarks, c)
}

// trailingTick reads "Health Issues \u2612": a category and its tick in one
// cell, the tick last. Only a box, a check mark or a bracketed x counts
// here, never a bare letter.
func trailingTick(c string) (string, bool) {
	for _, t := range tickMarks[:6] {
		for _, t := range []string{t, strings.ToUpper(t)} {
			if len(c) > len(t) && strings.HasSuffix(c, t) {
				return strings.TrimSpace(c[:len(c)-len(t)]), true
			}
		}
	}
	return "", false
}

var (
	extendDateRe = regexp.MustCompile(`(?i)^extend(?:\s+(?:the\s+)?(?:deadline|response\s+date|due\s+date))?\s+(?:to|until|till)\s+(.+)$`)
	extendDaysRe = regexp.MustCompile(`(?i)^extend(?:\s+(?:the\s+)?(?:deadline|response\s+date|due\s+date))?\s+(?:by\s+)?(\d{1,2})\s+(?:working\s+)?days?$`)
)

// commandLine normalises one line for matching: "#", bullets, emphasis and
// trailing punctuation go, case and spacing fold.
func commandLine(line string) string {
	t := strings.TrimSpace(line)
	t = strings.TrimLeft(t, "#*-\u2022 \t")
	t = strings.TrimRight(t, ".!*_ \t")
	t = strings.TrimLeft(t, "*_")
	return strings.ToLower(strings.Join(strings.Fields(t), " "))
}

// command returns the first instruction on a line of its own. In a new alert
// a stage line states the alert's stage and is not an instruction.
func (p *parserState) command(lines []string, newAlert bool) string {
	for _, line := range lines {
		c := commandLine(line)
		if c == "" || len(c) > 60 {
			continue
		}
		switch c {
		case "resolved", "dispute resolved":
			return "resolved"
		case "not resolved", "escalate":
			return "escalate"
		case "pause":
			return "pause"
		case "resume":
			return "resume"
		case "cafcass referral made", "cafcass referral", "referred to cafcass":
			return "cafcass"
		case "close", "withdrawn", "withdraw":
			return "close"
		case "status":
			return "status"
		case "help":
			return "help"
		}
		if m := p.m.cmdStage.FindStringSubmatch(c); m != nil {
			if newAlert {
				continue
			}
			if v, ok := stageValue(m[1]); ok {
				return "stage " + strconv.Itoa(v)
			}
		}
		if !strings.HasPrefix(c, "extend") {
			continue
		}
		if m := extendDaysRe.FindStringSubmatch(c); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > 0 {
				return "extend " + strconv.Itoa(n)
			}
		}
		if m := extendDateRe.FindStringSubmatch(c); m != nil {
			if d := findDate(m[1]); d != "" {
				return "extend " + d
			}
		}
	}
	return ""
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

var (
	childNameRe = regexp.MustCompile(`(?i)^\s*(?:child'?s name|name of (?:the )?child(?:ren)?|child name)\b[^:\t]*[:\t]\s*(.+)$`)
	initialsRe  = regexp.MustCompile(`^(?:[A-Za-z]\.\s*){1,4}$`)
)

// childInitials reads the child's name field and returns only initials:
// "S.C." as written, or the first letters of a name ("Sam Child" -> "S.C.").
func childInitials(lines []string) string {
	for _, line := range lines {
		if !containsFold(line, "name") {
			continue
		}
		m := childNameRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := m[1]
		if i := strings.IndexAny(v, "/(,"); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimSpace(v)
		if initialsRe.MatchString(v) {
			return strings.ToUpper(strings.ReplaceAll(v, " ", ""))
		}
		var b strings.Builder
		for _, w := range strings.Fields(v) {
			r := w[0]
			if r >= 'a' && r <= 'z' {
				r -= 0x20
			}
			if r < 'A' || r > 'Z' {
				return ""
			}
			b.WriteByte(r)
			b.WriteByte('.')
		}
		return b.String()
	}
	return ""
}

// RedactChildName replaces the value of a child's-name field in text with
// the initials, so an alert passed up the levels names the child by
// reference and initials only.
func RedactChildName(text string) string {
	lines := strings.Split(text, "\n")
	changed := false
	for i, line := range lines {
		if !containsFold(line, "name") {
			continue
		}
		m := childNameRe.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		value := line[m[2]:m[3]]
		keep := ""
		if j := strings.IndexAny(value, "/("); j >= 0 {
			keep = " " + strings.TrimSpace(value[j:]) // "/ 200002": the reference stays
		}
		initials := childInitials([]string{line})
		if initials == "" {
			initials = "[name withheld]"
		}
		lines[i] = line[:m[2]] + initials + keep
		changed = true
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "\n")
}
