package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	var out, errb bytes.Buffer
	stdin := strings.NewReader("From: a@b.example\r\nMessage-ID: <s@b>\r\nSubject: RE: Dispute Resolution Alert - Stage 2 - 1234567\r\n\r\nResolved\r\n")
	code := run([]string{"parse", "../../parser/testdata/oxfordshire-alert-plain.eml", "missing.eml", "-"}, stdin, &out, &errb)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one file unreadable)", code)
	}
	if !strings.Contains(errb.String(), "missing.eml") {
		t.Errorf("stderr does not name the missing file: %q", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %d: %s", len(lines), out.String())
	}
	// The contract: exactly these fields, in this order.
	wantKeys := []string{"file", "message_id", "heading", "stage", "child_ref", "due_date", "concurrent_cafcass",
		"is_reply", "is_forward", "auto_reply", "bounce", "command", "new_text", "category",
		"failed_recipients", "near_command"}
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("keys %v, want %v", keys, wantKeys)
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["stage"] != 2.0 || first["child_ref"] != "200002" || first["due_date"] != "2026-11-10" || first["concurrent_cafcass"] != true {
		t.Errorf("oxfordshire: %v", first)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if second["file"] != "-" || second["command"] != "resolved" || second["is_reply"] != true || second["message_id"] != "<s@b>" {
		t.Errorf("stdin: %v", second)
	}
}

func TestParseCommandStageNull(t *testing.T) {
	var out, errb bytes.Buffer
	stdin := strings.NewReader("Subject: hello\r\n\r\nbody\r\n")
	if code := run([]string{"parse", "-"}, stdin, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"stage":null`) || !strings.Contains(out.String(), `"heading":""`) {
		t.Errorf("got %s", out.String())
	}
}

func TestParseCommandAllFixtures(t *testing.T) {
	// Every fixture, damaged ones included, yields a line and exit 0.
	entries, err := os.ReadDir("../../parser/testdata")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"parse"}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			args = append(args, "../../parser/testdata/"+e.Name())
		}
	}
	var out, errb bytes.Buffer
	if code := run(args, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != len(args)-1 {
		t.Errorf("%d lines for %d files", n, len(args)-1)
	}
}
