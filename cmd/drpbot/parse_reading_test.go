package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestParseReading: a bounce shows its failed recipients, a delay notice is
// automatic mail and no bounce, a near-miss instruction shows near_command.
func TestParseReading(t *testing.T) {
	var out, errb bytes.Buffer
	stdin := strings.NewReader("From: iris@council.example\r\nMessage-ID: <n@b>\r\nSubject: RE: Dispute Resolution Alert - Stage 2 - 1234567\r\n\r\nExtend to 31/02/2027\r\n")
	code := run([]string{"parse", "../../parser/testdata/exchange-ndr.eml", "../../parser/testdata/postfix-delayed-dsn.eml", "-"}, stdin, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 JSON lines, got %s", out.String())
	}
	var ndr, delay, near map[string]any
	for i, v := range []*map[string]any{&ndr, &delay, &near} {
		if err := json.Unmarshal([]byte(lines[i]), v); err != nil {
			t.Fatal(err)
		}
	}
	if fr, _ := ndr["failed_recipients"].([]any); ndr["bounce"] != true || len(fr) != 1 || fr[0] != "gone.manager@council.example" {
		t.Errorf("bounce: %v", ndr)
	}
	if fr, ok := delay["failed_recipients"].([]any); delay["bounce"] != false || delay["auto_reply"] != true || !ok || len(fr) != 0 {
		t.Errorf("delay: %v", delay)
	}
	if near["command"] != "" || near["near_command"] != "extend" {
		t.Errorf("near miss: %v", near)
	}
}
