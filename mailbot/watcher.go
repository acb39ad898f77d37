package mailbot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/drpbot/drpbot/store"
)

// headerFields are what the first pass fetches for every new message: all
// a decision on relevance needs, a few hundred bytes a message.
var headerFields = []string{"Subject", "From", "To", "Message-ID", "In-Reply-To", "References", "Thread-Index",
	"Auto-Submitted", "Content-Type", "X-Failed-Recipients", "Precedence", "X-Autoreply", "X-MS-Exchange-Inbox-Rules-Loop", "X-Auto-Response-Suppress"}

// Sync runs one pass over every configured folder and returns how many
// messages it handled. It is `drpbot sync`, and what the watcher does on
// each wake-up.
func (b *Bot) Sync(ctx context.Context) (int, error) {
	c, err := b.dialIMAP(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	total := 0
	for _, folder := range b.cfg.IMAP.Folders {
		select {
		case <-c.Closed():
			// A retried header pass (syncFolder) left it closed.
			if c, err = b.dialIMAP(ctx, nil); err != nil {
				return total, err
			}
			defer c.Close()
		default:
		}
		n, err := b.syncFolder(ctx, c.Client, folder)
		total += n
		if err != nil {
			return total, c.wrap(err)
		}
	}
	_ = c.Logout().Wait()
	return total, nil
}

type candidate struct {
	item     bodyItem
	relevant bool
}

// syncFolder reads the folder read-only (EXAMINE, BODY.PEEK: the shared
// inbox's mail is never marked read, moved or deleted), from the
// checkpoint on. Cheap headers first for every new message; the body only
// for mail that concerns a dispute.
//
// A server that cannot describe one message's structure (go-imap's memory
// server writes an empty multipart for a part whose header is broken)
// breaks the whole header FETCH and the connection with it. A malformed
// message must never stop a sync, so the pass is run once more on a new
// connection without BODYSTRUCTURE: each relevant body is then fetched
// whole, and the malformed message is recorded as a reject and skipped.
func (b *Bot) syncFolder(ctx context.Context, c *imapclient.Client, folder string) (int, error) {
	n, err := b.syncFolderWith(ctx, c, folder, true)
	if !errors.Is(err, errHeaderFetch) || ctx.Err() != nil {
		return n, err
	}
	b.log.Warn("the header fetch failed; reading the new mail again without body structures", "folder", folder, "err", err)
	c2, derr := b.dialIMAP(ctx, nil)
	if derr != nil {
		return n, fmt.Errorf("%w (and reconnecting: %v)", err, derr)
	}
	defer c2.Close()
	m, err := b.syncFolderWith(ctx, c2.Client, folder, false)
	if err != nil {
		return n + m, c2.wrap(err)
	}
	_ = c2.Logout().Wait()
	return n + m, nil
}

// errHeaderFetch marks a failed header pass, which syncFolder retries.
var errHeaderFetch = errors.New("imap: fetch headers")

// structureOption asks for BODYSTRUCTURE, or for nothing when structure is
// false (syncFolder's retry).
func structureOption(structure bool) *imap.FetchItemBodyStructure {
	if !structure {
		return nil
	}
	return &imap.FetchItemBodyStructure{Extended: true}
}

// syncFolderWith is one pass of syncFolder, with or without BODYSTRUCTURE.
func (b *Bot) syncFolderWith(ctx context.Context, c *imapclient.Client, folder string, structure bool) (int, error) {
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap: examine %s: %w", folder, err)
	}
	var cp store.Checkpoint
	if err := b.st.View(func(tx *store.Tx) error { cp, err = tx.Checkpoint(folder); return err }); err != nil {
		return 0, err
	}
	if cp.Import != nil || (cp.UIDValidity == 0 && cp.LastUID == 0) {
		// Never read before, or its import was interrupted: the
		// folder's history is imported, and nothing about it is sent.
		if cp.Import != nil && cp.UIDValidity != sel.UIDValidity {
			cp.Import.At, cp.Import.UID = time.Time{}, 0 // renumbered: from the start again
		}
		cp.UIDValidity = sel.UIDValidity
		n, err := b.importFolder(ctx, c, folder, sel, cp, structure)
		if err == nil {
			b.Metrics.LastSync.Store(b.Now().Unix())
		}
		return n, err
	}
	if cp.UIDValidity != sel.UIDValidity {
		// The server renumbered the folder: read it again from the
		// start; Message-IDs already seen change nothing.
		b.log.Warn("UIDVALIDITY changed; rereading the folder", "folder", folder, "old", cp.UIDValidity, "new", sel.UIDValidity)
		cp = store.Checkpoint{UIDValidity: sel.UIDValidity}
		if err := b.st.Update(func(tx *store.Tx) error { return tx.SetCheckpoint(folder, cp) }); err != nil {
			return 0, err
		}
	}
	b.Metrics.LastSync.Store(b.Now().Unix())
	b.log.Debug("examine", "folder", folder, "messages", sel.NumMessages, "uidnext", uint32(sel.UIDNext), "checkpoint", cp.LastUID)
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= cp.LastUID+1) {
		return 0, nil // nothing new: one EXAMINE, whatever the folder's size
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(cp.LastUID+1), 0)
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: headerFields, Peek: true}
	fetch := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, BodyStructure: structureOption(structure),
		BodySection: []*imap.FetchItemBodySection{hdr}})
	var cands []candidate
	for {
		msg := fetch.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			fetch.Close()
			return 0, fmt.Errorf("%w: %w", errHeaderFetch, err)
		}
		if uint32(buf.UID) <= cp.LastUID {
			continue // "n:*" returns the last message even when n is past it
		}
		cands = append(cands, candidate{item: bodyItem{uid: buf.UID, size: buf.RFC822Size, bs: buf.BodyStructure}, relevant: b.relevant(buf.FindBodySection(hdr))})
		if len(cands)%1000 == 0 {
			// A first sync of years of mail takes a while: say how far.
			b.log.Info("reading headers", "folder", folder, "messages", len(cands), "of_about", sel.NumMessages)
		}
	}
	if err := fetch.Close(); err != nil {
		return 0, fmt.Errorf("%w: %w", errHeaderFetch, err)
	}
	handled := 0
	for i := 0; i < len(cands); {
		if ctx.Err() != nil {
			return handled, ctx.Err()
		}
		// Bodies in small batches, in UID order; attachments never.
		var items []bodyItem
		j := i
		for ; j < len(cands) && len(items) < bodyBatch; j++ {
			if cands[j].relevant {
				items = append(items, cands[j].item)
			}
		}
		var bodies map[imap.UID][]byte
		if len(items) > 0 {
			var err error
			if bodies, err = fetchBodies(c, items); err != nil {
				return handled, err
			}
		}
		for _, cand := range cands[i:j] {
			if raw, ok := bodies[cand.item.uid]; ok {
				if err := b.handleRaw(folder, cp.UIDValidity, uint32(cand.item.uid), raw); err != nil {
					// Not skipped: the checkpoint stays before this batch
					// and the next pass tries again (what was handled
					// already is recognised by its Message-ID).
					return handled, err
				}
				handled++
			}
		}
		last := uint32(cands[j-1].item.uid)
		if err := b.st.Update(func(tx *store.Tx) error {
			return tx.SetCheckpoint(folder, store.Checkpoint{UIDValidity: cp.UIDValidity, LastUID: last})
		}); err != nil {
			return handled, err
		}
		if len(cands) > 1000 && (j/1000 != i/1000 || j == len(cands)) {
			b.log.Info("sync progress", "folder", folder, "done", j, "of", len(cands), "dispute_mail", handled)
		}
		i = j
	}
	return handled, nil
}

// handleRaw processes one message. A message that cannot be handled is
// logged without its body, recorded as a reject, and skipped; a failure to
// store is returned, so that the message is tried again and never lost.
func (b *Bot) handleRaw(folder string, validity, uid uint32, raw []byte) error {
	b.checkInstance(folder, uid, raw)
	res, err := b.Process(raw, b.Now())
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrStore) {
		b.log.Error("could not store a message's outcome; will try again", "folder", folder, "uid", uid, "message_id", res.MessageID, "err", err)
		return err
	}
	b.Metrics.Rejected.Add(1)
	// The error may quote the message (a header line, say): only its kind
	// and position are kept.
	why := safeErr(err, raw)
	b.log.Error("message rejected", "folder", folder, "uid", uid, "message_id", res.MessageID, "err", why)
	rerr := b.st.Update(func(tx *store.Tx) error {
		if res.MessageID != "" {
			if err := tx.MarkSeen(res.MessageID, ""); err != nil {
				return err
			}
		}
		return tx.AddReject(store.Reject{Folder: folder, UIDValidity: validity, UID: uid, MessageID: res.MessageID, Error: why, At: b.Now()})
	})
	if rerr != nil {
		return fmt.Errorf("%w: recording a reject: %v", ErrStore, rerr)
	}
	return nil
}

// relevant decides from headers alone whether a message may concern a
// dispute: a heading or tag in the subject, a thread or conversation drpbot
// knows, a bounce, or a Status/Help query.
func (b *Bot) relevant(header []byte) bool {
	defer b.readLive()()
	m, _ := b.parser.ParseBytes(header)
	if m == nil {
		return true // cannot tell: let Process decide and record it
	}
	if m.Heading != "" || m.Tag != "" || m.Bounce || m.Command == "status" || m.Command == "help" {
		return true
	}
	known := false
	_ = b.st.View(func(tx *store.Tx) error {
		for _, id := range append(m.InReplyTo, m.References...) {
			if ref, ok := tx.Seen(id); ok && ref != "" {
				known = true
				return nil
			}
		}
		if m.Conversation != "" {
			_, known = tx.Conversation(m.Conversation)
		}
		return nil
	})
	return known
}

// Watch keeps one folder in sync until ctx ends: IDLE where the server
// has it, polling where not. Every command is bounded by imap.timeout, and
// an IDLE is ended and the folder looked at again every poll interval, so
// a hung server is noticed within the two. After a failure it reconnects
// with a jittered wait, doubling from a second to about a minute and reset
// by the next successful sync; after a refused login the waits start at
// five minutes (see defaultBackoff). It resumes from the checkpoint.
func (b *Bot) Watch(ctx context.Context, folder string) {
	bo := b.backoffPolicy()
	failed, refused := 0, 0 // in a row
	for ctx.Err() == nil {
		err := b.watchOnce(ctx, folder, func() {
			failed, refused = 0, 0
			b.imapOK(folder)
		})
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("imap: session ended")
		}
		var wait time.Duration
		if b.imapFailed(folder, err) == kindLoginRefused {
			refused++
			wait = bo.wait(true, refused)
		} else {
			failed++
			wait = bo.wait(false, failed)
		}
		wait = jitter(wait)
		b.log.Info("imap: reconnecting", "folder", folder, "in", wait.Round(time.Millisecond).String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (b *Bot) watchOnce(ctx context.Context, folder string, synced func()) error {
	news := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case news <- struct{}{}:
				default:
				}
			}
		},
	}
	conn, err := b.dialIMAP(ctx, handler)
	if err != nil {
		return err
	}
	defer conn.Close()
	c := conn.Client
	for {
		if _, err := b.syncFolder(ctx, c, folder); err != nil {
			return conn.wrap(err)
		}
		synced()
		if !b.cfg.IMAP.Idle || !c.Caps().Has(imap.CapIdle) {
			select {
			case <-ctx.Done():
				_ = conn.bounded(func() error { return c.Logout().Wait() })
				return nil
			case <-c.Closed():
				return conn.wrap(errors.New("imap: server closed the connection"))
			case <-time.After(b.cfg.IMAP.PollInterval.Duration):
			}
			continue
		}
		// Mail that arrived during the sync is announced on the next
		// command: ask now, so it is not left waiting behind the IDLE.
		if err := conn.bounded(func() error { return c.Noop().Wait() }); err != nil {
			return fmt.Errorf("imap: noop: %w", err)
		}
		select {
		case <-news:
			continue
		default:
		}
		var idle *imapclient.IdleCommand
		if err := conn.bounded(func() (err error) { idle, err = c.Idle(); return err }); err != nil {
			return fmt.Errorf("imap: idle: %w", err)
		}
		b.log.Debug("idle", "folder", folder)
		// RFC 2177: re-issue IDLE at least every 29 minutes; and look
		// again every poll interval all the same, for servers that hold
		// back an update that arrived between two commands, and so that a
		// server that hangs mid-IDLE (it says nothing either way) is found
		// out: the DONE that ends the IDLE is a command like any other,
		// and unanswered for imap.timeout it drops the connection.
		timer := time.NewTimer(min(25*time.Minute, max(b.cfg.IMAP.PollInterval.Duration, time.Second)))
		var closed bool
		select {
		case <-ctx.Done():
		case <-news:
		case <-timer.C:
		case <-c.Closed():
			closed = true
		}
		timer.Stop()
		b.log.Debug("idle woke", "folder", folder, "closed", closed)
		if closed {
			return conn.wrap(errors.New("imap: server closed the connection"))
		}
		if err := conn.bounded(func() error {
			if err := idle.Close(); err != nil {
				return err
			}
			return idle.Wait()
		}); err != nil {
			return fmt.Errorf("imap: idle: %w", err)
		}
		if ctx.Err() != nil {
			_ = conn.bounded(func() error { return c.Logout().Wait() })
			return nil
		}
	}
}
