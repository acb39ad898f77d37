package mailbot

// Trust: which mail counts as the council's own, who may be answered, and
// what a log line or a reject may say about a message.
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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"golang.org/x/net/publicsuffix"

	"github.com/drpbot/drpbot/mailbot/config"
	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
	"github.com/drpbot/drpbot/templates"
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

// safeErr reduces an error about a message to its kinds and, where the
// error quoted the message, the line it quoted: never the text itself (a
// malformed alert's header may carry a child's name). Logs and the rejects
// bucket hold only this.
func safeErr(err error, raw []byte) string {
	if err == nil {
		return ""
	}
	var kinds []string
	for _, k := range errKinds {
		if errors.Is(err, k) {
			kinds = append(kinds, k.Error())
		}
	}
	if len(kinds) == 0 {
		kinds = append(kinds, "error")
	}
	s := strings.Join(kinds, ": ")
	if line := quotedLine(err.Error(), raw); line > 0 {
		s += fmt.Sprintf(" (at line %d of the message)", line)
	}
	return s
}

// quotedLine finds the first line of raw that msg quotes (a whole line, or
// a part of one of at least 8 bytes after a ": "), 1-based; 0 for none.
func quotedLine(msg string, raw []byte) int {
	var cands []string
	for _, part := range strings.Split(msg, ": ") {
		part = strings.TrimSpace(part)
		if len(part) >= 8 && !ownWords(part) {
			cands = append(cands, part)
		}
	}
	if len(cands) == 0 {
		return 0
	}
	for i, line := range bytes.Split(raw, []byte("\n")) {
		for _, c := range cands {
			if bytes.Contains(line, []byte(c)) {
				return i + 1
			}
		}
	}
	return 0
}

// isParty reports addr among the dispute's own people: its instigator,
// every respondent it has had, and a deputy covering now.
func isParty(d engine.Dispute, addr string) bool {
	if addr == "" {
		return false
	}
	if containsAddr([]string{d.Instigator, d.Respondent, d.Cover}, addr) {
		return true
	}
	for _, h := range d.History {
		if strings.EqualFold(h.Respondent, addr) {
			return true
		}
	}
	return false
}

// stranger reports a sender who is neither in the directory, nor a QA
// inbox, nor a party to the dispute the message concerns: drpbot never
// answers one, and its mail never threads a dispute.
func (b *Bot) stranger(d engine.Dispute, found bool, from string) bool {
	if _, ok := b.dir.Person(from); ok {
		return false
	}
	if containsAddr(b.cfg.Directory.QA, from) {
		return false
	}
	return !(found && isParty(d, from))
}

// entitled reports someone who may read about dispute d: its parties, the
// QA inbox, the IRO managers.
func (b *Bot) entitled(d engine.Dispute, addr string) bool {
	return isParty(d, addr) || containsAddr(b.cfg.Directory.QA, addr) || b.dir.HasRole(addr, policy.RoleIROManager)
}

// recipient is the address to write to for addr: the directory's own, the
// QA inbox's, or the dispute's party's; "" for anyone else. A reply to a
// message therefore goes to the address the council knows, never to
// whatever the message's From said.
func (b *Bot) recipient(d engine.Dispute, addr string) string {
	if p, ok := b.dir.Person(addr); ok && p.Email != "" {
		return strings.ToLower(p.Email)
	}
	for _, q := range b.cfg.Directory.QA {
		if strings.EqualFold(q, addr) {
			return strings.ToLower(q)
		}
	}
	if isParty(d, addr) {
		return strings.ToLower(addr)
	}
	return ""
}

// guard keeps every email's recipients to the directory, the QA inbox and
// the dispute's parties (DESIGN.md: nothing about a dispute goes anywhere
// else); an email left with nobody is not sent, and logged.
func (b *Bot) guard(d engine.Dispute, intents []engine.Intent) []engine.Intent {
	out := intents[:0:0]
	for _, in := range intents {
		var to, cc []string
		dropped := 0
		for _, list := range []struct {
			src []string
			dst *[]string
		}{{in.To, &to}, {in.Cc, &cc}} {
			for _, a := range list.src {
				r := b.recipient(d, a)
				if r == "" {
					dropped++
					continue
				}
				if !containsAddr(to, r) && !containsAddr(cc, r) {
					*list.dst = append(*list.dst, r)
				}
			}
		}
		if len(to) == 0 {
			to, cc = cc, nil
		}
		if dropped > 0 {
			b.log.Warn("recipients outside the directory, the QA inbox and the dispute left out", "ref", d.Ref, "purpose", string(in.Purpose), "count", dropped)
		}
		if len(to) == 0 {
			continue
		}
		in.To, in.Cc = to, cc
		out = append(out, in)
	}
	return out
}

// bare reports an email that must say nothing about its dispute: a refusal
// or a help card for someone not entitled to read about it.
func (b *Bot) bare(d engine.Dispute, in engine.Intent) bool {
	if in.Purpose != engine.CommandRefused && in.Purpose != engine.HelpCard {
		return false
	}
	for _, a := range append(append([]string(nil), in.To...), in.Cc...) {
		if !b.entitled(d, a) {
			return true
		}
	}
	return false
}

// composeBare renders a refusal or help card with nothing of the dispute:
// no child, stage, respondent, due date, names or tracking reference, not
// even in its Message-ID or threading.
func (b *Bot) composeBare(d engine.Dispute, in engine.Intent, now time.Time) (store.OutboxRow, error) {
	td := templates.Data{Purpose: string(in.Purpose), Council: b.policy.Council, Mailbox: b.cfg.Mailbox, Command: in.Command, Reason: in.Reason}
	if len(in.To) > 0 {
		td.Recipient = b.person(in.To[0])
	}
	switch in.Purpose {
	case engine.HelpCard:
		td.Commands = templates.CommandCard
	default:
		td.Subject = "drpbot: your instruction was not carried out"
		td.Reason = bareReason(in.Reason)
	}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return store.OutboxRow{}, err
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%s", d.Ref, in.Seq, in.Purpose)))
	return store.OutboxRow{
		MessageID: store.ServiceMessageID("answer", hex.EncodeToString(sum[:10]), b.domain),
		Purpose:   string(in.Purpose), To: in.To, Cc: in.Cc, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
		Reason: td.Reason, Created: now,
	}, nil
}

// bareReason keeps a refusal's reason free of the dispute's facts: the
// engine's reasons may name a stage or a date.
func bareReason(reason string) string {
	switch {
	case strings.Contains(reason, "not mark your email as authenticated"):
		return reason
	case strings.Contains(reason, "status of a dispute"):
		return "the status of a dispute goes only to the people in it"
	}
	return "only the instigator, the IRO manager and the QA inbox can give instructions"
}

// alertWhat describes an alert for the QA inbox: stage, child reference,
// addressees; never its text.
func alertWhat(b *Bot, m *parser.Message) string {
	stage := "stage not stated"
	if m.Stage != nil {
		stage = b.policy.StageName(*m.Stage)
	}
	s := "an alert (" + stage
	if m.ChildRef != "" {
		s += ", child " + m.ChildRef
	}
	if to := b.recipients(m); len(to) > 0 {
		s += ", to " + strings.Join(to, ", ")
	}
	return s + ")"
}

// hold records a message drpbot did not act on, for the QA inbox's weekly
// digest; when notify is set (an alert or a stage change: statutory mail
// someone may be waiting for) the QA inbox is told the same day.
func (b *Bot) hold(tx *store.Tx, m *parser.Message, ref, what, why string, now time.Time, notify bool) (Result, error) {
	res := Result{Ignored: "held: " + why, threadless: true}
	h := store.Held{At: now, From: strings.ToLower(m.From), MessageID: m.MessageID, Ref: ref, What: what, Why: why}
	b.Metrics.Held.Add(1)
	b.log.Warn("message held, not acted on", "message_id", m.MessageID, "ref", ref, "why", why)
	if notify && len(b.cfg.Directory.QA) == 0 {
		b.log.Error("a held alert needs a person, and directory.qa is empty", "message_id", m.MessageID)
		notify = false
	}
	if notify {
		// A flood of forged alerts must not become a flood of emails: past
		// heldNoticesPerDay in a day, the rest wait for the weekly list.
		told := 0
		today, err := tx.HeldSince(workdays.In(now).Time())
		if err != nil {
			return res, err
		}
		for _, x := range today {
			if x.Told {
				told++
			}
		}
		if told >= heldNoticesPerDay {
			b.log.Warn("held alert not told to QA at once: too many today; it is in the weekly list", "message_id", m.MessageID)
			notify = false
		}
	}
	h.Told = notify
	if err := tx.AddHeld(h); err != nil {
		return res, err
	}
	if !notify {
		return res, nil
	}
	td := templates.Data{Purpose: purposeHeld, Council: b.policy.Council, Mailbox: b.cfg.Mailbox,
		Subject: "Not acted on: an alert drpbot could not authenticate", Reason: "an email that drpbot did not act on", Held: []templates.Held{heldRow(h)}}
	msg, err := b.tpl.Render(td)
	if err != nil {
		return res, fmt.Errorf("%w: compose held notice: %v", ErrUnhandled, err)
	}
	sum := sha256.Sum256([]byte(m.MessageID))
	row := store.OutboxRow{MessageID: store.ServiceMessageID("held", hex.EncodeToString(sum[:10]), b.domain), Purpose: purposeHeld,
		To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now}
	if err := tx.AddOutbox(row); err != nil && !errors.Is(err, store.ErrDuplicate) {
		return res, err
	}
	res.Queued = 1
	return res, nil
}

// heldNoticesPerDay caps the same-day notices to the QA inbox.
const heldNoticesPerDay = 10

// purposeHeld is the email that tells the QA inbox what drpbot did not act on.
const purposeHeld = string(engine.Held)

func heldRow(h store.Held) templates.Held {
	return templates.Held{At: workdays.In(h.At).UK() + " " + h.At.In(workdays.London).Format("15:04"), From: h.From, What: h.What, Why: h.Why, Ref: h.Ref}
}

// errKinds are the sentinel errors a message's error may carry.
var errKinds = []error{ErrPanic, ErrUnhandled, ErrStore, parser.ErrNoMessage, parser.ErrMalformed, parser.ErrTooLarge}

// ownWords reports a part of an error message that is drpbot's own words
// (a sentinel's text), not something it quoted.
func ownWords(part string) bool {
	for _, k := range errKinds {
		if strings.Contains(k.Error(), part) {
			return true
		}
	}
	return false
}

// safePanic is a panic's value for the log, unless it quotes the message.
func safePanic(r any, raw []byte) string {
	s := fmt.Sprint(r)
	if line := quotedLine(s, raw); line > 0 || len(s) > 200 {
		return fmt.Sprintf("(withheld: it may quote the message, line %d)", line)
	}
	return s
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

// heldDigest queues, with the weekly digest, one email to the QA inbox
// listing what drpbot recorded but did not act on in the last seven days:
// strangers' mail about disputes, alerts and instructions its server did
// not authenticate. Nothing held, nothing sent.
func (b *Bot) heldDigest(now time.Time) (int, error) {
	if len(b.cfg.Directory.QA) == 0 {
		return 0, nil
	}
	n := 0
	err := b.st.Update(func(tx *store.Tx) error {
		held, err := tx.HeldSince(now.AddDate(0, 0, -7))
		if err != nil || len(held) == 0 {
			return err
		}
		td := templates.Data{Purpose: purposeHeld, Council: b.policy.Council, Mailbox: b.cfg.Mailbox,
			Recipient: templates.Person{Name: "QA", Email: b.cfg.Directory.QA[0]}, Period: "in the week to " + workdays.In(now).UK()}
		for _, h := range held {
			td.Held = append(td.Held, heldRow(h))
		}
		msg, err := b.tpl.Render(td)
		if err != nil {
			return err
		}
		row := store.OutboxRow{MessageID: store.ServiceMessageID("held", "week."+workdays.In(now).String(), b.domain), Purpose: purposeHeld,
			To: b.cfg.Directory.QA, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Created: now}
		if err := tx.AddOutbox(row); errors.Is(err, store.ErrDuplicate) {
			return nil // this week's is already queued
		} else if err != nil {
			return err
		}
		n = 1
		return nil
	})
	return n, err
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
