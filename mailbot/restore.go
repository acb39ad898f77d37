package mailbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/drpbot/drpbot/store"
)

// ErrRestoreUnchecked marks a drain that sent nothing because the store
// was restored from a backup and the shared mailbox could not yet be
// searched for what drpbot sent since the backup.
var ErrRestoreUnchecked = errors.New("mailbot: restored store not yet checked against the shared mailbox")

// reconcileRestore runs before the first send of a process. A store
// restored from a backup (see store.MarkBackup) does not know what was
// sent after the backup was taken; the watcher will read those alerts
// again and queue the same emails (their Message-IDs are deterministic).
// So drpbot lists its own Message-IDs in the shared mailbox's copy folders
// since the backup, and records them as already sent; until that search
// has worked, nothing is sent.
func (b *Bot) reconcileRestore(ctx context.Context) error {
	if b.restoreChecked {
		return nil
	}

	at, ok, err := b.st.RestoredFrom()
	if err != nil {
		return err
	}
	if !ok {
		b.restoreChecked = true
		return nil
	}
	if !b.cfg.SMTP.CopyToMailbox.On() && len(b.cfg.SMTP.CopyFolders) == 0 {
		b.log.Warn("store restored from a backup, and no copies of sent mail are kept to check: emails sent since the backup may go again", "backup_taken", at.UTC().Format(time.RFC3339))
	} else {
		ids, err := b.ownSince(ctx, at)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrRestoreUnchecked, err)
		}
		err = b.st.Update(func(tx *store.Tx) error {
			for _, id := range ids {
				if err := tx.MarkSentSeen(id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		b.log.Info("store restored from a backup: emails sent since found in the shared mailbox and not sent again", "backup_taken", at.UTC().Format(time.RFC3339), "found", len(ids))
	}
	if err := b.st.Update(func(tx *store.Tx) error { return tx.ForgetRestore() }); err != nil {
		return err
	}
	b.restoreChecked = true
	return nil
}

// ownSince lists drpbot's own Message-IDs (its "<drp-" prefix and the
// shared mailbox's domain) in the copy folders, among messages that
// arrived since the day before at (IMAP SINCE counts whole days).
func (b *Bot) ownSince(ctx context.Context, at time.Time) ([]string, error) {
	c, err := b.dialIMAP(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	seen := map[string]bool{}
	var out []string
	for _, folder := range b.copyFolders() {
		if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
				continue // no such folder: nothing in it
			}
			return nil, err
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: at.AddDate(0, 0, -1),
			Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<drp-"}}}, nil).Wait()
		if err != nil {
			return nil, err
		}
		uids := data.AllUIDs()
		if len(uids) == 0 {
			continue
		}
		msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{Envelope: true}).Collect()
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.Envelope == nil {
				continue
			}
			id := "<" + m.Envelope.MessageID + ">"
			if strings.HasSuffix(strings.ToLower(id), "@"+b.domain+">") && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// skipSeen records as sent the rows found in the shared mailbox after a
// restore, and returns the others.
func (b *Bot) skipSeen(rows []store.OutboxRow, now time.Time) ([]store.OutboxRow, error) {
	any := false
	b.st.View(func(tx *store.Tx) error {
		for _, r := range rows {
			any = any || tx.SentSeen(r.MessageID)
		}
		return nil
	})
	if !any {
		return rows, nil
	}
	var out []store.OutboxRow
	err := b.st.Update(func(tx *store.Tx) error {
		out = out[:0]
		for _, r := range rows {
			if !tx.SentSeen(r.MessageID) {
				out = append(out, r)
				continue
			}
			done := store.Outcome{ID: r.MessageID, At: now, Delivered: r.Recipients()}
			if _, err := tx.Record(done, ""); err != nil {
				return err
			}
			if r.Ref != "" {
				if _, err := tx.AppendEvent(r.Ref, store.Event{At: now, Kind: "sent", Stage: r.Stage, MessageID: r.MessageID,
					Detail: r.Purpose + ": found in the shared mailbox, sent before the store was restored"}); err != nil {
					return err
				}
			}
			b.log.Info("email found sent before a restore; not sending again", "message_id", r.MessageID, "ref", r.Ref)
		}
		return nil
	})
	return out, err
}
