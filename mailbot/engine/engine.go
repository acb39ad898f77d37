// Package engine is the escalation engine: a pure function from (dispute,
// event, now, policy, calendar, directory) to the new dispute and the emails
// to send. It reads no clock, no disk and no network, so `drpbot tick --now`,
// the demo's fast clock and the tests all drive the same rules.
//
// Emails leave the engine as Intents (purpose, recipients, stage); the
// templates package renders them and the store writes them to the outbox in
// the same transaction as the new state.
package engine

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drpbot/drpbot/mailbot/directory"
	"github.com/drpbot/drpbot/mailbot/policy"
	"github.com/drpbot/drpbot/mailbot/workdays"
)

// Sentinel errors.
var (
	// ErrClosed means the event cannot apply to a closed dispute (a new
	// alert must open a new dispute instead).
	ErrClosed = errors.New("engine: dispute is closed")
	// ErrNotAlert means a new dispute can only be opened by an alert.
	ErrNotAlert = errors.New("engine: a dispute opens with an alert")
	// ErrBadEvent means the event lacks what its kind needs.
	ErrBadEvent = errors.New("engine: bad event")
)

// Status of a dispute.
type Status string

const (
	Open      Status = "open"      // waiting for the respondent
	Responded Status = "responded" // waiting for the instigator's decision
	Paused    Status = "paused"    // clocks stopped
	Resolved  Status = "resolved"  // closed as resolved by the instigator
	Closed    Status = "closed"    // closed without resolution (withdrawn)
	Referred  Status = "referred"  // referred to Cafcass by the IRO
)

// Done reports a status that ends the dispute.
func (s Status) Done() bool { return s == Resolved || s == Closed || s == Referred }

// StageRecord is the history of one stage, for show and the report.
type StageRecord struct {
	Stage      int           `json:"stage"`
	Respondent string        `json:"respondent"`
	Started    time.Time     `json:"started"`
	Due        workdays.Date `json:"due"`
	Responded  time.Time     `json:"responded,omitzero"`
	// InTime is set when the response came by the end of the due date.
	InTime bool      `json:"in_time"`
	Ended  time.Time `json:"ended,omitzero"`
	// How the stage ended: "escalated", "lapsed", HowMoved ("moved by the
	// instigator"), "resolved", ...
	How string `json:"how,omitempty"`
	// Raiser is who raised the stage (the instigator, or the role the
	// procedure names: Brighton & Hove Level 2 the IRO Manager).
	Raiser string `json:"raiser,omitempty"`
	// By is who ended the stage by an instruction or a new alert, when
	// not the instigator (Brighton & Hove: the IRO Manager escalates Level
	// 2): an email never says "the IRO escalated it" when someone else did.
	By string `json:"by,omitempty"`
	// Responses are what the stage's respondents answered, in order: the
	// form travels up with every escalation.
	Responses []Said `json:"responses,omitempty"`
}

// Dispute is the whole state of one dispute. The store keeps it as JSON.
type Dispute struct {
	Ref           string `json:"ref"` // DRP-2026-0042
	Heading       string `json:"heading"`
	ChildRef      string `json:"child_ref"`
	ChildInitials string `json:"child_initials,omitempty"`
	Category      string `json:"category,omitempty"`
	// AlertText is the alert's own text, forwarded to each new level so the
	// new reader needs nothing else (the procedures pass the alert up).
	AlertText string `json:"alert_text,omitempty"`
	// Thread is the Message-ID of the alert, and References the thread so
	// far, for threading outgoing mail into the conversation.
	Thread            string   `json:"thread,omitempty"`
	References        []string `json:"references,omitempty"`
	ConcurrentCafcass bool     `json:"concurrent_cafcass,omitempty"`
	// Mailbox is the shared mailbox the alert came through, where the
	// council has more than one; empty means the configured one.
	Mailbox    string `json:"mailbox,omitempty"`
	Instigator string `json:"instigator"`
	Team       string `json:"team,omitempty"`
	Stage      int    `json:"stage"`
	Respondent string `json:"respondent"`
	// Cover is the respondent's deputy while the respondent is away.
	Cover string `json:"cover,omitempty"`
	// Responders are further addresses whose reply counts as this stage's
	// response (Wakefield 2.3: "the social worker or team manager").
	Responders []string `json:"responders,omitempty"`
	// Raiser is the current stage's raiser, who may give instructions.
	Raiser string `json:"raiser,omitempty"`
	// Consulted counts the lapse notices sent for this stage, and
	// ConsultNext is when the next is due (on_lapse = "consult").
	Consulted   int           `json:"consulted,omitempty"`
	ConsultNext workdays.Date `json:"consult_next"`
	Status      Status        `json:"status"`

	Opened      time.Time     `json:"opened"`
	FormalStart time.Time     `json:"formal_start,omitzero"`
	Due         workdays.Date `json:"due"`
	Reminded    int           `json:"reminded,omitempty"` // reminders sent in this stage
	Lapsed      bool          `json:"lapsed,omitempty"`   // the lapse of this stage was acted on

	Responded        time.Time     `json:"responded,omitzero"`
	DecisionDue      workdays.Date `json:"decision_due"`
	DecisionReminded bool          `json:"decision_reminded,omitempty"`

	PausedAt   time.Time `json:"paused_at,omitzero"`
	PausedFrom Status    `json:"paused_from,omitempty"`
	PausedLeft int       `json:"paused_left,omitempty"` // working days left when paused
	PausedDays int       `json:"paused_days,omitempty"` // working days spent paused

	CapWarned       bool     `json:"cap_warned,omitempty"`
	CapPassed       bool     `json:"cap_passed,omitempty"`
	AwayStage       int      `json:"away_stage"` // stage whose absence was handled; -1 none
	Bounced         []string `json:"bounced,omitempty"`
	CafcassProposed bool     `json:"cafcass_proposed,omitempty"`

	Closed  time.Time `json:"closed,omitzero"`
	Outcome string    `json:"outcome,omitempty"`

	// Seq numbers the emails this dispute caused, for deterministic
	// Message-IDs.
	Seq     int           `json:"seq"`
	History []StageRecord `json:"history"`
}

// Env is everything the rules depend on besides the dispute and the event.
type Env struct {
	Now       time.Time
	Policy    *policy.Policy
	Calendar  *workdays.Calendar
	Directory *directory.Directory
	// QA are the QA inbox addresses: they may give instructions and are
	// told when something needs a person (a dead address, no next level).
	QA []string
	// Acknowledge sends the instigator an acknowledgement of each new alert.
	Acknowledge bool
	// Mailbox is the shared mailbox; CcMailbox copies it visibly on the
	// emails of stages whose procedure says so (a stage's cc_mailbox).
	Mailbox   string
	CcMailbox bool
}

// Kind of event.
type Kind string

const (
	Alert     Kind = "alert"      // a DRP alert (new, or a new stage by the instigator)
	Response  Kind = "response"   // a reply from the respondent
	Note      Kind = "note"       // anything else said in the thread
	AutoReply Kind = "auto_reply" // an out-of-office or other automatic reply
	Bounce    Kind = "bounce"     // a delivery failure report
	Command   Kind = "command"    // an instruction line
	Tick      Kind = "tick"       // time passing
)

// Event is one thing that happened to a dispute.
type Event struct {
	Kind Kind
	At   time.Time
	From string
	// To are the alert's addressees, the respondent first; the shared
	// mailbox and drpbot's own address already removed.
	To []string
	// Alert facts.
	Stage         *int
	Heading       string
	ChildRef      string
	ChildInitials string
	Category      string
	// Text is the message's own new text (quoted history cut, the
	// child's name redacted): an alert's text, a response, a note.
	Text              string
	Due               workdays.Date // an explicit due date in the alert
	ConcurrentCafcass bool
	// Mailbox is the shared mailbox the alert came through.
	Mailbox string
	// Command is the parser's normalised instruction.
	Command string
	// Failed are the addresses a bounce reports.
	Failed []string
	// Unauthenticated marks a command whose message the council's mail
	// server did not vouch for, where the council requires it: it is
	// refused (Help excepted), so a forged From cannot close a dispute.
	Unauthenticated bool
	MessageID       string
}

// Purpose of an email.
type Purpose string

const (
	Ack              Purpose = "ack"               // alert recorded, to the instigator
	Notify           Purpose = "notify"            // a stage the role is alerted of
	Reminder         Purpose = "reminder"          // due soon, to the respondent
	Overdue          Purpose = "overdue"           // window lapsed, to the respondent
	Escalation       Purpose = "escalation"        // to the next level
	Proposal         Purpose = "proposal"          // lapsed: the instigator decides
	CafcassProposal  Purpose = "cafcass_proposal"  // the next step is Cafcass: the IRO decides
	DecisionReminder Purpose = "decision_reminder" // responded: record the outcome
	CommandAck       Purpose = "command_ack"
	CommandRefused   Purpose = "command_refused"
	Away             Purpose = "away"         // respondent away, to the instigator
	DeputyCover      Purpose = "deputy_cover" // the alert, to the deputy
	Bounced          Purpose = "bounced"      // an address is dead
	CapWarning       Purpose = "cap_warning"  // the 20-day cap is near
	CapPassed        Purpose = "cap_passed"   // and passed
	NoNextLevel      Purpose = "no_next_level"
	StatusReply      Purpose = "status" // the dispute's state, on request
	HelpCard         Purpose = "help"   // the command language, on request
	Digest           Purpose = "digest" // weekly: open disputes per person
	Report           Purpose = "report" // quarterly, to QA
	// Held tells the QA inbox what drpbot recorded but did not act on (an
	// alert its server did not authenticate, a stranger's mail); sent by
	// the mailbot, never by the rules.
	Held Purpose = "held"
)

// Purposes lists every purpose, in the order people meet them.
var Purposes = []Purpose{Ack, Notify, Reminder, Overdue, Escalation, Proposal, CafcassProposal,
	DecisionReminder, CommandAck, CommandRefused, Away, DeputyCover, Bounced, CapWarning, CapPassed,
	NoNextLevel, StatusReply, HelpCard, Digest, Report, Held}

// Intent is an email to send, before rendering.
type Intent struct {
	Purpose Purpose
	Ref     string
	Stage   int
	Seq     int
	To, Cc  []string
	// Command is the instruction an ack or refusal answers.
	Command string
	// Reason says why, for refusals and problems; never the email's body.
	Reason string
}

// Apply applies ev to d. A zero d (no Status) is a new dispute, which only
// an Alert can open; its Ref must already be set. d is not modified.
func Apply(d Dispute, ev Event, env Env) (Dispute, []Intent, error) {
	d = d.clone()
	a := &applier{d: &d, ev: ev, env: env, now: env.Now}
	if a.now.IsZero() {
		a.now = ev.At
	}
	if ev.At.IsZero() {
		a.ev.At = a.now
	}
	var err error
	switch {
	case d.Status == "":
		if ev.Kind != Alert {
			return d, nil, ErrNotAlert
		}
		err = a.open()
	case ev.Kind == Tick:
		a.tick()
	case d.Status.Done():
		if ev.Kind == Command && a.query() {
			break
		}
		if ev.Kind == Command {
			a.refuse("this dispute is already closed (" + string(d.Status) + ")")
		} else if ev.Kind == Alert && ev.From == d.Instigator {
			return d, nil, ErrClosed
		}
	default:
		switch ev.Kind {
		case Alert:
			a.alertAgain()
		case Response:
			a.response()
		case Command:
			a.command()
		case AutoReply:
			a.away()
		case Bounce:
			a.bounce()
		case Note:
		default:
			err = fmt.Errorf("%w: kind %q", ErrBadEvent, ev.Kind)
		}
	}
	return d, a.out, err
}

func (d Dispute) clone() Dispute {
	d.History = append([]StageRecord(nil), d.History...)
	for i := range d.History {
		d.History[i].Responses = append([]Said(nil), d.History[i].Responses...)
	}
	d.Responders = append([]string(nil), d.Responders...)
	d.Bounced = append([]string(nil), d.Bounced...)
	return d
}

type applier struct {
	d   *Dispute
	ev  Event
	env Env
	now time.Time
	out []Intent
}

func (a *applier) today() workdays.Date { return workdays.In(a.now) }

func (a *applier) emit(p Purpose, to, cc []string, reason string) {
	to = clean(to, nil)
	cc = clean(cc, to)
	if len(to) == 0 {
		if len(cc) == 0 {
			return
		}
		to, cc = cc, nil
	}
	a.d.Seq++
	a.out = append(a.out, Intent{Purpose: p, Ref: a.d.Ref, Stage: a.d.Stage, Seq: a.d.Seq, To: to, Cc: cc, Reason: reason, Command: a.ev.Command})
}

// clean lower-cases, drops empties and duplicates (and anything in skip).
func clean(list, skip []string) []string {
	seen := map[string]bool{}
	for _, s := range skip {
		seen[strings.ToLower(s)] = true
	}
	var out []string
	for _, s := range list {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (a *applier) roles(roles []string) []string {
	var out []string
	for _, r := range roles {
		switch r {
		case policy.RoleInstigator:
			out = append(out, a.d.Instigator)
		case policy.RoleInstigatorManager:
			if p, ok := a.env.Directory.Person(a.d.Instigator); ok && p.Manager != "" {
				out = append(out, p.Manager)
			}
		case policy.RoleIROManager:
			out = append(out, a.iroManagers()...)
		default:
			out = append(out, a.env.Directory.Notify(r, a.d.Team)...)
		}
	}
	return out
}

func (a *applier) iroManagers() []string {
	return a.env.Directory.Notify(policy.RoleIROManager, a.instigatorTeam())
}

func (a *applier) instigatorTeam() string {
	if p, ok := a.env.Directory.Person(a.d.Instigator); ok {
		return p.Team
	}
	return ""
}

// stageRule returns the policy's rule for stage n; a stage the policy does
// not define (an IRO may start anywhere) borrows the next defined one's.
func (a *applier) stageRule(n int) policy.Stage {
	if st, ok := a.env.Policy.Stage(n); ok {
		return st
	}
	if st, ok := a.env.Policy.Next(n); ok {
		st.Number = n
		st.Name = ""
		return st
	}
	st := a.env.Policy.Stages[len(a.env.Policy.Stages)-1]
	st.Number, st.Name = n, ""
	return st
}

func (a *applier) open() error {
	d, ev := a.d, a.ev
	if d.Ref == "" {
		return fmt.Errorf("%w: new dispute without a reference", ErrBadEvent)
	}
	d.Heading, d.ChildRef, d.Category = ev.Heading, ev.ChildRef, ev.Category
	d.ChildInitials, d.AlertText = ev.ChildInitials, ev.Text
	d.Thread = ev.MessageID
	d.ConcurrentCafcass = ev.ConcurrentCafcass
	d.Mailbox = strings.ToLower(ev.Mailbox)
	d.Instigator = strings.ToLower(ev.From)
	d.Opened = ev.At
	d.AwayStage = -1
	n := a.openingStage()
	st := a.stageRule(n)
	respondent := ""
	if to := clean(ev.To, []string{d.Instigator}); len(to) > 0 {
		respondent = to[0]
	}
	d.Team = a.instigatorTeam()
	if p, ok := a.env.Directory.Person(respondent); ok && p.Team != "" {
		d.Team = p.Team
	}
	a.enter(st, respondent, ev.Due)
	a.alertedBy(st)
	if a.env.Acknowledge {
		a.emit(Ack, []string{d.Instigator}, nil, "")
	}
	if respondent == "" && !st.Cafcass {
		a.emit(NoNextLevel, []string{d.Instigator}, a.env.QA, "the alert names no respondent")
	}
	return nil
}

// enter starts stage st with respondent. due, when set, is the date the
// instigator gave; otherwise the policy's window from today.
func (a *applier) enter(st policy.Stage, respondent string, due workdays.Date) {
	d := a.d
	if n := len(d.History); n > 0 && d.History[n-1].Ended.IsZero() {
		d.History[n-1].Ended = a.ev.At
	}
	d.Stage = st.Number
	d.Respondent = strings.ToLower(respondent)
	d.Cover = ""
	d.Status = Open
	d.Reminded, d.Lapsed = 0, false
	d.Consulted, d.ConsultNext, d.Responders = 0, workdays.Date{}, nil
	d.Responded, d.DecisionDue, d.DecisionReminded = time.Time{}, workdays.Date{}, false
	if !st.IsInformal() && d.FormalStart.IsZero() {
		d.FormalStart = a.ev.At
	}
	d.Due = a.stageDue(st, due)
	d.Raiser = a.raiser(st)
	d.History = append(d.History, StageRecord{Stage: st.Number, Respondent: d.Respondent, Started: a.ev.At, Due: d.Due, Raiser: d.Raiser})
	if len(st.Notify) > 0 {
		a.emit(Notify, a.roles(st.Notify), nil, "")
	}
}

func (a *applier) endStage(how string) {
	if n := len(a.d.History); n > 0 && a.d.History[n-1].Ended.IsZero() {
		a.d.History[n-1].Ended = a.ev.At
		a.d.History[n-1].How = how
		if by := strings.ToLower(a.ev.From); (how == HowEscalated || how == HowMoved) && by != "" && by != a.d.Instigator {
			a.d.History[n-1].By = by
		}
	}
}

// escalate moves to stage st, found in the directory above the current
// respondent. A Cafcass stage is only ever proposed.
func (a *applier) escalate(st policy.Stage, how string) bool {
	d := a.d
	if st.Cafcass {
		return a.cafcass(st)
	}
	from := d.Respondent
	if from == "" {
		from = d.Instigator
	}
	next, err := a.env.Directory.Find(from, st.Respondent, d.Team)
	if err != nil {
		a.emit(NoNextLevel, []string{d.Instigator}, a.env.QA, fmt.Sprintf("%s: %v", a.env.Policy.StageName(st.Number), err))
		return false
	}
	prev := d.Respondent
	a.endStage(how)
	a.enter(st, next.Email, workdays.Date{})
	to, cc := a.stageRecipients(st, next.Email, prev)
	a.emit(Escalation, to, cc, how)
	return true
}

func (a *applier) alertAgain() {
	d, ev := a.d, a.ev
	n, stated := a.statedStage()
	if !a.mayRaise(ev.From) || !stated || n == d.Stage {
		return // a copy of the alert, or someone else's: a note
	}
	// The instigator (or the stage's raiser) raised the dispute to another
	// stage (bypass or a manual escalation): they wrote to the respondent
	// themselves.
	st := a.stageRule(n)
	if st.Cafcass && !a.cafcassOffered(st) {
		a.cafcass(st) // Newham stage 5 "(IRO ONLY)": the manager is told
		return
	}
	respondent := ""
	if to := clean(ev.To, []string{d.Instigator}); len(to) > 0 {
		respondent = to[0]
	}
	if respondent == "" && !st.Cafcass {
		if p, err := a.env.Directory.Find(d.Respondent, st.Respondent, d.Team); err == nil {
			respondent = p.Email
		}
	}
	a.endStage(HowMoved)
	a.enter(st, respondent, ev.Due)
	a.alertedBy(st)
	if a.env.Acknowledge {
		a.emit(Ack, []string{d.Instigator}, nil, "")
	}
}

func (a *applier) response() {
	d := a.d
	a.said()
	if d.Status != Open {
		return
	}
	d.Status = Responded
	d.Responded = a.ev.At
	if n := len(d.History); n > 0 {
		d.History[n-1].Responded = a.ev.At
		d.History[n-1].InTime = d.Due.IsZero() || a.ev.At.Before(d.Due.End())
	}
	if days := a.env.Policy.DecisionDays; days > 0 {
		d.DecisionDue = a.env.Calendar.AddWorkingDays(workdays.In(a.ev.At), days)
	}
}

func (a *applier) authorised(from string) bool {
	from = strings.ToLower(from)
	if from == a.d.Instigator || (a.d.Raiser != "" && from == a.d.Raiser) {
		return true
	}
	if st := a.stageRule(a.d.Stage); st.Raiser != "" && a.env.Directory.HasRole(from, st.Raiser) {
		return true // the stage's raiser may give instructions for it
	}
	for _, q := range a.env.QA {
		if strings.EqualFold(q, from) {
			return true
		}
	}
	return a.env.Directory.HasRole(from, policy.RoleIROManager)
}

func (a *applier) refuse(reason string) {
	a.emit(CommandRefused, []string{a.ev.From}, nil, reason)
}

func (a *applier) ack(reason string) {
	a.emit(CommandAck, []string{a.ev.From}, []string{a.d.Instigator}, reason)
}

// ReasonUnauthenticated refuses an instruction (or a near miss of one) whose
// message the council's mail server did not vouch for.
const ReasonUnauthenticated = "the council's mail server did not mark your email as authenticated, so the instruction was recorded as a note"

// query answers Status and Help, which change nothing; false for any
// other command.
func (a *applier) query() bool {
	d, from := a.d, strings.ToLower(a.ev.From)
	switch a.ev.Command {
	case "help":
		a.emit(HelpCard, []string{from}, nil, "")
	case "status":
		// The state of a child's dispute goes only to those in it.
		if a.ev.Unauthenticated {
			a.refuse(ReasonUnauthenticated)
		} else if a.authorised(from) || from == d.Respondent || from == d.Cover {
			a.emit(StatusReply, []string{from}, nil, "")
		} else {
			a.refuse("the status of a dispute goes only to the people in it")
		}
	default:
		return false
	}
	return true
}

func (a *applier) command() {
	d, ev := a.d, a.ev
	from := strings.ToLower(ev.From)
	if a.query() {
		return
	}
	if ev.Unauthenticated {
		a.refuse(ReasonUnauthenticated)
		return
	}
	if !a.authorised(from) {
		if a.isResponder(from) && d.Status == Open {
			// A manager's "Resolved" is their response, never a resolution.
			a.response()
			a.refuse("your reply is recorded as the response; only the instigator records whether the dispute is resolved")
			return
		}
		a.refuse("only the instigator, the stage's raiser, the IRO manager and the QA inbox can give instructions")
		return
	}
	verb, arg, _ := strings.Cut(ev.Command, " ")
	switch verb {
	case "resolved":
		st := a.stageRule(d.Stage)
		a.endStage("resolved")
		d.Status, d.Closed, d.Outcome = Resolved, ev.At, "resolved"
		a.emit(CommandAck, []string{ev.From}, append([]string{d.Instigator}, a.outcomeCopies(st)...), "")
	case "close":
		a.endStage("closed")
		d.Status, d.Closed, d.Outcome = Closed, ev.At, "withdrawn"
		a.ack("")
	case "cafcass":
		a.endStage("referred to Cafcass")
		d.Status, d.Closed, d.Outcome = Referred, ev.At, "referred to Cafcass"
		a.ack("")
		for _, st := range a.env.Policy.Stages {
			if st.Cafcass && len(st.Notify) > 0 {
				a.emit(Notify, a.roles(st.Notify), nil, "Cafcass referral made")
			}
		}
	case "escalate":
		if d.Status == Paused {
			a.refuse("the dispute is paused; reply Resume first")
			return
		}
		next, ok := a.env.Policy.Next(d.Stage)
		if !ok {
			a.refuse(a.env.Policy.StageName(d.Stage) + " is the last stage")
			return
		}
		if a.escalate(next, HowEscalated) && !next.Cafcass {
			a.ack("")
		}
	case "stage":
		n, _ := strconv.Atoi(arg)
		st, ok := a.env.Policy.Stage(n)
		switch {
		case !ok:
			a.refuse(fmt.Sprintf("the procedure has no stage %d", n))
		case n == d.Stage:
			a.refuse(fmt.Sprintf("the dispute is already at %s", a.env.Policy.StageName(n)))
		case d.Status == Paused:
			a.refuse("the dispute is paused; reply Resume first")
		default:
			if a.escalate(st, HowMoved) && !st.Cafcass {
				a.ack("")
			}
		}
	case "extend":
		if d.Status != Open {
			a.refuse("only an open response window can be extended (the dispute is " + string(d.Status) + ")")
			return
		}
		var due workdays.Date
		if n, err := strconv.Atoi(arg); err == nil {
			base := d.Due
			if base.IsZero() || base.Before(a.today()) {
				base = a.today()
			}
			due = a.env.Calendar.AddWorkingDays(base, n)
		} else if t, err := time.Parse("2006-01-02", arg); err == nil {
			due = workdays.DateOf(t)
		} else {
			a.refuse("extend needs a date (Extend to 11/12/2026) or a number of working days (Extend 5 days)")
			return
		}
		if due.Before(a.today()) {
			a.refuse("the new date " + due.UK() + " has already passed")
			return
		}
		d.Due, d.Reminded, d.Lapsed = due, 0, false
		if n := len(d.History); n > 0 {
			d.History[n-1].Due = due
		}
		a.ack("")
	case "pause":
		if d.Status == Paused {
			a.refuse("the dispute is already paused")
			return
		}
		d.PausedAt, d.PausedFrom = ev.At, d.Status
		d.PausedLeft = 0
		if !d.Due.IsZero() {
			if left := a.env.Calendar.WorkingDaysBetween(a.today(), d.Due); left > 0 {
				d.PausedLeft = left
			}
		}
		d.Status = Paused
		a.ack("")
	case "resume":
		if d.Status != Paused {
			a.refuse("the dispute is not paused")
			return
		}
		today := a.today()
		d.PausedDays += max(0, a.env.Calendar.WorkingDaysBetween(workdays.In(d.PausedAt), today))
		d.Status = d.PausedFrom
		if d.Status == Open && !d.Due.IsZero() {
			d.Due = a.env.Calendar.AddWorkingDays(today, max(d.PausedLeft, 1))
			d.Reminded, d.Lapsed = 0, false
			if n := len(d.History); n > 0 {
				d.History[n-1].Due = d.Due
			}
		}
		d.PausedAt, d.PausedFrom, d.PausedLeft = time.Time{}, "", 0
		a.ack("")
	default:
		a.refuse(fmt.Sprintf("%q is not an instruction drpbot knows", ev.Command))
	}
}

func (a *applier) away() {
	d := a.d
	from := strings.ToLower(a.ev.From)
	if from != d.Respondent || d.Status != Open || d.AwayStage == d.Stage {
		return // never a response; only the respondent's absence matters
	}
	d.AwayStage = d.Stage
	p, _ := a.env.Directory.Person(from)
	if p.Deputy != "" {
		d.Cover = p.Deputy
		a.emit(DeputyCover, []string{p.Deputy}, []string{d.Instigator}, "")
		a.emit(Away, []string{d.Instigator}, nil, "the alert was sent to the deputy "+p.Deputy)
		return
	}
	a.emit(Away, []string{d.Instigator}, nil, "the directory names no deputy")
}

func (a *applier) bounce() {
	d := a.d
	failed := clean(a.ev.Failed, d.Bounced)
	if len(a.ev.Failed) == 0 {
		failed = clean([]string{"(address not given)"}, d.Bounced)
	}
	for _, addr := range failed {
		d.Bounced = append(d.Bounced, addr)
		a.emit(Bounced, []string{d.Instigator}, a.env.QA, addr)
	}
}

// tick does what time passing asks: reminders, the lapse, the decision
// reminder, the cap warning. Each is done once; a tick repeated at the same
// time does nothing more.
func (a *applier) tick() {
	d := a.d
	if d.Status.Done() || d.Status == Paused {
		return
	}
	st := a.stageRule(d.Stage)
	today := a.today()
	if d.Status == Open && !d.Due.IsZero() && !st.Cafcass {
		if !d.Lapsed && !a.now.Before(d.Due.End()) {
			a.lapse(st)
		} else if !d.Lapsed {
			a.remind(st, today)
		} else {
			a.consultAgain(st, today)
		}
	}
	if d.Status == Responded && !d.DecisionDue.IsZero() && !d.DecisionReminded && !a.now.Before(d.DecisionDue.End()) {
		d.DecisionReminded = true
		// Where the procedure makes the next step a consultation, the
		// decision after a response is taken with the same people (Wakefield
		// 3.5: "or the IRO considers the response to be unsatisfactory the
		// IRO in consultation with the IRO Manager will progress to Stage 2").
		to, cc := []string{d.Instigator}, []string(nil)
		if st.LapseAction() == policy.Consult {
			to = append(to, d.Raiser)
			cc = a.roles(st.Consult)
		}
		a.emit(DecisionReminder, to, cc, "")
	}
	a.cap(today)
}

func (a *applier) remind(st policy.Stage, today workdays.Date) {
	d := a.d
	offsets := append([]int(nil), st.Reminders...)
	sort.Sort(sort.Reverse(sort.IntSlice(offsets)))
	due := 0
	for _, off := range offsets {
		if !today.Before(a.env.Calendar.SubWorkingDays(d.Due, off)) {
			due++
		}
	}
	if due > d.Reminded {
		d.Reminded = due
		// The instigator is not copied: they have nothing to do yet.
		a.emit(Reminder, append([]string{d.Respondent, d.Cover}, d.Responders...), nil, "")
	}
}

func (a *applier) lapse(st policy.Stage) {
	d := a.d
	d.Lapsed = true
	next, ok := a.env.Policy.Next(d.Stage)
	if st.LapseAction() == policy.Consult || !ok {
		a.emit(Overdue, append([]string{d.Respondent, d.Cover}, d.Responders...), []string{d.Instigator}, "")
		reason := ReasonLapsed
		if !ok {
			reason = ReasonLastStage
		}
		a.consult(st, reason)
		return
	}
	a.escalate(next, HowLapsed)
}

func (a *applier) cap(today workdays.Date) {
	d := a.d
	total := a.env.Policy.TotalDays
	if total <= 0 || d.FormalStart.IsZero() || a.answeredInTime() {
		return
	}
	used := a.env.Calendar.WorkingDaysBetween(workdays.In(d.FormalStart), today) - d.PausedDays
	to := append(a.roles(a.env.Policy.CapNotify), a.env.QA...)
	if !d.CapWarned && used >= total-a.env.Policy.CapWarnDays {
		d.CapWarned = true
		a.emit(CapWarning, to, []string{d.Instigator}, fmt.Sprintf("%d of %d working days used", used, total))
	}
	if !d.CapPassed && used > total {
		d.CapPassed = true
		a.emit(CapPassed, to, []string{d.Instigator}, fmt.Sprintf("%d of %d working days used", used, total))
	}
}

// NextAction is the earliest time a tick could have something to do for d,
// the zero time when nothing is pending: the store's due index keys on it so
// that a tick reads only what is due.
func NextAction(d Dispute, env Env) time.Time {
	if d.Status.Done() || d.Status == Paused || d.Status == "" {
		return time.Time{}
	}
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	st := (&applier{env: env}).stageRule(d.Stage)
	if d.Status == Open && d.Lapsed && !d.ConsultNext.IsZero() {
		consider(d.ConsultNext.Time())
	}
	if d.Status == Open && !d.Due.IsZero() && !d.Lapsed && !st.Cafcass {
		consider(d.Due.End())
		offsets := append([]int(nil), st.Reminders...)
		sort.Sort(sort.Reverse(sort.IntSlice(offsets)))
		if d.Reminded < len(offsets) {
			consider(env.Calendar.SubWorkingDays(d.Due, offsets[d.Reminded]).Time())
		}
	}
	if d.Status == Responded && !d.DecisionDue.IsZero() && !d.DecisionReminded {
		consider(d.DecisionDue.End())
	}
	if total := env.Policy.TotalDays; total > 0 && !d.FormalStart.IsZero() && !d.CapPassed {
		start := workdays.In(d.FormalStart)
		n := total + 1 + d.PausedDays
		if !d.CapWarned {
			n = total - env.Policy.CapWarnDays + d.PausedDays
		}
		consider(env.Calendar.AddWorkingDays(start, n).Time())
	}
	return next
}
