package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Near-miss instructions. IROs write the command language from memory, and
// a line such as "Resolved - thanks Pat." or "Thanks Pat, this is now
// resolved." is meant as an instruction though it is not exactly one. The
// rules, in order, for a line of the new text of a reply (never of a new
// alert) that is at most 16 words long:
//
//  1. A line with hedged wording ("I believe", "I think", "please confirm",
//     "hopefully", "should be", a question mark...) is neither an instruction
//     nor a near miss: it is what it says, a response or a note.
//  2. The words "please" and "kindly" are dropped. The line is split into
//     clauses at commas, semicolons, exclamation marks, full stops followed
//     by a space and spaced dashes.
//  3. If exactly one clause is an exact instruction, or states the dispute
//     resolved ("this is now resolved", "the dispute has been resolved"),
//     and every other clause is courtesy (a greeting or thanks, with at most
//     two more words such as a name, "ok", "noted"), the line is that
//     instruction: drpbot acts on it.
//  4. Otherwise, when the line starts like an instruction (after any
//     greeting or thanks): "Extend ...", "Extension ...", "Escalate ...",
//     "Escalating/Moving to stage N ...", a bare "Stage N", "Not resolved
//     ...", "Resolved ...", "... as/now/is resolved", "Pause ...", "Putting
//     this on hold", "Resume this", "Withdraw ...", "Close this ...", or
//     names a Cafcass referral, it is a near miss:
//     NearCommand is set, nothing is done, and drpbot answers the writer
//     with what it understood and the exact line to send. An impossible
//     date ("Extend to 31/02/2027") or stage is a near miss with its reason.

var (
	hedgeRe        = regexp.MustCompile(`(?i)\?|\b(?:i\s+believe|i\s+think|i\s+hope|i\s+guess|i\s+assume|hopefully|probably|possibly|maybe|perhaps|may\s+be|might|should\s+be|seems?|appears?|not\s+sure|unsure|(?:please|pls|can\s+you|could\s+you|to)\s+confirm|if|once|unless|assuming|expect(?:ed)?|awaiting|pending|yet|whether|do\s+you|would\s+you|can\s+we|could\s+we|shall\s+we|should\s+we|can\s+you|could\s+you|don't|do\s+not|won't|will\s+not|wouldn't|would\s+not|cannot|can't|almost|nearly|partly|partially|mostly|(?:from|on)\s+(?:my|our)\s+(?:side|part|end)|(?:my|our)\s+end|as\s+far\s+as)\b`)
	clauseSplitRe  = regexp.MustCompile(`\s*(?:[,;!]|\.\s|\s[-\x{2013}\x{2014}]+\s)\s*`)
	courtesyRe     = regexp.MustCompile(`(?i)^(?:(?:many|with|big)\s+thanks|thanks(?:\s+again|\s+all|\s+very\s+much|\s+so\s+much)?|thank\s+you(?:\s+very\s+much|\s+so\s+much|\s+all)?|cheers|ta|hi|hello|dear|morning|good\s+(?:morning|afternoon)|afternoon|ok|okay|great|noted|all\s+good|brilliant|perfect|lovely|agreed|understood)(?:\s+[\w'.]+){0,2}$`)
	resolvedStmtRe = regexp.MustCompile(`(?i)^(?:(?:this|it|that|the|this|our)(?:\s+(?:dispute|alert|matter|issue|concern|case|escalation|drp))?\s+(?:is|has\s+been|was|is\s+now|has\s+now\s+been)\s+)?(?:now\s+)?(?:fully\s+)?resolved(?:\s+now)?$`)
	pleaseRe       = regexp.MustCompile(`(?i)\b(?:please|kindly|pls)\b\s*`)
	// Rule 4's forms, each anchored at the start of the line (after
	// "please" and any greeting or thanks clause) so that a sentence that
	// merely uses the word ("Extended family are involved", "Escalation
	// isn't needed", "Resumed contact with mum") is no near miss.
	nearCafcassRe  = regexp.MustCompile(`(?i)\bcafcass\b.*\breferr|\breferr\w*\b.*\bcafcass\b`)
	nearExtendRe   = regexp.MustCompile(`(?i)^(?:extend(?:ing)?|extension|extended\s+(?:to|until|till|by))\b`)
	nearStageRe    = regexp.MustCompile(`(?i)^(?:(?:escalat\w*|mov(?:e|ing)|go(?:ing)?|progress\w*)\s+(?:this\s+|it\s+|the\s+(?:dispute|alert)\s+)?(?:up\s+)?to\s+)(?:stage|level)\s+(\d+|one|two|three|four|five|six|seven|eight|nine)\b|^(?:stage|level)\s+(\d+|one|two|three|four|five|six|seven|eight|nine)$`)
	nearEscalateRe = regexp.MustCompile(`(?i)^(?:escalat(?:e|ing)\b|not\s+(?:yet\s+)?resolved\b|(?:this|it|the\s+(?:dispute|alert|matter|issue))\s+(?:is\s+not|isn't|has\s+not\s+been|hasn't\s+been)\s+resolved\b)`)
	nearResolvedRe = regexp.MustCompile(`(?i)^resolved\b|\b(?:as|now|been|be|is)\s+(?:fully\s+)?resolved\b`)
	nearPauseRe    = regexp.MustCompile(`(?i)^(?:pause|paused)\b|^pausing\s+(?:this|the|it)\b|^(?:put|putting|place|placing|placed)\s+(?:this|it|the\s+(?:dispute|alert))\s+on\s+hold\b`)
	nearResumeRe   = regexp.MustCompile(`(?i)^(?:resume|resuming|restart|unpause)(?:\s+(?:this|it|the\s+(?:dispute|alert|clocks?)|now))?$|^(?:resume|resuming|restart|unpause)\s+(?:this|it|the\s+(?:dispute|alert|clocks?))\b`)
	nearCloseRe    = regexp.MustCompile(`(?i)^withdraw\w*\b|^(?:close|closing)\s+(?:this|it|the\s+(?:dispute|alert))\b|\bwithdraw(?:n|ing)?\s+(?:this|the)\s+(?:alert|dispute)\b`)
	nearDaysRe     = regexp.MustCompile(`(?i)\b(\d{1,3})\s+(?:more\s+|further\s+|extra\s+|additional\s+)?(?:working\s+)?days?\b`)
)

// nearCommand applies the rules above to the lines of a reply's new text.
// It returns an instruction to act on (rule 3), or a near miss and its
// reason (rule 4), or nothing.
func (p *parserState) nearCommand(lines []string) (cmd, near, reason string) {
	for n, line := range lines {
		if n > 60 {
			break
		}
		t := strings.TrimSpace(line)
		if t == "" || len(t) > 200 || strings.HasPrefix(t, ">") {
			continue
		}
		c := commandLine(t)
		words := strings.Fields(c)
		if len(words) == 0 || len(words) > 16 || hedgeRe.MatchString(c) {
			continue
		}
		c = strings.TrimSpace(pleaseRe.ReplaceAllString(c, ""))
		if c == "" {
			continue
		}
		// Rule 3: one instruction among courtesy.
		found, other := "", false
		for _, cl := range clauseSplitRe.Split(c, -1) {
			cl = strings.Trim(cl, " .:")
			if cl == "" || courtesyRe.MatchString(cl) {
				continue
			}
			if found == "" {
				if x := p.command([]string{cl}, false); x != "" && x != "status" && x != "help" {
					found = x
					continue
				}
				if resolvedStmtRe.MatchString(cl) {
					found = "resolved"
					continue
				}
			}
			other = true
		}
		if found != "" && !other {
			return found, "", ""
		}
		// Rule 4: the line starts like an instruction.
		if near, reason = p.nearMiss(c); near != "" {
			return "", near, reason
		}
	}
	return "", "", ""
}

// nearMiss names the instruction a line resembles (rule 4), with the
// reason when it cannot be given as written; "" when it resembles none.
func (p *parserState) nearMiss(c string) (string, string) {
	// Past a leading greeting or thanks clause: "Thanks Pat, extend to ...".
	for _, cl := range clauseSplitRe.Split(c, 3) {
		cl = strings.Trim(cl, " .:")
		if cl == "" || courtesyRe.MatchString(cl) {
			continue
		}
		c = c[strings.Index(c, cl):]
		break
	}
	switch {
	case nearCafcassRe.MatchString(c):
		return "cafcass", ""
	case nearExtendRe.MatchString(c):
		if d, why := nearDate(c); d != "" {
			return "extend " + d, ""
		} else if why != "" {
			return "extend", why
		}
		if m := nearDaysRe.FindStringSubmatch(c); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > 99 {
				return "extend", fmt.Sprintf("%d working days is not an extension drpbot can apply", n)
			}
			return "extend " + strconv.Itoa(n), ""
		}
		return "extend", "no new date or number of working days was given"
	}
	if m := nearStageRe.FindStringSubmatch(c); m != nil {
		word := m[1] + m[2]
		v, ok := stageValue(word)
		if !ok || v < 1 {
			return "escalate", fmt.Sprintf("there is no stage %s: the formal stages are 1 to 5", word)
		}
		return "stage " + strconv.Itoa(v), ""
	}
	switch {
	case nearEscalateRe.MatchString(c):
		return "escalate", ""
	case nearResolvedRe.MatchString(c) && !strings.Contains(c, "not ") && !strings.Contains(c, "n't") && !strings.Contains(c, "unresolved"):
		return "resolved", ""
	case nearPauseRe.MatchString(c):
		return "pause", ""
	case nearResumeRe.MatchString(c):
		return "resume", ""
	case nearCloseRe.MatchString(c):
		return "close", ""
	}
	return "", ""
}

// nearDate reads the first date in a near-miss line: ISO form when it is a
// real day, or, when it is written as a date but no such day exists, the
// reason ("31/02/2027 is not a date: February 2027 has 28 days").
func nearDate(c string) (iso, why string) {
	if d := findDate(c); d != "" {
		return d, ""
	}
	m := numDateRe.FindStringSubmatch(c)
	if m == nil {
		return "", ""
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y, _ := strconv.Atoi(m[3])
	if y < 100 {
		y += 2000
	}
	switch {
	case mo < 1 || mo > 12:
		return "", fmt.Sprintf("%s is not a date: there is no month %d (dates are day/month/year)", m[0], mo)
	case d < 1 || d > 31:
		return "", fmt.Sprintf("%s is not a date: there is no day %d", m[0], d)
	case y < 2000 || y > 2200:
		return "", fmt.Sprintf("%s is not a date drpbot can use", m[0])
	}
	last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return "", fmt.Sprintf("%s is not a date: %s %d has %d days", m[0], time.Month(mo), y, last)
}

// InstructionLine returns the exact line that gives instruction cmd (in
// Command's form), for telling a writer what to send: "resolved" is
// "Resolved", "stage 3" is "Escalate to stage 3", "extend 2026-12-11" is
// "Extend to 11/12/2026"; "extend" alone, with no date, shows the form.
func InstructionLine(cmd string) string {
	verb, arg, _ := strings.Cut(cmd, " ")
	switch verb {
	case "resolved":
		return "Resolved"
	case "escalate":
		return "Escalate"
	case "stage":
		return "Escalate to stage " + arg
	case "extend":
		if t, err := time.Parse("2006-01-02", arg); err == nil {
			return "Extend to " + t.Format("02/01/2006")
		}
		if n, err := strconv.Atoi(arg); err == nil {
			return fmt.Sprintf("Extend %d days", n)
		}
		return "Extend to DD/MM/YYYY (or Extend N days)"
	case "pause":
		return "Pause"
	case "resume":
		return "Resume"
	case "cafcass":
		return "Cafcass referral made"
	case "close":
		return "Withdrawn"
	case "status":
		return "Status"
	case "help":
		return "Help"
	}
	return ""
}
