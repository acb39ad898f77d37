package mailbot

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// ImportSummary is the onboarding summary of one folder's import: what
// the history held and what needs a person now. It is emailed to the QA
// inbox once and printed by `drpbot import`. It names disputes by their
// reference and the child's case number, never the child.
type ImportSummary struct {
	Mailbox, Folder string
	// SwitchOn is when the import finished: from then on the normal rules
	// apply.
	SwitchOn time.Time
	// Counts are the import's counters (messages read, older than Since,
	// drpbot's own, redated, rejected...).
	Counts store.ImportState
	// Disputes found in the store, by how they stand.
	Disputes, Resolved, Withdrawn, Referred, Open int
	// The open ones, each in one list: waiting on a respondent in time,
	// overdue (their window lapsed before the switch-on), waiting on the
	// instigator's decision, paused, and abandoned (no activity for
	// AbandonedDays, whatever else).
	InTime, Overdue, Awaiting, Paused, Abandoned []SummaryRow
	// AbandonedDays is the inactivity that makes a dispute look abandoned.
	AbandonedDays int
	// Unreadable are the messages that could not be read.
	Unreadable []store.Reject
}

// SummaryRow is one open dispute in the summary.
type SummaryRow struct {
	Ref, ChildRef, Stage, Respondent string
	Status                           engine.Status
	Due                              workdays.Date
	// Over is how many working days past its due date it is (0 when not).
	Over int
	// LastActivity is the time of its last event.
	LastActivity time.Time
	Notes        []string
	// Reply is the one line that closes or adopts it.
	Reply string
}

func (b *Bot) buildSummary(tx *store.Tx, folder string, st store.ImportState, now time.Time) (ImportSummary, error) {
	s := ImportSummary{Mailbox: b.cfg.Mailbox, Folder: folder, SwitchOn: now, Counts: st, AbandonedDays: b.cfg.IMAP.AbandonedDays}
	if s.AbandonedDays == 0 {
		s.AbandonedDays = 90
	}
	today := workdays.In(now)
	err := tx.ForEachDispute(func(d engine.Dispute) error {
		s.Disputes++
		switch d.Status {
		case engine.Resolved:
			s.Resolved++
			return nil
		case engine.Closed:
			s.Withdrawn++
			return nil
		case engine.Referred:
			s.Referred++
			return nil
		}
		s.Open++
		evs, err := tx.Events(d.Ref)
		if err != nil {
			return err
		}
		row := SummaryRow{Ref: d.Ref, ChildRef: d.ChildRef, Stage: b.policy.StageName(d.Stage), Respondent: d.Respondent, Status: d.Status, Due: d.Due, LastActivity: d.Opened}
		for _, e := range evs {
			if e.Kind == "imported" {
				row.Notes = append(row.Notes, strings.TrimPrefix(e.Detail, "carried into the present: "))
				continue
			}
			if e.At.After(row.LastActivity) && e.Kind != "queued" {
				row.LastActivity = e.At
			}
		}
		if d.Status == engine.Open && !d.Due.IsZero() && d.Due.Before(today) {
			row.Over = b.cal.WorkingDaysBetween(d.Due, today)
		}
		tag := "[" + d.Ref + "]"
		switch {
		case now.Sub(row.LastActivity) > time.Duration(s.AbandonedDays)*24*time.Hour:
			if d.Status == engine.Responded {
				row.Reply = fmt.Sprintf("%q closes it, %q adopts it (subject %s)", "Resolved", "Escalate", tag)
			} else {
				row.Reply = fmt.Sprintf("%q closes it, %q adopts it with a new window (subject %s)", "Close", "Extend 5 days", tag)
			}
			s.Abandoned = append(s.Abandoned, row)
		case d.Status == engine.Paused:
			s.Paused = append(s.Paused, row)
		case d.Status == engine.Responded:
			row.Reply = fmt.Sprintf("%q or %q (subject %s)", "Resolved", "Escalate", tag)
			s.Awaiting = append(s.Awaiting, row)
		case row.Over > 0:
			row.Reply = fmt.Sprintf("%q moves it on, %q gives a new window (subject %s)", "Escalate", "Extend 5 days", tag)
			s.Overdue = append(s.Overdue, row)
		default:
			s.InTime = append(s.InTime, row)
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	sort.SliceStable(s.Overdue, func(i, j int) bool { return s.Overdue[i].Over > s.Overdue[j].Over })
	rejects, err := tx.Rejects()
	if err != nil {
		return s, err
	}
	for _, r := range rejects {
		if r.Folder == folder {
			s.Unreadable = append(s.Unreadable, r)
		}
	}
	return s, nil
}

// Subject is the summary email's subject.
func (s ImportSummary) Subject() string {
	return fmt.Sprintf("drpbot onboarding summary: %d disputes found, %d open, %d overdue, %d look abandoned", s.Disputes, s.Open, len(s.Overdue), len(s.Abandoned))
}

// Text is the summary as plain text, for the email and the terminal.
func (s ImportSummary) Text() string {
	var b strings.Builder
	c := s.Counts
	fmt.Fprintf(&b, "drpbot has read the history of %s (%s) and is now watching it.\n", s.Mailbox, s.Folder)
	fmt.Fprintf(&b, "Switched on %s. Nothing was sent about anything before then: no acknowledgement, reminder or escalation.\n\n", workdays.In(s.SwitchOn).UK()+" "+s.SwitchOn.In(workdays.London).Format("15:04"))
	fmt.Fprintf(&b, "Messages read: %d", c.Read)
	if !c.Since.IsZero() {
		fmt.Fprintf(&b, " (%d before %s ignored)", c.Older, workdays.In(c.Since).UK())
	}
	fmt.Fprintf(&b, "\n  read in full as dispute mail: %d; drpbot's own: %d; with a wrong Date, dated by their receipt: %d\n", c.Relevant, c.Own, c.Redated)
	fmt.Fprintf(&b, "Disputes found: %d (resolved %d, withdrawn %d, referred to Cafcass %d, open %d)\n\n", s.Disputes, s.Resolved, s.Withdrawn, s.Referred, s.Open)
	list := func(title string, rows []SummaryRow, line func(SummaryRow) string) {
		fmt.Fprintf(&b, "%s: %d\n", title, len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "  %s  %s  child %s  %s\n", r.Ref, r.Stage, r.ChildRef, line(r))
			if r.Reply != "" {
				fmt.Fprintf(&b, "      reply: %s\n", r.Reply)
			}
		}
		b.WriteString("\n")
	}
	list("Overdue (the response window lapsed before drpbot was watching; nobody else has been emailed)", s.Overdue, func(r SummaryRow) string {
		return fmt.Sprintf("respondent %s, due %s, %d working days overdue", r.Respondent, r.Due.UK(), r.Over)
	})
	list(fmt.Sprintf("Look abandoned (no activity for %d days)", s.AbandonedDays), s.Abandoned, func(r SummaryRow) string {
		return fmt.Sprintf("%s, last activity %s", r.Status, workdays.In(r.LastActivity).UK())
	})
	list("Waiting for the instigator's decision", s.Awaiting, func(r SummaryRow) string {
		return fmt.Sprintf("responded by %s", r.Respondent)
	})
	list("Open and in time (reminders and escalations from now on as usual)", s.InTime, func(r SummaryRow) string {
		return fmt.Sprintf("respondent %s, due %s", r.Respondent, r.Due.UK())
	})
	if len(s.Paused) > 0 {
		list("Paused", s.Paused, func(r SummaryRow) string { return "paused" })
	}
	fmt.Fprintf(&b, "Could not be read: %d\n", len(s.Unreadable))
	for _, r := range s.Unreadable {
		// Where it is, never what it says: the reason is in drpbot's log.
		fmt.Fprintf(&b, "  %s, message UID %d, dated %s %s\n", r.Folder, r.UID, workdays.In(r.At).UK(), r.MessageID)
	}
	fmt.Fprintf(&b, "\nTo act on a dispute, email %s with its reference in the subject and the line given on a line of its own.\n", s.Mailbox)
	return b.String()
}
