package mailbot

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/parser"
)

// TestScanHeader: the import's header scan agrees with the parser on
// every message of the import tests' history and of the parser's own
// samples (Message-ID, references, conversation, sender, date), and calls
// relevant at least what the parser's facts would.
func TestScanHeader(t *testing.T) {
	var raws [][]byte
	for _, h := range pastDisputes() {
		raws = append(raws, h.raw)
	}
	files, _ := filepath.Glob("../parser/testdata/*.eml")
	if len(files) < 10 {
		t.Fatalf("only %d parser samples", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, b)
	}
	opts := parser.DefaultOptions()
	p := parser.New(opts)
	var headings []string
	for _, h := range opts.Headings {
		headings = append(headings, strings.ToLower(h))
	}
	for i, raw := range raws {
		end := bytes.Index(raw, []byte("\r\n\r\n"))
		if end < 0 {
			end = bytes.Index(raw, []byte("\n\n"))
		}
		if end < 0 {
			end = len(raw)
		}
		header := raw[:end]
		m, _ := p.ParseBytes(header)
		s := scanHeader(header, headings)
		if m == nil {
			continue // unreadable to the parser: the import reads its body and records it
		}
		refs := append(append([]string(nil), m.InReplyTo...), m.References...)
		if s.id != m.MessageID || !slices.Equal(s.refs, refs) || s.conv != m.Conversation || s.from != m.From || !s.date.Equal(m.Date) {
			t.Errorf("message %d: scan %+v\nparser id %q refs %q conv %q from %q date %v", i, s, m.MessageID, refs, m.Conversation, m.From, m.Date)
		}
		if (m.Heading != "" || m.Tag != "" || m.Bounce || m.Command == "status" || m.Command == "help") && !s.direct {
			t.Errorf("message %d (%q): the parser finds it relevant, the scan does not", i, m.Subject)
		}
	}
}

// BenchmarkScanHeader: the import's per-message header cost, over the
// import tests' history and the parser's samples.
func BenchmarkScanHeader(b *testing.B) {
	var headers [][]byte
	for _, h := range pastDisputes() {
		headers = append(headers, h.raw[:bytes.Index(h.raw, []byte("\r\n\r\n"))])
	}
	files, _ := filepath.Glob("../parser/testdata/*.eml")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i > 0 {
			headers = append(headers, raw[:i])
		}
	}
	headings := []string{"dispute resolution alert"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range headers {
			scanHeader(h, headings)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(headers)), "ns/header")
}
