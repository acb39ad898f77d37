package mailbot

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// instanceHeader carries the sending store's instance id in every email
// drpbot sends (see store.Instance).
const instanceHeader = "X-DRPBot-Instance"

// checkInstance looks at a message read from the shared mailbox for
// another drpbot's mark: an email from a drpbot whose store is not this
// one, sent after this store was made. That is a second drpbot on the same
// mailbox (a copied config on another server): both would answer every
// alert, with Message-IDs that collide. It is an ERROR in the log and a
// red /healthz until this process restarts; nothing is stopped, because
// which of the two should go on is a person's decision.
//
// Mail from before this store was made is some earlier store's (a store
// lost and started afresh, or history imported): a fresh store on a
// mailbox starts as ever.
func (b *Bot) checkInstance(folder string, uid uint32, raw []byte) {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = bytes.Index(raw, []byte("\n\n"))
	}
	if end < 0 {
		end = len(raw)
	}
	if !bytes.Contains(bytes.ToLower(raw[:end]), []byte(strings.ToLower(instanceHeader)+":")) {
		return
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw[:end]))
	if err != nil {
		return
	}
	other := strings.TrimSpace(m.Header.Get(instanceHeader))
	own := b.st.Instance()
	if other == "" || other == own.ID {
		return
	}
	sent, err := m.Header.Date()
	if err != nil || sent.Unix() <= own.Created.Unix() { // a Date header counts whole seconds
		return // an earlier store's mail
	}
	text := fmt.Sprintf("another drpbot (store instance %s) sends from this mailbox: its email %s of %s is in %s; this one is instance %s. Two drpbots on one mailbox send everything twice: stop one of them",
		other, m.Header.Get("Message-ID"), sent.UTC().Format(time.RFC3339), folder, own.ID)
	b.setProblem("second-store", text)
	b.log.Error("another drpbot is sending from this mailbox; stop one of them", "other_instance", other, "this_instance", own.ID,
		"message_id", m.Header.Get("Message-ID"), "sent", sent.UTC().Format(time.RFC3339), "folder", folder, "uid", uid)
}
