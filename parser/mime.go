package parser

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

const (
	maxDepth = 16   // nesting of multiparts; real mail uses 3 or 4
	maxParts = 1000 // parts walked in one message
)

// bodies collects the text the facts are read from while the MIME tree is
// walked once, streaming: attachments are skipped, never read into memory.
type bodies struct {
	plain, html       string
	hasPlain, hasHTML bool
	reportType        string // multipart/report's report-type, lower case
	deliveryStatus    string // the message/delivery-status part of a bounce
	parts             int
}

// readEntity reads a message header and wraps the body. An unknown charset or
// transfer encoding is an error worth logging but still yields a readable
// entity.
func readEntity(r *bufio.Reader) (*message.Entity, error) {
	ent, err := message.ReadWithOptions(r, &message.ReadOptions{MaxHeaderBytes: 1 << 20})
	if err != nil && ent == nil {
		return nil, err
	}
	if err != nil {
		return ent, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ent, nil
}

func mediaType(h message.Header) (string, map[string]string, error) {
	if !h.Has("Content-Type") {
		return "text/plain", nil, nil
	}
	t, params, err := h.ContentType()
	if err != nil {
		// A damaged parameter list still names its type before the ';'.
		raw := h.Get("Content-Type")
		if i := strings.IndexByte(raw, ';'); i >= 0 {
			raw = raw[:i]
		}
		return strings.ToLower(strings.TrimSpace(raw)), params, err
	}
	return t, params, nil
}

func (p *parserState) walk(ent *message.Entity, depth int) *bodies {
	b := &bodies{}
	p.walkInto(b, ent, depth)
	return b
}

func (p *parserState) walkInto(b *bodies, ent *message.Entity, depth int) {
	b.parts++
	if b.parts > maxParts {
		return
	}
	t, params, err := mediaType(ent.Header)
	if err != nil {
		p.fail(fmt.Errorf("%w: Content-Type: %v", ErrMalformed, err))
	}
	attachment := false
	if disp, _, derr := ent.Header.ContentDisposition(); derr == nil && disp == "attachment" {
		attachment = true
	}
	switch {
	case strings.HasPrefix(t, "multipart/"):
		if depth >= maxDepth {
			p.fail(fmt.Errorf("%w: multipart nested deeper than %d", ErrMalformed, maxDepth))
			return
		}
		if t == "multipart/report" && b.reportType == "" {
			b.reportType = strings.ToLower(params["report-type"])
		}
		if params["boundary"] == "" {
			p.fail(fmt.Errorf("%w: %s without a boundary", ErrMalformed, t))
			// Read it as text: the words are still there for a person.
			if !b.hasPlain {
				b.plain, b.hasPlain = p.readText(ent.Body), true
			}
			return
		}
		mr := ent.MultipartReader()
		if mr == nil {
			return
		}
		for b.parts <= maxParts {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil && part == nil {
				p.fail(fmt.Errorf("%w: %s: %v", ErrMalformed, t, err))
				break
			}
			if err != nil {
				p.fail(fmt.Errorf("%w: %v", ErrMalformed, err))
			}
			p.walkInto(b, part, depth+1)
		}
	case attachment:
		// Attached files are never read: a 20 MB PDF costs nothing.
	case t == "text/plain" || t == "":
		if !b.hasPlain {
			b.plain, b.hasPlain = p.readText(ent.Body), true
		}
	case t == "text/html":
		// The HTML alternative is read only when there is no plain text
		// to read (facts use it only then); the multipart reader skips it.
		if !b.hasHTML && !(b.hasPlain && strings.TrimSpace(b.plain) != "") {
			b.html, b.hasHTML = p.readText(ent.Body), true
		}
	case t == "message/delivery-status" || t == "message/global-delivery-status":
		if b.deliveryStatus == "" {
			b.deliveryStatus = p.readText(ent.Body)
		}
	}
}

// readText reads at most MaxTextBytes of a decoded text part. A decoding
// error (corrupt base64, say) keeps what was decoded before it.
func (p *parserState) readText(r io.Reader) string {
	data, err := io.ReadAll(io.LimitReader(r, p.opts.MaxTextBytes))
	if err != nil {
		p.fail(fmt.Errorf("%w: text part: %v", ErrMalformed, err))
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

var (
	looseAddr  = regexp.MustCompile(`[^\s<>()@",;:]+@[^\s<>()",;:]+`)
	looseMsgID = regexp.MustCompile(`<[^<>\s]+>`)
	tagRe      = regexp.MustCompile(`\[(DRP-\d{4}-\d{1,6})\]`)
)

func addresses(h mail.Header, key string) ([]string, string) {
	list, err := h.AddressList(key)
	if err == nil {
		out := make([]string, 0, len(list))
		name := ""
		for i, a := range list {
			out = append(out, strings.ToLower(a.Address))
			if i == 0 {
				name = a.Name
			}
		}
		return out, name
	}
	var out []string
	for _, a := range looseAddr.FindAllString(h.Get(key), -1) {
		out = append(out, strings.ToLower(a))
	}
	return out, ""
}

func msgIDs(h mail.Header, key string) []string {
	if !h.Has(key) {
		return nil
	}
	ids, err := h.MsgIDList(key)
	if err != nil || len(ids) == 0 {
		return looseMsgID.FindAllString(h.Get(key), -1)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "<" + id + ">"
	}
	return out
}

func (p *parserState) readHeader(msg *Message, h mail.Header) {
	if id, err := h.MessageID(); err == nil && id != "" {
		msg.MessageID = "<" + id + ">"
	} else if ids := looseMsgID.FindAllString(h.Get("Message-Id"), 1); len(ids) == 1 {
		msg.MessageID = ids[0]
	}
	subj, err := h.Subject()
	if err != nil {
		p.fail(fmt.Errorf("%w: Subject: %v", ErrMalformed, err))
		subj = h.Get("Subject")
	}
	msg.Subject = strings.Join(strings.Fields(subj), " ")

	var from []string
	from, msg.FromName = addresses(h, "From")
	if len(from) > 0 {
		msg.From = from[0]
	}
	msg.To, _ = addresses(h, "To")
	msg.Cc, _ = addresses(h, "Cc")
	if d, err := h.Date(); err == nil {
		msg.Date = d.UTC()
	}
	msg.InReplyTo = msgIDs(h, "In-Reply-To")
	msg.References = msgIDs(h, "References")

	msg.ThreadIndex = strings.TrimSpace(h.Get("Thread-Index"))
	msg.Conversation = conversation(msg.ThreadIndex)
	if m := tagRe.FindStringSubmatch(msg.Subject); m != nil {
		msg.Tag = m[1]
	}
}

// conversation returns the hex of the first 22 bytes of an Exchange
// Thread-Index: a 6-byte FILETIME header and a 16-byte GUID that every reply
// in the conversation keeps ([MS-OXOMSG] 2.2.1.3, PidTagConversationIndex).
func conversation(threadIndex string) string {
	raw, err := base64.StdEncoding.DecodeString(threadIndex)
	if err != nil || len(raw) < 22 {
		return ""
	}
	return hex.EncodeToString(raw[:22])
}
