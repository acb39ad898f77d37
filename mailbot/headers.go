package mailbot

import (
	"net/mail"
	"strings"
)

// maxMsgIDLen bounds a Message-ID drpbot will write into In-Reply-To or
// References. RFC 5322 2.1.1: a line MUST be no longer than 998
// characters, and a msg-id cannot be folded inside (3.6.4: id-left and
// id-right hold no FWS), so a longer one can only be dropped; 900 leaves
// room for the field name.
const maxMsgIDLen = 900

// validMsgID reports whether id is a msg-id drpbot can pass through as it
// is (RFC 5322 3.6.4): "<" left "@" right ">", printable US-ASCII without
// spaces or further angle brackets. An 8-bit or over-long id is not: it
// would be Q-encoded or folded, and a Q-encoded id threads nothing.
func validMsgID(id string) bool {
	if len(id) < 5 || len(id) > maxMsgIDLen || id[0] != '<' || id[len(id)-1] != '>' {
		return false
	}
	inner := id[1 : len(id)-1]
	at := strings.LastIndexByte(inner, '@')
	if at <= 0 || at == len(inner)-1 {
		return false
	}
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

// threadHeaders returns the In-Reply-To and References field values for
// an outgoing email, ready to write as they are: invalid ids dropped (see
// validMsgID), duplicates dropped, and References folded between ids only
// (RFC 5322 3.6.4 allows CFWS between msg-ids; RFC 5322 2.2.3 folding).
// Either is "" when nothing valid is left.
func threadHeaders(inReplyTo string, refs []string) (irt, references string) {
	if validMsgID(inReplyTo) {
		irt = inReplyTo
	}
	var ok []string
	seen := map[string]bool{}
	for _, r := range refs {
		r = strings.TrimSpace(r)
		if validMsgID(r) && !seen[r] {
			seen[r] = true
			ok = append(ok, r)
		}
	}
	return irt, strings.Join(ok, "\r\n ")
}

// validAddr reports whether a is a bare addr-spec drpbot may hand to SMTP
// (RFC 5321 4.1.2 Mailbox, ASCII only: drpbot does not ask for SMTPUTF8).
// An address that fails never reaches the server: it would fail the RCPT,
// or worse, the whole message when a library refuses to write the header.
func validAddr(a string) bool {
	if a == "" || len(a) > 254 {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] <= ' ' || a[i] >= 0x7f {
			return false
		}
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a || p.Name != "" {
		return false
	}
	local, domain, ok := strings.Cut(a, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	return true
}
