package mailbot

// What a log line or a reject may say about a message: its kind and where,
// never its text (a malformed alert's header may name a child).

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/drpbot/drpbot/parser"
)

// safeErr reduces an error about a message to its kinds and, where the
// error quoted the message, the line it quoted: never the text itself (a
// malformed alert's header may carry a child's name). Logs and the rejects
// bucket hold only this.
func safeErr(err error, raw []byte) string {
	if err == nil {
		return ""
	}
	var kinds []string
	for _, k := range errKinds {
		if errors.Is(err, k) {
			kinds = append(kinds, k.Error())
		}
	}
	if len(kinds) == 0 {
		kinds = append(kinds, "error")
	}
	s := strings.Join(kinds, ": ")
	if line := quotedLine(err.Error(), raw); line > 0 {
		s += fmt.Sprintf(" (at line %d of the message)", line)
	}
	return s
}

// quotedLine finds the first line of raw that msg quotes (a whole line, or
// a part of one of at least 8 bytes after a ": "), 1-based; 0 for none.
func quotedLine(msg string, raw []byte) int {
	var cands []string
	for _, part := range strings.Split(msg, ": ") {
		part = strings.TrimSpace(part)
		if len(part) >= 8 && !ownWords(part) {
			cands = append(cands, part)
		}
	}
	if len(cands) == 0 {
		return 0
	}
	for i, line := range bytes.Split(raw, []byte("\n")) {
		for _, c := range cands {
			if bytes.Contains(line, []byte(c)) {
				return i + 1
			}
		}
	}
	return 0
}

// errKinds are the sentinel errors a message's error may carry.
var errKinds = []error{ErrPanic, ErrUnhandled, ErrStore, parser.ErrNoMessage, parser.ErrMalformed, parser.ErrTooLarge}

// ownWords reports a part of an error message that is drpbot's own words
// (a sentinel's text), not something it quoted.
func ownWords(part string) bool {
	for _, k := range errKinds {
		if strings.Contains(k.Error(), part) {
			return true
		}
	}
	return false
}

// safePanic is a panic's value for the log, unless it quotes the message.
func safePanic(r any, raw []byte) string {
	s := fmt.Sprint(r)
	if line := quotedLine(s, raw); line > 0 || len(s) > 200 {
		return fmt.Sprintf("(withheld: it may quote the message, line %d)", line)
	}
	return s
}
