package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/drpbot/drpbot/parser"
)

// parseResult is the JSON contract of `drpbot parse` (DESIGN.md): other tools
// read it, so the names and their order are fixed.
type parseResult struct {
	File              string `json:"file"`
	MessageID         string `json:"message_id"`
	Heading           string `json:"heading"`
	Stage             *int   `json:"stage"`
	ChildRef          string `json:"child_ref"`
	DueDate           string `json:"due_date"`
	ConcurrentCafcass bool   `json:"concurrent_cafcass"`
	IsReply           bool   `json:"is_reply"`
	IsForward         bool   `json:"is_forward"`
	AutoReply         bool   `json:"auto_reply"`
	Bounce            bool   `json:"bounce"`
	Command           string `json:"command"`
	NewText           string `json:"new_text"`
	Category          string `json:"category"`
	// Added by issue 14, after the original fields so their order holds.
	FailedRecipients []string `json:"failed_recipients"`
	NearCommand      string   `json:"near_command"`
}

func newParseResult(file string, m *parser.Message) parseResult {
	r := parseResult{File: file}
	if m == nil {
		return r
	}
	r.MessageID = m.MessageID
	r.Heading = m.Heading
	r.Stage = m.Stage
	r.ChildRef = m.ChildRef
	if !m.DueDate.IsZero() {
		r.DueDate = m.DueDate.Format("2006-01-02")
	}
	r.ConcurrentCafcass = m.ConcurrentCafcass
	r.IsReply = m.IsReply
	r.IsForward = m.IsForward
	r.AutoReply = m.AutoReply
	r.Bounce = m.Bounce
	r.Command = m.Command
	r.NewText = m.NewText
	r.Category = m.Category
	r.FailedRecipients = m.FailedRecipients
	if r.FailedRecipients == nil {
		r.FailedRecipients = []string{}
	}
	r.NearCommand = m.NearCommand
	return r
}

// runParse prints one JSON object per file. A file that parses with damage
// still prints its facts, and the damage goes to standard error; a file that
// cannot be read at all prints nothing on standard output, an error on
// standard error, and makes the exit status 1.
func runParse(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("parse", "drpbot parse [-c FILE] FILE.eml... (- reads standard input)",
		"Prints the facts read from each message, one JSON object a line (the contract in docs/DESIGN.md).\nA file that cannot be read prints nothing and makes the exit status 1.", stdout, stderr)
	cfgPath := fs.String("c", "", "the config `file` (for headings and labels); the defaults when empty")
	files, code, ok := fs.parse(args, 1, -1)
	if !ok {
		return code
	}
	opts, err := parserOptions(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "drpbot parse: %v\n", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, name := range files {
		var (
			m    *parser.Message
			perr error
		)
		if name == "-" {
			m, perr = parser.Parse(stdin, opts)
		} else {
			f, err := os.Open(name)
			if err != nil {
				perr = err
			} else {
				m, perr = parser.Parse(f, opts)
				f.Close()
			}
		}
		if perr != nil {
			fmt.Fprintf(stderr, "drpbot parse: %s: %v\n", name, perr)
		}
		if m == nil {
			status = 1
			continue
		}
		if err := enc.Encode(newParseResult(name, m)); err != nil {
			fmt.Fprintf(stderr, "drpbot parse: %v\n", err)
			return 1
		}
	}
	return status
}
