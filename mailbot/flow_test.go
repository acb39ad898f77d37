package mailbot

import (
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/store"
)

// presetPeople names, for each preset, the stage 1 and stage 2
// respondents in the test directory.
var presetPeople = map[string][2]string{
	"newham":        {"practice.lead", "service.manager"},
	"oxfordshire":   {"social.worker", "service.manager"}, // ascm
	"wakefield":     {"service.manager", "operations.director"},
	"brighton-hove": {"pod.team.manager", "service.manager"},
	"kirklees":      {"service.manager", "operations.director"}, // head_of_service
}

// TestFlow is the end-to-end walk of every preset: an IRO's alert arrives
// in the shared mailbox, time passes, the respondent is reminded, the next
// level gets the escalation in their own mailbox, that manager replies
// inline (reply all), the response is recorded, the IRO replies
// "Resolved", and the dispute is closed. Every mailbox holds exactly the
// emails it should, each once, threaded into the conversation.
func TestFlow(t *testing.T)     { runFlow(t, false) }
func TestFlowReal(t *testing.T) { runFlow(t, true) }

func runFlow(t *testing.T, real bool) {
	for _, preset := range policy.Presets() {
		t.Run(preset, func(t *testing.T) {
			w := newWorld(t, real, preset)
			p := w.bot.Policy()
			r1, r2 := addrOf(presetPeople[preset][0]), addrOf(presetPeople[preset][1])
			iro, lac := addrOf("iro"), addrOf("lac")
			s1 := p.StageName(1)
			st1, _ := p.Stage(1)
			consult := st1.LapseAction() == policy.Consult

			// Monday 2 November 2026, 09:00: the IRO raises stage 1.
			w.at(2, 9)
			alertID := "<alert-" + preset + "@drpbot.test>"
			// The council's own heading (Wakefield: "Stage 1 IRO Formal
			// Dispute Form"); the stage said once.
			subject := p.HeadingFor(1) + " - 1234567"
			if !strings.Contains(subject, s1) {
				subject = p.HeadingFor(1) + " - " + s1 + " - 1234567"
			}
			due := ""
			if st1.Days == 0 {
				// An agreed timescale (Oxfordshire stage 1): the email states it.
				due = "Response due by: 09/11/2026\n"
			}
			alert := email("Iris Reviewer <"+iro+">", []string{r1}, []string{lac}, subject, alertID, "", w.now,
				"Dear colleague,\n\nName of Child: Sam Child\nChild ID: 1234567\n"+s1+"\n"+due+"\nThe care plan is overdue.\n\nKind regards\nIris")
			w.ms.send(t, iro, []string{r1, lac}, alert)
			w.sync(t)
			var ref string
			w.bot.Store().View(func(tx *store.Tx) error {
				refs := tx.ByChild("1234567")
				if len(refs) != 1 {
					t.Fatalf("disputes for the child: %v", refs)
				}
				ref = refs[0]
				return nil
			})
			ack := w.ms.waitFor(t, iro, 1)
			if len(ack) != 1 || !strings.Contains(ack[0].Subject, "["+ref+"]") || ack[0].InReplyTo != alertID {
				t.Fatalf("acknowledgement: %+v", ack)
			}
			// Syncing again changes nothing.
			w.sync(t)
			// A stage that alerts the next level (Brighton & Hove Level 1
			// "notifies the relevant Service Manager") has told r2 already.
			r2Before := len(w.ms.inbox(t, r2))

			// One working day before the due date (Mon 9 Nov): a reminder.
			w.at(6, 9)
			w.tick(t)
			rem := w.ms.waitFor(t, r1, 2)
			if len(rem) != 2 || !strings.HasPrefix(rem[1].Subject, "Reminder: ") || rem[1].InReplyTo != alertID {
				t.Fatalf("reminder: %q", subjects(rem))
			}
			w.tick(t) // the same day again: nothing more

			// Tuesday 10 November: the window lapsed; the next level gets it,
			// by itself or, where the procedure makes the next step a
			// consultation, on the IRO's instruction.
			w.at(10, 8)
			w.tick(t)
			if consult {
				got := w.ms.waitFor(t, iro, 3) // ack, overdue copy, the lapse notice
				if len(got) != 3 || len(w.ms.inbox(t, r2)) != r2Before {
					t.Fatalf("consultation: IRO holds %q; next level %d", subjects(got), len(w.ms.inbox(t, r2)))
				}
				w.at(10, 10)
				esc := email(iro, []string{lac}, nil, "RE: "+got[2].Subject, "<escalate-"+preset+"@drpbot.test>", got[2].MessageID, w.now, "Escalate\n\nIris")
				w.ms.send(t, iro, []string{lac}, esc)
				w.sync(t)
			}
			esc := w.ms.waitFor(t, r2, r2Before+1)[r2Before:]
			if len(esc) != 1 || !strings.Contains(esc[0].Subject, p.StageName(2)) || !strings.Contains(esc[0].Subject, "["+ref+"]") {
				t.Fatalf("escalation: %q", subjects(esc))
			}
			if !strings.Contains(string(esc[0].Raw), "The care plan is overdue") {
				t.Error("the escalation does not carry the original alert")
			}
			if strings.Contains(string(esc[0].Raw), "Sam Child") {
				t.Error("the child's name left the council's mailboxes")
			}

			// The manager replies inline from their mailbox, reply-all.
			w.at(11, 14)
			reply := email(r2, []string{iro}, []string{lac, r1}, "RE: "+esc[0].Subject, "<reply-"+preset+"@drpbot.test>", esc[0].MessageID, w.now,
				"Resolved from my side: review booked.\n\nFrom: drpbot\nSent: 10 November 2026\nTo: "+r2+"\nSubject: "+esc[0].Subject+"\n\nold text")
			w.ms.send(t, r2, []string{iro, lac, r1}, reply)
			w.sync(t)
			w.bot.Store().View(func(tx *store.Tx) error {
				d, _ := tx.Dispute(ref)
				if d.Status != engine.Responded || d.Respondent != r2 {
					t.Errorf("after the response: %s %s", d.Status, d.Respondent)
				}
				return nil
			})

			// The IRO replies "Resolved".
			w.at(12, 10)
			done := email(iro, []string{r2}, []string{lac}, "RE: "+esc[0].Subject, "<resolved-"+preset+"@drpbot.test>", "<reply-"+preset+"@drpbot.test>", w.now, "Resolved\n\nThanks, Iris")
			w.ms.send(t, iro, []string{r2, lac}, done)
			w.sync(t)
			w.bot.Store().View(func(tx *store.Tx) error {
				d, _ := tx.Dispute(ref)
				if d.Status != engine.Resolved {
					t.Errorf("not resolved: %s", d.Status)
				}
				evs, _ := tx.Events(ref)
				if len(evs) < 6 {
					t.Errorf("audit trail too short: %d", len(evs))
				}
				return nil
			})
			w.at(30, 10)
			w.tick(t)
			w.sync(t)

			// Every mailbox holds exactly what it should, once each.
			// r1 (stage 1): the alert, the reminder, a copy of the
			// escalation, the manager's reply-all.
			// r2: the escalation, the IRO's "Resolved".
			// iro: ack, a copy of the escalation, the manager's reply, the
			// acknowledgement of "Resolved".
			want := map[string]int{r1: 4, r2: 2 + r2Before}
			iroWant := 4 // ack, escalation copy, manager reply, command ack
			if consult {
				want[r1]++   // the overdue notice
				iroWant += 3 // its copy, the lapse notice, the ack of "Escalate"
			}
			for addr, n := range want {
				if got := w.ms.waitFor(t, addr, n); len(got) != n { // real servers deliver asynchronously
					t.Errorf("%s holds %d emails, want %d: %q", addr, len(got), n, subjects(got))
				}
			}
			iroBox := w.ms.waitFor(t, iro, iroWant)
			counts := map[string]int{}
			for _, f := range iroBox {
				if counts[f.MessageID]++; counts[f.MessageID] > 1 {
					t.Errorf("%s received twice", f.MessageID)
				}
			}
			if len(iroBox) != iroWant {
				t.Errorf("IRO holds %d: %q", len(iroBox), subjects(iroBox))
			}
			// The shared inbox was never marked read.
			for _, f := range w.ms.inbox(t, lac) {
				if f.Seen {
					t.Errorf("drpbot marked %q read in the shared inbox", f.Subject)
				}
			}
		})
	}
}
