package mailbot

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/workdays"
	"github.com/drpbot/drpbot/store"
)

// Guarantees pinned so that a small change that breaks one fails a test
// (each was planted as a bug in a copy and went unnoticed before).

// TestResponseOnDueDateIsInTime: a response window of N working days ends
// at the end of the Nth day ("within 5 working days", Newham PSP s7), so a
// response on the due date itself, late in the evening, is in time; one
// just after midnight is late. "How many responses came in time" is a
// figure of the statutory quarterly report.
func TestResponseOnDueDateIsInTime(t *testing.T) {
	w := newWorld(t, false, "newham")
	w.at(2, 9) // Monday 2 November 2026
	onTime := raise(t, w, "<due1@drpbot.test>", "3100001")
	late := raise(t, w, "<due2@drpbot.test>", "3100002")
	d := dispute(t, w, "3100001")
	if d.Due.String() != "2026-11-09" {
		t.Fatalf("due %s, want 2026-11-09 (5 working days after Monday 2 November)", d.Due)
	}
	respond := func(id, child, parent string) {
		m := email(addrOf("practice.lead"), []string{addrOf("iro")}, []string{addrOf("lac")}, "RE: Dispute Resolution Alert - Stage 1 - "+child, id, parent, w.now, "We will review the plan this week.")
		w.ms.send(t, addrOf("practice.lead"), []string{addrOf("iro"), addrOf("lac")}, m)
		w.sync(t)
	}
	w.now = time.Date(2026, 11, 9, 23, 30, 0, 0, workdays.London) // the due date itself
	respond("<due1r@drpbot.test>", "3100001", "<due1@drpbot.test>")
	w.now = time.Date(2026, 11, 10, 0, 30, 0, 0, workdays.London) // the next day
	respond("<due2r@drpbot.test>", "3100002", "<due2@drpbot.test>")

	for _, c := range []struct {
		child, ref string
		inTime     bool
	}{{"3100001", onTime, true}, {"3100002", late, false}} {
		d := dispute(t, w, c.child)
		if d.Status != engine.Responded || len(d.History) == 0 {
			t.Fatalf("%s: status %s, history %d", c.ref, d.Status, len(d.History))
		}
		if h := d.History[len(d.History)-1]; h.InTime != c.inTime {
			t.Errorf("%s: response at %s counted in time %v, want %v (due %s)", c.ref, h.Responded.In(workdays.London).Format(time.DateTime), h.InTime, c.inTime, h.Due)
		}
	}
	q, _ := Quarter("2026Q4")
	var r Report
	w.bot.Store().View(func(tx *store.Tx) error {
		var err error
		r, err = BuildReport(tx, w.bot.Policy(), w.bot.Calendar(), w.bot.Directory(), q, w.now)
		return err
	})
	var md strings.Builder
	r.WriteMarkdown(&md)
	if want := "| Stage 1 | 1 | 1 | 0 | 50 |"; !strings.Contains(md.String(), want) { // in time, late, none, % in time
		t.Errorf("report lacks %q:\n%s", want, md.String())
	}
}

// TestRepeatedInstructionsAreHandledOnce: an instruction is applied once,
// by its Message-ID, however often the message is read again: copied into
// a second watched folder, or reread because the folder's UIDVALIDITY
// changed (a repaired or rebuilt mailbox; here a folder deleted and made
// again, and a checkpoint the server no longer matches). "Extend 2 days"
// and "Escalate" are used because, unlike a repeated alert, the engine
// does not absorb them: each application moves the due date or the stage.
func TestRepeatedInstructionsAreHandledOnce(t *testing.T)     { repeatedInstructions(t, false) }
func TestRepeatedInstructionsAreHandledOnceReal(t *testing.T) { repeatedInstructions(t, true) }

func repeatedInstructions(t *testing.T, real bool) {
	w := newWorld(t, real, "newham")
	w.cfg.IMAP.Folders = []string{"INBOX", "Filed"}
	mkFolder := func() uint32 {
		c := w.ms.login(t, addrOf("lac"))
		defer c.Close()
		c.Delete("Filed").Wait()
		if err := c.Create("Filed", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		sel, err := c.Select("Filed", &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		return sel.UIDValidity
	}
	t.Cleanup(func() {
		if real {
			c := w.ms.login(t, addrOf("lac"))
			c.Delete("Filed").Wait()
			c.Close()
		}
	})
	v1 := mkFolder()
	w.at(2, 9)
	raise(t, w, "<rep1@drpbot.test>", "3200001")
	raise(t, w, "<rep2@drpbot.test>", "3200002")

	w.at(3, 10)
	extend := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 3200001", "<rep1x@drpbot.test>", "<rep1@drpbot.test>", w.now, "Extend 2 days")
	escalate := email(addrOf("iro"), []string{addrOf("lac")}, nil, "RE: Dispute Resolution Alert - Stage 1 - 3200002", "<rep2x@drpbot.test>", "<rep2@drpbot.test>", w.now, "Escalate")
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, extend)
	w.ms.send(t, addrOf("iro"), []string{addrOf("lac")}, escalate)
	w.sync(t)
	want := func(when string) {
		t.Helper()
		if d := dispute(t, w, "3200001"); d.Due.String() != "2026-11-11" {
			t.Errorf("%s: extended dispute due %s, want 2026-11-11 (9 November + 2 working days, once)", when, d.Due)
		}
		if d := dispute(t, w, "3200002"); d.Stage != 2 {
			t.Errorf("%s: escalated dispute at stage %d, want 2 (escalated once)", when, d.Stage)
		}
	}
	want("applied")
	sent := func() int {
		n := 0
		w.bot.Store().View(func(tx *store.Tx) error {
			for _, child := range []string{"3200001", "3200002"} {
				for _, ref := range tx.ByChild(child) {
					ev, _ := tx.Events(ref)
					for _, e := range ev {
						if e.Kind == "queued" {
							n++
						}
					}
				}
			}
			return nil
		})
		return n
	}
	emails := sent()

	// Someone files both messages in another watched folder.
	w.at(4, 10)
	w.ms.appendTo(t, addrOf("lac"), "Filed", extend)
	w.ms.appendTo(t, addrOf("lac"), "Filed", escalate)
	w.sync(t)
	want("copied into a second folder")

	// The folder is rebuilt: a new UIDVALIDITY, the same messages.
	w.at(5, 10)
	if v2 := mkFolder(); v2 == v1 && real {
		t.Fatalf("UIDVALIDITY unchanged (%d) after the folder was made again", v2)
	}
	w.ms.appendTo(t, addrOf("lac"), "Filed", escalate)
	w.ms.appendTo(t, addrOf("lac"), "Filed", extend)
	w.sync(t)
	want("reread after a UIDVALIDITY change of the second folder")

	// And INBOX's checkpoint no longer matches its UIDVALIDITY.
	w.bot.Store().Update(func(tx *store.Tx) error {
		return tx.SetCheckpoint("INBOX", store.Checkpoint{UIDValidity: 1, LastUID: 99})
	})
	w.sync(t)
	want("INBOX reread after a UIDVALIDITY change")
	if !strings.Contains(w.logs.String(), "UIDVALIDITY changed; rereading the folder") {
		t.Error("the reread did not happen")
	}
	if n := sent(); n != emails {
		t.Errorf("%d emails queued by the repeats", n-emails)
	}
}
