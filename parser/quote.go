package parser

import (
	"regexp"
	"strings"
)

// Quoted history and signatures, as the common clients write them. Each
// marker below names the clients it comes from; the localised forms are
// Outlook's (desktop, web, Mac, iOS, Android) and Gmail's in the languages a
// UK council's correspondents use: English, French, German, Dutch, Spanish,
// Portuguese, Polish, Swedish, Danish, Norwegian, Russian, Ukrainian and
// Italian.
var (
	// "-----Original Message-----" (Outlook desktop, and many others), its
	// translations, and the dashed titles of forwarded blocks ("----------
	// Forwarded message ---------" from Gmail, "-------- Original message
	// --------" from Samsung and Android), and the copy of the returned
	// message in a bounce.
	dashedTitleRe = regexp.MustCompile(`(?i)^-{2,}\s*(.{3,60}?)\s*-{2,}$`)
	dashedWordsRe = regexp.MustCompile(`(?i)original message|original e-?mail|forwarded message|forwarded by|message d'origine|message transf[ée]r[ée]|message d'origine|ursprüngliche nachricht|weitergeleitete nachricht|originalnachricht|oorspronkelijk bericht|doorgestuurd bericht|origineel bericht|mensaje original|mensaje reenviado|mensagem original|mensagem encaminhada|mensagem reencaminhada|wiadomo[śs][ćc] oryginalna|przekazana wiadomo[śs][ćc]|oryginalna wiadomo[śs][ćc]|ursprungligt meddelande|vidarebefordrat meddelande|originalmeddelande|oprindelig meddelelse|videresendt meddelelse|opprinnelig melding|videresendt melding|исходное сообщение|пересылаемое сообщение|пересланное сообщение|оригінальне повідомлення|початкове повідомлення|переслане повідомлення|пересланий лист|messaggio originale|messaggio inoltrato|copy of the message|message follows|original message follows|reply above this line`)
	// Apple Mail's forwards, in English and the other languages.
	forwardedRe = regexp.MustCompile(`(?i)^(?:begin forwarded message|d[ée]but du message r[ée]exp[ée]di[ée]|anfang der weitergeleiteten nachricht|begin doorgestuurd bericht|inicio del mensaje reenviado|in[íi]cio da mensagem reencaminhada|pocz[aą]tek przekazanej wiadomo[śs]ci|vidarebefordrat brev|videresendt besked|videresendt e-?post|начало переадресованного сообщения|початок листа, що пересилається|inizio messaggio inoltrato)\s*:?$`)
	// qmail's and others' one-sided marker.
	belowLineRe = regexp.MustCompile(`(?i)^-{2,}\s*(?:below this line is a copy of the message|the original message was received)`)
	// Outlook's separator line above the From:/Sent: block.
	underscoresRe = regexp.MustCompile(`^_{10,}$`)
	// The header block Outlook writes above the quoted message, in each
	// language: desktop and web write "Sent:", Outlook for Mac and mobile
	// "Date:". French puts a space before the colon.
	fromLineRe   = regexp.MustCompile(`(?i)^\*?(?:from|de|von|van|od|från|fra|от|від|da|lähettäjä|feladó)\s*:\*?\s`)
	sentLineRe   = regexp.MustCompile(`(?i)^\*?(?:sent|date|envoy[ée]|gesendet|datum|verzonden|enviado(?: el)?|enviada(?: em)?|fecha|data|wys[łl]ano|skickat|sendt|отправлено|дата|надіслано|inviato|l[äa]hetetty)\s*:\*?\s`)
	toSubjLineRe = regexp.MustCompile(`(?i)^\*?(?:to|subject|cc|[àa]|objet|an|betreff|aan|onderwerp|para|asunto|assunto|do|temat|dw|till|[äa]mne|kopia|til|emne|kopi|кому|тема|копия|копія|oggetto|vastaanottaja|aihe)\s*:\*?(?:\s|$)`)
	// "On Mon, 2 Nov 2026 at 09:00, An IRO <an.iro@example.gov.uk> wrote:"
	// (Gmail, Apple Mail, Thunderbird, iOS, Android) and its translations,
	// on one line or folded over two or three; also Zoho's
	// "---- On ... wrote ----".
	wroteEndRe = regexp.MustCompile(`(?i)(?:\bwrote|\ba [ée]crit|\bschrieb|\bschreef|\bescribi[óo]|\bescreveu|\bnapisa[łl](?:\(a\))?|\bnapisa[łl]a|\bskrev|написал(?:\(а\))?|написала|написав(?:\(ла\))?|пише|\bha scritto|\bkirjoitti|写道|寫道|님이 작성)\s*(?:[:：]\s*-*|-{2,})$` +
		// Lotus Notes, Thunderbird and Apple in some locales put the date
		// after the verb: "Iris <iris@...> wrote on 17/11/2026 09:00:",
		// "... schrieb am 17.11.2026 um 09:00:"; Horde: "Quoting Iris <...>:".
		`|\b(?:wrote|schrieb|a [ée]crit|skrev|schreef|escribi[óo]|escreveu) (?:on|am|le|den|op|el|em)\b.*:$|^quoting\b.*:$`)
	// Gmail in Russian and a few others end with the address alone:
	// "пн, 2 нояб. 2026 г. в 09:00, Иван <ivan@example.org>:".
	addrColonEndRe = regexp.MustCompile(`[^\s<>]+@[^\s<>]+>\s?(?::|：)$`)
	datedHeaderRe  = regexp.MustCompile(`^\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b.*@`)
	wroteStartRe   = regexp.MustCompile(`(?i)^(?:-{2,}\s*)?(?:on|le|am|op|el|em|den|il|w dniu|dnia|в|у)\s`)
	// Mobile footers, in the same languages.
	mobileRe = regexp.MustCompile(`(?i)^(?:sent from my \w+|sent from (?:outlook|mail|yahoo mail|samsung|my samsung|gmail|aol)\b|sent from outlook for (?:ios|android)|get outlook for (?:ios|android)|sent via |sent with |envoy[ée] de mon |envoy[ée] depuis |von meinem \w+ gesendet|gesendet von (?:meinem|outlook)|verzonden (?:vanaf|met) |enviado desde mi |enviado do meu |enviado a partir d|wys[łl]ane z (?:mojego|mego|aplikacji) |skickat fr[åa]n (?:min|outlook)|sendt fra (?:min|outlook)|отправлено (?:с|из) |надіслано з |inviato da )`)
	// The thanking kind of closing, which writers also put above more text.
	thanksCloseRe = regexp.MustCompile(`(?i)^(many\s+|with\s+)?(thanks|thank you)(\s+again|\s+all|\s+very much|\s+so much)?[,.!]*$`)
	// A bare rule: Outlook's underscores, dashes, equals, asterisks.
	ruleRe = regexp.MustCompile(`^[-_=*~#.\x{2014}\x{2013}\x{2500}]{3,}$`)
)

// valedictions are the sign-offs that start a signature when alone on
// their line (any case, trailing ",.!" ignored), in English and in the
// other languages quote headers are read in. A set, not a pattern: every
// short line of every reply is looked up.
var valedictions = func() map[string]bool {
	m := map[string]bool{}
	for _, pre := range []string{"", "kind ", "best ", "warm ", "many ", "with ", "warmest ", "kindest "} {
		for _, w := range []string{"regards", "wishes", "thanks", "thank you"} {
			m[pre+w] = true
		}
	}
	for _, w := range []string{
		"yours sincerely", "yours faithfully", "yours", "cheers", "thanks again", "speak soon", "all the best",
		"best", "regards", "rgds", "kr", "br", "tia", "ta",
		"cordialement", "bien cordialement", "bien à vous", "salutations distinguées",
		"mit freundlichen grüßen", "mit freundlichen grüssen", "mit freundlichen gruessen", "freundliche grüße",
		"freundliche grüsse", "freundliche gruesse", "viele grüße", "viele grüsse", "viele gruesse", "beste grüße", "beste grüsse",
		"met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet", "vriendelijke groeten", "groeten",
		"saludos", "saludos cordiales", "un saludo", "atentamente", "atenciosamente", "cumprimentos",
		"com os melhores cumprimentos", "abraços", "pozdrawiam", "z poważaniem", "z powazaniem",
		"med vänliga hälsningar", "vänliga hälsningar", "hälsningar", "med venlig hilsen", "venlig hilsen",
		"med vennlig hilsen", "vennlig hilsen", "hilsen", "с уважением", "всего доброго", "з повагою",
		"cordiali saluti", "distinti saluti", "saluti",
	} {
		m[w] = true
	}
	return m
}()

// isValediction reports a sign-off line (see valedictions).
func isValediction(t string) bool {
	if len(t) > 40 {
		return false
	}
	t = strings.TrimRight(t, ",.!")
	// Lower-case ASCII and fold white space into a stack buffer: the
	// lookup m[string(b)] does not allocate.
	var buf [40]byte
	n, space := 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 0x80 {
			k := strings.ToLower(t)
			return valedictions[strings.Join(strings.Fields(k), " ")]
		}
		if c == ' ' || c == '\t' {
			space = n > 0
			continue
		}
		if space {
			buf[n] = ' '
			n++
			space = false
		}
		if c >= 'A' && c <= 'Z' {
			c += 0x20
		}
		buf[n] = c
		n++
	}
	return valedictions[string(buf[:n])]
}

// mayOpenMobile is a cheap first test for mobileRe: its footers start
// with one of these letters, or with a letter outside ASCII.
func mayOpenMobile(c byte) bool {
	switch c | 0x20 {
	case 's', 'g', 'e', 'v', 'w', 'i':
		return true
	}
	return c >= 0x80
}

// cutQuoted returns the message's own text: everything above the first
// quoted-history marker or signature, without "> " lines, trailing spaces,
// trailing rule lines and runs of blank lines.
func cutQuoted(text string) string {
	own, _ := splitQuoted(text)
	return own
}

// splitQuoted returns the message's own text and the byte offset in text
// where quoted history (a reply's quote or a forwarded message) starts, -1
// when none does. A signature cut is not quoted history.
//
// Bottom-posting is read too: when the text starts with a quote header and
// "> " lines, the new text below them is the message's own.
func splitQuoted(text string) (string, int) {
	lines := strings.Split(text, "\n")
	end, quoted := len(lines), -1
	own := 0   // non-blank own lines seen so far
	skip := -1 // a quote header at the top, answered below: lines up to skip are the quote
	for i := 0; i < len(lines); i++ {
		if i <= skip {
			continue
		}
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		if n := quoteStarts(lines, i, t); n > 0 {
			if own == 0 {
				if after := bottomPosted(lines, i+n); after > 0 {
					skip = after - 1
					continue
				}
			}
			end, quoted = i, i
			break
		}
		if strings.TrimRight(lines[i], " \t") == "--" || lines[i] == "-- " {
			end = i
			break
		}
		if own > 0 && len(t) < 90 && mayOpenMobile(t[0]) && mobileRe.MatchString(t) {
			end = i
			break
		}
		if own > 0 && isValediction(t) && signatureBelow(lines, i, t) {
			end = i
			break
		}
		if !strings.HasPrefix(t, ">") {
			own++
		}
	}
	offset := -1
	if quoted >= 0 {
		offset = 0
		for _, l := range lines[:quoted] {
			offset += len(l) + 1
		}
	}
	var b strings.Builder
	blank := false
	for i, line := range lines[:end] {
		if i <= skip {
			continue
		}
		line = strings.TrimRight(line, " \t\u00a0")
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	out := strings.TrimRight(b.String(), "\n")
	// Bare rule lines left at the end (above a cut quote or signature).
	for {
		i := strings.LastIndexByte(out, '\n')
		last := strings.TrimSpace(out[i+1:])
		if !ruleRe.MatchString(last) {
			break
		}
		out = strings.TrimRight(out[:i+1], "\n \t")
		if i < 0 {
			out = ""
			break
		}
	}
	return out, offset
}

// bottomPosted reports a quote header at the top answered below it: the
// lines from i are "> " lines (or blank), and own text follows. It returns
// the index of the first line after the quote, 0 when the layout is not so.
func bottomPosted(lines []string, i int) int {
	quotes := 0
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		switch {
		case t == "":
		case strings.HasPrefix(t, ">"):
			quotes++
		default:
			if quotes > 0 {
				return i
			}
			return 0
		}
	}
	return 0
}

// signatureBelow reports whether a sign-off at line i ends the message's
// words: what follows it (up to quoted history) is a signature, not more of
// the message. A closing line ("Many thanks") must not cut an instruction or
// a paragraph written below it.
func signatureBelow(lines []string, i int, t string) bool {
	thanks := thanksCloseRe.MatchString(t)
	seen := 0
	for j := i + 1; j < len(lines) && seen < 12; j++ {
		n := strings.TrimSpace(lines[j])
		if n == "" {
			continue
		}
		if quoteStarts(lines, j, n) > 0 || n == "--" || strings.HasPrefix(n, ">") {
			break
		}
		seen++
		if plainCommand(commandLine(n)) {
			return false // an instruction below the closing line
		}
		if thanks && seen == 1 && len(strings.Fields(n)) >= 6 && !strings.ContainsAny(n, "@|") {
			return false // a sentence, not a name, under "Thanks"
		}
	}
	return true
}

// plainCommand reports a line that is one of the command language's exact
// lines (see command); the stage lines are left out, as a signature may
// name a team "Stage 2".
func plainCommand(c string) bool {
	switch c {
	case "resolved", "dispute resolved", "not resolved", "escalate", "pause", "resume",
		"cafcass referral made", "cafcass referral", "referred to cafcass", "close", "withdrawn", "withdraw":
		return true
	}
	return strings.HasPrefix(c, "extend ")
}

// quoteStarts reports whether line i (trimmed t) opens quoted history, and
// how many lines the marker takes (0 when it does not).
func quoteStarts(lines []string, i int, t string) int {
	last := t[len(t)-1]
	switch c := t[0]; {
	case c == '-':
		if belowLineRe.MatchString(t) {
			return 1
		}
		if last == '-' {
			if m := dashedTitleRe.FindStringSubmatch(t); m != nil && dashedWordsRe.MatchString(m[1]) {
				return 1
			}
		}
	case c == '_':
		if !underscoresRe.MatchString(t) {
			return 0
		}
		// Outlook's rule: the header block follows within a line or two.
		for j, seen := i+1, 0; j < len(lines) && seen < 3; j++ {
			n := strings.TrimSpace(lines[j])
			if n == "" {
				continue
			}
			seen++
			if fromLineRe.MatchString(n) {
				return 1
			}
		}
		return 0
	}
	if len(t) < 60 && mayOpenForward(t[0]) && forwardedRe.MatchString(t) {
		return 1
	}
	if strings.IndexByte(t, ':') > 0 && fromLineRe.MatchString(t) {
		sent, other := false, false
		for j, seen := i+1, 0; j < len(lines) && seen < 5; j++ {
			n := strings.TrimSpace(lines[j])
			if n == "" {
				continue
			}
			seen++
			if sentLineRe.MatchString(n) {
				sent = true
			} else if toSubjLineRe.MatchString(n) {
				other = true
			}
		}
		if sent && other {
			return 1
		}
	}
	// "On ... wrote:" on one line, or folded over two or three.
	if len(t) < 300 && (last == ':' || last == '-' || strings.HasSuffix(t, "：")) {
		if wroteEndRe.MatchString(t) && (wroteStartRe.MatchString(t) || hasDigitOrAt(t)) {
			return 1
		}
		if addrColonEndRe.MatchString(t) && hasDigit(t) && len(t) < 200 {
			return 1
		}
	}
	// "2026/11/17 Iris Reviewer <iris.reviewer@council.example>" above a
	// "> " quote (older Gmail, some Asian-locale clients).
	if len(t) < 200 && t[0] >= '0' && t[0] <= '9' && datedHeaderRe.MatchString(t) {
		for j := i + 1; j < len(lines) && j <= i+2; j++ {
			if n := strings.TrimSpace(lines[j]); n != "" {
				if strings.HasPrefix(n, ">") {
					return 1
				}
				break
			}
		}
	}
	if len(t) < 200 && mayOpenWrote(t[0]) && wroteStartRe.MatchString(t) && hasDigitOrAt(t) {
		for j := i + 1; j < len(lines) && j <= i+2; j++ {
			n := strings.TrimSpace(lines[j])
			if n == "" || len(n) > 200 {
				break
			}
			if wroteEndRe.MatchString(n) || addrColonEndRe.MatchString(n) {
				return j - i + 1
			}
		}
	}
	return 0
}

// mayOpenForward and mayOpenWrote are cheap first tests for forwardedRe
// and wroteStartRe, by the first byte of the line.
func mayOpenForward(c byte) bool {
	switch c | 0x20 {
	case 'b', 'd', 'a', 'i', 'p', 'v':
		return true
	}
	return c >= 0x80
}

func mayOpenWrote(c byte) bool {
	switch c | 0x20 {
	case 'o', 'l', 'a', 'e', 'd', 'i', 'w':
		return true
	}
	return c >= 0x80 || c == '-'
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

func hasDigitOrAt(s string) bool { return strings.ContainsAny(s, "0123456789@") }
