package mailbot

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/drpbot/drpbot/parser"
)

// TestTrustRule is the rule alone, on header blocks as the council's server
// would hand them over: what counts, and every way a sender could try to
// make a forged From count.
func TestTrustRule(t *testing.T) {
	own := trustRule{authservID: "mx.council.gov.uk", domains: []string{"council.gov.uk"}}
	exo := trustRule{exchange: true, domains: []string{"council.gov.uk"}}
	google := trustRule{authservID: "mx.google.com", domains: []string{"council.gov.uk"}}
	const from = "iro@council.gov.uk"
	cases := []struct {
		name    string
		rule    trustRule
		from    string
		headers []string
		auth    bool
		stamped bool
	}{
		{"dmarc pass", own, from, []string{"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk"}, true, true},
		{"dmarc pass, authserv-id in another case, version 1", own, from, []string{"Authentication-Results: MX.Council.gov.uk 1; dmarc=pass (p=reject) header.from=council.gov.uk"}, true, true},
		{"aligned dkim, relaxed: a subdomain signs", own, from, []string{"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=mail.council.gov.uk"}, true, true},
		{"dkim for another organisation under gov.uk", own, from, []string{"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=other.gov.uk"}, false, true},
		{"issue: dkim=pass for evil.example, dmarc=fail", own, from, []string{"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=evil.example; dmarc=fail header.from=council.gov.uk"}, false, true},
		{"aligned dkim pass but dmarc fail: contradiction", own, from, []string{"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=council.gov.uk; dmarc=fail header.from=council.gov.uk"}, false, true},
		{"dmarc none (no policy) is not a pass", own, from, []string{"Authentication-Results: mx.council.gov.uk; dmarc=none header.from=council.gov.uk"}, false, true},
		{"dmarc pass for another domain", own, from, []string{"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=evil.example"}, false, true},
		{"issue: dkim=pass inside a quoted mailfrom", own, from, []string{`Authentication-Results: mx.council.gov.uk; spf=pass smtp.mailfrom="dkim=pass"@evil.example`}, false, true},
		{"a quoted mailfrom that would split into a result", own, from, []string{`Authentication-Results: mx.council.gov.uk; spf=pass smtp.mailfrom="x;dkim=pass header.d=council.gov.uk"@evil.example`}, false, true},
		{"a comment that would split into a result", own, from, []string{`Authentication-Results: mx.council.gov.uk; spf=pass (sender x;dmarc=pass header.from=council.gov.uk) smtp.mailfrom=evil.example`}, false, true},
		{"an open comment", own, from, []string{`Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk (oops`}, false, false},
		{"issue: a forged field lower down", own, from, []string{
			"Authentication-Results: mx.council.gov.uk; spf=softfail smtp.mailfrom=evil.example",
			"Received: from evil.example by mx.council.gov.uk",
			"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk",
		}, false, true},
		{"a forged field under another server's", own, from, []string{
			"Authentication-Results: relay.elsewhere.example; none",
			"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk",
		}, false, false},
		{"two fields of ours, one after the other", own, from, []string{
			"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=council.gov.uk",
			"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk",
		}, true, true},
		{"a forged pass right under a genuine fail", own, from, []string{
			"Authentication-Results: mx.council.gov.uk; dkim=none; dmarc=fail header.from=council.gov.uk",
			"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=council.gov.uk; dmarc=pass header.from=council.gov.uk",
		}, false, true},
		{"a forged dkim pass right under a genuine dkim=none", own, from, []string{
			"Authentication-Results: mx.council.gov.uk; dkim=none",
			"Authentication-Results: mx.council.gov.uk; dkim=pass header.d=council.gov.uk",
		}, false, true},
		{"issue: the attacker's own server says pass", own, from, []string{"Authentication-Results: evil.example; dmarc=pass header.from=council.gov.uk"}, false, false},
		{"two From fields", own, from, []string{"Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk", "From: iro@council.gov.uk"}, false, false},
		{"no stamp at all", own, from, nil, false, false},
		{"issue: forged AuthAs on a server that is not Exchange", own, from, []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com"}, false, false},
		{"Exchange Online: internal", exo, from, []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com", "X-MS-Exchange-Organization-AuthMechanism: 04"}, true, true},
		{"Exchange Online: anonymous", exo, from, []string{"X-MS-Exchange-Organization-AuthAs: Anonymous", "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com"}, false, true},
		{"Exchange Online: two AuthAs", exo, from, []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthAs: Anonymous", "X-MS-Exchange-Organization-AuthSource: x.prod.outlook.com"}, false, true},
		{"Exchange Online: internal, but not a council domain", exo, "iro@partner.example", []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthSource: x.prod.outlook.com"}, false, false},
		{"Exchange Online ignores its own Authentication-Results (no authserv-id)", exo, from, []string{"Authentication-Results: spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=council.gov.uk; dkim=pass (signature was verified) header.d=council.gov.uk;dmarc=pass action=none header.from=council.gov.uk;compauth=pass reason=100"}, false, false},
		{"Google Workspace: header.i, not header.d", google, from, []string{"Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@council.gov.uk header.s=google header.b=AbCd;\r\n       spf=pass (google.com: domain of iro@council.gov.uk designates 1.2.3.4 as permitted sender) smtp.mailfrom=iro@council.gov.uk"}, true, true},
		{"Google Workspace: dmarc pass", google, from, []string{"Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@council.gov.uk;\r\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=council.gov.uk"}, true, true},
		{"Google Workspace: a forged stamp right under Google's fail", google, from, []string{"Authentication-Results: mx.google.com; dmarc=fail (p=REJECT) header.from=council.gov.uk", "Authentication-Results: mx.google.com; dmarc=pass header.from=council.gov.uk"}, false, true},
		{"Google's spf comment quotes the sender", google, from, []string{`Authentication-Results: mx.google.com; spf=pass (google.com: domain of "a;dmarc=pass"@evil.example designates 1.2.3.4 as permitted sender) smtp.mailfrom=evil.example`}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := strings.Join(c.headers, "\r\n")
			if raw != "" {
				raw += "\r\n"
			}
			raw += "From: Iris <" + c.from + ">\r\nTo: lac@council.gov.uk\r\nSubject: RE: x\r\n\r\nResolved\r\n"
			v := c.rule.judge([]byte(raw), c.from)
			if v.Authenticated != c.auth || v.Stamped != c.stamped {
				t.Errorf("authenticated %v stamped %v (%s), want %v %v", v.Authenticated, v.Stamped, v.How, c.auth, c.stamped)
			}
		})
	}
	// What the rule says is logged: never a value a sender chose.
	for _, hdr := range []string{"Authentication-Results: mx.council.gov.uk; dmarc=JaneDoe header.from=council.gov.uk", "X-MS-Exchange-Organization-AuthAs: JaneDoe\r\nX-MS-Exchange-Organization-AuthSource: x"} {
		rule := own
		if strings.HasPrefix(hdr, "X-MS") {
			rule = exo
		}
		v := rule.judge([]byte(hdr+"\r\nFrom: "+from+"\r\n\r\nx"), from)
		if v.Authenticated || strings.Contains(strings.ToLower(v.How), "jane") {
			t.Errorf("%s: %v %q", hdr, v.Authenticated, v.How)
		}
	}
	// The From the rule checks must be the one the parser read.
	raw := "Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk\r\nFrom: iro@council.gov.uk\r\n\r\nx"
	if v := own.judge([]byte(raw), "irom@council.gov.uk"); v.Authenticated {
		t.Error("authenticated a From the parser did not read")
	}
}

// TestSafeErr: an error that quotes the message keeps its kind and line,
// never the text.
func TestSafeErr(t *testing.T) {
	raw := []byte("Subject: Dispute Resolution Alert - Stage 1\r\nName of child Jane Doe born 01/02/2015\r\n\r\nConcern: the placement\r\n")
	err := fmt.Errorf("%w: %w", ErrUnhandled, fmt.Errorf("%w: message: malformed MIME header line: Name of child Jane Doe born 01/02/2015", parser.ErrNoMessage))
	got := safeErr(err, raw)
	if strings.Contains(got, "Jane") || !strings.Contains(got, "line 2") || !strings.Contains(got, parser.ErrNoMessage.Error()) {
		t.Errorf("safeErr = %q", got)
	}
	if got := safeErr(errors.New("x"), raw); got != "error" {
		t.Errorf("safeErr of an unknown error = %q", got)
	}
}

// TestTrustRuleCharsets: a From whose name Outlook encoded in windows-1252
// is read as the parser reads it, and still authenticated.
func TestTrustRuleCharsets(t *testing.T) {
	own := trustRule{authservID: "mx.council.gov.uk", domains: []string{"council.gov.uk"}}
	raw := "Authentication-Results: mx.council.gov.uk; dmarc=pass header.from=council.gov.uk\r\nFrom: =?windows-1252?Q?Ir=E9ne_Reviewer?= <iro@council.gov.uk>\r\n\r\nResolved\r\n"
	if v := own.judge([]byte(raw), "iro@council.gov.uk"); !v.Authenticated {
		t.Errorf("not authenticated: %s", v.How)
	}
}

// BenchmarkTrustJudge is what the rule costs each message: reading the
// header block of a 16 KB Outlook-sized message and its stamps.
func BenchmarkTrustJudge(b *testing.B) {
	own := trustRule{authservID: "mx.council.gov.uk", domains: []string{orgDomain("council.gov.uk")}}
	hdr := "Received: from a by b\r\nAuthentication-Results: mx.council.gov.uk;\r\n dkim=pass header.d=council.gov.uk header.s=s1;\r\n spf=pass (mx.council.gov.uk: domain of iro@council.gov.uk designates 192.0.2.1 as permitted sender) smtp.mailfrom=iro@council.gov.uk;\r\n dmarc=pass (p=QUARANTINE) header.from=council.gov.uk\r\n" +
		strings.Repeat("X-MS-Has-Attach: \r\nThread-Topic: Dispute Resolution Alert\r\n", 20) + "From: Iris Reviewer <iro@council.gov.uk>\r\nSubject: RE: x\r\n\r\n"
	raw := []byte(hdr + strings.Repeat("Resolved. Thank you for the update on the plan.\r\n", 320))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if !own.judge(raw, "iro@council.gov.uk").Authenticated {
			b.Fatal("not authenticated")
		}
	}
}
