package templates

import (
	"slices"
	"strings"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/mailbot/policy"
)

// Sample returns realistic data for purpose under policy p, for previews,
// golden files and the check that every template renders with every preset.
func Sample(purpose string, p *policy.Policy) Data {
	s1, s2 := p.StageName(1), p.StageName(2)
	// The same words the daemon uses: the heading a stage carries, the
	// reasons the engine gives, the copies the email really carries.
	d := Data{
		Purpose:    purpose,
		Council:    p.Council,
		Mailbox:    "lac-requests@council.example",
		Heading:    p.HeadingFor(2),
		Ref:        "DRP-2026-0042",
		Child:      "1234567 (S.C.)",
		StageName:  s2,
		Recipient:  Person{Name: "Sam Manager", Email: "sam.manager@council.example"},
		Instigator: Person{Name: "Iris Reviewer", Email: "iris.reviewer@council.example"},
		Respondent: Person{Name: "Sam Manager", Email: "sam.manager@council.example"},
		Due:        "Wednesday 30 December 2026",
		DaysLeft:   3,
		Status:     "open",
		AlertText:  "Date of Alert: 21/12/2026\nConcern: the care plan has not been reviewed since the placement moved.\nRequested action: review within 5 working days.",
		History: []Step{
			{Stage: s1, Respondent: "Pat Lead", Started: "Monday 7 December 2026", Due: "Monday 14 December 2026", Responded: "Friday 11 December 2026", Outcome: engine.HowEscalated, Days: 5,
				Said: []Said{{From: "Pat Lead", At: "Friday 11 December 2026", Text: "A review is booked for January; we cannot bring it forward."}}},
			{Stage: s2, Respondent: "Sam Manager", Started: "Monday 21 December 2026", Due: "Wednesday 30 December 2026"},
		},
		TotalDays: p.TotalDays,
		UsedDays:  p.TotalDays - p.CapWarnDays,
	}
	switch purpose {
	case "ack":
		d.Recipient = d.Instigator
	case "notify":
		d.Recipient = Person{Name: "Ada Director", Email: "ada.director@council.example"}
		d.History, d.AlertText = d.History[:1], ""
	case "overdue":
		d.DaysLeft = -2
		d.Due = "Monday 14 December 2026"
		d.StageName, d.Heading = s1, p.HeadingFor(1)
		d.Recipient = Person{Name: "Pat Lead", Email: "pat.lead@council.example"}
		d.Respondent = d.Recipient
		d.History = []Step{{Stage: s1, Respondent: "Pat Lead", Started: "Monday 7 December 2026", Due: "Monday 14 December 2026"}}
		d.Copied = CopiedClause([]string{d.Instigator.String()})
	case "escalation":
		d.Reason = EscalationReason(engine.HowEscalated, s1, "Monday 14 December 2026")
		d.DaysLeft = 5
		// Copied as the daemon copies stage 2's email: the instigator, the
		// level below, the raiser, the stage's copies and the shared mailbox
		// where the procedure says to cc it (copy_to_mailbox's default "cc").
		copied := []string{d.Instigator.String(), "Pat Lead"}
		if st, ok := p.Stage(2); ok {
			prev, _ := p.Stage(1)
			if st.Raiser != "" && st.Raiser != policy.RoleInstigator {
				d.Raiser = Person{Name: sampleName(st.Raiser), Email: "raiser@council.example"}
				copied = append(copied, d.Raiser.Name)
			}
			for _, r := range st.Copy {
				if r != prev.Respondent {
					copied = append(copied, sampleName(r))
				}
			}
			if st.CcMailbox {
				copied = append(copied, "the shared mailbox")
			}
		}
		d.Copied = CopiedClause(copied)
	case "proposal":
		d.Recipient = d.Instigator
		d.DaysLeft = -1
		d.Reason = engine.ReasonLapsed
		// As the daemon sends it: to the stage's raiser too (Brighton &
		// Hove Level 2, the IRO Manager), copying whom the procedure says
		// to consult (Wakefield's IRO Manager).
		if st, ok := p.Stage(2); ok {
			if st.Raiser != "" && st.Raiser != policy.RoleInstigator {
				d.Raiser = Person{Name: sampleName(st.Raiser), Email: "raiser@council.example"}
			}
			var names []string
			for _, r := range st.Consult {
				names = append(names, sampleName(r))
			}
			d.Copied = CopiedClause(names)
		}
	case "cafcass_proposal":
		d.Recipient = d.Instigator
		// The dispute is at the stage before the Cafcass step (Wakefield
		// "Stage 4 Formal Dispute Form", Brighton & Hove Level 5), with that
		// stage's heading, as the daemon's email carries it.
		n := lastBeforeCafcass(p)
		d.StageName, d.Heading = p.StageName(n), p.HeadingFor(n)
		// To the instigator and the Cafcass step's raiser (Brighton & Hove:
		// "The Head of Safeguarding will make the referral"), copying the IRO
		// manager and whom the step consults (Wakefield 3.8).
		copied := []string{"Ian Manager"}
		for _, st := range p.Stages {
			if !st.Cafcass {
				continue
			}
			if st.Raiser != "" && st.Raiser != policy.RoleInstigator {
				d.Raiser = Person{Name: sampleName(st.Raiser), Email: "raiser@council.example"}
			}
			for _, r := range st.Consult {
				if name := sampleName(r); !slices.Contains(copied, name) {
					copied = append(copied, name)
				}
			}
		}
		d.Copied = CopiedClause(copied)
	case "decision_reminder":
		d.Recipient = d.Instigator
		// As the daemon sends it where stage 2 consults (Wakefield 3.5):
		// to its raiser too, copying whom it consults.
		if st, ok := p.Stage(2); ok && st.LapseAction() == policy.Consult {
			if st.Raiser != "" && st.Raiser != policy.RoleInstigator {
				d.Raiser = Person{Name: sampleName(st.Raiser), Email: "raiser@council.example"}
			}
			var names []string
			for _, r := range st.Consult {
				names = append(names, sampleName(r))
			}
			d.Copied = CopiedClause(names)
		}
		d.Status = "responded"
		d.Responded = "Tuesday 22 December 2026"
		d.DecisionDays = p.DecisionDays
		d.DecisionDue = "Thursday 24 December 2026"
	case "command_ack":
		d.Recipient = d.Instigator
		d.History = nil
		d.Command = "Extend to 08/01/2027"
		d.Due = "Friday 8 January 2027"
		d.DaysLeft = 9
	case "command_refused":
		d.Recipient = Person{Name: "Sam Manager", Email: "sam.manager@council.example"}
		d.Command = "Resolved"
		d.Reason = "your reply is recorded as the response; only the instigator records whether the dispute is resolved"
	case "away":
		d.Recipient = d.Instigator
		d.Cover = Person{Name: "Dee Deputy", Email: "dee.deputy@council.example"}
	case "deputy_cover":
		d.Recipient = Person{Name: "Dee Deputy", Email: "dee.deputy@council.example"}
		d.Cover = d.Recipient
		d.Copied = CopiedClause([]string{d.Instigator.String()})
	case "bounced":
		d.Recipient = d.Instigator
		d.Reason = "gone.manager@council.example"
	case "cap_warning", "cap_passed":
		d.Recipient = Person{Name: "Ian Manager", Email: "iro.manager@council.example"}
		if purpose == "cap_passed" {
			d.UsedDays = p.TotalDays + 1
		}
	case "no_next_level":
		d.Recipient = d.Instigator
		d.Reason = "2 people hold service_manager and none manages pat.lead@council.example"
	case "status":
		d.Recipient = d.Instigator
	case "help":
		d = Data{Purpose: purpose, Council: p.Council, Mailbox: d.Mailbox, Recipient: d.Instigator, Commands: CommandCard}
	case "digest":
		d = Data{Purpose: purpose, Council: p.Council, Mailbox: d.Mailbox, Recipient: d.Instigator, Reason: "you raised that are open",
			Rows: []Row{
				{Ref: "DRP-2026-0042", Child: "1234567", Stage: s2, Respondent: "Sam Manager", Due: "Wednesday 30 December 2026", DaysLeft: 3, Status: "open"},
				{Ref: "DRP-2026-0040", Child: "7654321", Stage: s1, Respondent: "Pat Lead", Due: "Friday 18 December 2026", DaysLeft: -4, Status: "open"},
			}}
	case "held":
		d = Data{Purpose: purpose, Council: p.Council, Mailbox: d.Mailbox, Recipient: Person{Name: "QA", Email: "qa@council.example"}, Period: "in the week to Monday 21 December 2026",
			Held: []Held{
				{At: "Friday 18 December 2026 16:40", From: "iris.reviewer@council.example", What: "an alert (" + p.StageName(4) + ", child 1234567, to corporate.director@council.example)", Why: "the council's mail server did not authenticate it (dmarc=fail for the From domain), so no dispute was opened and nobody was emailed"},
				{At: "Monday 21 December 2026 09:12", From: "someone@elsewhere.example", Ref: "DRP-2026-0042", What: "the instruction status", Why: "the sender is neither in the directory nor a party to the dispute"},
			}}
	case "report":
		t := Table{Title: "Alerts by stage and month: IROs and CP Chairs", Rows: [][]string{{"Stage", "Jul", "Aug", "Sep", "Total"}, {s1, "4", "2", "5", "11"}, {s2, "1", "0", "2", "3"}}}
		d = Data{Purpose: purpose, Council: p.Council, Mailbox: d.Mailbox, Recipient: Person{Name: "QA", Email: "qa@council.example"}, Period: "2026Q3",
			Tables: []Table{t}, Bars: ChartOf(t)}
	}
	return d
}

// lastBeforeCafcass is the formal stage a dispute is at when the Cafcass
// step is proposed: the one before the policy's Cafcass stage, else its
// last stage.
func lastBeforeCafcass(p *policy.Policy) int {
	n := 4
	for _, st := range p.Stages {
		if st.Cafcass {
			return n
		}
		n = st.Number
	}
	return n
}

// sampleName is a made-up name for a holder of role in previews.
func sampleName(role string) string {
	switch role {
	case policy.RoleIROManager:
		return "Ian Manager"
	case "head_of_safeguarding":
		return "Hope Safeguarding"
	case "service_lead_sru":
		return "Lee Lead"
	case "service_manager_sru":
		return "Max Manager"
	}
	words := strings.Fields(strings.ReplaceAll(role, "_", " "))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return "A. " + strings.Join(words, " ")
}
