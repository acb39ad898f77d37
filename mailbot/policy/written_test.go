package policy

import (
	"slices"
	"strconv"
	"testing"
)

// TestPresetsAsWritten checks every stage of every preset against the
// sentence of its council's document that sets it (quoted beside each
// row). docs/procedures/<council>.md cites this test for the per-stage
// facts: respondent, who else may answer, raiser, copies, alerts, window,
// agreed timescale, what a lapse does and whom it consults.
func TestPresetsAsWritten(t *testing.T) {
	type row struct {
		preset  string
		stage   int
		resp    string   // respondent; "" for a Cafcass step
		also    []string // also_respond
		raiser  string   // "" means the instigator
		copy    []string
		notify  []string
		days    int
		agreed  bool
		lapse   OnLapse // Escalate or Consult
		consult []string
	}
	const E, C = Escalate, Consult
	iroM := RoleIROManager
	sru := []string{iroM, "service_lead_sru", "service_manager_sru"}
	rows := []row{
		// Newham s6: "with the allocated social worker or responsible team
		// manager to seek to resolve the matter informally"; "if resolution is
		// not achieved in a timescale appropriate to the child's needs, the
		// IRO/CP Chair will initiate the formal process".
		{preset: "newham", stage: 0, resp: "social_worker", also: []string{"team_manager"}, agreed: true, lapse: C},
		// s7 Stage 1: "IRO/CP Chair raises with Practice Lead"; "Maximum
		// timeframe for a response is five days."
		{preset: "newham", stage: 1, resp: "practice_lead", days: 5, lapse: E},
		// Stage 2: "escalate to the Practice Lead's Service Manager";
		// "Maximum timeframe for response is 5 working days."
		{preset: "newham", stage: 2, resp: "service_manager", days: 5, lapse: E},
		// Stage 3: "escalate to Operations Director and alert Assistant
		// Director of QA"; "5 working days".
		{preset: "newham", stage: 3, resp: "operations_director", notify: []string{"ad_qa"}, days: 5, lapse: E},
		// Stage 4: "escalate to Corporate Director of CYPS, coping in the
		// Operations Director and relevant HoS/AD"; "5 days".
		{preset: "newham", stage: 4, resp: "corporate_director", copy: []string{"operations_director", "head_of_service"}, days: 5, lapse: E},
		// Stage 5 (IRO ONLY): "IRO to escalate to CAFCASS and alert DCS".
		{preset: "newham", stage: 5, notify: []string{"dcs"}, lapse: E},

		// Oxfordshire s5: "raised by a direct discussion ... with the allocated
		// social worker or responsible team manager".
		{preset: "oxfordshire", stage: 0, resp: "social_worker", also: []string{"team_manager"}, agreed: true, lapse: C},
		// Stage 1: "IRO raises concern in a conversation with social worker and
		// confirms in writing in an email, copying in the team manager"; "The
		// email should summarise the conversation with agreed actions and
		// timescales."
		{preset: "oxfordshire", stage: 1, resp: "social_worker", copy: []string{"team_manager"}, agreed: true, lapse: E},
		// Stage 2: "IRO to escalate to ASCMs and alert SM Safeguarding";
		// "Maximum timeframe for ASCM response is 5 working days".
		{preset: "oxfordshire", stage: 2, resp: "ascm", notify: []string{"sm_safeguarding"}, days: 5, lapse: E},
		// Stage 3: "IRO to escalate to Deputy Director and alert Safeguarding
		// Manager" (no window stated).
		{preset: "oxfordshire", stage: 3, resp: "deputy_director", notify: []string{"safeguarding_manager"}, agreed: true, lapse: E},
		// Stage 4: "IRO to escalate to Director and alert Deputy Director
		// Safeguarding [if not already aware]" (no window stated).
		{preset: "oxfordshire", stage: 4, resp: "director", notify: []string{"deputy_director_safeguarding"}, agreed: true, lapse: E},
		// Stage 5: "IRO to escalate to Chief Executive and alert DCS" (no
		// window, no further level: a lapse goes to the IRO).
		{preset: "oxfordshire", stage: 5, resp: "chief_executive", notify: []string{"dcs"}, agreed: true, lapse: C},

		// Wakefield 2.2: "e-mailed to the child's allocated social worker and
		// team manager, and copied to the IRO Manager"; 2.3: "A response from
		// the social worker or team manager is then expected within a maximum
		// of 15 working days"; "the IRO Manager consulted".
		{preset: "wakefield", stage: 0, resp: "social_worker", also: []string{"team_manager"}, copy: []string{iroM}, days: 15, lapse: C, consult: []string{iroM}},
		// 3.5: "forwarded to the responsible Service Manager. Copies to be sent
		// to the responsible Team Manager, IRO Manager, Service Lead for the
		// Safeguarding and Reviewing Unit and Service Manager for the
		// Safeguarding and Reviewing Unit"; "within 5 working days"; "the IRO
		// in consultation with the IRO Manager will progress to Stage 2".
		{preset: "wakefield", stage: 1, resp: "service_manager", copy: append([]string{"team_manager"}, sru...), days: 5, lapse: C, consult: []string{iroM}},
		// 3.6: "forwarded to the Service Director. Copies to be sent to the
		// responsible Service Manager, IRO Manager, ...".
		{preset: "wakefield", stage: 2, resp: "service_director", copy: append([]string{"service_manager"}, sru...), days: 5, lapse: C, consult: []string{iroM}},
		// 3.7: "forwarded to the Corporate Director. Copies to be sent to the
		// Service Director, IRO Manager, ...".
		{preset: "wakefield", stage: 3, resp: "corporate_director", copy: append([]string{"service_director"}, sru...), days: 5, lapse: C, consult: []string{iroM}},
		// 3.8: "forwarded to the Chief Executive. Copies to be sent to the
		// Corporate Director, IRO Manager, ..."; "a referral to CAFCASS should
		// be fully discussed with the IRO Manager, Service Lead ... and Service
		// Manager for the Safeguarding and Reviewing Unit."
		{preset: "wakefield", stage: 4, resp: "chief_executive", copy: append([]string{"corporate_director"}, sru...), days: 5, lapse: C, consult: sru},
		// 3.9: "discussion must take place with the IRO Manager, Service Lead
		// ... and Service Manager for the Safeguarding and Reviewing Unit".
		{preset: "wakefield", stage: 5, lapse: E, consult: sru},

		// Brighton & Hove, Informal: "IRO raises concerns with Pod Team
		// Manager"; "Timescales negotiated"; "the IRO will consult with the
		// IRO Manager (Children Looked-after)".
		{preset: "brighton-hove", stage: 0, resp: "pod_team_manager", agreed: true, lapse: C, consult: []string{iroM}},
		// Level 1: "IRO raises concerns with the Pod Team Manager and notifies
		// the relevant Service Manager"; "5 working days"; "the IRO will
		// consult with the IRO Manager".
		{preset: "brighton-hove", stage: 1, resp: "pod_team_manager", notify: []string{"service_manager"}, days: 5, lapse: C, consult: []string{iroM}},
		// Level 2: "IRO Manager (Children Looked-after) raises concerns with
		// the Service Manager and notifies the Head of Children's Delivery
		// Unit"; "five working days"; "will consult with the Head of
		// Safeguarding".
		{preset: "brighton-hove", stage: 2, resp: "service_manager", raiser: iroM, notify: []string{"head_of_childrens_delivery"}, days: 5, lapse: C, consult: []string{"head_of_safeguarding"}},
		// Level 3: "Head of Safeguarding raises concerns with the Head of
		// Children's Delivery Unit and notifies the Director Children's
		// Services"; "4 working days"; Level 4: "If the matter remains
		// unresolved it will be escalated to the Director for Children's
		// Services".
		{preset: "brighton-hove", stage: 3, resp: "head_of_childrens_delivery", raiser: "head_of_safeguarding", notify: []string{"dcs"}, days: 4, lapse: E},
		// Level 4: "Head of Safeguarding raises concerns with the Director
		// Children's Services"; "3 working days"; "will seek legal and Cafcass
		// advice before deciding".
		{preset: "brighton-hove", stage: 4, resp: "dcs", raiser: "head_of_safeguarding", days: 3, lapse: C},
		// Level 5: "Head of Safeguarding raises concerns with the Chief
		// Executive"; "3 working days"; "will notify ... of the intention to
		// refer the case to Cafcass".
		{preset: "brighton-hove", stage: 5, resp: "chief_executive", raiser: "head_of_safeguarding", days: 3, lapse: C},
		// Level 5: "The Head of Safeguarding will make the referral to Cafcass";
		// "will notify the Director of Children's Services and the Chief
		// Executive".
		{preset: "brighton-hove", stage: 6, raiser: "head_of_safeguarding", notify: []string{"dcs", "chief_executive"}, lapse: E},

		// Kirklees s3: "Informal - Quality Assurance - Stage"; "clear
		// timescales agreed"; forms "assigned to relevant operational Manager
		// for comments and then reassigned to the IRO to make a decision".
		{preset: "kirklees", stage: 0, resp: "team_manager", also: []string{"social_worker"}, agreed: true, lapse: C},
		// The formal stages are not public (a starting point): every lapse
		// goes to the IRO.
		{preset: "kirklees", stage: 1, resp: "service_manager", days: 5, lapse: C},
		{preset: "kirklees", stage: 2, resp: "head_of_service", days: 5, lapse: C},
		{preset: "kirklees", stage: 3, resp: "service_director", days: 5, lapse: C},
		{preset: "kirklees", stage: 4, resp: "dcs", days: 5, lapse: C},
		// s2: "The IRO has the power to refer the matter to Cafcass at any
		// point".
		{preset: "kirklees", stage: 5, lapse: E, consult: []string{iroM}},
	}
	// Who is copied on the confirmation of "Resolved": Newham's form, each
	// formal stage, "copy to be sent to SM & QA Inbox for entry onto
	// tracker"; Wakefield 2.3 "forward a copy to the IRO Manager".
	outcome := map[string][]string{"newham 1": {iroM, RoleQA}, "newham 2": {iroM, RoleQA}, "newham 3": {iroM, RoleQA}, "newham 4": {iroM, RoleQA}, "wakefield 0": {iroM}}
	for _, name := range Presets() {
		p, _ := Preset(name)
		for _, s := range p.Stages {
			key := name + " " + strconv.Itoa(s.Number)
			if !slices.Equal(s.OutcomeCopy, outcome[key]) {
				t.Errorf("%s: outcome_copy %q, want %q", key, s.OutcomeCopy, outcome[key])
			}
		}
	}
	seen := map[string]int{}
	for _, r := range rows {
		p, err := Preset(r.preset)
		if err != nil {
			t.Fatal(err)
		}
		seen[r.preset]++
		s, ok := p.Stage(r.stage)
		if !ok {
			t.Errorf("%s: no stage %d", r.preset, r.stage)
			continue
		}
		name := r.preset + " " + p.StageName(r.stage)
		eq := func(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }
		if s.Respondent != r.resp || !eq(s.AlsoRespond, r.also) || s.Raiser != r.raiser {
			t.Errorf("%s: respondent %q also %q raiser %q, want %q %q %q", name, s.Respondent, s.AlsoRespond, s.Raiser, r.resp, r.also, r.raiser)
		}
		if !eq(s.Copy, r.copy) || !eq(s.Notify, r.notify) {
			t.Errorf("%s: copies %q alerts %q, want %q %q", name, s.Copy, s.Notify, r.copy, r.notify)
		}
		if s.Days != r.days || s.Agreed != r.agreed || s.CalendarDays {
			t.Errorf("%s: days %d agreed %v calendar %v, want %d working, agreed %v", name, s.Days, s.Agreed, s.CalendarDays, r.days, r.agreed)
		}
		if s.Cafcass != (r.resp == "") {
			t.Errorf("%s: cafcass %v", name, s.Cafcass)
		}
		if !s.Cafcass && (s.LapseAction() != r.lapse || !eq(s.Consult, r.consult)) {
			t.Errorf("%s: lapse %s consulting %q, want %s %q", name, s.LapseAction(), s.Consult, r.lapse, r.consult)
		}
		if s.Cafcass && !eq(s.Consult, r.consult) {
			t.Errorf("%s: the Cafcass step consults %q, want %q", name, s.Consult, r.consult)
		}
	}
	for _, name := range Presets() {
		p, _ := Preset(name)
		if seen[name] != len(p.Stages) {
			t.Errorf("%s: %d stages, %d checked here", name, len(p.Stages), seen[name])
		}
	}
}
