package mailbot

// genuineStamp is what the council's server (authserv-id mx.drpbot.test)
// writes on top of a message from drpbot.test that passed DKIM and DMARC.
const genuineStamp = "Authentication-Results: mx.drpbot.test; dkim=pass header.d=drpbot.test; dmarc=pass header.from=drpbot.test"

// stamped puts header on top of raw, where the receiving server puts its
// own (Postfix then adds its Received above it).
func stamped(header string, raw []byte) []byte {
	return append([]byte(header+"\r\n"), raw...)
}
