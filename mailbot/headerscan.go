package mailbot

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/drpbot/drpbot/parser"
	"github.com/emersion/go-message/textproto"
)

// The import's first pass reads 10,000 headers or more; the parser's
// whole reading of each (facts, auto-reply and category rules) is most of
// that pass's CPU and tells it nothing it needs. scanHeader reads only
// what the pass uses, with the same header library the parser uses, so
// Message-IDs and conversations come out as the parser's do. Its test of
// relevance errs on the side of reading a body: anything the parser could
// call a heading, tag, bounce or query is relevant here.

// headerScan is what the first pass keeps of one header.
type headerScan struct {
	ok       bool // the header could be read
	id       string
	refs     []string
	conv     string
	from     string
	date     time.Time // the Date header, zero when absent or unreadable
	received time.Time // the topmost Received header's date
	direct   bool      // relevant by itself
}

var looseID = regexp.MustCompile(`<[^<>\s]+>`)

// bounceSubjects start the subjects of delivery reports that do not say
// so in their Content-Type.
var bounceSubjects = []string{"undeliverable", "undelivered", "delivery status", "delivery has failed", "mail delivery", "returned mail", "failure notice", "delivery failure"}

// scanHeader reads a header block; headings are the configured headings,
// lower case.
func scanHeader(raw []byte, headings []string) headerScan {
	var s headerScan
	// A message saved from an mbox file starts with its "From " envelope
	// line (RFC 4155), which is no header field: skip it, as the parser does.
	if bytes.HasPrefix(raw, []byte("From ")) {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return s
		}
		raw = raw[i+1:]
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(append(bytes.TrimRight(raw, "\r\n"), "\r\n\r\n"...))))
	if err != nil {
		return s
	}
	h := gomail.Header{Header: message.Header{Header: th}}
	s.ok = true
	if id, err := h.MessageID(); err == nil && id != "" {
		s.id = "<" + id + ">"
	} else if ids := looseID.FindAllString(h.Get("Message-Id"), 1); len(ids) == 1 {
		s.id = ids[0]
	}
	for _, key := range []string{"In-Reply-To", "References"} {
		if !h.Has(key) {
			continue
		}
		if ids, err := h.MsgIDList(key); err == nil && len(ids) > 0 {
			for _, id := range ids {
				s.refs = append(s.refs, "<"+id+">")
			}
		} else {
			s.refs = append(s.refs, looseID.FindAllString(h.Get(key), -1)...)
		}
	}
	if ti, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Get("Thread-Index"))); err == nil && len(ti) >= 22 {
		s.conv = hex.EncodeToString(ti[:22])
	}
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		s.from = strings.ToLower(from[0].Address)
	} else if a := looseAddrRe.FindString(h.Get("From")); a != "" {
		s.from = strings.ToLower(a)
	}
	if d, err := h.Date(); err == nil {
		s.date = d.UTC()
	}
	if r := h.Values("Received"); len(r) > 0 {
		if i := strings.LastIndexByte(r[0], ';'); i >= 0 {
			if t, err := mail.ParseDate(strings.TrimSpace(r[0][i+1:])); err == nil {
				s.received = t
			}
		}
	}
	subj, err := h.Subject()
	if err != nil {
		// An unknown charset: read the encoded words' bytes as they are.
		raw := h.Get("Subject")
		if subj, err = rawWords.DecodeHeader(raw); err != nil {
			subj = raw
		}
	}
	subj = strings.ToLower(subj)
	switch {
	case strings.Contains(subj, "drp-"), strings.Contains(subj, "status"), strings.Contains(subj, "help"):
		s.direct = true
	case strings.Contains(strings.ToLower(h.Get("Content-Type")), "multipart/report"), h.Has("X-Failed-Recipients"):
		s.direct = true
	case parser.MailerDaemon(s.from):
		// The parser reads what a mailer daemon sends unprompted as a
		// bounce whatever its subject ("Notice"): its body decides.
		s.direct = true
	}
	for _, hd := range headings {
		if strings.Contains(subj, hd) {
			s.direct = true
		}
	}
	for _, p := range bounceSubjects {
		if strings.Contains(subj, p) {
			s.direct = true
		}
	}
	return s
}

var looseAddrRe = regexp.MustCompile(`[^<>\s"]+@[^<>\s"]+`)

// rawWords decodes RFC 2047 encoded words whatever their charset says.
var rawWords = &mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil }}

// ownMailOf reports drpbot's own mail from a scanned header, as ownMail
// does from a parsed message.
func (b *Bot) ownMailOf(s headerScan) bool {
	return s.from == b.self || (strings.HasPrefix(s.id, "<drp-") && strings.HasSuffix(s.id, "@"+b.domain+">"))
}
