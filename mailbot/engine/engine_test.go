package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

const (
	iro  = "iro@c.example"
	irom = "irom@c.example"
	qa   = "qa@c.example"
)

// world builds a directory for a preset: one person per respondent role,
// each managed by the next stage's respondent, plus the roles stages notify
// and copy, the IRO and the IRO manager.
func world(t *testing.T, preset string, skipRole string, deputies bool) Env {
	t.Helper()
	p, err := policy.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	var chain []string
	for _, st := range p.Stages {
		if st.Respondent != "" && st.Respondent != skipRole {
			chain = append(chain, st.Respondent)
		}
	}
	people := map[string]*directory.Person{}
	var order []string
	add := func(role string) *directory.Person {
		email := strings.ReplaceAll(role, "_", ".") + "@c.example"
		if p, ok := people[email]; ok {
			return p
		}
		p := &directory.Person{Email: email, Roles: []string{role}, Team: "North"}
		people[email] = p
		order = append(order, email)
		return p
	}
	for i, role := range chain {
		p := add(role)
		if i+1 < len(chain) {
			p.Manager = strings.ReplaceAll(chain[i+1], "_", ".") + "@c.example"
		}
		if deputies {
			p.Deputy = "deputy." + p.Email
			dp := &directory.Person{Email: p.Deputy, Roles: []string{role}, Team: "Deputies", Manager: p.Manager}
			people[dp.Email] = dp
			order = append(order, dp.Email)
		}
	}
	for _, role := range p.Roles() {
		if role != skipRole && role != policy.RoleIROManager && role != policy.RoleQA {
			add(role)
		}
	}
	// The social worker sits under the first respondent.
	people["iro@c.example"] = &directory.Person{Email: iro, Roles: []string{"iro"}, Team: "IRO", Manager: irom}
	people[irom] = &directory.Person{Email: irom, Roles: []string{policy.RoleIROManager}, Team: "IRO"}
	order = append(order, iro, irom)
	var list []directory.Person
	for _, e := range order {
		list = append(list, *people[e])
	}
	dir, err := directory.New(list)
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := workdays.New(workdays.EnglandWales, nil)
	return Env{Policy: &p, Calendar: cal, Directory: dir, QA: []string{qa}, Acknowledge: true}
}

func addr(role string) string { return strings.ReplaceAll(role, "_", ".") + "@c.example" }

func at(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, workdays.London) }

func stage(n int) *int { return &n }

type step struct {
	ev    Event
	want  []string // "purpose to=a,b cc=c" for each intent, in order
	check func(t *testing.T, d Dispute)
}

func describe(in []Intent) []string {
	var out []string
	for _, i := range in {
		s := fmt.Sprintf("%s to=%s", i.Purpose, strings.Join(i.To, ","))
		if len(i.Cc) > 0 {
			s += " cc=" + strings.Join(i.Cc, ",")
		}
		out = append(out, s)
	}
	return out
}

func run(t *testing.T, env Env, steps []step) Dispute {
	t.Helper()
	d := Dispute{Ref: "DRP-2026-0001"}
	seq := 0
	for i, s := range steps {
		env.Now = s.ev.At
		before := d.clone()
		nd, intents, err := Apply(d, s.ev, env)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.ev.Kind, err)
		}
		if !reflect.DeepEqual(before, d) {
			t.Fatalf("step %d: Apply modified its input", i)
		}
		if got := describe(intents); !reflect.DeepEqual(got, s.want) && !(len(got) == 0 && len(s.want) == 0) {
			t.Errorf("step %d (%s %s at %s):\n got  %q\n want %q", i, s.ev.Kind, s.ev.Command, s.ev.At.Format("Mon 2 Jan 15:04"), got, s.want)
		}
		for _, in := range intents {
			seq++
			if in.Seq != seq || in.Ref != d.Ref {
				t.Errorf("step %d: intent %s seq %d ref %s, want seq %d", i, in.Purpose, in.Seq, in.Ref, seq)
			}
		}
		// The same event again at the same time sends nothing more.
		if s.ev.Kind == Tick {
			if _, again, _ := Apply(nd, s.ev, env); len(again) > 0 {
				t.Errorf("step %d: repeated tick sent %q", i, describe(again))
			}
		}
		d = nd
		if s.check != nil {
			s.check(t, d)
		}
	}
	return d
}

func tick(t time.Time) Event { return Event{Kind: Tick, At: t} }

// TestPresetWalk walks each preset through alert -> reminder -> lapse ->
// escalation -> response -> decision reminder -> resolved.
func TestPresetWalk(t *testing.T) {
	for _, name := range policy.Presets() {
		t.Run(name, func(t *testing.T) {
			env := world(t, name, "", false)
			p := env.Policy
			s1, _ := p.Stage(1)
			s2, _ := p.Stage(2)
			r1, r2 := addr(s1.Respondent), addr(s2.Respondent)
			notify := func(st policy.Stage) []string {
				var out []string
				if len(st.Notify) > 0 {
					var to []string
					for _, r := range st.Notify {
						if r == policy.RoleIROManager {
							to = append(to, irom)
						} else {
							to = append(to, addr(r))
						}
					}
					out = append(out, "notify to="+strings.Join(to, ","))
				}
				return out
			}
			// Monday 2 November 2026: stage 1 due Monday 9 November.
			alertWant := append(notify(s1), "ack to="+iro)
			escCc := []string{iro, r1}
			if s2.Raiser != "" {
				escCc = append(escCc, addrOrIROM(s2.Raiser))
			}
			for _, r := range s2.Copy {
				if a := addrOrIROM(r); a != r1 && !contains(escCc, a) {
					escCc = append(escCc, a)
				}
			}
			escWant := append(notify(s2), "escalation to="+r2+" cc="+strings.Join(escCc, ","))
			var due workdays.Date
			if s1.Days == 0 {
				due = day(2026, 11, 9) // an agreed timescale: the alert states it
			}
			lapse := step{ev: tick(at(10, 8)), want: escWant}
			var decide []step
			if s1.LapseAction() == policy.Consult {
				// The lapse goes to the IRO and whoever the procedure says to
				// consult; drpbot moves only on an instruction.
				consultCc := ""
				var cs []string
				for _, r := range s1.Consult {
					cs = append(cs, addrOrIROM(r))
				}
				if len(cs) > 0 {
					consultCc = " cc=" + strings.Join(cs, ",")
				}
				lapse.want = []string{"overdue to=" + r1 + " cc=" + iro, "proposal to=" + iro + consultCc}
				decide = append(decide, step{ev: tick(at(10, 9))},
					step{ev: Event{Kind: Command, At: at(10, 10), From: iro, Command: "escalate"}, want: append(escWant, "command_ack to="+iro)})
			}
			steps := []step{
				{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{r1}, Stage: stage(1), ChildRef: "1234567", Due: due}, want: alertWant,
					check: func(t *testing.T, d Dispute) {
						if d.Due != (day(2026, 11, 9)) || d.Status != Open || d.Respondent != r1 {
							t.Errorf("after alert: due %v status %s respondent %s", d.Due, d.Status, d.Respondent)
						}
					}},
				{ev: tick(at(5, 9))},
				{ev: tick(at(6, 9)), want: []string{"reminder to=" + r1}},
				{ev: tick(at(9, 16))},
				lapse,
			}
			steps = append(steps, decide...)
			steps[len(steps)-1].check = func(t *testing.T, d Dispute) {
				if d.Stage != 2 || d.Respondent != r2 || d.Due != (day(2026, 11, 17)) {
					t.Errorf("after lapse: stage %d respondent %s due %v", d.Stage, d.Respondent, d.Due)
				}
				if d.History[0].How == "" || d.History[0].Responded.IsZero() == false {
					t.Errorf("history %+v", d.History[0])
				}
			}
			// The confirmation of "Resolved" copies whom the stage names
			// (Newham: "copy to be sent to SM & QA Inbox").
			resolvedWant := "command_ack to=" + iro
			var oc []string
			for _, r := range s2.OutcomeCopy {
				if r == policy.RoleQA {
					oc = append(oc, qa)
				} else {
					oc = append(oc, addrOrIROM(r))
				}
			}
			if len(oc) > 0 {
				resolvedWant += " cc=" + strings.Join(oc, ",")
			}
			// The decision after a response is taken with whom a lapse
			// would consult (Wakefield 3.5 "the IRO in consultation with the
			// IRO Manager").
			decisionWant := "decision_reminder to=" + iro
			if s2.LapseAction() == policy.Consult {
				if s2.Raiser != "" {
					decisionWant += "," + addrOrIROM(s2.Raiser)
				}
				var cs []string
				for _, r := range s2.Consult {
					cs = append(cs, addrOrIROM(r))
				}
				if len(cs) > 0 {
					decisionWant += " cc=" + strings.Join(cs, ",")
				}
			}
			run(t, env, append(steps, []step{
				{ev: Event{Kind: Response, At: at(12, 10), From: r2}, check: func(t *testing.T, d Dispute) {
					if d.Status != Responded || !d.History[1].InTime {
						t.Errorf("after response: %s in time %v", d.Status, d.History[1].InTime)
					}
				}},
				{ev: tick(at(16, 23))},
				{ev: tick(at(17, 0)), want: []string{decisionWant}},
				{ev: Event{Kind: Command, At: at(17, 9), From: iro, Command: "resolved"}, want: []string{resolvedWant},
					check: func(t *testing.T, d Dispute) {
						if d.Status != Resolved || d.Outcome != "resolved" || d.History[1].How != "resolved" {
							t.Errorf("after resolved: %s %s", d.Status, d.Outcome)
						}
					}},
				{ev: tick(at(30, 9))},
			}...))
		})
	}
}

func addrOrIROM(role string) string {
	if role == policy.RoleIROManager {
		return irom
	}
	return addr(role)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestBypassToStage3(t *testing.T) {
	env := world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		// By command: the bot finds the stage 3 respondent above the current one.
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "stage 3"},
			want: []string{"notify to=ad.qa@c.example", "escalation to=operations.director@c.example cc=iro@c.example,practice.lead@c.example", "command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Stage != 3 || d.Due != (day(2026, 11, 10)) {
					t.Errorf("stage %d due %v", d.Stage, d.Due)
				}
			}},
	})
	// By a new alert straight to stage 3, with its own due date.
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{"lac@c.example", addr("operations_director")}, Stage: stage(3), Due: day(2026, 11, 6)},
			want: []string{"notify to=ad.qa@c.example", "ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Stage != 3 || d.Respondent != "lac@c.example" || d.Due != (day(2026, 11, 6)) || d.FormalStart.IsZero() {
					t.Errorf("%+v", d)
				}
			}},
	})
	// Bypass by the instigator's new alert in the thread.
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Alert, At: at(3, 9), From: addr("practice_lead"), Stage: stage(3)}}, // not the instigator: a note
		{ev: Event{Kind: Alert, At: at(3, 10), From: iro, To: []string{addr("corporate_director")}, Stage: stage(4)},
			want: []string{"ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Stage != 4 || d.Respondent != addr("corporate_director") || d.History[0].How != HowMoved {
					t.Errorf("stage %d respondent %s", d.Stage, d.Respondent)
				}
			}},
	})
}

func TestPauseAndExtend(t *testing.T) {
	env := world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(4, 9), From: iro, Command: "pause"}, want: []string{"command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Paused || d.PausedLeft != 3 {
					t.Errorf("paused: %s left %d", d.Status, d.PausedLeft)
				}
			}},
		{ev: tick(at(20, 9))}, // paused: no reminder, no lapse
		{ev: Event{Kind: Command, At: at(4, 10), From: iro, Command: "pause"}, want: []string{"command_refused to=" + iro}},
		{ev: Event{Kind: Command, At: at(23, 9), From: iro, Command: "resume"}, want: []string{"command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Open || d.Due != (day(2026, 11, 26)) || d.PausedDays != 13 {
					t.Errorf("resumed: %s due %v paused days %d", d.Status, d.Due, d.PausedDays)
				}
			}},
		{ev: Event{Kind: Command, At: at(24, 9), From: iro, Command: "extend 2"}, want: []string{"command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Due != (day(2026, 11, 30)) {
					t.Errorf("extend 2: due %v", d.Due)
				}
			}},
		{ev: Event{Kind: Command, At: at(24, 10), From: iro, Command: "extend 2026-12-04"}, want: []string{"command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Due != (day(2026, 12, 4)) || d.History[0].Due != d.Due {
					t.Errorf("extend to date: due %v", d.Due)
				}
			}},
		{ev: Event{Kind: Command, At: at(24, 11), From: iro, Command: "extend 2026-11-01"}, want: []string{"command_refused to=" + iro}},
		{ev: tick(at(30, 9))},
		{ev: tick(time.Date(2026, 12, 3, 9, 0, 0, 0, workdays.London)), want: []string{"reminder to=practice.lead@c.example"}},
	})
}

func TestOutOfOffice(t *testing.T) {
	with := world(t, "newham", "", true)
	pl := addr("practice_lead")
	run(t, with, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: AutoReply, At: at(2, 9), From: pl},
			want: []string{"deputy_cover to=deputy." + pl + " cc=" + iro, "away to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Open || d.Cover != "deputy."+pl {
					t.Errorf("out of office counted: %s cover %q", d.Status, d.Cover)
				}
			}},
		{ev: Event{Kind: AutoReply, At: at(3, 9), From: pl}}, // once per stage
		{ev: Event{Kind: AutoReply, At: at(3, 9), From: "someone@c.example"}},
		{ev: tick(at(6, 9)), want: []string{"reminder to=" + pl + ",deputy." + pl}},
	})
	without := world(t, "newham", "", false)
	run(t, without, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: AutoReply, At: at(2, 9), From: pl}, want: []string{"away to=" + iro}},
	})
}

func TestUnknownNextLevel(t *testing.T) {
	env := world(t, "newham", "service_manager", false)
	pl := addr("practice_lead")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: tick(at(10, 9)), want: []string{"no_next_level to=" + iro + " cc=" + qa}},
		{ev: tick(at(11, 9))}, // said once
	})
	if d.Stage != 1 || d.Respondent != pl {
		t.Errorf("guessed: stage %d respondent %s", d.Stage, d.Respondent)
	}
}

func TestCafcassProposedNotSent(t *testing.T) {
	env := world(t, "newham", "", false)
	cd := addr("corporate_director")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{cd}, Stage: stage(4)}, want: []string{"ack to=" + iro}},
		{ev: tick(at(10, 9)), want: []string{"cafcass_proposal to=" + iro + " cc=" + irom}},
		{ev: Event{Kind: Command, At: at(11, 9), From: iro, Command: "escalate"}, want: []string{"cafcass_proposal to=" + iro + " cc=" + irom}},
	})
	if d.Stage != 4 || d.Status != Open || !d.CafcassProposed {
		t.Errorf("Cafcass made automatic: %+v", d)
	}
	d2, in, _ := Apply(d, Event{Kind: Command, At: at(12, 9), From: iro, Command: "cafcass"}, env)
	if d2.Status != Referred || !reflect.DeepEqual(describe(in), []string{"command_ack to=" + iro, "notify to=dcs@c.example"}) {
		t.Errorf("referral: %s %q", d2.Status, describe(in))
	}
}

func TestManagerResolvedIsAResponse(t *testing.T) {
	env := world(t, "newham", "", false)
	pl := addr("practice_lead")
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: pl, Command: "resolved"}, want: []string{"command_refused to=" + pl},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Responded {
					t.Errorf("status %s, want responded", d.Status)
				}
			}},
		{ev: Event{Kind: Command, At: at(3, 10), From: "other@c.example", Command: "close"}, want: []string{"command_refused to=other@c.example"}},
		// The IRO manager and QA may instruct.
		{ev: Event{Kind: Command, At: at(3, 11), From: irom, Command: "close"}, want: []string{"command_ack to=" + irom + " cc=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Closed {
					t.Errorf("status %s", d.Status)
				}
			}},
		{ev: Event{Kind: Command, At: at(3, 12), From: iro, Command: "resume"}, want: []string{"command_refused to=" + iro}},
	})
}

func TestCap(t *testing.T) {
	env := world(t, "newham", "", false)
	pl := addr("practice_lead")
	dec := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, workdays.London) }
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(2, 10), From: iro, Command: "extend 2027-01-29"}, want: []string{"command_ack to=" + iro}},
		{ev: tick(at(24, 9))}, // 16 working days
		{ev: tick(at(25, 9)), want: []string{"cap_warning to=" + irom + "," + qa + " cc=" + iro}}, // 17
		{ev: tick(at(30, 9))}, // 20: the last day
		{ev: tick(dec(1, 9)), want: []string{"cap_passed to=" + irom + "," + qa + " cc=" + iro}}, // 21
	})
	if !d.CapWarned || !d.CapPassed {
		t.Errorf("%+v", d)
	}
}

func TestBounce(t *testing.T) {
	env := world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{"gone@c.example"}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Bounce, At: at(2, 9), Failed: []string{"gone@c.example"}}, want: []string{"bounced to=" + iro + " cc=" + qa}},
		{ev: Event{Kind: Bounce, At: at(2, 10), Failed: []string{"GONE@c.example"}}},
		{ev: Event{Kind: Response, At: at(3, 10), From: "someone@c.example"}},
	})
}

func TestErrors(t *testing.T) {
	env := world(t, "newham", "", false)
	env.Now = at(2, 9)
	if _, _, err := Apply(Dispute{Ref: "DRP-2026-0001"}, Event{Kind: Response, At: at(2, 9)}, env); !errors.Is(err, ErrNotAlert) {
		t.Errorf("response opened a dispute: %v", err)
	}
	if _, _, err := Apply(Dispute{}, Event{Kind: Alert, At: at(2, 9), From: iro}, env); !errors.Is(err, ErrBadEvent) {
		t.Errorf("no ref: %v", err)
	}
	d, _, _ := Apply(Dispute{Ref: "DRP-2026-0001"}, Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{"x@c.example"}}, env)
	d, _, _ = Apply(d, Event{Kind: Command, At: at(2, 9), From: iro, Command: "resolved"}, env)
	if _, _, err := Apply(d, Event{Kind: Alert, At: at(3, 9), From: iro, Stage: stage(2)}, env); !errors.Is(err, ErrClosed) {
		t.Errorf("alert on closed dispute: %v", err)
	}
	_, in, _ := Apply(d, Event{Kind: Command, At: at(3, 9), From: iro, Command: "escalate"}, env)
	if len(in) != 1 || in[0].Purpose != CommandRefused || !strings.Contains(in[0].Reason, "closed") {
		t.Errorf("command on closed: %q", describe(in))
	}
}

// TestNextAction: a tick before NextAction does nothing; at NextAction it
// does something.
func TestNextAction(t *testing.T) {
	env := world(t, "newham", "", false)
	env.Now = at(2, 9)
	d, _, _ := Apply(Dispute{Ref: "DRP-2026-0001"}, Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, env)
	for i := 0; i < 6; i++ {
		next := NextAction(d, env)
		if next.IsZero() {
			t.Fatalf("step %d: nothing pending for %+v", i, d)
		}
		env.Now = next.Add(-time.Second)
		if _, in, _ := Apply(d, tick(env.Now), env); len(in) > 0 {
			t.Errorf("step %d: tick before NextAction %v sent %q", i, next, describe(in))
		}
		env.Now = next
		var in []Intent
		d, in, _ = Apply(d, tick(next), env)
		if len(in) == 0 {
			t.Errorf("step %d: tick at NextAction %v did nothing", i, next)
		}
	}
}

func day(y int, m time.Month, d int) workdays.Date { return workdays.Date{Year: y, Month: m, Day: d} }

func TestQueries(t *testing.T) {
	env := world(t, "newham", "", false)
	pl := addr("practice_lead")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1), Text: "Care plan overdue", ChildInitials: "S.C.", MessageID: "<a@x>"}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "status"}, want: []string{"status to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: pl, Command: "status"}, want: []string{"status to=" + pl}},
		{ev: Event{Kind: Command, At: at(3, 9), From: "nosy@c.example", Command: "status"}, want: []string{"command_refused to=nosy@c.example"}},
		{ev: Event{Kind: Command, At: at(3, 9), From: "nosy@c.example", Command: "help"}, want: []string{"help to=nosy@c.example"}},
		// Newham's form: "copy to be sent to SM & QA Inbox for entry onto tracker".
		{ev: Event{Kind: Command, At: at(3, 10), From: iro, Command: "resolved"}, want: []string{"command_ack to=" + iro + " cc=" + irom + "," + qa}},
		{ev: Event{Kind: Command, At: at(4, 10), From: iro, Command: "status"}, want: []string{"status to=" + iro}},
	})
	if d.Status != Resolved || d.AlertText != "Care plan overdue" || d.ChildInitials != "S.C." || d.Thread != "<a@x>" {
		t.Errorf("%+v", d)
	}
}

func TestUnauthenticatedCommand(t *testing.T) {
	env := world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "resolved", Unauthenticated: true}, want: []string{"command_refused to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Status != Open {
					t.Errorf("forged instruction counted: %s", d.Status)
				}
			}},
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "help", Unauthenticated: true}, want: []string{"help to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "status", Unauthenticated: true}, want: []string{"command_refused to=" + iro}},
	})
}
