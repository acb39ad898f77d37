package mailbot

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"github.com/drpbot/drpbot/store"
)

// headerFields are what the first pass fetches for every new message: all
// a decision on relevance needs, a few hundred bytes a message.
var headerFields = []string{"Subject", "From", "To", "Message-ID", "In-Reply-To", "References", "Thread-Index",
	"Auto-Submitted", "Content-Type", "X-Failed-Recipients", "Precedence", "X-Autoreply", "X-MS-Exchange-Inbox-Rules-Loop", "X-Auto-Response-Suppress"}

func (b *Bot) dialIMAP(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	s := b.cfg.IMAP
	opts := &imapclient.Options{
		TLSConfig:             &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.InsecureSkipVerify, MinVersion: tls.VersionTLS12},
		WordDecoder:           &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: handler,
		Dialer:                &net.Dialer{Timeout: 30 * time.Second},
	}
	var (
		c   *imapclient.Client
		err error
	)
	switch s.Security {
	case "tls":
		c, err = imapclient.DialTLS(s.Address(), opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(s.Address(), opts)
	default:
		c, err = imapclient.DialInsecure(s.Address(), opts)
	}
	if err != nil {
		return nil, fmt.Errorf("imap: dial %s: %w", s.Address(), err)
	}
	switch s.Auth {
	case "oauth2":
		tok, terr := b.oauth.Token(ctx)
		if terr != nil {
			c.Close()
			return nil, terr
		}
		err = c.Authenticate(NewXOAUTH2Client(s.Username, tok))
	default:
		pw, perr := s.Password().Value()
		if perr != nil {
			c.Close()
			return nil, fmt.Errorf("imap password: %w", perr)
		}
		err = c.Login(s.Username, pw).Wait()
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("imap: login as %s: %w", s.Username, err)
	}
	return c, nil
}

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
		n, err := b.syncFolder(ctx, c, folder)
		total += n
		if err != nil {
			return total, err
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
func (b *Bot) syncFolder(ctx context.Context, c *imapclient.Client, folder string) (int, error) {
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
		n, err := b.importFolder(ctx, c, folder, sel, cp)
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
	fetch := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
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
			return 0, fmt.Errorf("imap: fetch headers: %w", err)
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
		return 0, fmt.Errorf("imap: fetch headers: %w", err)
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
	res, err := b.Process(raw, b.Now())
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrStore) {
		b.log.Error("could not store a message's outcome; will try again", "folder", folder, "uid", uid, "message_id", res.MessageID, "err", err)
		return err
	}
	b.Metrics.Rejected.Add(1)
	b.log.Error("message rejected", "folder", folder, "uid", uid, "message_id", res.MessageID, "err", err)
	rerr := b.st.Update(func(tx *store.Tx) error {
		if res.MessageID != "" {
			if err := tx.MarkSeen(res.MessageID, ""); err != nil {
				return err
			}
		}
		return tx.AddReject(store.Reject{Folder: folder, UIDValidity: validity, UID: uid, MessageID: res.MessageID, Error: err.Error(), At: b.Now()})
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
// has it, polling where not; after a failure it reconnects with jittered
// backoff, reset by the next successful sync, and resumes from the
// checkpoint.
func (b *Bot) Watch(ctx context.Context, folder string) {
	delay := time.Second
	for ctx.Err() == nil {
		err := b.watchOnce(ctx, folder, func() { delay = time.Second })
		if ctx.Err() != nil {
			return
		}
		wait := delay/2 + rand.N(delay)
		b.log.Warn("imap connection lost; reconnecting", "folder", folder, "err", err, "in", wait.Round(time.Millisecond).String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		delay = min(delay*2, 5*time.Minute)
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
	c, err := b.dialIMAP(ctx, handler)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		if _, err := b.syncFolder(ctx, c, folder); err != nil {
			return err
		}
		synced()
		if !b.cfg.IMAP.Idle || !c.Caps().Has(imap.CapIdle) {
			select {
			case <-ctx.Done():
				_ = c.Logout().Wait()
				return nil
			case <-c.Closed():
				return errors.New("imap: server closed the connection")
			case <-time.After(b.cfg.IMAP.PollInterval.Duration):
			}
			continue
		}
		// Mail that arrived during the sync is announced on the next
		// command: ask now, so it is not left waiting behind the IDLE.
		if err := c.Noop().Wait(); err != nil {
			return fmt.Errorf("imap: noop: %w", err)
		}
		select {
		case <-news:
			continue
		default:
		}
		idle, err := c.Idle()
		if err != nil {
			return fmt.Errorf("imap: idle: %w", err)
		}
		b.log.Debug("idle", "folder", folder)
		// RFC 2177: re-issue IDLE at least every 29 minutes; and look
		// again every poll interval all the same, for servers that hold
		// back an update that arrived between two commands.
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
			return errors.New("imap: server closed the connection")
		}
		if err := idle.Close(); err != nil {
			return fmt.Errorf("imap: idle: %w", err)
		}
		if err := idle.Wait(); err != nil {
			return fmt.Errorf("imap: idle: %w", err)
		}
		if ctx.Err() != nil {
			_ = c.Logout().Wait()
			return nil
		}
	}
}
