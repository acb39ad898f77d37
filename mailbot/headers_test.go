package mailbot

import (
	"strings"
	"testing"
)

func TestValidMsgID(t *testing.T) {
	long := "<" + strings.Repeat("a", 2990) + "@drpbot.test>"
	for id, want := range map[string]bool{
		"<a1@drpbot.test>":                             true,
		"<CAF=x+y_z.1@mail.gmail.com>":                 true,
		"<abc@[127.0.0.1]>":                            true,
		"<" + strings.Repeat("b", 300) + "@x.example>": true,
		long:                 false, // RFC 5322 2.1.1: longer than a line may be
		"<ünï@drpbot.test>":  false, // 8-bit
		"<a b@drpbot.test>":  false,
		"<nodomain>":         false,
		"a1@drpbot.test":     false,
		"<a1@drpbot.test":    false,
		"<<a1@drpbot.test>>": false,
		"":                   false,
	} {
		if got := validMsgID(id); got != want {
			t.Errorf("validMsgID(%.40q) = %v", id, got)
		}
	}
	irt, refs := threadHeaders(long, []string{"<ünï@drpbot.test>", "<r1@drpbot.test>", long, "<r2@drpbot.test>", "<r1@drpbot.test>"})
	if irt != "" || refs != "<r1@drpbot.test>\r\n <r2@drpbot.test>" {
		t.Errorf("threadHeaders: %q %q", irt, refs)
	}
}

func TestValidAddr(t *testing.T) {
	for a, want := range map[string]bool{
		"iro@drpbot.test":             true,
		"first.last+x@council.gov.uk": true,
		"":                            false,
		"not an address":              false,
		"Iro <iro@drpbot.test>":       false,
		"x@y@drpbot.test":             false,
		"é@drpbot.test":               false,
		"a@":                          false,
		"@drpbot.test":                false,
		"a@localhost":                 false,
		"a@.drpbot.test":              false,
		"a@drpbot..test":              false,
	} {
		if got := validAddr(a); got != want {
			t.Errorf("validAddr(%q) = %v", a, got)
		}
	}
}

// TestOutgoingThreadingHeaders: alerts whose Message-IDs are 8-bit, 3,000
// characters, or long but valid. drpbot's answers carry a valid id as it
// is, on one line, and drop an invalid one: never Q-encoded, never folded
// inside an id.
func TestOutgoingThreadingHeaders(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9)
	ids := map[string]string{
		"6060601": "<ünïcödé-1@drpbot.test>",
		"6060602": "<" + strings.Repeat("x", 2990) + "@drpbot.test>",
		"6060603": "<" + strings.Repeat("y", 300) + "@drpbot.test>",
	}
	for child, id := range ids {
		alert := email(addrOf("iro"), []string{addrOf("practice.lead")}, []string{addrOf("lac")},
			"Dispute Resolution Alert - Stage 1 - "+child, id, "", w.now, "Child ID: "+child+"\nFORMAL STAGE 1\nx")
		if err := w.ms.sb.Deliver(alert, addrOf("lac")); err != nil {
			t.Fatal(err)
		}
	}
	w.sync(t)
	acks := w.ms.inbox(t, addrOf("iro"))
	if len(acks) != 3 {
		t.Fatalf("%d acknowledgements", len(acks))
	}
	for _, f := range acks {
		head, _, _ := strings.Cut(string(f.Raw), "\r\n\r\n")
		var child string
		for c := range ids {
			if strings.Contains(f.Subject, c) {
				child = c
			}
		}
		irt := headerLine(head, "In-Reply-To")
		if strings.Contains(irt, "=?") {
			t.Errorf("%s: encoded In-Reply-To %q", child, irt)
		}
		switch child {
		case "6060603":
			if irt != ids[child] {
				t.Errorf("valid long id not passed through: %.60q", irt)
			}
			if refs := headerLine(head, "References"); !strings.Contains(refs, ids[child]) {
				t.Errorf("References lost the valid id: %.60q", refs)
			}
		case "6060601", "6060602":
			if irt != "" || strings.Contains(head, "drpbot.test>\r\n") && strings.Contains(head, strings.Repeat("x", 100)) || strings.Contains(head, "ünï") {
				t.Errorf("%s: invalid id written: In-Reply-To %.60q", child, irt)
			}
		default:
			t.Errorf("unexpected ack %q", f.Subject)
		}
	}
}

// headerLine returns a header field's value with folding undone, "" when
// absent.
func headerLine(head, name string) string {
	lines := strings.Split(head, "\r\n")
	for i, l := range lines {
		if !strings.HasPrefix(strings.ToLower(l), strings.ToLower(name)+":") {
			continue
		}
		v := strings.TrimSpace(l[len(name)+1:])
		for j := i + 1; j < len(lines) && (strings.HasPrefix(lines[j], " ") || strings.HasPrefix(lines[j], "\t")); j++ {
			v += " " + strings.TrimSpace(lines[j])
		}
		return v
	}
	return ""
}
