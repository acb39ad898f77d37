package parser

import (
	"strings"

	"golang.org/x/net/html"
)

// htmlToText turns an HTML body into the text a reader sees: one line per
// block, table cells separated by tabs (so forms read as "Label<TAB>value"),
// blockquotes prefixed with "> " (so quoted history is cut like plain text),
// and signature blocks preceded by the "-- " delimiter. It streams tokens,
// never builds a tree, and so is bounded by its input.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	w := &textWriter{}
	skip := 0 // inside script, style, head...
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			w.newline()
			return w.String()
		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			end := tt == html.EndTagToken
			switch tag {
			case "script", "style", "head", "title", "noscript", "template", "xml":
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch tag {
			case "br":
				w.br()
			case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "section", "article", "header", "footer", "center", "dl", "dt", "dd":
				w.newline()
				if !end && tag == "div" && hasAttr && isSignature(z) {
					w.line = append(w.line, "-- "...)
					w.newline()
				}
			case "tr":
				w.newline()
				w.cells = 0
			case "td", "th":
				if !end {
					if w.cells > 0 {
						w.cell()
					}
					w.cells++
				}
			case "li":
				w.newline()
				if !end {
					w.line = append(w.line, "- "...)
				}
			case "hr":
				w.newline()
			case "blockquote":
				w.newline()
				if end {
					if w.quote > 0 {
						w.quote--
					}
				} else {
					w.quote++
				}
			}
		}
	}
}

// isSignature reports a signature block as Gmail (class gmail_signature) and
// Outlook on the web (id Signature) mark it.
func isSignature(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		key := string(k)
		if (key == "class" && strings.Contains(string(v), "gmail_signature")) ||
			(key == "id" && strings.EqualFold(string(v), "signature")) {
			return true
		}
		if !more {
			return false
		}
	}
}

type textWriter struct {
	out       strings.Builder
	line      []byte
	quote     int // blockquote depth now
	lineQuote int // deepest blockquote the current line was in
	cells     int // cells started in the current table row
	blanks    int // blank lines written in a row
}

func (w *textWriter) text(s string) {
	if len(w.line) == 0 {
		w.lineQuote = w.quote
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	// HTML collapses runs of white space to one space.
	var b strings.Builder
	space := len(w.line) > 0 && w.line[len(w.line)-1] != ' ' && w.line[len(w.line)-1] != '\t'
	pending := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' {
			pending = true
			continue
		}
		if pending && (b.Len() > 0 || space) {
			b.WriteByte(' ')
		}
		pending = false
		b.WriteRune(r)
	}
	if pending && b.Len() > 0 {
		b.WriteByte(' ')
	}
	w.line = append(w.line, b.String()...)
}

func (w *textWriter) cell() {
	for len(w.line) > 0 && w.line[len(w.line)-1] == ' ' {
		w.line = w.line[:len(w.line)-1]
	}
	w.line = append(w.line, '\t')
}

// newline ends a block: the current line, if any, is written out.
func (w *textWriter) newline() {
	s := strings.TrimSpace(string(w.line))
	w.line = w.line[:0]
	if s == "" {
		return
	}
	w.blanks = 0
	w.out.WriteString(strings.Repeat("> ", w.lineQuote))
	w.out.WriteString(s)
	w.out.WriteByte('\n')
}

// br ends a line; on an empty line it makes one blank line (never more).
func (w *textWriter) br() {
	if strings.TrimSpace(string(w.line)) != "" {
		w.newline()
		return
	}
	w.line = w.line[:0]
	if w.out.Len() == 0 || w.blanks >= 1 {
		return
	}
	w.blanks++
	w.out.WriteString(strings.Repeat("> ", w.quote))
	w.out.WriteByte('\n')
}

func (w *textWriter) String() string { return w.out.String() }
