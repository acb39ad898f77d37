package parser

import (
	"regexp"
	"strings"
)

// Forwarded alerts. The procedures pass the alert form up the ladder by
// forwarding it (Newham DRP: "the IRO will forward the updated form to the
// next manager"); a forward with few or no words of its own carries its
// facts in the forwarded part. For such a forward, the heading, stage, child
// reference, due date and category that the forward's own subject and text
// do not state are read from the forwarded message: its Subject line in the
// quoted header block, then its text (down to any older history).

// maxOwnWordsForward is how many words of its own a forward may have and
// still be read as passing the forwarded message on.
const maxOwnWordsForward = 40

var (
	// A field of the quoted header block, in the languages quote.go reads.
	quotedFieldRe = regexp.MustCompile(`(?i)^\*?([\p{L}]+(?: [\p{L}]+)?)\s*:\*?(?:\s|$)`)
	// The subject field's name in those languages.
	quotedSubjectRe = regexp.MustCompile(`(?i)^\*?(?:subject|objet|betreff|onderwerp|asunto|assunto|temat|[äa]mne|emne|тема|oggetto|aihe)\s*:\*?\s*(.*)$`)
)

// forwarded returns the forwarded message's subject and text, from the
// quoted history starting at text[at:].
func forwarded(text string, at int) (subject, body string) {
	lines := strings.Split(text[at:], "\n")
	i := 1 // past the marker line
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	// The header block: "Field: value" lines up to a blank line. A folded
	// Gmail/Apple block may start on the marker line itself.
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			break
		}
		if m := quotedSubjectRe.FindStringSubmatch(t); m != nil {
			subject = strings.TrimSpace(m[1])
			continue
		}
		if !quotedFieldRe.MatchString(t) && i > 6 {
			break
		}
	}
	if i < len(lines) {
		body = cutQuoted(strings.Join(lines[i:], "\n"))
	}
	return subject, body
}

// forwardedFacts fills the facts a bare forward's own subject and text do
// not state from the forwarded part.
func (p *parserState) forwardedFacts(msg *Message, text string, at int) {
	if at < 0 || at >= len(text) || len(strings.Fields(msg.NewText)) > maxOwnWordsForward {
		return
	}
	if msg.Heading != "" && msg.Stage != nil && msg.ChildRef != "" {
		return
	}
	fsubj, fbody := forwarded(text, at)
	_, rest := subjectPrefix(normalise(fsubj))
	body := normalise(fbody)
	lower := asciiLower(body)
	lines := strings.Split(body, "\n")
	heading, after := p.findHeading(rest)
	if msg.Heading == "" {
		msg.Heading = heading
	}
	if msg.Stage == nil && heading != "" {
		msg.Stage = p.subjectStage(rest)
	}
	if msg.Stage == nil {
		msg.Stage = p.textStage(body, lines)
	}
	if msg.ChildRef == "" {
		msg.ChildRef = p.subjectChildRef(rest, after, heading != "")
	}
	if msg.ChildRef == "" {
		msg.ChildRef = labelled(body, lower, lines, p.m.childLabel, findRef)
	}
	if msg.DueDate.IsZero() {
		if d := labelled(body, lower, lines, p.m.dueLabel, findDate); d != "" {
			msg.DueDate, _ = timeParseISO(d)
		}
	}
	if msg.Category == "" {
		msg.Category = p.category(lines)
	}
	if !msg.ConcurrentCafcass {
		msg.ConcurrentCafcass = concurrentCafcass(lines)
	}
}
