package parser

import (
	"regexp"
	"strings"
)

var (
	// Outlook (desktop and web) and many others: "-----Original Message-----".
	originalRe = regexp.MustCompile(`(?i)^-{2,}\s*original message\s*-{2,}$`)
	// Gmail and Android forwards, Apple Mail forwards.
	forwardedRe = regexp.MustCompile(`(?i)^(-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:?)$`)
	// Outlook's separator line above the From:/Sent: block.
	underscoresRe = regexp.MustCompile(`^_{10,}$`)
	// The header block Outlook writes above the quoted message: desktop and
	// web write "Sent:", Outlook for Mac writes "Date:".
	fromLineRe   = regexp.MustCompile(`(?i)^\*?from:\*?\s`)
	sentLineRe   = regexp.MustCompile(`(?i)^\*?(sent|date):\*?\s`)
	toSubjLineRe = regexp.MustCompile(`(?i)^\*?(to|subject|cc):\*?(\s|$)`)
	// "On Mon, 2 Nov 2026 at 09:00, An IRO <an.iro@example.gov.uk> wrote:"
	// (Gmail, Apple Mail, Thunderbird), sometimes wrapped over two lines.
	onWroteStartRe = regexp.MustCompile(`(?i)^on\s.{4,}`)
	wroteEndRe     = regexp.MustCompile(`(?i)\bwrote:$`)
	// Mobile footers.
	mobileRe = regexp.MustCompile(`(?i)^(sent from my \w+|sent from outlook for (ios|android)|get outlook for (ios|android))\b`)
	// A sign-off on a line of its own starts the signature.
	valedictionRe = regexp.MustCompile(`(?i)^(kind|best|warm|many|with)?\s*(regards|wishes|thanks|thank you)[,.!]*$|^(yours sincerely|yours faithfully|cheers)[,.!]*$`)
)

// cutQuoted returns the message's own text: everything above the first
// quoted-history marker or signature, without "> " lines, trailing spaces and
// runs of blank lines.
func cutQuoted(text string) string {
	lines := strings.Split(text, "\n")
	end := len(lines)
	own := 0 // non-blank own lines seen so far
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if quoteStarts(lines, i, t) {
			end = i
			break
		}
		if strings.TrimRight(line, " \t") == "--" || line == "-- " {
			end = i
			break
		}
		if own > 0 && len(t) < 40 && (valedictionRe.MatchString(t) || mobileRe.MatchString(t)) {
			end = i
			break
		}
		if !strings.HasPrefix(t, ">") {
			own++
		}
	}
	var b strings.Builder
	blank := false
	for _, line := range lines[:end] {
		line = strings.TrimRight(line, " \t\u00a0")
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// quoteStarts reports whether line i (trimmed t) opens quoted history.
func quoteStarts(lines []string, i int, t string) bool {
	// Cheap tests on the first byte first: most lines start none of these.
	switch c := t[0] | 0x20; {
	case c == '-' || c == 'b':
		return originalRe.MatchString(t) || forwardedRe.MatchString(t)
	case t[0] == '_':
		if !underscoresRe.MatchString(t) {
			return false
		}
		// Outlook's rule: the header block follows within a line or two.
		for j, seen := i+1, 0; j < len(lines) && seen < 3; j++ {
			n := strings.TrimSpace(lines[j])
			if n == "" {
				continue
			}
			seen++
			if fromLineRe.MatchString(n) {
				return true
			}
		}
		return false
	case c == 'f' || t[0] == '*':
		if !fromLineRe.MatchString(t) {
			return false
		}
		sent, other := false, false
		for j, seen := i+1, 0; j < len(lines) && seen < 5; j++ {
			n := strings.TrimSpace(lines[j])
			if n == "" {
				continue
			}
			seen++
			if sentLineRe.MatchString(n) {
				sent = true
			} else if toSubjLineRe.MatchString(n) {
				other = true
			}
		}
		return sent && other
	case c == 'o':
		if !onWroteStartRe.MatchString(t) {
			return false
		}
		if wroteEndRe.MatchString(t) {
			return true
		}
		// Wrapped: "On ..., An IRO <" / "an.iro@example.gov.uk> wrote:".
		if i+1 < len(lines) && len(t) < 200 {
			n := strings.TrimSpace(lines[i+1])
			if wroteEndRe.MatchString(n) && len(n) < 200 {
				return true
			}
		}
	}
	return false
}
