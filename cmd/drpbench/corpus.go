package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
)

// A council's shared LAC mailbox, generated: DRP threads (alert, the
// manager's inline reply, the IRO's one-line decision, and an
// out-of-office or a colleague's reply-all) among the mail such a mailbox
// really gets: short internal emails, long HTML bulletins, meeting
// invitations and care plans, reports and minutes as attachments. Most
// messages are under 10 KB, a quarter are bulletins of 30 to 150 KB and a
// tenth carry an attachment of 80 KB to 1.5 MB: a mean near 120 KB.
// Everything is reproducible from the seed.

// msg is one generated message and the time it arrived.
type msg struct {
	at     time.Time
	raw    []byte
	id     string // Message-ID, with brackets
	alert  bool   // opens a dispute
	thread bool   // DRP traffic
}

const domain = "drpbot.test"

// corpus returns total messages, of which drp are dispute traffic (in
// threads of four), in arrival order, ending just before end.
func corpus(seed uint64, total, drp int, end time.Time) []msg {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	g := &gen{r: r}
	span := 2 * 365 * 24 * time.Hour
	start := end.Add(-span)
	var out []msg
	threads := drp / 4
	for i := 0; i < threads; i++ {
		at := start.Add(time.Duration(r.Int64N(int64(span - 30*24*time.Hour))))
		out = append(out, g.thread(i, at)...)
	}
	for len(out) < total {
		at := start.Add(time.Duration(r.Int64N(int64(span))))
		out = append(out, g.other(len(out), at))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

type gen struct {
	r   *rand.Rand
	seq int
}

func (g *gen) id(host string) string {
	g.seq++
	return fmt.Sprintf("<LO2P265MB%05X%04X@%s.GBRP265.PROD.OUTLOOK.COM>", g.seq, g.r.IntN(1<<16), host)
}

var (
	iros     = []string{"iro"}
	managers = []string{"practice.lead", "deputy.practice.lead", "service.manager"}
	names    = []string{"Jordan", "Alex", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Sam", "Charlie", "Robin"}
	words    = strings.Fields(`the care plan review placement visit social worker child young person
		statutory meeting health assessment education personal plan pathway permanence contact family
		court order carers fostering residential school attendance therapy referral assessment agreed
		actions timescale update report manager team service quality assurance independent reviewing
		officer consultation wishes feelings advocacy participation outcome decision follow up week
		month today tomorrow please confirm attached minutes notes budget rota training safeguarding`)
)

func (g *gen) words(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			if i%14 == 0 {
				b.WriteString(".\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(words[g.r.IntN(len(words))])
	}
	b.WriteString(".\n")
	return b.String()
}

// thread is one dispute's traffic in the shared mailbox.
func (g *gen) thread(i int, at time.Time) []msg {
	iro := iros[g.r.IntN(len(iros))] + "@" + domain
	mgr := managers[g.r.IntN(len(managers))] + "@" + domain
	child := fmt.Sprintf("%07d", 2000000+i)
	name := names[g.r.IntN(len(names))] + " " + names[g.r.IntN(len(names))]
	subject := fmt.Sprintf("Dispute Resolution Alert - Stage 1 - %s", child)
	alertText := fmt.Sprintf("Dear colleague,\n\nDate of Alert\t%s\nName of Child\t%s\nChild's Azeus Number\t%s\nFrom Worker & Service\tIRO, Quality Assurance\nTo Worker & Service\tPractice Lead, Children Looked After\n\nFORMAL STAGE 1\n\nSummary of Concern(s): %s\nRequested action with timescale: %s\n\nKind regards\n\nIndependent Reviewing Officer\nQuality Assurance Service\n",
		at.In(workdays.London).Format("02/01/2006"), name, child, g.words(40+g.r.IntN(80)), g.words(20))
	alert := outlook{from: iro, to: []string{mgr}, cc: []string{"lac@" + domain}, subject: subject, id: g.id("LO2P265MB1812"), date: at,
		text: alertText, logo: 6000 + g.r.IntN(12000)}
	out := []msg{{at: at, raw: alert.bytes(g), id: alert.id, alert: true, thread: true}}

	replyAt := at.Add(time.Duration(1+g.r.IntN(72)) * time.Hour)
	reply := outlook{from: mgr, to: []string{iro}, cc: []string{"lac@" + domain}, subject: "RE: " + subject, id: g.id("LO2P265MB5070"), date: replyAt,
		inReplyTo: []string{alert.id}, text: g.words(20+g.r.IntN(60)) + quoteHeader(alert) + alertText, logo: 0}
	out = append(out, msg{at: replyAt, raw: reply.bytes(g), id: reply.id, thread: true})

	doneAt := replyAt.Add(time.Duration(1+g.r.IntN(48)) * time.Hour)
	done := outlook{from: iro, to: []string{mgr}, cc: []string{"lac@" + domain}, subject: "RE: " + subject, id: g.id("LO2P265MB1812"), date: doneAt,
		inReplyTo: []string{alert.id, reply.id}, text: "Resolved\n\nThank you.\n\n" + quoteHeader(reply) + reply.text}
	out = append(out, msg{at: doneAt, raw: done.bytes(g), id: done.id, thread: true})

	if g.r.IntN(2) == 0 {
		oooAt := at.Add(time.Duration(2+g.r.IntN(50)) * time.Second)
		id := g.id("LO2P265MB4999")
		raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Automatic reply: %s\r\nDate: %s\r\nMessage-ID: %s\r\nIn-Reply-To: %s\r\nAuto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\nI am out of the office until %s with limited access to email.\r\n",
			mgr, iro, subject, oooAt.Format(time.RFC1123Z), id, alert.id, oooAt.AddDate(0, 0, 7).Format("2 January"))
		out = append(out, msg{at: oooAt, raw: []byte(raw), id: id, thread: true})
	} else {
		noteAt := replyAt.Add(time.Duration(1+g.r.IntN(20)) * time.Hour)
		note := outlook{from: "social.worker@" + domain, to: []string{iro, mgr}, cc: []string{"lac@" + domain}, subject: "RE: " + subject, id: g.id("LO2P265MB7777"), date: noteAt,
			inReplyTo: []string{alert.id, reply.id}, text: g.words(30+g.r.IntN(40)) + quoteHeader(reply) + reply.text, logo: 5000}
		out = append(out, msg{at: noteAt, raw: note.bytes(g), id: note.id, thread: true})
	}
	return out
}

func quoteHeader(o outlook) string {
	return fmt.Sprintf("\n________________________________\nFrom: %s\nSent: %s\nTo: %s\nSubject: %s\n\n", o.from, o.date.Format("02 January 2006 15:04"), strings.Join(o.to, "; "), o.subject)
}

// other is one message of the mailbox's ordinary traffic.
func (g *gen) other(i int, at time.Time) msg {
	from := fmt.Sprintf("%s.%s@%s", strings.ToLower(names[g.r.IntN(len(names))]), strings.ToLower(names[g.r.IntN(len(names))]), domain)
	o := outlook{from: from, to: []string{"lac@" + domain}, id: g.id("LO2P265MB3333"), date: at}
	switch p := g.r.IntN(100); {
	case p < 55: // a short internal email
		o.subject = "RE: " + g.words(4+g.r.IntN(5))
		o.text = g.words(30 + g.r.IntN(150))
	case p < 80: // a long HTML bulletin
		o.subject = "Children's Services bulletin: " + g.words(4)
		o.text = g.words(1500 + g.r.IntN(4500))
		o.logo = 10000 + g.r.IntN(30000)
	case p < 90: // a meeting invitation
		o.subject = "Invitation: " + g.words(5)
		o.text = g.words(60 + g.r.IntN(100))
		o.calendar = true
	default: // a care plan, report or minutes attached
		o.subject = "Care plan and minutes " + g.words(3)
		o.text = g.words(20 + g.r.IntN(40))
		o.attach = 80_000 + g.r.IntN(1_400_000)
	}
	o.subject = strings.Join(strings.Fields(strings.ReplaceAll(o.subject, ".", "")), " ")
	return msg{at: at, raw: o.bytes(g), id: o.id}
}

// outlook renders a message as Outlook sends one: multipart/alternative
// (text and Word-made HTML), inside multipart/related when it carries a
// logo, inside multipart/mixed when it carries an attachment.
type outlook struct {
	from, subject, id string
	to, cc, inReplyTo []string
	date              time.Time
	text              string
	logo, attach      int // sizes of an inline image and an attachment, 0 for none
	calendar          bool
}

func (o outlook) bytes(g *gen) []byte {
	var b strings.Builder
	b.Grow(len(o.text)*3 + o.logo*4/3 + o.attach*4/3 + 4096)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", o.from, strings.Join(o.to, ", "))
	if len(o.cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", strings.Join(o.cc, ", "))
	}
	topic := strings.TrimPrefix(o.subject, "RE: ")
	fmt.Fprintf(&b, "Subject: %s\r\nThread-Topic: %s\r\nDate: %s\r\nMessage-ID: %s\r\n", o.subject, topic, o.date.Format(time.RFC1123Z), o.id)
	if n := len(o.inReplyTo); n > 0 {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", o.inReplyTo[n-1], strings.Join(o.inReplyTo, " "))
	}
	b.WriteString("Accept-Language: en-GB, en-US\r\nContent-Language: en-GB\r\nX-MS-Has-Attach: \r\nX-MS-Exchange-Organization-SCL: -1\r\n")
	for i := 0; i < 6; i++ { // the Received trail every relayed message carries
		fmt.Fprintf(&b, "Received: from LO2P265MB%04X.GBRP265.PROD.OUTLOOK.COM ([fe80::%x]) by LO2P265MB%04X.GBRP265.PROD.OUTLOOK.COM\r\n with mapi id 15.20.%d.%d; %s\r\n",
			g.r.IntN(1<<16), g.r.IntN(1<<16), g.r.IntN(1<<16), g.r.IntN(9999), g.r.IntN(999), o.date.Format(time.RFC1123Z))
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	alt := func() {
		bd := fmt.Sprintf("_000_alt_%d_", g.r.Uint32())
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", bd)
		fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd)
		writeBase64(&b, []byte(o.text+"\nThis email and any attachments are confidential and intended solely for the addressee.\n"))
		fmt.Fprintf(&b, "--%s\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd)
		writeBase64(&b, []byte(wordHTML(o.text)))
		if o.calendar {
			fmt.Fprintf(&b, "--%s\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd)
			writeBase64(&b, []byte(fmt.Sprintf("BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nDTSTART:%s\nSUMMARY:%s\nDESCRIPTION:%s\nEND:VEVENT\nEND:VCALENDAR\n",
				o.date.AddDate(0, 0, 7).Format("20060102T150405Z"), o.subject, strings.ReplaceAll(o.text, "\n", "\\n"))))
		}
		fmt.Fprintf(&b, "--%s--\r\n", bd)
	}
	blob := func(ctype, name string, n int) {
		buf := make([]byte, n)
		for i := 0; i+8 <= n; i += 8 {
			v := g.r.Uint64()
			for k := 0; k < 8; k++ {
				buf[i+k] = byte(v >> (8 * k))
			}
		}
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", ctype, name, name)
		writeBase64(&b, buf)
	}
	// wrap puts the alternative and one binary part in a multipart of kind.
	wrap := func(kind, params, partHeader, ctype, name string, n int) {
		bd := fmt.Sprintf("_00%d_%s_%d_", len(kind), kind, g.r.Uint32())
		fmt.Fprintf(&b, "Content-Type: multipart/%s; boundary=\"%s\"%s\r\n\r\n--%s\r\n", kind, bd, params, bd)
		alt()
		fmt.Fprintf(&b, "--%s\r\n%s", bd, partHeader)
		blob(ctype, name, n)
		fmt.Fprintf(&b, "--%s--\r\n", bd)
	}
	switch {
	case o.attach > 0:
		wrap("mixed", "", "", "application/pdf", "Care plan.pdf", o.attach)
	case o.logo > 0:
		wrap("related", "; type=\"multipart/alternative\"", "Content-ID: <image001.png@01DB0000.00000000>\r\n", "image/png", "image001.png", o.logo)
	default:
		alt()
	}
	return []byte(b.String())
}

// wordHTML wraps text as Outlook's Word engine writes it: a style block,
// a paragraph per line with its mso markup.
func wordHTML(text string) string {
	var b strings.Builder
	b.WriteString(`<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="Generator" content="Microsoft Word 15 (filtered medium)"><style><!--
@font-face {font-family:"Cambria Math"; panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face {font-family:Calibri; panose-1:2 15 5 2 2 2 4 3 2 4;}
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif; mso-fareast-language:EN-US;}
a:link, span.MsoHyperlink {mso-style-priority:99; color:#0563C1; text-decoration:underline;}
span.EmailStyle17 {mso-style-type:personal-compose; font-family:"Calibri",sans-serif; color:windowtext;}
.MsoChpDefault {mso-style-type:export-only; font-family:"Calibri",sans-serif; mso-fareast-language:EN-US;}
@page WordSection1 {size:612.0pt 792.0pt; margin:72.0pt 72.0pt 72.0pt 72.0pt;}
div.WordSection1 {page:WordSection1;}
--></style></head><body lang="EN-GB" link="#0563C1" vlink="#954F72" style="word-wrap:break-word"><div class="WordSection1">`)
	for _, line := range strings.Split(text, "\n") {
		b.WriteString(`<p class="MsoNormal"><span style="font-size:11.0pt;mso-fareast-language:EN-US">`)
		b.WriteString(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\t", "&nbsp;&nbsp;").Replace(line))
		b.WriteString("<o:p></o:p></span></p>\r\n")
	}
	b.WriteString(`<p class="MsoNormal"><span style="font-size:8.0pt;color:gray">This email and any attachments are confidential and intended solely for the addressee. If you have received it in error please notify the sender and delete it.<o:p></o:p></span></p></div></body></html>`)
	return b.String()
}

func writeBase64(b *strings.Builder, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
}
