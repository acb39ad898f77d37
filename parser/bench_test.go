package parser

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// typicalAlert builds a ~20 KB Outlook alert: the Newham fixture with a
// longer summary, as plain and HTML alternatives, base64 like Outlook sends.
func typicalAlert(tb testing.TB) []byte {
	b, err := os.ReadFile("testdata/newham-alert-outlook.eml")
	if err != nil {
		tb.Fatal(err)
	}
	// Pad the HTML part (Outlook's styles make it the bulk of the size).
	pad := "<p class=\"MsoNormal\">" + strings.Repeat("The placement plan and the statutory visits are overdue. ", 6) + "</p>\r\n"
	var html strings.Builder
	for html.Len() < 17000 {
		html.WriteString(pad)
	}
	extra := "--_000_AM9PR01MB0001_\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n" + html.String() + "\r\n"
	out := bytes.Replace(b, []byte("--_000_AM9PR01MB0001_--"), []byte(extra+"--_000_AM9PR01MB0001_--"), 1)
	if len(out) < 18000 || len(out) > 24000 {
		tb.Fatalf("typical alert is %d bytes", len(out))
	}
	return out
}

// BenchmarkParse is the parser on a typical 20 KB Outlook alert.
func BenchmarkParse(b *testing.B) {
	data := typicalAlert(b)
	p := New(DefaultOptions())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ParseBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoMessageWalk is the floor: the same message walked by bare
// go-message, every part decoded and read, nothing looked at.
func BenchmarkGoMessageWalk(b *testing.B) {
	data := typicalAlert(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ent, err := message.Read(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		err = ent.Walk(func(path []int, e *message.Entity, err error) error {
			if err != nil {
				return err
			}
			if e.MultipartReader() == nil {
				_, err = io.Copy(io.Discard, e.Body)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHostile parses inputs built to find quadratic paths: a label,
// a table cell, a quote header or a line repeated a hundred thousand
// times. Each must cost about what a plain 1 MB message costs.
func BenchmarkHostile(b *testing.B) {
	cases := []struct{ name, ct, body string }{
		{"labels", "text/plain", strings.Repeat("id no ", 150000)},
		{"cells", "text/html", "<html>" + strings.Repeat("<td>a", 100000)},
		{"stage", "text/plain", strings.Repeat("Stage 9 ", 100000)},
		{"from", "text/plain", strings.Repeat("From: x\n", 100000)},
		{"lines", "text/plain", strings.Repeat("a\n", 400000)},
		{"blockquote", "text/html", strings.Repeat("<blockquote>", 100000)},
		{"cafcass", "text/plain", strings.Repeat("concurrent cafcass ", 50000)},
		{"due", "text/plain", strings.Repeat("response due ", 60000)},
		{"onwrote", "text/plain", strings.Repeat("On x\n", 100000)},
	}
	p := New(DefaultOptions())
	for _, c := range cases {
		in := []byte("Subject: Dispute Resolution Alert\r\nContent-Type: " + c.ct + "\r\n\r\n" + c.body)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := p.ParseBytes(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
