package mailbot

// Trust: which mail counts as the council's own (see also answer.go, who is
// answered, and redact.go, what a log line may say about a message).
//
// A From header proves nothing (RFC 5322 lets anyone write any address), so
// an instruction, a new alert or a stage change counts only when the
// council's own mail server vouched for the From address:
//
//   - Authentication-Results (RFC 8601): only the topmost instances, those
//     the receiving server added: the first such field from the top and the
//     ones right after it, while their authserv-id is the council's server's
//     (security.authserv_id; mx.google.com for Google Workspace). The first
//     field that is not one of these ends the run (another name, or another
//     authserv-id): lower fields came with the message and anyone can write
//     them. Comments and quoted strings are removed before the fields are
//     read, since a server copies sender-chosen text (the envelope sender,
//     say) into them.
//   - In that run, DMARC must pass for the From domain (RFC 7489 section
//     6.6.2), or, where the server does not evaluate DMARC, DKIM must pass
//     for a domain aligned with the From domain (RFC 7489 section 3.1.1,
//     relaxed: the same organisational domain, from the public suffix list).
//     Any DMARC result other than pass for the From domain refuses the
//     message, whatever else the run says: a genuine pass and a genuine fail
//     cannot both be true, so one of them was forged.
//   - Exchange Online: X-MS-Exchange-Organization-AuthAs: Internal (with its
//     AuthSource) counts only when security.provider is exchange-online (or
//     imap.host is outlook.office365.com), because Exchange Online's header
//     firewall removes every X-MS-Exchange-Organization-* header from mail
//     that enters the organisation from outside; on any other server the
//     header is just text a sender wrote. Exchange Online's own
//     Authentication-Results carries no authserv-id, so it cannot be told
//     from a forged one and is not read.

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"golang.org/x/net/publicsuffix"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/store"
)

// flagStamped is the store flag set at the first message from the council's
// domain that its server stamped: require_authenticated = "auto" is on from
// then on, for good (an attacker can only turn protection on, never off).
const flagStamped = "server-stamps"

// Verdict is what the council's own mail server said about a message.
type Verdict struct {
	// Authenticated: the server proved the From address's domain.
	Authenticated bool
	// Stamped: the server stamped the message (whatever the result) and
	// its From is in a council domain; require_authenticated = "auto"
	// turns on.
	Stamped bool
	// How says how it was proven, or why not (no message text).
	How string
}

// trustRule is the configured rule.
type trustRule struct {
	authservID string
	exchange   bool
	domains    []string // organisational domains of the council
}

func newTrustRule(cfg *config.Config) trustRule {
	r := trustRule{authservID: cfg.TrustedAuthServID(), exchange: cfg.MailProvider() == config.ProviderExchange}
	for _, d := range cfg.CouncilDomains() {
		r.domains = append(r.domains, orgDomain(d))
	}
	return r
}

// orgDomain is the organisational domain of d (RFC 7489 section 3.2): one
// label below its public suffix; d itself when it has none.
func orgDomain(d string) string {
	d = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
	if od, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return od
	}
	return d
}

// aligned is RFC 7489 relaxed alignment: the same organisational domain.
func aligned(a, b string) bool {
	return a != "" && b != "" && orgDomain(a) == orgDomain(b)
}

func (r trustRule) councilDomain(d string) bool {
	od := orgDomain(d)
	for _, c := range r.domains {
		if c == od {
			return true
		}
	}
	return false
}

// judge reads the header block of raw: is its From, which must be from (the
// address the parser read), proven by the council's own server?
func (r trustRule) judge(raw []byte, from string) Verdict {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return Verdict{How: "the header block could not be read"}
	}
	froms := h.Values("From")
	if len(froms) != 1 {
		return Verdict{How: fmt.Sprintf("%d From fields", len(froms))}
	}
	list, err := mail.ParseAddressList(froms[0]) // as the parser reads it: any charset Outlook uses
	if err != nil || len(list) != 1 || !strings.EqualFold(list[0].Address, from) {
		return Verdict{How: "the From field does not name one address"}
	}
	_, domain, _ := strings.Cut(strings.ToLower(list[0].Address), "@")
	council := r.councilDomain(domain)

	if r.authservID != "" {
		v := r.authResults(topmostAuthResults(h), domain)
		v.Stamped = v.Stamped && council
		if v.Authenticated || v.How != "" {
			return v
		}
	}
	if r.exchange {
		v := exchangeInternal(h)
		v.Stamped = v.Stamped && council
		// Exchange marks Internal whoever in the tenant sent it, and
		// enforces Send As for the From address; a domain outside the
		// council's is still a stranger's.
		if v.Authenticated && !council {
			v.Authenticated, v.How = false, "Exchange marked it internal, but the From domain is not the council's"
		}
		return v
	}
	return Verdict{How: "no stamp of the council's mail server"}
}

// topmostAuthResults are the values of the first Authentication-Results
// field from the top and of those right after it, up to the first field of
// any other name: the block the receiving server wrote. A field lower down,
// below the server's own Received, came with the message.
func topmostAuthResults(h textproto.Header) []string {
	var out []string
	for f := h.Fields(); f.Next(); {
		if strings.EqualFold(f.Key(), "Authentication-Results") {
			out = append(out, f.Value())
		} else if len(out) > 0 {
			break
		}
	}
	return out
}

// authResults applies the rule to the Authentication-Results fields, in
// header order (top first). A zero How means the server left no stamp.
func (r trustRule) authResults(fields []string, fromDomain string) Verdict {
	var run []authres.Result
	ours := 0
	for _, f := range fields {
		clean, ok := neutralise(f)
		if !ok {
			break
		}
		id, results, err := authres.Parse(clean)
		if err != nil || !strings.EqualFold(id, r.authservID) {
			break // the first field that is not ours ends the run (RFC 8601 section 5)
		}
		ours++
		run = append(run, results...)
	}
	if ours == 0 {
		return Verdict{}
	}
	v := Verdict{Stamped: true}
	dmarcPass, dkimPass, dkimNone := false, "", false
	for _, res := range run {
		switch x := res.(type) {
		case *authres.DMARCResult:
			if x.From != "" && !strings.EqualFold(strings.TrimSuffix(x.From, "."), fromDomain) {
				continue // about another domain
			}
			if x.Value != authres.ResultPass {
				v.How = "dmarc=" + knownResult(x.Value) + " for the From domain"
				return v
			}
			dmarcPass = true
		case *authres.DKIMResult:
			d := x.Domain
			if d == "" {
				_, d, _ = strings.Cut(x.Identifier, "@") // Google writes header.i, not header.d
			}
			switch {
			case x.Value == authres.ResultNone:
				dkimNone = true
			case x.Value == authres.ResultPass && aligned(d, fromDomain):
				dkimPass = strings.ToLower(d)
			}
		}
	}
	switch {
	case dmarcPass:
		v.Authenticated, v.How = true, "dmarc=pass by "+r.authservID
	case dkimPass != "" && !dkimNone:
		v.Authenticated, v.How = true, "dkim=pass header.d="+dkimPass+" by "+r.authservID
	case dkimNone:
		v.How = "dkim=none"
	default:
		v.How = "no DMARC pass and no DKIM pass aligned with the From domain"
	}
	return v
}

// knownResult is an RFC 8601 result value as written, or "other": How is
// logged, and must not carry text a sender could have chosen.
func knownResult(r authres.ResultValue) string {
	switch r {
	case authres.ResultNone, authres.ResultPass, authres.ResultFail, authres.ResultPolicy, authres.ResultNeutral,
		authres.ResultTempError, authres.ResultPermError, authres.ResultHardFail, authres.ResultSoftFail:
		return string(r)
	}
	return "other"
}

// exchangeInternal reads Exchange's own stamp of mail sent inside the
// organisation by an authenticated user: exactly one
// X-MS-Exchange-Organization-AuthAs, saying Internal, with the
// AuthSource server that accepted it. Only ever called on Exchange Online.
func exchangeInternal(h textproto.Header) Verdict {
	as := h.Values("X-MS-Exchange-Organization-AuthAs")
	src := h.Values("X-MS-Exchange-Organization-AuthSource")
	if len(as) == 0 {
		return Verdict{How: "no stamp of the council's mail server"}
	}
	v := Verdict{Stamped: true}
	switch {
	case len(as) != 1 || len(src) != 1:
		v.How = "more than one Exchange authentication stamp"
	case !strings.EqualFold(strings.TrimSpace(as[0]), "Internal"):
		v.How = "Exchange did not mark it internal"
	case strings.TrimSpace(src[0]) == "":
		v.How = "Exchange named no authenticating server"
	default:
		v.Authenticated, v.How = true, "X-MS-Exchange-Organization-AuthAs: Internal"
	}
	return v
}

// neutralise removes what a server copied from the sender into an
// Authentication-Results value before it is read: comments (RFC 5322
// section 3.2.2, nested, with quoted-pairs) go, and a quoted string (RFC
// 8601 allows one as a property's value) stays only when it is a plain
// domain or address, else becomes "x". So `smtp.mailfrom="a;dkim=pass"@x`
// cannot read as a result. ok is false when a comment or quote is left open.
func neutralise(v string) (string, bool) {
	var out, q strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quoted:
			switch c {
			case '\\':
				if i+1 < len(v) {
					i++
					q.WriteByte(v[i])
				}
			case '"':
				quoted = false
				if plain(q.String()) {
					out.WriteString(q.String())
				} else {
					out.WriteString("x")
				}
				q.Reset()
			default:
				q.WriteByte(c)
			}
		case depth > 0:
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					out.WriteByte(' ')
				}
			}
		case c == '(':
			depth = 1
		case c == '"':
			quoted = true
		default:
			out.WriteByte(c)
		}
	}
	return out.String(), depth == 0 && !quoted
}

// plain reports a string of letters, digits and . - _ @ + only.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-_@+", c)) {
			return false
		}
	}
	return true
}

// authRequired reports whether instructions, new alerts and stage changes
// need a Verdict that is Authenticated, inside tx (auto reads the flag).
func (b *Bot) authRequired(tx *store.Tx) bool {
	switch b.cfg.Security.RequireAuthenticated {
	case config.AuthOn:
		return true
	case config.AuthOff:
		return false
	}
	if !b.cfg.CanAuthenticate() {
		return false
	}
	_, on := tx.Flag(flagStamped)
	return on
}

// learnStamp turns require_authenticated = "auto" on at the first message
// the council's server stamped.
func (b *Bot) learnStamp(tx *store.Tx, v Verdict, at string) error {
	if !v.Stamped || b.cfg.Security.RequireAuthenticated == config.AuthOff || !b.cfg.CanAuthenticate() {
		return nil
	}
	if _, on := tx.Flag(flagStamped); on {
		return nil
	}
	if err := tx.SetFlag(flagStamped, b.Now()); err != nil {
		return err
	}
	b.log.Warn("the council's mail server stamps its mail: from now on instructions, new alerts and stage changes count only when it authenticated them", "message_id", at)
	return nil
}

// AuthState says in a few words whether instructions, new alerts and stage
// changes need the council's server's authentication now, for the
// daemon's start line and check-config.
func (b *Bot) AuthState() string {
	on := false
	_ = b.st.View(func(tx *store.Tx) error { on = b.authRequired(tx); return nil })
	return AuthStateOf(b.cfg, on)
}

// AuthStateOf is AuthState for a config, given whether the store says it
// is on.
func AuthStateOf(cfg *config.Config, on bool) string {
	src := "authserv-id " + cfg.TrustedAuthServID()
	if cfg.TrustedAuthServID() == "" {
		src = "Exchange Online's AuthAs stamp"
	} else if cfg.MailProvider() == config.ProviderExchange {
		src += " or Exchange Online's AuthAs stamp"
	}
	switch {
	case on:
		return "required (" + src + ")"
	case cfg.Security.RequireAuthenticated == config.AuthOff:
		return "OFF: instructions are accepted unauthenticated (require_authenticated = false)"
	case !cfg.CanAuthenticate():
		return "OFF: instructions are accepted unauthenticated (no authserv_id, and not Exchange Online or Google)"
	}
	return "NOT YET: auto turns it on at the first council message stamped by " + src + "; until then instructions are accepted unauthenticated"
}

// warnUnprotected says at start, loudly, when instructions are accepted
// unauthenticated: turned off, nothing to trust, or "auto" before the
// council's server has been seen stamping its mail.
func (b *Bot) warnUnprotected() {
	warnings := b.cfg.SecurityWarnings()
	if len(warnings) == 0 {
		on := false
		_ = b.st.View(func(tx *store.Tx) error { on = b.authRequired(tx); return nil })
		if !on {
			warnings = append(warnings, "security.require_authenticated = auto: the council's mail server has not yet been seen stamping a message from its domain, so until it is, INSTRUCTIONS, NEW ALERTS AND STAGE CHANGES ARE ACCEPTED UNAUTHENTICATED")
		}
	}
	for _, w := range warnings {
		b.log.Warn(w)
	}
}
