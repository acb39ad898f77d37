package parser

import (
	"regexp"
	"strings"
)

// The wording of plain-text delivery reports, for servers that send no
// RFC 3464 part or whose report arrives re-wrapped. Each phrase is written
// by one server family, lower-cased, with runs of white space folded.
var (
	failurePhrases = []string{
		// Postfix (bounce(8) template)
		"i'm sorry to have to inform you that your message could not be delivered",
		"your message could not be delivered to one or more recipients",
		// Sendmail
		"the following addresses had permanent fatal errors",
		"----- transcript of session follows -----",
		"message could not be delivered for",
		// Exim
		"could not be delivered to one or more of its recipients",
		"this is a permanent error. the following address(es) failed",
		// qmail
		"this is the qmail-send program",
		"i wasn't able to deliver your message to the following addresses",
		"sorry, i couldn't find any host named",
		// Exchange 2003
		"your message did not reach some or all of the intended recipients",
		"the following recipient(s) could not be reached",
		// Exchange 2007 and 2010
		"delivery has failed to these recipients or groups",
		// Exchange 2013, 2016, 2019, Online
		"couldn't be delivered. ",
		"wasn't found at",
		// Gmail, old and new
		"delivery to the following recipient failed permanently",
		"delivery to the following recipients failed permanently",
		"your message wasn't delivered to",
		"there was a problem delivering your message to",
		// Domino, MDaemon, Yahoo, Courier, Oracle Messaging Server, others
		"your message was not delivered to",
		"permanent failure for one or more recipients",
		"sorry, we were unable to deliver your message to the following address",
		"this report relates to a message you sent",
		"could not be delivered to the following recipients",
		"delivery to the following recipients failed",
		"the following addresses had delivery problems",
		"your mail to the following recipients could not be delivered",
		"unable to deliver message to the following recipients",
		"the following recipients did not receive this message",
		"permanent fatal errors",
	}
	// Wording too plain to trust unless the report comes from a mailer
	// daemon or postmaster address.
	weakFailurePhrases = []string{
		"couldn't be delivered",
		"could not be delivered",
		"address not found",
		"message not delivered",
		"unable to deliver your message",
		"undeliverable message",
		"message delivery has failed",
		"delivery failed",
		"delivery has failed",
		"permanent error",
		"user unknown",
		"mailbox unavailable",
		"no such user",
		"was not delivered to:",
		"delivery failure",
		"this is a delivery status notification",
		"the original message was received at",
		"the message you sent to",
		"mail delivery failed",
	}
	delayPhrases = []string{
		// Postfix, Sendmail, Gmail: the warning banner
		"this is a warning only",
		"this is a warning message only",
		"you do not need to resend your message",
		// Exim
		"has not yet been delivered to one or more of its recipients",
		"no action is required on your part. delivery attempts will continue",
		// Exchange
		"delivery is delayed to these recipients or groups",
		"this message hasn't been delivered yet",
		"delivery to the following recipients has been delayed",
		"delivery will continue to be attempted",
		// Gmail
		"delivery to the following recipient has been delayed",
		"delivery incomplete",
		"there was a temporary problem delivering your message",
		"will retry for",
		// Sendmail
		"could not be delivered for 4 hours",
		"will keep trying until the message is",
	}
)

// foldedHead is the first few KB of text, lower-cased with white space
// folded, which is where a report states what happened.
func foldedHead(s string) string {
	if len(s) > 3000 {
		s = s[:3000]
	}
	return strings.Join(strings.Fields(strings.ToLower(normalise(s))), " ")
}

func containsAnyOf(s string, list []string) bool {
	for _, p := range list {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// failureText reports wording that says a message could not be delivered;
// daemon says the report came from a mailer-daemon or postmaster address,
// whose plainer wording is trusted too.
func failureText(own string, daemon bool) bool {
	h := foldedHead(own)
	return containsAnyOf(h, failurePhrases) || daemon && containsAnyOf(h, weakFailurePhrases)
}

// delayText reports wording that says delivery is only delayed.
func delayText(own string) bool {
	return containsAnyOf(foldedHead(own), delayPhrases)
}

// reportEnd marks where a plain-text report's own words stop and the copy of
// the returned message begins (Exim, qmail, Sendmail, Exchange, Gmail).
var reportEnd = []string{
	"------ this is a copy of the message",
	"--- below this line is a copy of the message",
	"----- original message follows",
	"------ original message ------",
	"----- original message -----",
	"-----original message-----",
	"original message details",
	"original message headers",
	"diagnostic information for administrators",
	"----- the original message was received",
	"received: from",
	"return-path:",
	"content-type: message/rfc822",
}

// textRecipients reads the failed addresses from a plain-text report: the
// addresses its own words name, before the copy of the returned message,
// leaving out the report's sender and the addresses it was sent to (the
// original sender).
func textRecipients(own string, msg *Message) []string {
	head := own
	if len(head) > 8000 {
		head = head[:8000]
	}
	lower := strings.ToLower(head)
	end := len(head)
	for _, m := range reportEnd {
		if i := strings.Index(lower, m); i > 0 && i < end {
			end = i
		}
	}
	skip := map[string]bool{msg.From: true}
	for _, a := range msg.To {
		skip[a] = true
	}
	var out []string
	for _, line := range strings.Split(head[:end], "\n") {
		// The returned message's own header lines start at the margin.
		if copiedHeaderRe.MatchString(line) {
			break
		}
		if lt := strings.ToLower(strings.TrimSpace(line)); strings.HasPrefix(lt, "message-id") || strings.HasPrefix(lt, "references") || strings.HasPrefix(lt, "in-reply-to") {
			continue // message IDs look like addresses
		}
		for _, a := range looseAddr.FindAllString(line, 10) {
			a = strings.ToLower(strings.TrimRight(strings.Trim(a, "<>[]'\"`"), ".:;,)>"))
			at := strings.IndexByte(a, '@')
			if at <= 0 || skip[a] || bounceSenderRe.MatchString(a) || !strings.Contains(a[at+1:], ".") {
				continue
			}
			skip[a] = true
			out = append(out, a)
			if len(out) >= 50 {
				return out
			}
		}
	}
	return out
}

// copiedHeaderRe is a header field of the returned message copied into a
// plain-text report.
var copiedHeaderRe = regexp.MustCompile(`(?i)^(?:from|to|cc|subject|date|message-id|in-reply-to|references|return-path|received|mime-version|content-type|x-[\w-]+):\s`)
