package mailbot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
)

// The import: the first read of a folder, over a shared inbox that may
// already hold years of mail. Every message is read in date order with its
// own date and replayed through the engine, so each dispute's timeline is
// rebuilt as it happened; nothing that happened, or should have happened,
// before the switch-on is sent. No time passes inside the import (no tick
// is simulated in the past: a dispute stays at the stage people actually
// took it to). At the end, open disputes are carried into the present as
// they stand, and the QA inbox gets one onboarding summary saying what was
// found, what is overdue and what looks abandoned.
//
// The import commits a batch of messages a transaction (one disk sync a
// batch) together with how far it has come, so one killed at any moment
// resumes at the last batch boundary and ends in the same store; messages
// already imported are recognised by their Message-ID, so a second run
// changes nothing.

// importBatchSize is how many messages of the history one transaction
// takes (a variable for the tests).
var importBatchSize = 200

// importHeaderFields adds to headerFields what dates a message.
var importHeaderFields = append(append([]string(nil), headerFields...), "Date", "Received")

// histMsg is one message of the history, as its header says.
type histMsg struct {
	item     bodyItem
	at       time.Time // its date, checked against Received / INTERNALDATE
	id       string
	refs     []string
	conv     string
	direct   bool // relevant by itself: a heading, tag, bounce or query
	relevant bool
	own      bool
}

func (h histMsg) before(at time.Time, uid uint32) bool {
	if !h.at.Equal(at) {
		return h.at.Before(at)
	}
	return uint32(h.item.uid) <= uid
}

// checkedDate places a message in time. The Date header is the sender's
// clock; the topmost Received header (RFC 5322 3.6.7: prepended by each
// server, so the first is the last hop, the council's own server) and the
// server's INTERNALDATE (RFC 3501 2.3.3) are the receiving side's. A Date
// after the message was received, or more than a week before it, is wrong
// and the receipt time is used. INTERNALDATE alone only corrects a Date in
// its future: a mailbox migrated to a new server has every INTERNALDATE
// set to the day of the move, years after a right Date.
func checkedDate(date, received, internal time.Time) (time.Time, bool) {
	switch {
	case !received.IsZero():
		if date.IsZero() || date.After(received.Add(time.Hour)) || date.Before(received.Add(-7*24*time.Hour)) {
			return received, true
		}
	case !internal.IsZero():
		if date.IsZero() || date.After(internal.Add(time.Hour)) {
			return internal, true
		}
	}
	return date, false
}

// importFolder imports a folder's history, or resumes an interrupted
// import, and returns how many messages went to a dispute.
func (b *Bot) importFolder(ctx context.Context, c *imapclient.Client, folder string, sel *imap.SelectData, cp store.Checkpoint, structure bool) (int, error) {
	b.importing.Add(1)
	defer b.importing.Add(-1)
	if cp.Import == nil {
		cp.Import = &store.ImportState{Started: b.Now().UTC(), Since: b.importSince()}
		if err := b.st.Update(func(tx *store.Tx) error { return tx.SetCheckpoint(folder, cp) }); err != nil {
			return 0, err
		}
		b.log.Info("importing the folder's history", "folder", folder, "messages", sel.NumMessages, "since", cp.Import.Since)
	} else {
		b.log.Info("resuming the import of the folder's history", "folder", folder, "imported", cp.Import.Processed)
	}
	st := *cp.Import
	hist, maxUID, err := b.readHistory(c, folder, sel, &st, structure)
	if err != nil {
		return 0, err
	}
	var todo []histMsg
	for _, h := range hist {
		if st.At.IsZero() || !h.before(st.At, st.UID) {
			todo = append(todo, h)
		}
	}
	// Bodies are fetched one batch ahead of the one being stored: the
	// network and the server work while the engine and the disk do.
	batches := splitBatches(todo)
	type fetchedBatch struct {
		raws map[imap.UID][]byte
		err  error
	}
	done := make(chan struct{})
	defer close(done)
	ahead := make(chan fetchedBatch, 1)
	go func() {
		for _, batch := range batches {
			var items []bodyItem
			for _, h := range batch {
				if h.relevant && !h.own {
					items = append(items, h.item)
				}
			}
			var fb fetchedBatch
			for i := 0; i < len(items) && fb.err == nil; i += bodyBatch {
				var raws map[imap.UID][]byte
				raws, fb.err = fetchBodies(c, items[i:min(i+bodyBatch, len(items))])
				if fb.raws == nil {
					fb.raws = raws
				} else {
					for k, v := range raws {
						fb.raws[k] = v
					}
				}
			}
			select {
			case ahead <- fb:
			case <-done:
				return
			}
			if fb.err != nil {
				return
			}
		}
	}()
	handled := 0
	for i, batch := range batches {
		if ctx.Err() != nil {
			return handled, ctx.Err()
		}
		fb := <-ahead
		if fb.err != nil {
			return handled, fb.err
		}
		n, err := b.importBatch(folder, sel.UIDValidity, batch, fb.raws, &st)
		handled += n
		if err != nil {
			return handled, err
		}
		if len(batches) > 5 && (i%5 == 4 || i == len(batches)-1) {
			b.log.Info("import progress", "folder", folder, "batch", i+1, "of", len(batches), "dispute_mail", st.Processed)
		}
	}
	sum, err := b.finishImport(folder, sel.UIDValidity, maxUID, st)
	if err != nil {
		return handled, err
	}
	b.importMu.Lock()
	b.imported = append(b.imported, sum)
	b.importMu.Unlock()
	b.ring()
	return handled, nil
}

// importSince is the oldest date an import reads: Import's --since, else
// [imap] start.
func (b *Bot) importSince() time.Time {
	if !b.since.IsZero() {
		return b.since
	}
	if !b.cfg.IMAP.Start.IsZero() {
		return b.cfg.IMAP.Start.Time()
	}
	return time.Time{}
}

// readHistory reads every message's header, date and structure, sorts
// them into date order and decides which may concern a dispute. It sets
// the counters that depend only on the headers, so that a resumed import
// counts exactly as an uninterrupted one.
func (b *Bot) readHistory(c *imapclient.Client, folder string, sel *imap.SelectData, st *store.ImportState, structure bool) ([]histMsg, uint32, error) {
	var hist []histMsg
	var maxUID uint32
	st.Read, st.Older, st.Own, st.Redated = 0, 0, 0, 0
	if sel.NumMessages == 0 {
		return nil, 0, nil
	}
	var headings []string
	for _, h := range b.cfg.ParserOptions().Headings {
		headings = append(headings, strings.ToLower(h))
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: importHeaderFields, Peek: true}
	fetch := c.Fetch(all, &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true,
		BodyStructure: structureOption(structure), BodySection: []*imap.FetchItemBodySection{hdr}})
	for {
		msg := fetch.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			fetch.Close()
			return nil, 0, fmt.Errorf("%w: %w", errHeaderFetch, err)
		}
		maxUID = max(maxUID, uint32(buf.UID))
		raw := buf.FindBodySection(hdr)
		h := histMsg{item: bodyItem{uid: buf.UID, size: buf.RFC822Size, bs: buf.BodyStructure}}
		sc := scanHeader(raw, headings)
		if sc.ok && (sc.from != "" || sc.id != "") {
			h.id, h.conv, h.refs, h.direct = sc.id, sc.conv, sc.refs, sc.direct
			h.own = b.ownMailOf(sc)
		} else {
			h.direct = true // cannot tell: let the engine's side decide and record it
		}
		var redated bool
		h.at, redated = checkedDate(sc.date, sc.received, buf.InternalDate)
		h.at = h.at.UTC()
		st.Read++
		if !st.Since.IsZero() && h.at.Before(st.Since) {
			st.Older++
			continue
		}
		if redated {
			st.Redated++
		}
		if h.own {
			st.Own++
		}
		hist = append(hist, h)
		if st.Read%2000 == 0 {
			b.log.Info("reading headers", "folder", folder, "messages", st.Read, "of_about", sel.NumMessages)
		}
	}
	if err := fetch.Close(); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", errHeaderFetch, err)
	}
	sort.SliceStable(hist, func(i, j int) bool {
		if !hist[i].at.Equal(hist[j].at) {
			return hist[i].at.Before(hist[j].at)
		}
		return hist[i].item.uid < hist[j].item.uid
	})
	// Relevance from the headers alone, in date order: an alert (or
	// anything with a heading, tag, bounce or query) is, and so is every
	// message that answers one that is (References, In-Reply-To,
	// Exchange's conversation), or a thread the store already knows.
	known := map[string]bool{}
	convs := map[string]bool{}
	err := b.st.View(func(tx *store.Tx) error {
		for i := range hist {
			h := &hist[i]
			rel := h.direct
			for _, id := range h.refs {
				if rel {
					break
				}
				if known[id] {
					rel = true
				} else if ref, ok := tx.Seen(id); ok && ref != "" {
					rel = true
				}
			}
			if !rel && h.conv != "" {
				if convs[h.conv] {
					rel = true
				} else if _, ok := tx.Conversation(h.conv); ok {
					rel = true
				}
			}
			if rel {
				h.relevant = true
				if h.id != "" {
					known[h.id] = true
				}
				if h.conv != "" {
					convs[h.conv] = true
				}
			}
		}
		return nil
	})
	return hist, maxUID, err
}

// splitBatches cuts the history into batches of importBatchSize messages
// that need a body (any number of others between them).
func splitBatches(todo []histMsg) [][]histMsg {
	var out [][]histMsg
	start, n := 0, 0
	for i, h := range todo {
		if h.relevant && !h.own {
			n++
		}
		if n == importBatchSize || i == len(todo)-1 {
			out = append(out, todo[start:i+1])
			start, n = i+1, 0
		}
	}
	return out
}

type parsed struct {
	h   histMsg
	m   *parser.Message
	v   Verdict // what the council's server vouched for (trust.go)
	raw []byte  // for errors reduced to their kind (safeErr), never logged
	err error   // unreadable
}

// importBatch stores one batch of the history in one transaction with the
// import's new position. If a message in it cannot be handled, the batch
// is done again a message a transaction, the failing one recorded as a
// reject.
func (b *Bot) importBatch(folder string, validity uint32, batch []histMsg, raws map[imap.UID][]byte, st *store.ImportState) (int, error) {
	// Parsing is pure CPU: done before the write transaction opens.
	var ps []parsed
	for _, h := range batch {
		if !h.relevant || h.own {
			continue
		}
		raw := raws[h.item.uid]
		if len(raw) == 0 {
			ps = append(ps, parsed{h: h, err: fmt.Errorf("%w: the server returned no body", ErrUnhandled)})
			continue
		}
		b.Metrics.Seen.Add(1)
		m, perr := b.parser.ParseBytes(raw)
		if m == nil {
			ps = append(ps, parsed{h: h, raw: raw, err: fmt.Errorf("%w: %w", ErrUnhandled, perr)})
			continue
		}
		if m.MessageID == "" {
			sum := sha256.Sum256(raw)
			m.MessageID = "<sha256-" + hex.EncodeToString(sum[:12]) + "@drpbot.invalid>"
		}
		ps = append(ps, parsed{h: h, m: m, v: newTrustRule(b.cfg).judge(raw, m.From), raw: raw})
	}
	last := batch[len(batch)-1]
	next := *st
	next.At, next.UID = last.at, uint32(last.item.uid)
	next.Relevant = st.Relevant + len(ps)
	handled := 0
	err := b.st.Update(func(tx *store.Tx) error {
		handled = 0
		for _, p := range ps {
			if p.err != nil {
				return p.err
			}
			res, err := b.replay(tx, p.m, p.v, p.h.at)
			if err != nil {
				return err
			}
			if res.Ref != "" && !res.Duplicate {
				handled++
			}
		}
		next.Processed = st.Processed + handled
		if b.inImportBatch != nil {
			b.inImportBatch(next.Processed)
		}
		return tx.SetCheckpoint(folder, store.Checkpoint{UIDValidity: validity, Import: &next})
	})
	if err == nil {
		*st = next
		return handled, nil
	}
	if !errors.Is(err, ErrUnhandled) && !errors.Is(err, ErrPanic) {
		return 0, fmt.Errorf("%w: %w", ErrStore, err)
	}
	// One message spoils the batch: a transaction each, so the others
	// are kept and the bad one is recorded and skipped.
	handled = 0
	for i, p := range ps {
		cur := *st
		pos := p.h
		if i == len(ps)-1 {
			pos = last
		}
		cur.At, cur.UID = pos.at, uint32(pos.item.uid)
		n := 0
		err := b.st.Update(func(tx *store.Tx) error {
			n = 0
			cur.Relevant = st.Relevant + 1
			cur.Rejected = st.Rejected
			perr := p.err
			if perr == nil {
				res, err := b.replay(tx, p.m, p.v, p.h.at)
				if err != nil && !errors.Is(err, ErrUnhandled) && !errors.Is(err, ErrPanic) {
					return err
				}
				perr = err
				if err == nil && res.Ref != "" && !res.Duplicate {
					n = 1
				}
			}
			if perr != nil {
				cur.Rejected++
				if err := b.recordReject(tx, folder, validity, p, perr); err != nil {
					return err
				}
			}
			cur.Processed = st.Processed + n
			return tx.SetCheckpoint(folder, store.Checkpoint{UIDValidity: validity, Import: &cur})
		})
		if err != nil {
			return handled, fmt.Errorf("%w: %w", ErrStore, err)
		}
		*st = cur
		handled += n
	}
	if len(ps) == 0 {
		*st = next
	}
	return handled, nil
}

// recordReject records a message of the history that could not be read:
// its place and Message-ID, never its body.
func (b *Bot) recordReject(tx *store.Tx, folder string, validity uint32, p parsed, perr error) error {
	b.Metrics.Rejected.Add(1)
	id := p.h.id
	if p.m != nil {
		id = p.m.MessageID
	}
	why := safeErr(perr, p.raw) // its kind and place, never the message's text
	b.log.Error("message rejected", "folder", folder, "uid", uint32(p.h.item.uid), "message_id", id, "err", why)
	if id != "" {
		if err := tx.MarkSeen(id, ""); err != nil {
			return err
		}
	}
	return tx.AddReject(store.Reject{Folder: folder, UIDValidity: validity, UID: uint32(p.h.item.uid), MessageID: id, Error: why, At: p.h.at})
}

// replay applies one message of the history at its own date, inside tx,
// and sends nothing: whatever it caused then is history.
func (b *Bot) replay(tx *store.Tx, m *parser.Message, v Verdict, at time.Time) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			b.Metrics.Panics.Add(1)
			b.log.Error("message handler panicked", "message_id", m.MessageID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	if _, seen := tx.Seen(m.MessageID); seen {
		return Result{MessageID: m.MessageID, Duplicate: true}, nil
	}
	res, err = b.handle(tx, m, v, at, true)
	res.MessageID = m.MessageID
	if err != nil {
		return res, err
	}
	if res.threadless {
		// As Process: a stranger's or an unauthenticated message never
		// leads a reply to its dispute.
		return res, tx.MarkSeen(m.MessageID, "")
	}
	return res, tx.MarkSeen(m.MessageID, res.Ref)
}

// Importing reports whether an import is under way in this process.
func (b *Bot) Importing() bool { return b.importing.Load() > 0 }

// Imported returns the summaries of the imports this process finished.
func (b *Bot) Imported() []ImportSummary {
	b.importMu.Lock()
	defer b.importMu.Unlock()
	return append([]ImportSummary(nil), b.imported...)
}

// Import reads every folder's history as `drpbot import` does: a folder
// never read before is imported (since, when not zero, skips older mail),
// an interrupted import resumes, and a folder already imported only has
// its new mail read. It returns the summaries of the imports it finished.
func (b *Bot) Import(ctx context.Context, since time.Time) ([]ImportSummary, int, error) {
	b.since = since
	defer func() { b.since = time.Time{} }()
	n, err := b.Sync(ctx)
	return b.Imported(), n, err
}

// carry brings an imported open dispute into the present as it stands,
// without sending anything or moving it on: a response window that lapsed
// while nobody watched is marked as acted on (the onboarding summary tells
// the QA inbox, once), as are a decision reminder and the 20-day cap
// notices that fell due in the past. Reminders before a due date still
// ahead are left to the normal rules.
func (b *Bot) carry(d engine.Dispute, now time.Time) (engine.Dispute, []string) {
	var notes []string
	today := workdays.In(now)
	if d.Status == engine.Open && !d.Due.IsZero() && !d.Lapsed && !now.Before(d.Due.End()) {
		d.Lapsed = true
		notes = append(notes, "response window lapsed on "+d.Due.UK()+" before drpbot was switched on")
	}
	if d.Status == engine.Responded && !d.DecisionDue.IsZero() && !d.DecisionReminded && !now.Before(d.DecisionDue.End()) {
		d.DecisionReminded = true
		notes = append(notes, "the instigator's decision was due on "+d.DecisionDue.UK())
	}
	if total := b.policy.TotalDays; total > 0 && !d.FormalStart.IsZero() && d.Status != engine.Paused {
		used := b.cal.WorkingDaysBetween(workdays.In(d.FormalStart), today) - d.PausedDays
		if !d.CapWarned && used >= total-b.policy.CapWarnDays {
			d.CapWarned = true
		}
		if !d.CapPassed && used > total {
			d.CapPassed = true
			notes = append(notes, fmt.Sprintf("%d of the procedure's %d working days used", used, total))
		}
	}
	return d, notes
}

// finishImport carries the open disputes into the present, queues the
// onboarding summary to the QA inbox and ends the import, in one
// transaction.
func (b *Bot) finishImport(folder string, validity, maxUID uint32, st store.ImportState) (ImportSummary, error) {
	now := b.Now()
	var sum ImportSummary
	err := b.st.Update(func(tx *store.Tx) error {
		var open []engine.Dispute
		if err := tx.ForEachOpenBrief(func(d engine.Dispute) error { open = append(open, d); return nil }); err != nil {
			return err
		}
		for _, brief := range open {
			d, err := tx.Dispute(brief.Ref)
			if err != nil {
				return err
			}
			nd, notes := b.carry(d, now)
			if len(notes) > 0 {
				if err := tx.PutDispute(nd, engine.NextAction(nd, b.env(now))); err != nil {
					return err
				}
				ev := store.Event{At: now, Kind: "imported", Stage: nd.Stage, Detail: "carried into the present: " + strings.Join(notes, "; ") + " (told to the QA inbox in the onboarding summary; nothing sent)"}
				if _, err := tx.AppendEvent(nd.Ref, ev); err != nil {
					return err
				}
			}
		}
		var err error
		sum, err = b.buildSummary(tx, folder, st, now)
		if err != nil {
			return err
		}
		if len(b.cfg.Directory.QA) > 0 && st.Read > 0 {
			// An empty folder has no history to tell of.
			row := store.OutboxRow{MessageID: store.ServiceMessageID("onboarding", fmt.Sprintf("%s.%d", addrKey(strings.ToLower(folder)), validity), b.domain),
				Purpose: "onboarding", To: b.cfg.Directory.QA, Subject: sum.Subject(), Text: sum.Text(), Created: now}
			if err := tx.AddOutbox(row); err != nil && !errors.Is(err, store.ErrDuplicate) {
				return err
			}
		}
		return tx.SetCheckpoint(folder, store.Checkpoint{UIDValidity: validity, LastUID: maxUID})
	})
	if err != nil {
		return sum, fmt.Errorf("%w: %w", ErrStore, err)
	}
	b.log.Info("import done", "folder", folder, "messages", st.Read, "dispute_mail", st.Processed, "disputes", sum.Disputes, "open", sum.Open, "overdue", len(sum.Overdue), "abandoned", len(sum.Abandoned), "unreadable", len(sum.Unreadable))
	return sum, nil
}
