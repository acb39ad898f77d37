package engine

import (
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

// This file holds the rules the councils' written procedures add to the
// generic ladder: who raises each stage, who answers, who is copied and
// consulted, agreed timescales, informal stages and the Cafcass step.

// Said is one response as the form records it: who, when, what.
type Said struct {
	From string    `json:"from"`
	At   time.Time `json:"at"`
	Text string    `json:"text,omitempty"`
}

// How a stage ended, as StageRecord.How and an escalation's Reason say it.
const (
	HowLapsed    = "lapsed"
	HowEscalated = "escalated by the instigator"
	HowMoved     = "moved by the instigator"
)

// Reasons a lapse notice gives, as whole sentences: the templates print
// them as they are, and `templates preview` uses the same ones.
const (
	ReasonLapsed    = "The response window lapsed without a response"
	ReasonLastStage = "The response window lapsed without a response, and this is the procedure's last stage"
	ReasonRaiser    = "Under the procedure you raise this stage: you may give instructions for it while it is open (reply \"Help\" for them)"
	ReasonNoCafcass = "The procedure offers the Cafcass step only to an IRO; as manager of the Child Protection Chair who raised it, you are told instead"
)

// MaxTextBytes bounds the text of a response or note kept in a dispute.
const MaxTextBytes = 16 << 10

// openingStage is the stage a new alert opens: the one it states, the one
// its heading names (Wakefield's "IRO Informal Dispute" is the informal
// stage), else the first formal stage. An informal stage is only opened by
// an alert that says so.
func (a *applier) openingStage() int {
	if n, ok := a.statedStage(); ok {
		return n
	}
	return a.env.Policy.FirstFormal().Number
}

// statedStage is the stage the alert states or its heading names.
func (a *applier) statedStage() (int, bool) {
	if a.ev.Stage != nil {
		return *a.ev.Stage, true
	}
	return a.env.Policy.StageForHeading(a.ev.Heading)
}

// MayRaise reports whether from may move dispute d to another stage with
// a new alert in its thread (see mayRaise): the mailbot asks it before
// treating such an alert as a stage change that needs authentication.
func MayRaise(d Dispute, from string, env Env) bool {
	return (&applier{d: &d, env: env}).mayRaise(from)
}

// mayRaise reports whether from may move the dispute with a new alert: the
// instigator, or a holder of the raiser role the procedure names for any
// stage (Brighton & Hove: the IRO Manager raises Level 2).
func (a *applier) mayRaise(from string) bool {
	if strings.EqualFold(from, a.d.Instigator) {
		return true
	}
	for _, st := range a.env.Policy.Stages {
		if st.Raiser != "" && a.env.Directory.HasRole(from, st.Raiser) {
			return true
		}
	}
	return false
}

// stageDue is stage st's due date. Where the timescale is agreed, the date
// the alert states is the due date (Oxfordshire stage 1); elsewhere the
// window is a maximum ("Maximum timeframe for response is 5 working
// days"), so a stated date counts only when it is earlier.
func (a *applier) stageDue(st policy.Stage, stated workdays.Date) workdays.Date {
	var window workdays.Date
	if st.Days > 0 && !st.Cafcass {
		window = a.env.Calendar.Add(workdays.In(a.ev.At), st.Days, st.CalendarDays)
	}
	switch {
	case stated.IsZero():
		return window
	case st.Agreed || window.IsZero() || stated.Before(window):
		return stated
	}
	return window
}

// raiser is the address that raises stage st: the sender of the alert
// when they hold the role, else the one holder the directory names, else
// the instigator.
func (a *applier) raiser(st policy.Stage) string {
	if st.Raiser == "" || st.Raiser == policy.RoleInstigator {
		return a.d.Instigator
	}
	if a.ev.Kind == Alert && a.env.Directory.HasRole(a.ev.From, st.Raiser) {
		return strings.ToLower(a.ev.From)
	}
	if hs := a.roles([]string{st.Raiser}); len(hs) > 0 {
		return strings.ToLower(hs[0])
	}
	return a.d.Instigator
}

// alertedBy completes a stage a person opened with their own alert: the
// other addressees the stage names may answer, and a raiser who did not
// send it is told.
func (a *applier) alertedBy(st policy.Stage) {
	d := a.d
	roles := append([]string{st.Respondent}, st.AlsoRespond...)
	for _, addr := range clean(a.ev.To, []string{d.Instigator, d.Respondent}) {
		for _, r := range roles {
			if r != "" && a.env.Directory.HasRole(addr, r) {
				d.Responders = append(d.Responders, addr)
				break
			}
		}
	}
	if d.Raiser != "" && !strings.EqualFold(d.Raiser, a.ev.From) && !strings.EqualFold(d.Raiser, d.Instigator) {
		a.emit(Notify, []string{d.Raiser}, nil, ReasonRaiser)
	}
}

// stageRecipients are the To and Cc of the email drpbot sends to open
// stage st with respondent: the raiser as the procedure's words say, the
// instigator, the previous level, the copies, and the shared mailbox where
// the procedure says to cc it.
func (a *applier) stageRecipients(st policy.Stage, respondent, prev string) (to, cc []string) {
	d := a.d
	to = []string{respondent}
	cc = []string{d.Instigator, prev}
	if d.Raiser != "" {
		if st.RaiserTo() {
			to = append(to, d.Raiser)
		} else {
			cc = append(cc, d.Raiser)
		}
	}
	cc = append(cc, a.roles(st.Copy)...)
	if box := a.mailbox(); st.CcMailbox && a.env.CcMailbox && box != "" {
		cc = append(cc, box)
	}
	return to, cc
}

// mailbox is the shared mailbox the dispute came through.
func (a *applier) mailbox() string {
	if a.d.Mailbox != "" {
		return a.d.Mailbox
	}
	return a.env.Mailbox
}

// cafcass proposes the Cafcass step to those who decide it, or, where the
// procedure does not offer it to this instigator, tells whom it names.
func (a *applier) cafcass(st policy.Stage) bool {
	d := a.d
	if !a.cafcassOffered(st) {
		// Newham stage 5 "(IRO ONLY)": a CP Chair's dispute has no Cafcass
		// step; the CP Chair's manager is told instead.
		a.emit(Notify, a.roles(st.CafcassElse), []string{d.Instigator}, ReasonNoCafcass)
		return false
	}
	d.CafcassProposed = true
	to := []string{d.Instigator}
	if st.Raiser != "" {
		// Brighton & Hove Level 5: "The Head of Safeguarding will make the
		// referral to Cafcass".
		to = append(to, a.roles([]string{st.Raiser})...)
	}
	a.emit(CafcassProposal, to, append(a.iroManagers(), a.roles(st.Consult)...), "")
	return true
}

// cafcassOffered reports whether the Cafcass step exists for this
// dispute's instigator. An instigator the directory does not know is
// offered it: the IRO is "personally responsible" in every procedure.
func (a *applier) cafcassOffered(st policy.Stage) bool {
	d := a.d
	if _, known := a.env.Directory.Person(d.Instigator); !known {
		return true
	}
	return st.CafcassOffered(func(r string) bool { return a.env.Directory.HasRole(d.Instigator, r) })
}

// isResponder reports an address whose reply is the stage's response.
func (a *applier) isResponder(from string) bool {
	d := a.d
	from = strings.ToLower(from)
	if from == d.Respondent || (d.Cover != "" && from == d.Cover) {
		return true
	}
	for _, r := range d.Responders {
		if r == from {
			return true
		}
	}
	return false
}

// said records a response's text on the stage's record, so that it
// travels up with every later escalation.
func (a *applier) said() {
	d := a.d
	n := len(d.History)
	if n == 0 {
		return
	}
	text := a.ev.Text
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes] + "\n[...]"
	}
	d.History[n-1].Responses = append(d.History[n-1].Responses, Said{From: strings.ToLower(a.ev.From), At: a.ev.At, Text: text})
}

// consult tells the instigator, the stage's raiser and the roles the
// procedure says to consult that the window lapsed; drpbot moves only on
// their instruction.
func (a *applier) consult(st policy.Stage, reason string) {
	d := a.d
	d.Consulted++
	to := []string{d.Instigator}
	if d.Raiser != "" {
		to = append(to, d.Raiser)
	}
	a.emit(Proposal, to, a.roles(st.Consult), reason)
	d.ConsultNext = workdays.Date{}
	if st.ConsultEvery > 0 {
		d.ConsultNext = a.env.Calendar.AddWorkingDays(a.today(), st.ConsultEvery)
	}
}

// consultAgain repeats the lapse notice while nobody has acted.
func (a *applier) consultAgain(st policy.Stage, today workdays.Date) {
	d := a.d
	if d.ConsultNext.IsZero() || today.Before(d.ConsultNext) {
		return
	}
	reason := ReasonLapsed
	if _, ok := a.env.Policy.Next(d.Stage); !ok {
		reason = ReasonLastStage
	}
	a.consult(st, reason)
}

// answeredInTime reports that the current stage was answered within its
// window: the cap is no one's to chase then (the respondent did their
// part; the instigator's decision has its own reminder).
func (a *applier) answeredInTime() bool {
	d := a.d
	n := len(d.History)
	return d.Status == Responded && n > 0 && d.History[n-1].InTime
}

// outcomeCopies are those copied on the confirmation that a dispute is
// resolved at stage st: its outcome_copy roles, and the QA inboxes where
// it names "qa" (Newham's form: "copy to be sent to SM & QA Inbox for
// entry onto tracker"; Wakefield 2.3: "forward a copy to the IRO Manager").
func (a *applier) outcomeCopies(st policy.Stage) []string {
	out := a.roles(st.OutcomeCopy)
	for _, r := range st.OutcomeCopy {
		if r == policy.RoleQA {
			out = append(out, a.env.QA...)
		}
	}
	return out
}
