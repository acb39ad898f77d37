package mailbot

import (
	"bytes"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// What the body pass fetches. A message with nothing but text in it (the
// usual alert or reply: a few KB) comes whole, many to one FETCH. A
// message that carries anything else (a care plan as a PDF, a 25 MB scan)
// comes as its header and its text parts only, located by the
// BODYSTRUCTURE the header pass already read (RFC 3501 6.4.5: BODY[n.MIME]
// and BODY[n]), and is put back together with each attachment left as an
// empty stub: the parser reads text, never attachments, so an attachment
// is never fetched and never held in memory.
const (
	// wholeLimit is the largest attachment-free message fetched whole.
	wholeLimit = 1 << 20
	// maxTextPart caps the bytes fetched of one text part (RFC 3501
	// partial fetch): an alert's own text is a few KB.
	maxTextPart = 1 << 20
	// bodyBatch is how many messages one pipelined round of body fetches
	// asks for.
	bodyBatch = 50
)

// bodyItem is a message whose body the pass needs.
type bodyItem struct {
	uid  imap.UID
	size int64
	bs   imap.BodyStructure // nil when the server gave none: fetched whole
}

// wantedLeaf reports a part the parser reads: the text and HTML of the
// message itself (not an attached .txt), and the machine-readable parts
// of a delivery or disposition report.
func wantedLeaf(sp *imap.BodyStructureSinglePart) bool {
	switch strings.ToLower(sp.MediaType()) {
	case "text/plain", "text/html":
		if d := sp.Disposition(); d != nil && strings.EqualFold(d.Value, "attachment") {
			return false
		}
		return true
	case "message/delivery-status", "message/global-delivery-status", "message/disposition-notification", "text/rfc822-headers":
		return true
	case "message/rfc822", "message/global":
		// A forwarded message as an attachment: small ones whole.
		return sp.Size <= maxTextPart
	}
	return false
}

// onlyText reports a structure all of whose leaves the parser reads.
func onlyText(bs imap.BodyStructure) bool {
	switch x := bs.(type) {
	case *imap.BodyStructureSinglePart:
		return wantedLeaf(x)
	case *imap.BodyStructureMultiPart:
		for _, c := range x.Children {
			if !onlyText(c) {
				return false
			}
		}
		return true
	}
	return false
}

// fetchWhole reports whether it is cheaper and safe to fetch it all.
func (it bodyItem) fetchWhole() bool {
	return it.bs == nil || (it.size <= wholeLimit && onlyText(it.bs))
}

// partSections lists the sections a message's text parts need: its
// header, then each wanted leaf's MIME header and content.
func partSections(bs imap.BodyStructure) []*imap.FetchItemBodySection {
	secs := []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}}
	if sp, ok := bs.(*imap.BodyStructureSinglePart); ok {
		if wantedLeaf(sp) || strings.EqualFold(sp.Type, "text") {
			secs = append(secs, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierText, Peek: true, Partial: &imap.SectionPartial{Size: maxTextPart}})
		}
		return secs
	}
	walkParts(bs, nil, func(path []int, sp *imap.BodyStructureSinglePart) {
		if !wantedLeaf(sp) {
			return
		}
		p := append([]int(nil), path...)
		secs = append(secs,
			&imap.FetchItemBodySection{Specifier: imap.PartSpecifierMIME, Part: p, Peek: true},
			&imap.FetchItemBodySection{Part: p, Peek: true, Partial: &imap.SectionPartial{Size: maxTextPart}})
	})
	return secs
}

// walkParts calls fn for each leaf of a multipart structure with its part
// number (RFC 3501 6.4.5), not descending into attached messages.
func walkParts(bs imap.BodyStructure, path []int, fn func([]int, *imap.BodyStructureSinglePart)) {
	switch x := bs.(type) {
	case *imap.BodyStructureSinglePart:
		fn(path, x)
	case *imap.BodyStructureMultiPart:
		for i, c := range x.Children {
			walkParts(c, append(path[:len(path):len(path)], i+1), fn)
		}
	}
}

// fetchBodies fetches the bodies of items: the attachment-free ones whole
// in one FETCH, each of the others as its text parts in a FETCH of its
// own, all the commands sent before any answer is read (pipelined). It
// returns each UID's message as the parser will read it.
func fetchBodies(c *imapclient.Client, items []bodyItem) (map[imap.UID][]byte, error) {
	out := make(map[imap.UID][]byte, len(items))
	var whole, capped []imap.UID
	type partCmd struct {
		it   bodyItem
		secs []*imap.FetchItemBodySection
		cmd  *imapclient.FetchCommand
	}
	var parts []partCmd
	for _, it := range items {
		if it.bs == nil && it.size > wholeLimit {
			// No structure (syncFolder's retry of a header pass the
			// server broke): its first wholeLimit bytes, its header and
			// the text written before any attachment, never a 25 MB scan.
			capped = append(capped, it.uid)
		} else if it.fetchWhole() {
			whole = append(whole, it.uid)
		} else {
			parts = append(parts, partCmd{it: it, secs: partSections(it.bs)})
		}
	}
	all := &imap.FetchItemBodySection{Peek: true}
	head := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Size: wholeLimit}}
	var wholeCmd, cappedCmd *imapclient.FetchCommand
	if len(whole) > 0 {
		wholeCmd = c.Fetch(imap.UIDSetNum(whole...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{all}})
	}
	if len(capped) > 0 {
		cappedCmd = c.Fetch(imap.UIDSetNum(capped...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{head}})
	}
	for i := range parts {
		parts[i].cmd = c.Fetch(imap.UIDSetNum(parts[i].it.uid), &imap.FetchOptions{UID: true, BodySection: parts[i].secs})
	}
	// The answers are read as they come: a server may run pipelined
	// FETCH commands in parallel (Dovecot does) and answer them in any
	// order, and go-imap hands each answer to its command's reader, so
	// each command needs its own.
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	collect := func(cmd *imapclient.FetchCommand, sec *imap.FetchItemBodySection) {
		defer wg.Done()
		msgs, err := cmd.Collect()
		if err != nil {
			fail(fmt.Errorf("imap: fetch bodies: %w", err))
		}
		mu.Lock()
		for _, m := range msgs {
			out[m.UID] = m.FindBodySection(sec)
		}
		mu.Unlock()
	}
	if wholeCmd != nil {
		wg.Add(1)
		go collect(wholeCmd, all)
	}
	if cappedCmd != nil {
		wg.Add(1)
		go collect(cappedCmd, head)
	}
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs, err := p.cmd.Collect()
			if err != nil {
				fail(fmt.Errorf("imap: fetch text parts: %w", err))
				return
			}
			for _, m := range msgs {
				if m.UID == p.it.uid {
					raw := rebuild(p.it.uid, p.it.bs, m)
					mu.Lock()
					out[m.UID] = raw
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

// rebuild puts a message back together from its header and the text
// parts fetched, each attachment an empty part of its own type.
func rebuild(uid imap.UID, bs imap.BodyStructure, m *imapclient.FetchMessageBuffer) []byte {
	header := m.FindBodySection(&imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader})
	var b bytes.Buffer
	if sp, ok := bs.(*imap.BodyStructureSinglePart); ok {
		b.Write(header)
		if wantedLeaf(sp) || strings.EqualFold(sp.Type, "text") {
			b.Write(m.FindBodySection(&imap.FetchItemBodySection{Specifier: imap.PartSpecifierText, Partial: &imap.SectionPartial{}}))
		}
		return b.Bytes()
	}
	// The top-level header, with the multipart Content-Type written anew
	// (the boundary is ours now).
	b.Write(dropFields(header, "content-type", "content-transfer-encoding"))
	writePart(&b, uid, bs, nil, m)
	return b.Bytes()
}

func writePart(b *bytes.Buffer, uid imap.UID, bs imap.BodyStructure, path []int, m *imapclient.FetchMessageBuffer) {
	switch x := bs.(type) {
	case *imap.BodyStructureMultiPart:
		boundary := "=_drpbot_" + strconv.FormatUint(uint64(uid), 10) + "_" + pathString(path)
		params := map[string]string{}
		if x.Extended != nil {
			for k, v := range x.Extended.Params {
				params[strings.ToLower(k)] = v
			}
		}
		params["boundary"] = boundary
		b.WriteString("Content-Type: " + mime.FormatMediaType("multipart/"+strings.ToLower(x.Subtype), params) + "\r\n\r\n")
		for i, c := range x.Children {
			b.WriteString("\r\n--" + boundary + "\r\n")
			writePart(b, uid, c, append(path[:len(path):len(path)], i+1), m)
		}
		b.WriteString("\r\n--" + boundary + "--\r\n")
	case *imap.BodyStructureSinglePart:
		if !wantedLeaf(x) {
			b.WriteString("Content-Type: " + mime.FormatMediaType(strings.ToLower(x.MediaType()), nil) + "\r\nContent-Disposition: attachment\r\n\r\n")
			return
		}
		h := m.FindBodySection(&imap.FetchItemBodySection{Specifier: imap.PartSpecifierMIME, Part: path})
		h = bytes.TrimRight(h, "\r\n")
		if len(h) > 0 {
			b.Write(h)
			b.WriteString("\r\n")
		}
		b.WriteString("\r\n")
		b.Write(m.FindBodySection(&imap.FetchItemBodySection{Part: path, Partial: &imap.SectionPartial{}}))
	}
}

func pathString(path []int) string {
	if len(path) == 0 {
		return "0"
	}
	s := make([]string, len(path))
	for i, p := range path {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ".")
}

// dropFields removes the named fields (lower case), with their folded
// continuation lines, from a header block; the block keeps no final
// blank line.
func dropFields(header []byte, names ...string) []byte {
	var out bytes.Buffer
	skip := false
	for _, line := range bytes.SplitAfter(header, []byte("\n")) {
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 {
			continue // the blank line that ends the block
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skip {
				out.Write(line)
			}
			continue
		}
		name, _, _ := bytes.Cut(trimmed, []byte(":"))
		skip = false
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(string(name)), n) {
				skip = true
			}
		}
		if !skip {
			out.Write(trimmed)
			out.WriteString("\r\n")
		}
	}
	return out.Bytes()
}
