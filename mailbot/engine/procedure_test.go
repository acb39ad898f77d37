package engine

import (
	"strings"
	"testing"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

// These tests play the rules each council's written procedure adds to the
// generic ladder; docs/procedures/<council>.md cites the sentences.

// TestWakefieldInformal: Wakefield 2.2-2.3. "IRO Informal Dispute" opens
// the informal stage, to the social worker and team manager, copied to the
// IRO Manager; a reply from either is the response and nobody is chased;
// a lapse goes to the IRO and the IRO Manager, repeated, and never turns
// formal by itself.
func TestWakefieldInformal(t *testing.T) {
	env := world(t, "wakefield", "", false)
	sw, tm := addr("social_worker"), addr("team_manager")
	alert := Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{sw, tm}, Heading: "IRO Informal Dispute"}
	// Either addressee's reply is the response: nobody is chased after it.
	run(t, env, []step{
		{ev: alert, want: []string{"ack to=" + iro}, check: func(t *testing.T, d Dispute) {
			if d.Stage != 0 || !d.FormalStart.IsZero() || d.Due != day(2026, 11, 23) {
				t.Errorf("informal: stage %d due %v formal %v", d.Stage, d.Due, d.FormalStart)
			}
		}},
		{ev: Event{Kind: Response, At: at(4, 9), From: tm, Text: "Visit booked for Friday."}, check: func(t *testing.T, d Dispute) {
			if d.Status != Responded || len(d.History[0].Responses) != 1 || d.History[0].Responses[0].From != tm {
				t.Errorf("team manager's reply: %s %+v", d.Status, d.History[0].Responses)
			}
		}},
		// The IRO is asked for the outcome (Wakefield 2.3: "The IRO should
		// then briefly record the outcome"), the IRO Manager copied ("If the
		// IRO is not satisfied ... the IRO Manager consulted"); the
		// respondents are not chased.
		{ev: tick(at(19, 9)), want: []string{"decision_reminder to=" + iro + " cc=" + irom}},
		{ev: tick(at(24, 9))},
		// 2.3: "record the outcome ... and forward a copy to the IRO
		// Manager": the confirmation of "Resolved" copies them.
		{ev: Event{Kind: Command, At: at(25, 9), From: iro, Command: "resolved"}, want: []string{"command_ack to=" + iro + " cc=" + irom}},
	})
	// No response: the lapse goes to the IRO, copied to the IRO Manager,
	// and again two working days later; the stage stays informal.
	d := run(t, env, []step{
		{ev: alert, want: []string{"ack to=" + iro}},
		{ev: tick(at(19, 9)), want: []string{"reminder to=" + sw + "," + tm}},
		{ev: tick(at(24, 0)), want: []string{"overdue to=" + sw + "," + tm + " cc=" + iro, "proposal to=" + iro + " cc=" + irom}},
		{ev: tick(at(25, 9))},
		{ev: tick(at(26, 9)), want: []string{"proposal to=" + iro + " cc=" + irom}},
	})
	if d.Stage != 0 || !d.FormalStart.IsZero() {
		t.Errorf("informal lapse turned formal: stage %d", d.Stage)
	}
	// Only on the IRO's instruction does it become Stage 1, with every copy
	// 3.5 names.
	env.Now = at(27, 9)
	nd, out, err := Apply(d, Event{Kind: Command, At: at(27, 9), From: iro, Command: "escalate"}, env)
	if err != nil || nd.Stage != 1 {
		t.Fatalf("escalate: %v stage %d", err, nd.Stage)
	}
	want := "escalation to=service.manager@c.example cc=iro@c.example,social.worker@c.example,team.manager@c.example,irom@c.example,service.lead.sru@c.example,service.manager.sru@c.example"
	if got := describe(out); len(got) < 1 || got[0] != want {
		t.Errorf("stage 1:\n got  %q\n want %q", got, want)
	}
}

// TestWakefieldFormalConsults: 3.5 "the IRO in consultation with the IRO
// Manager will progress to Stage 2": a lapse is not an escalation.
func TestWakefieldFormalConsults(t *testing.T) {
	env := world(t, "wakefield", "", false)
	sm := addr("service_manager")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{sm}, Heading: "Stage 1 IRO Formal Dispute Form"}, want: []string{"ack to=" + iro}},
		{ev: tick(at(6, 9)), want: []string{"reminder to=" + sm}},
		{ev: tick(at(10, 9)), want: []string{"overdue to=" + sm + " cc=" + iro, "proposal to=" + iro + " cc=" + irom}},
	})
	if d.Stage != 1 {
		t.Errorf("stage %d: drpbot moved without the IRO", d.Stage)
	}
}

// TestBrightonRaisers: Level 2 is raised by the IRO Manager, Levels 3-5 by
// the Head of Safeguarding, who receive the stage's email, may instruct,
// and (after Level 5) make the Cafcass referral.
func TestBrightonRaisers(t *testing.T) {
	env := world(t, "brighton-hove", "", false)
	hos := addr("head_of_safeguarding")
	ptm, sm, hcd := addr("pod_team_manager"), addr("service_manager"), addr("head_of_childrens_delivery")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{ptm}, Stage: stage(1)}, want: []string{"notify to=" + sm, "ack to=" + iro}},
		{ev: Event{Kind: Response, At: at(3, 9), From: ptm, Text: "Level 1 answer: PEP requested."}},
		{ev: Event{Kind: Command, At: at(4, 9), From: iro, Command: "escalate"},
			want: []string{"notify to=" + hcd, "escalation to=" + sm + " cc=" + iro + "," + ptm + "," + irom, "command_ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Raiser != irom || d.History[1].Raiser != irom {
					t.Errorf("level 2 raiser %q", d.Raiser)
				}
			}},
		// The IRO Manager, Level 2's raiser, may instruct: Level 3.
		{ev: Event{Kind: Command, At: at(5, 9), From: irom, Command: "escalate"},
			want: []string{"notify to=" + addr("dcs"), "escalation to=" + hcd + " cc=" + iro + "," + sm + "," + hos, "command_ack to=" + irom + " cc=" + iro}},
		// The Head of Safeguarding raises Level 3 and may instruct for it.
		{ev: Event{Kind: Command, At: at(6, 9), From: hos, Command: "stage 5"},
			want: []string{"escalation to=" + addr("chief_executive") + " cc=" + iro + "," + hcd + "," + hos, "command_ack to=" + hos + " cc=" + iro}},
		{ev: Event{Kind: Command, At: at(9, 9), From: hos, Command: "escalate"},
			want: []string{"cafcass_proposal to=" + iro + "," + hos + " cc=" + irom}},
	})
	if !d.CafcassProposed || d.Stage != 5 {
		t.Errorf("cafcass proposed %v at stage %d", d.CafcassProposed, d.Stage)
	}
	// The form travels up: Level 1's answer is still on the record.
	if r := d.History[0].Responses; len(r) != 1 || !strings.Contains(r[0].Text, "PEP requested") || r[0].From != ptm {
		t.Errorf("level 1 response %+v", r)
	}
}

// TestNewhamCafcassIROOnly: Stage 5 "(IRO ONLY)": a CP Chair's dispute is
// never offered Cafcass; the CP Chair's manager is told instead.
func TestNewhamCafcassIROOnly(t *testing.T) {
	env := world(t, "newham", "", false)
	chair, chairManager := "chair@c.example", "chair.manager@c.example"
	people := []directory.Person{
		{Email: chair, Roles: []string{policy.RoleCPChair}, Team: "CP", Manager: chairManager},
		{Email: chairManager, Roles: []string{"cp_manager"}, Team: "CP"},
		{Email: addr("corporate_director"), Roles: []string{"corporate_director"}, Team: "North"},
		{Email: addr("dcs"), Roles: []string{"dcs"}},
		{Email: addr("operations_director"), Roles: []string{"operations_director"}},
		{Email: addr("head_of_service"), Roles: []string{"head_of_service"}},
	}
	dir, err := directory.New(people)
	if err != nil {
		t.Fatal(err)
	}
	env.Directory = dir
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: chair, To: []string{addr("corporate_director")}, Stage: stage(4)}, want: []string{"ack to=" + chair}},
		{ev: Event{Kind: Command, At: at(3, 9), From: chair, Command: "escalate"}, want: []string{"notify to=" + chairManager + " cc=" + chair}},
	})
	if d.CafcassProposed {
		t.Error("a CP Chair's dispute was offered Cafcass")
	}
	// Nor by writing a Stage 5 alert themselves: the dispute stays put.
	env.Now = at(4, 9)
	nd, out, err := Apply(d, Event{Kind: Alert, At: at(4, 9), From: chair, To: []string{"cafcass@example.org"}, Stage: stage(5)}, env)
	if err != nil || nd.Stage != 4 || len(out) != 1 || out[0].Purpose != Notify || out[0].To[0] != chairManager {
		t.Errorf("a CP Chair's stage 5 alert: stage %d %q %v", nd.Stage, describe(out), err)
	}
	// An IRO's dispute is.
	env = world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("corporate_director")}, Stage: stage(4)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Command, At: at(3, 9), From: iro, Command: "escalate"}, want: []string{"cafcass_proposal to=" + iro + " cc=" + irom}},
	})
}

// TestNewhamCopies: Stage 4 copies the Operations Director and the relevant
// HoS/AD; stages 1-3 cc the LAC request box visibly when copy_to_mailbox is cc.
func TestNewhamCopies(t *testing.T) {
	env := world(t, "newham", "", false)
	env.Mailbox, env.CcMailbox = "lac@c.example", true
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1)}, want: []string{"ack to=" + iro}},
		{ev: tick(at(10, 8)), want: []string{"escalation to=" + addr("service_manager") + " cc=" + iro + "," + addr("practice_lead") + ",lac@c.example"}},
		{ev: Event{Kind: Command, At: at(10, 9), From: iro, Command: "stage 4"},
			want: []string{"escalation to=" + addr("corporate_director") + " cc=" + iro + "," + addr("service_manager") + "," + addr("operations_director") + "," + addr("head_of_service"), "command_ack to=" + iro}},
	})
}

// TestAgreedTimescale: Oxfordshire stage 1 has no fixed window; the date
// the IRO's email states is the due date, later or earlier. Where a window
// is a maximum (Newham), a later stated date does not extend it.
func TestAgreedTimescale(t *testing.T) {
	env := world(t, "oxfordshire", "", false)
	sw := addr("social_worker")
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{sw}, Stage: stage(1), Due: day(2026, 11, 20)}, want: []string{"ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Due != day(2026, 11, 20) {
					t.Errorf("agreed due %v", d.Due)
				}
			}},
	})
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{sw}, Stage: stage(1)}, want: []string{"ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if !d.Due.IsZero() {
					t.Errorf("no agreed date, yet due %v", d.Due)
				}
			}},
		// Nothing lapses; only the 20-day cap of the whole process speaks.
		{ev: tick(at(24, 9))},
		{ev: tick(at(27, 9)), want: []string{"cap_warning to=" + irom + "," + qa + " cc=" + iro}},
	})
	// Stage 3 states no window.
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("deputy_director")}, Stage: stage(3)},
			want: []string{"notify to=" + addr("safeguarding_manager"), "ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if !d.Due.IsZero() {
					t.Errorf("stage 3 due %v", d.Due)
				}
			}},
	})
	// Stage 2: "Needs to ensure expected outcome and timeframe are clear on
	// Resolution and Alert Form. Maximum timeframe for ASCM response is 5
	// working days": the form's date counts when earlier, never later.
	for stated, want := range map[workdays.Date]workdays.Date{day(2026, 11, 5): day(2026, 11, 5), day(2026, 11, 30): day(2026, 11, 9)} {
		run(t, env, []step{
			{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("ascm")}, Stage: stage(2), Due: stated},
				want: []string{"notify to=" + addr("sm_safeguarding"), "ack to=" + iro},
				check: func(t *testing.T, d Dispute) {
					if d.Due != want {
						t.Errorf("oxfordshire stage 2, form says %v: due %v, want %v", stated, d.Due, want)
					}
				}},
		})
	}
	env = world(t, "newham", "", false)
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("practice_lead")}, Stage: stage(1), Due: day(2026, 11, 30)}, want: []string{"ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Due != day(2026, 11, 9) {
					t.Errorf("newham stage 1 due %v, want the 5-day maximum", d.Due)
				}
			}},
	})
}

// TestNoCapWarningAfterTimelyAnswer: the 20-day cap is not raised about a
// stage already answered in time.
func TestNoCapWarningAfterTimelyAnswer(t *testing.T) {
	env := world(t, "newham", "", false)
	pl := addr("practice_lead")
	env.Policy.DecisionDays = 0
	run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{pl}, Stage: stage(1), Due: day(2026, 11, 4)}, want: []string{"ack to=" + iro}},
		{ev: Event{Kind: Response, At: at(3, 9), From: pl, Text: "Done."}},
		{ev: tick(at(30, 9))},
	})
}

// TestRaiserMovesByAlert: a stage's raiser (Brighton & Hove Level 4: "Head
// of Safeguarding raises concerns with the Director Children's Services")
// moves the dispute with their own alert, as the instigator may; someone
// else's alert is a note.
func TestRaiserMovesByAlert(t *testing.T) {
	env := world(t, "brighton-hove", "", false)
	hos, dcs := addr("head_of_safeguarding"), addr("dcs")
	d := run(t, env, []step{
		{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{addr("pod_team_manager")}, Stage: stage(1)}, want: []string{"notify to=" + addr("service_manager"), "ack to=" + iro}},
		{ev: Event{Kind: Alert, At: at(3, 9), From: addr("service_manager"), To: []string{dcs}, Stage: stage(4)}},
		{ev: Event{Kind: Alert, At: at(4, 9), From: hos, To: []string{dcs}, Stage: stage(4)}, want: []string{"ack to=" + iro}},
	})
	if d.Stage != 4 || d.Respondent != dcs || d.Raiser != hos {
		t.Errorf("stage %d respondent %s raiser %s", d.Stage, d.Respondent, d.Raiser)
	}
}

// TestWakefieldReducedTimescale: 2.3 "within a maximum of 15 working days
// ... this timescale may be reduced": an earlier "Response due by" wins, a
// later one does not extend the maximum.
func TestWakefieldReducedTimescale(t *testing.T) {
	env := world(t, "wakefield", "", false)
	sw := addr("social_worker")
	for due, want := range map[workdays.Date]workdays.Date{
		day(2026, 11, 9):  day(2026, 11, 9),  // reduced for urgency
		day(2026, 12, 18): day(2026, 11, 23), // 15 working days is the maximum
		{}:                day(2026, 11, 23),
	} {
		run(t, env, []step{{ev: Event{Kind: Alert, At: at(2, 9), From: iro, To: []string{sw}, Heading: "IRO Informal Dispute", Due: due}, want: []string{"ack to=" + iro},
			check: func(t *testing.T, d Dispute) {
				if d.Stage != 0 || d.Due != want {
					t.Errorf("stated %v: stage %d due %v, want %v", due, d.Stage, d.Due, want)
				}
			}}})
	}
}
