package parser

import (
	"regexp"
	"strings"
)

// Out-of-office replies without the headers that mark them. Autoresponders
// on many servers (and Outlook's own rules, forwarded through other systems)
// send a plain reply: no Auto-Submitted, no X-Autoreply, sometimes not even
// an "Automatic reply:" subject. Their text has a shape: the writer is away
// (first person), says until when or from when, and says who to contact or
// that mail will be read later. Only that shape, short and at the top of the
// text, is sure; the wording alone in a longer reply is "maybe", which the
// caller records but does not count as the response.
type oooReading int

const (
	oooNone oooReading = iota
	oooMaybe
	oooSure
)

var (
	// The writer is away: "I am out of the office", "I'm on annual leave",
	// "I will be away from my desk", "I am currently working with limited
	// access to email", "Out of office until ...".
	oooAwayRe = regexp.MustCompile(`(?i)\b(?:(?:i\s+am|i'm|i\s+will\s+be|i'll\s+be|i\s+shall\s+be)\s+(?:currently\s+|now\s+|presently\s+|also\s+)?(?:out\s+of\s+(?:the\s+)?office|on\s+(?:annual\s+|study\s+|sick\s+|maternity\s+|paternity\s+|parental\s+|adoption\s+|compassionate\s+|special\s+)?leave|away(?:\s+from\s+(?:the\s+office|my\s+desk|work))?|off\s+(?:work|sick|today)|not\s+in\s+(?:the\s+)?office|on\s+(?:holiday|vacation|a\s+training\s+course)|working\s+(?:remotely\s+|part[- ]time\s+)?(?:with\s+limited|and\s+have\s+limited)|not\s+working|absent)` +
		`|\b(?:out\s+of\s+(?:the\s+)?office|on\s+annual\s+leave|on\s+leave|away)\s+(?:until|till|from|between|and\s+will\s+return|returning)\b` +
		`|\b(?:limited|no|intermittent)\s+access\s+to\s+(?:my\s+)?e-?mails?\b` +
		`|\bi\s+(?:do\s+not|don't)\s+work\s+on\s+(?:mondays|tuesdays|wednesdays|thursdays|fridays)\b` +
		`|\bmy\s+working\s+(?:days|hours)\s+are\b)`)
	// The same in the other languages Outlook's assistant is set up in: a
	// reply wholly in one of them is an autoresponder's.
	oooForeignRe = regexp.MustCompile(`(?i)\b(?:je\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+cong[ée]s?|en\s+vacances)|ich\s+bin\s+.{0,40}?(?:nicht\s+im\s+b(?:ü|ue)ro|abwesend|im\s+urlaub)|ik\s+ben\s+.{0,40}?(?:afwezig|niet\s+op\s+kantoor|met\s+vakantie)|estoy\s+.{0,30}?(?:fuera\s+de\s+la\s+oficina|de\s+vacaciones|ausente)|estou\s+.{0,30}?(?:fora\s+do\s+escrit[óo]rio|de\s+f[ée]rias|ausente)|jestem\s+.{0,30}?(?:poza\s+biurem|na\s+urlopie|nieobecn[ya])|jag\s+[äa]r\s+.{0,30}?(?:borta|ledig|p[åa]\s+semester)|jeg\s+er\s+.{0,30}?(?:fraværende|p[åa]\s+ferie|ikke\s+p[åa]\s+kontoret)|sono\s+.{0,30}?(?:fuori\s+(?:sede|ufficio)|in\s+ferie|assente))`)
	// Until when: "until Monday", "back on 23 November", "return on".
	oooReturnRe = regexp.MustCompile(`(?i)\b(?:until|till|back\s+(?:in\s+the\s+office\s+)?on|back\s+in\s+the\s+office|will\s+be\s+back|return(?:ing)?\s+(?:to\s+(?:the\s+office|work)\s+)?on|will\s+return|upon\s+my\s+return|on\s+my\s+return|when\s+i\s+(?:return|am\s+back|get\s+back)|when\s+i'm\s+back)\b`)
	// Who else, or when it will be read.
	oooRedirectRe = regexp.MustCompile(`(?i)\b(?:please\s+contact|please\s+email|please\s+call|please\s+forward|please\s+re-?send|for\s+(?:anything\s+)?urgent|if\s+(?:your|this|the)\s+(?:matter|enquiry|query|e-?mail|message|request)\s+is\s+urgent|if\s+urgent|in\s+my\s+absence|alternatively(?:\s+contact)?|will\s+(?:not\s+be\s+(?:forwarded|read|monitored)|(?:be\s+)?(?:read|actioned|dealt\s+with|respond|reply|get\s+back)\s+(?:to\s+(?:you|it)\s+)?(?:on|upon|when|as\s+soon))|will\s+respond\s+to\s+your\s+e-?mail|will\s+reply\s+as\s+soon|delayed\s+response|response\s+may\s+be\s+delayed)\b`)
	// The openers and statements autoresponders use.
	oooThanksRe    = regexp.MustCompile(`(?i)^\W*(?:hello|hi|dear\s+\w+|good\s+(?:morning|afternoon))?\W*(?:thank\s+you|thanks|many\s+thanks)\s+for\s+(?:your|the)\s+(?:e-?mail|message|enquiry|correspondence)`)
	oooAutomatedRe = regexp.MustCompile(`(?i)\b(?:this\s+is\s+an\s+auto(?:mated|matic|-generated)?\s+(?:reply|response|message|e-?mail|notification)|automatic\s+reply|auto-?reply|auto-?response|out\s+of\s+office\s+(?:reply|message|notification))\b`)
)

// oooText reads an out-of-office reply by its text (the message's own
// text, quoted history already cut).
func oooText(own string) oooReading {
	t := strings.TrimSpace(own)
	if t == "" {
		return oooNone
	}
	if len(t) > 4000 {
		t = t[:4000]
	}
	if len(strings.Fields(t)) <= 80 && oooForeignRe.MatchString(t) {
		return oooSure
	}
	loc := oooAwayRe.FindStringIndex(t)
	automated := oooAutomatedRe.MatchString(t)
	if loc == nil {
		if automated && len(strings.Fields(t)) <= 80 && (oooReturnRe.MatchString(t) || oooRedirectRe.MatchString(t)) {
			return oooSure
		}
		return oooNone
	}
	words := len(strings.Fields(t))
	// Near the top: within the first two sentences or 200 bytes.
	early := loc[0] < 200 || strings.Count(t[:loc[0]], ". ") < 2
	shape := oooReturnRe.MatchString(t) && (oooRedirectRe.MatchString(t) || oooThanksRe.MatchString(t)) ||
		automated
	switch {
	case early && words <= 120 && shape:
		return oooSure
	case early || words <= 30:
		return oooMaybe
	}
	// A long reply that mentions leave further down is a person's.
	return oooNone
}
