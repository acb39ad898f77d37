package mailbot

import (
	"strings"

	"github.com/drpbot/drpbot/mailbot/engine"
	"github.com/drpbot/drpbot/parser"
	"github.com/drpbot/drpbot/store"
)

// Issue 14: never ignore an IRO's would-be instruction in silence, and never
// count an unsure out-of-office as a response.
//
// The parser reads a reply line that resembles an instruction without being
// one as NearCommand (parser/near.go gives the rules, including the ones
// under which a line is acted on as it stands). When the dispute's
// instigator (or the current stage's raiser) wrote it, drpbot changes
// nothing and answers at once with what it understood and the exact line
// to send (DESIGN.md: "An instigator's line
// that looks like an instruction but is not exactly one is answered with
// what drpbot understood and the exact line to send"); an impossible date or
// stage is refused with the reason.
//
// A reply whose text reads like an out-of-office but is not marked as one
// (MaybeAutoReply) is recorded as a note, never as the response, and the
// instigator is told the same day so that a person decides.

// readingAnswers adds those answers to the intents caused by message m in
// dispute d (already updated by the engine), and says in the audit event
// what was read. unauth is set when the council's server did not vouch for
// m where it must (mailbot/trust.go).
func (b *Bot) readingAnswers(d *engine.Dispute, m *parser.Message, ev engine.Event, unauth bool, intents []engine.Intent, audit *store.Event) []engine.Intent {
	if d.Status == "" {
		return intents
	}
	emit := func(p engine.Purpose, to, command, reason string) {
		if to == "" {
			return
		}
		d.Seq++
		intents = append(intents, engine.Intent{Purpose: p, Ref: d.Ref, Stage: d.Stage, Seq: d.Seq,
			To: []string{to}, Command: command, Reason: reason})
	}
	switch {
	case ev.Kind == engine.Note && m.NearCommand != "" && instructs(*d, m.From) != "":
		line := parser.InstructionLine(m.NearCommand)
		audit.Command = "near: " + m.NearCommand
		audit.Detail = "looked like an instruction; answered with the exact line"
		reason := nearReason(m, line)
		if d.Status.Done() {
			reason = "this dispute is already closed (" + string(d.Status) + ")"
		}
		if unauth {
			// Possibly forged: handing the IRO the exact line to send would
			// pass the forger's instruction on. Refused as a forged
			// instruction is (mailbot/trust.go).
			audit.Detail = "looked like an instruction; not authenticated, so refused without the line"
			reason = engine.ReasonUnauthenticated
		}
		// The answer goes to the writer's address as the store has it
		// (from the directory), never to the message's From as written.
		emit(engine.CommandRefused, instructs(*d, m.From), line, reason)
	case ev.Kind == engine.Note && m.MaybeAutoReply && !unauth && !d.Status.Done() && (strings.EqualFold(m.From, d.Respondent) || strings.EqualFold(m.From, d.Cover)):
		// Unauthenticated, it would not have counted as the response
		// anyway: the IRO is not told of an absence anyone could make up.
		audit.Detail = "reads like an out-of-office reply: recorded, not counted as the response; the instigator was told"
		emit(engine.MaybeAway, d.Instigator, "", "")
	}
	return intents
}

// instructs is the stored address of from when from is one whose
// instructions the dispute takes and whose near miss is answered: the
// instigator, or the current stage's raiser (Brighton & Hove: the IRO
// Manager raises Level 2, the Head of Safeguarding Levels 3-5); else "".
func instructs(d engine.Dispute, from string) string {
	for _, a := range []string{d.Instigator, d.Raiser} {
		if a != "" && strings.EqualFold(from, a) {
			return a
		}
	}
	return ""
}

// nearReason says what drpbot understood and what to send. It never
// quotes the email's text, only the instruction drpbot read.
func nearReason(m *parser.Message, line string) string {
	if m.NearReason != "" {
		return m.NearReason + "; to give the instruction, reply with a line of its own such as: " + line
	}
	return "your reply looks like the instruction \"" + line + "\" but is not exactly it, so drpbot did not act on it; " +
		"to do it, reply with this line on its own: " + line
}
