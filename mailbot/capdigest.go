package mailbot

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// bundle handles the emails that would take people past
// smtp.max_per_recipient_per_day: instead of waiting for another day (an
// escalation deferred is a statutory stage started late, in silence),
// each such person gets them today as one digest email, every email's
// own text in full; the rows' other recipients still get them as usual.
// The QA inbox is told, once a day per person, that the limit bit. All
// in one transaction: a crash bundles all or none.
func (b *Bot) bundle(capped []store.Capped, now time.Time) error {
	per := map[string][]store.OutboxRow{}
	for _, c := range capped {
		for _, a := range c.Over {
			per[a] = append(per[a], c.Row)
		}
	}
	addrs := make([]string, 0, len(per))
	for a := range per {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	day := workdays.In(now).String()
	return b.st.Update(func(tx *store.Tx) error {
		digestOf := map[string]string{}
		for _, addr := range addrs {
			rows := per[addr]
			seq, err := tx.NextSeq("capdigest")
			if err != nil {
				return err
			}
			id := store.ServiceMessageID("capdigest", fmt.Sprintf("%s.%s.%d", day, addrKey(addr), seq), b.domain)
			digestOf[addr] = id
			err = tx.AddOutbox(store.OutboxRow{MessageID: id, Purpose: "cap_digest", To: []string{addr}, NoCap: true, Created: now,
				Subject: fmt.Sprintf("%s dispute resolution: %d more emails for you today, in one", b.policy.Council, len(rows)),
				Text:    b.capDigestText(addr, rows)})
			if err != nil {
				return err
			}
			b.log.Warn("daily limit per recipient reached; the rest go today as one digest", "to", addr, "emails", len(rows), "digest", id)
			if err := b.capNotice(tx, addr, len(rows), day, now); err != nil {
				return err
			}
		}
		for _, c := range capped {
			var ids []string
			for _, a := range c.Over {
				ids = append(ids, digestOf[a])
			}
			if _, err := tx.Bundle(c.Row.MessageID, c.Over, strings.Join(ids, " "), now); err != nil {
				return err
			}
			if c.Row.Ref == "" {
				continue
			}
			ev := store.Event{At: now, Kind: "bundled", Stage: c.Row.Stage, MessageID: c.Row.MessageID,
				Detail: c.Row.Purpose + " to " + strings.Join(c.Over, ",") + " in today's digest (daily limit reached)"}
			if _, err := tx.AppendEvent(c.Row.Ref, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// capDigestText is the digest's text: each email's subject and text in
// full, in the order they were queued.
func (b *Bot) capDigestText(addr string, rows []store.OutboxRow) string {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created.Before(rows[j].Created) })
	var s strings.Builder
	name := b.person(addr).Name
	if name == "" {
		name = addr
	}
	fmt.Fprintf(&s, "%s,\n\nYou have had as many emails from the %s dispute resolution mailbox today as it sends one person in a day (%d). So that nothing waits until tomorrow, the %d that followed are all here, each in full. Reply to the shared mailbox, quoting the reference in brackets, as you would to each one.\n",
		name, b.policy.Council, b.cfg.SMTP.MaxPerRecipientPerDay, len(rows))
	for i, r := range rows {
		fmt.Fprintf(&s, "\n======== %d of %d: %s\n\n%s\n", i+1, len(rows), r.Subject, strings.TrimRight(r.Text, "\n"))
	}
	return s.String()
}

// capNotice tells the QA inbox, once a day per person, that the daily
// limit bit and that the emails went as a digest.
func (b *Bot) capNotice(tx *store.Tx, addr string, n int, day string, now time.Time) error {
	if len(b.cfg.Directory.QA) == 0 {
		return nil
	}
	text := fmt.Sprintf("The daily limit of %d emails per person (smtp.max_per_recipient_per_day) was reached today for %s. "+
		"The %d emails over the limit were sent to them today as one digest, so nothing statutory was delayed; "+
		"more may follow in further digests today. Many emails to one person in a day usually means many disputes are lapsing at once: please look at what waits on them.\n",
		b.cfg.SMTP.MaxPerRecipientPerDay, addr, n)
	err := tx.AddOutbox(store.OutboxRow{MessageID: store.ServiceMessageID("capbit", day+"."+addrKey(addr), b.domain), Purpose: "cap_notice",
		To: b.cfg.Directory.QA, NoCap: true, Created: now, Text: text,
		Subject: fmt.Sprintf("%s dispute resolution: daily email limit reached for %s", b.policy.Council, addr)})
	if errors.Is(err, store.ErrDuplicate) {
		return nil // told today already
	}
	return err
}
