package parser

import (
	"bufio"
	"regexp"
	"strings"

	"github.com/emersion/go-message/mail"
)

var (
	// Subjects that automatic replies and receipts carry, in the languages
	// Outlook, Exchange and Gmail write them. A prefix ends with ':' (the
	// original subject follows) or is the whole subject ("Out of Office").
	autoSubjectRe = regexp.MustCompile(`(?i)^\s*(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (?:the )?office(?: auto ?reply| reply| notification)?|away from (?:the )?office|on leave|annual leave|vacation reply|holiday reply|` +
		// fr, de, nl, es, pt, pl, sv, da/no, ru, uk, it
		`vacation|away|auto[- ]?responder|r[ée]ponse automatique|absence du bureau|absent|abwesend|afwezig|ausente|fuera de la oficina|poza biurem|nieobecno[śs][ćc]|fr[åa]nvaro|frav[æa]rende|fuori sede|отсутствую|вне офиса|відсутн[ій]й|automatische antwort|abwesenheitsnotiz|automatisch antwoord|afwezigheidsbericht|respuesta autom[aá]tica|fuera de la oficina|resposta autom[aá]tica|aus[eê]ncia tempor[aá]ria|odpowied[źz] automatyczna|automatiskt svar|autosvar|automatisk svar|автоматический ответ|автоматична відповідь|risposta automatica|` +
		// receipts
		`read|not read|read receipt|return receipt|delivered|relayed|gelesen|lu|gelezen|le[íi]do|lido|przeczytano|läst|læst|lest|прочитано)\s*(?::|$)`)
	// A tag anywhere in the subject: "Re: Alert [Auto-Reply]", "(Out of Office)".
	autoTagRe = regexp.MustCompile(`(?i)[\[(](?:auto[- ]?reply|auto[- ]?response|automatic reply|out of (?:the )?office|autoreply|ooo)[\])]`)
	// Out-of-office subjects without the "Automatic reply:" form: "Out of
	// Office - back Monday", "I am on annual leave".
	oooSubjectRe = regexp.MustCompile(`(?i)^\s*(?:out of (?:the )?office|ooo\b|i am (?:currently )?(?:out of (?:the )?office|away|on (?:annual )?leave)|on annual leave|away until|absent until)`)
	// Exchange, Gmail and the common MTAs' non-delivery subjects, and
	// Exchange's localised "Undeliverable:".
	bounceSubjectRe = regexp.MustCompile(`(?i)^\s*(?:undeliverable|undelivered mail returned to sender|undelivered mail|mail delivery failed|returned mail|delivery has failed|delivery failure|failure notice|message not delivered|mail delivery failure|mail delivery system|non[- ]?deliverable|delivery status notification \(failure\)|delivery status notification$|delivery notification: delivery has failed|mail system error|could not send message|permanent delivery failure|failed delivery|delivery failure notification|notice of delivery failure|non[- ]delivery (?:report|notification)|ndn:|nondeliverable|message delivery failure|mail could not be delivered|rejected:|returned message|mail returned|bounced mail|` +
		`non remis|impossible de remettre|unzustellbar|nicht zustellbar|onbestelbaar|no se puede entregar|imposible de entregar|n[aã]o (?:[ée] poss[ií]vel|foi poss[ií]vel) entregar|n[aã]o entregue|niedostarczalne|nie mo[żz]na dostarczy[ćc]|kan inte levereras|ej levererat|kunne ikke leveres|kan ikke leveres|не доставлено|недоставлено|не вдалося доставити|non recapitabile)(?:\W|$)`)
	// Delay notices: a warning, not a failure (RFC 3464 Action: delayed).
	delaySubjectRe = regexp.MustCompile(`(?i)^\s*(?:delivery status notification \(delay\)|delayed mail|delivery delayed|mail delivery delayed|message delayed|delivery notification: delivery has been delayed|warning: (?:message .* delayed|could not send message for past)|delayed:|retard de remise|zustellung verz[öo]gert|vertraagde bezorging|entrega retrasada)`)
	// Success notices: delivered or relayed.
	successSubjectRe = regexp.MustCompile(`(?i)^\s*(?:delivery status notification \(success\)|successful mail delivery report|delivered:|relayed:|delivery notification: delivered)`)
	bounceSenderRe   = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster|mail-daemon|maildelivery|microsoftexchange[0-9a-f]*|mdaemon|mmdf|bounces?)@`)
)

// MailerDaemon reports a sender address the parser takes for a mailer
// daemon or postmaster: its mail is a delivery report whatever its subject.
// The import's header scan (mailbot/headerscan.go) asks the same question.
func MailerDaemon(addr string) bool { return bounceSenderRe.MatchString(addr) }

// classifyAutomatic sets AutoReply, Bounce, Delayed, OutOfOffice and
// MaybeAutoReply. Every bounce is also automatic mail; a delay notice is
// automatic mail and not a bounce. Sources: RFC 3834 (Auto-Submitted: any
// value but "no" is automatic, whatever the subject or sender), RFC 3464
// (multipart/report; report-type=delivery-status and its per-recipient
// Action), RFC 8098 (disposition-notification), the de-facto Precedence and
// X-Autoreply headers, Exchange's own headers, and, for mail that carries
// none of these, the subjects and wording the common servers and clients
// write (see bounce.go and ooo.go).
func classifyAutomatic(msg *Message, h mail.Header, b *bodies, subj, own string) {
	auto := false
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		auto = true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply", "auto-reply":
		auto = true
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response", "X-Autogenerated", "X-AutoReply-From", "X-Mail-Autoreply", "X-Autorespond-From"} {
		if h.Has(k) {
			auto = true
		}
	}
	// Exchange marks mail made by an inbox rule (the out-of-office assistant
	// among them) with the loop header; X-Auto-Response-Suppress alone is
	// only the sender asking not to be auto-answered.
	if h.Has("X-MS-Exchange-Inbox-Rules-Loop") && h.Has("X-Auto-Response-Suppress") {
		auto = true
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-MS-Exchange-Generated-Message-Source")), "Mailbox Rules Agent") {
		auto = true
	}
	// A subject that starts with the alert's heading (a new alert, or a
	// reply whose client adds no prefix) carries none of the automatic
	// subjects, which all start the subject: lead is what those anchored
	// patterns are tried on, empty when they cannot match.
	lead := subj
	if h := msg.Heading; h != "" && len(subj) >= len(h) && strings.EqualFold(subj[:len(h)], h) {
		lead = ""
	}
	autoSubject := autoSubjectRe.MatchString(lead) || autoTagRe.MatchString(subj)
	if autoSubject {
		auto = true
	}
	// RFC 3834 3.3 and RFC 5321 4.5.5: automatic replies and reports are
	// sent with an empty envelope sender, which the delivering server
	// records as "Return-Path: <>".
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		auto = true
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Precedence")), "auto_reply") || h.Has("X-Vacation") {
		auto = true
	}
	switch b.reportType {
	case "disposition-notification", "feedback-report": // RFC 8098 receipts, RFC 5965 abuse reports
		auto = true
	}

	// Delivery reports. A DSN's own Action fields decide; without them the
	// subject and the wording do.
	failed, delayed, succeeded := dsnActions(b.deliveryStatus)
	kind := "" // "failed", "delayed", "success"
	switch {
	case failed:
		kind = "failed"
	case delayed:
		kind = "delayed"
	case succeeded:
		kind = "success"
	case delaySubjectRe.MatchString(lead):
		kind = "delayed"
	case successSubjectRe.MatchString(lead):
		kind = "success"
	case b.reportType == "delivery-status", bounceSubjectRe.MatchString(lead):
		kind = "failed"
		if delayText(own) {
			kind = "delayed"
		}
	case h.Has("X-Failed-Recipients"):
		kind = "failed"
	default:
		// Plain-text reports, recognised by what the MTA writes. Wording
		// alone counts only in mail that is not a reply or a forward, or in
		// mail from a mailer daemon. An alert (its heading in the
		// subject) is never read as a report by its wording.
		daemon := bounceSenderRe.MatchString(msg.From)
		if !daemon && (msg.IsReply || msg.IsForward || msg.Heading != "") {
			break
		}
		switch {
		case failureText(own, daemon):
			kind = "failed"
			if delayText(own) {
				kind = "delayed"
			}
		case daemon && delayText(own):
			kind = "delayed"
		case daemon && !msg.IsReply && !msg.IsForward && b.reportType == "" && !receiptSubjectRe.MatchString(lead):
			// A mailer daemon or postmaster writes little else: what it
			// sends unprompted is a report of a message it could not
			// deliver.
			kind = "failed"
		}
	}
	switch kind {
	case "failed":
		auto = true
		msg.Bounce = true
		msg.FailedRecipients = failedRecipients(h, b.deliveryStatus)
		if len(msg.FailedRecipients) == 0 {
			msg.FailedRecipients = textRecipients(own, msg)
		}
	case "delayed":
		auto = true
		msg.Delayed = true
	case "success":
		auto = true
	}

	if !msg.Bounce && !msg.Delayed {
		switch {
		case oooSubjectRe.MatchString(lead) || (auto && oooText(own) != oooNone):
			auto = true
			msg.OutOfOffice = true
		case autoSubject:
			// A localised "Automatic reply:" is an out-of-office too;
			// receipts are not.
			msg.OutOfOffice = !receiptSubjectRe.MatchString(lead)
		case !auto && (msg.IsReply || msg.Heading == ""):
			// By text alone only in a reply (or mail that is no alert):
			// a new alert that says its writer will be on leave is an
			// alert, never an out-of-office.
			switch oooText(own) {
			case oooSure:
				auto = true
				msg.OutOfOffice = true
			case oooMaybe:
				msg.MaybeAutoReply = true
			}
		}
	}
	msg.AutoReply = auto
}

var receiptSubjectRe = regexp.MustCompile(`(?i)^\s*(?:read|not read|read receipt|return receipt|delivered|relayed|gelesen|lu|gelezen|le[íi]do|lido|przeczytano|läst|læst|lest|прочитано)\s*(?::|$)`)

// dsnActions reads the Action fields of a message/delivery-status part
// (RFC 3464 2.3.3): failed, delayed, or delivered/relayed/expanded.
func dsnActions(dsn string) (failed, delayed, succeeded bool) {
	if dsn == "" {
		return
	}
	sc := bufio.NewScanner(strings.NewReader(dsn))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "action") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "failed":
			failed = true
		case "delayed":
			delayed = true
		case "delivered", "relayed", "expanded":
			succeeded = true
		}
	}
	return
}

// failedRecipients reads the recipients a DSN reports as failed (RFC 3464
// Final-Recipient with Action: failed), or Exim's X-Failed-Recipients.
func failedRecipients(h mail.Header, dsn string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, v := range h.Values("X-Failed-Recipients") {
		for _, a := range strings.Split(v, ",") {
			add(a)
		}
	}
	// Per-recipient groups are separated by blank lines.
	var final, action string
	flush := func() {
		if final != "" && (action == "" || action == "failed") {
			add(final)
		}
		final, action = "", ""
	}
	sc := bufio.NewScanner(strings.NewReader(dsn))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "final-recipient", "original-recipient":
			if final == "" || strings.EqualFold(strings.TrimSpace(k), "final-recipient") {
				if _, addr, ok := strings.Cut(v, ";"); ok {
					final = addr
				} else {
					final = v
				}
			}
		case "action":
			action = strings.ToLower(strings.TrimSpace(v))
		}
	}
	flush()
	return out
}
