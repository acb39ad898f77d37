package policy

// Role names used by the presets. A council's directory gives each person
// the roles they hold; any name works as long as policy and directory agree.
const (
	RoleIROManager = "iro_manager"
	RoleQA         = "qa"
	RoleIRO        = "iro"
	RoleCPChair    = "cp_chair"
)

var oneDayBefore = []int{1}

// newhamOutcome: Newham's form, at each formal stage, "Date finished and
// saved by Instigator of Alert – copy to be sent to SM & QA Inbox for entry
// onto tracker". SM is the IRO / CP Chair's Service Manager (s8: "The
// relevant Service Managers from the Quality Assurance Service are
// responsible for management and supervision of the IROs and Child
// Protection Chairs"), the iro_manager role.
var newhamOutcome = []string{RoleIROManager, RoleQA}

// consultEvery is how often (working days) a lapse that waits for a
// person's decision is repeated to them. No procedure states it; two
// working days keeps a lapse in view without flooding anyone.
const consultEvery = 2

// presets are the procedures drpbot follows. Every line cites the sentence
// of the council's document (../shared/procedures/*.txt) it implements;
// docs/procedures/<council>.md tables them with their tests, and lists the
// sentences deliberately not acted on.
var presets = map[string]Policy{
	"newham": {
		Name: "newham", Council: "London Borough of Newham", Source: "Newham PSP Dispute Resolution Process (Feb 2020)",
		// s7 Stage 1: "All emails should be headed Dispute Resolution Alert."
		Heading: "Dispute Resolution Alert", StageWord: "Stage",
		Stages: []Stage{
			// s6: "All issues should initially be raised by a direct discussion ...
			// with the allocated social worker or responsible team manager to seek
			// to resolve the matter informally" - no window: "if resolution is not
			// achieved in a timescale appropriate to the child's needs, the IRO/CP
			// Chair will initiate the formal process".
			{Number: 0, Name: "Informal DRP", Informal: true, Respondent: "social_worker", AlsoRespond: []string{"team_manager"},
				Agreed: true, OnLapse: Consult, ConsultEvery: consultEvery},
			// s7 Stage 1: "IRO/CP Chair raises with Practice Lead"; "Maximum
			// timeframe for a response is five days"; "The LAC request email or
			// CPRS (should be c.c into the email to ensure the dispute is tracked."
			{Number: 1, Respondent: "practice_lead", Days: 5, Reminders: oneDayBefore, CcMailbox: true, OutcomeCopy: newhamOutcome},
			// s7 Stage 2: "escalate to the Practice Lead's Service Manager ... cc to
			// the LAC Request email box"; "Maximum timeframe for response is 5
			// working days."
			{Number: 2, Respondent: "service_manager", Days: 5, Reminders: oneDayBefore, CcMailbox: true, OutcomeCopy: newhamOutcome},
			// s7 Stage 3: "escalate to Operations Director and alert Assistant
			// Director of QA ... cc LAC Request Email box"; "5 working days".
			{Number: 3, Respondent: "operations_director", Notify: []string{"ad_qa"}, Days: 5, Reminders: oneDayBefore, CcMailbox: true, OutcomeCopy: newhamOutcome},
			// s7 Stage 4: "escalate to Corporate Director of CYPS, coping in the
			// Operations Director and relevant HoS/AD"; "Maximum time frame for
			// response is 5 days".
			{Number: 4, Respondent: "corporate_director", Copy: []string{"operations_director", "head_of_service"}, Days: 5, Reminders: oneDayBefore, OutcomeCopy: newhamOutcome},
			// s7 Stage 5 (IRO ONLY): "IRO to escalate to CAFCASS and alert DCS".
			// A CP Chair's dispute has no Cafcass step; their manager is told.
			{Number: 5, Name: "Stage 5 (Cafcass referral)", Cafcass: true, Notify: []string{"dcs"},
				CafcassFor: []string{RoleIRO}, CafcassElse: []string{RoleInstigatorManager}},
		},
		// s7: "Once the DRP has been accessed, the resolution period is 20
		// working days."
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA},
		// Form: "Resolution of Alert (recorded by instigator)": "Response
		// expected within 2 calendar days."
		DecisionDays: 2,
		// Form, FORMAL STAGE 1: the "Dispute Resolution Category" options.
		Categories: []string{
			"Statutory / IRO Handbook /Working Together requirements for the child not met",
			"Care / Child Protection Plan Implementation",
			"Voice of the Child/Young Person",
			"Concerns regarding young person's safety",
			"Health Issues",
			"Education Issues",
			"Issues around contact with family members",
			"Staff Turnover/Sickness",
			"Dispute around the provision of services",
			"Concerns about the Placement",
			"Review Decisions outstanding",
			"Life Story / Later Life Letters Arrangements",
			"Staying Put Arrangements",
			"Other",
		},
		// s10: "A quarterly report (Appendix 1) should be compiled".
		ReportMonths: []int{1, 4, 7, 10},
	},
	"oxfordshire": {
		Name: "oxfordshire", Council: "Oxfordshire County Council", Source: "Oxfordshire Resolution and Escalation Process (2018)",
		// s5 Stage 1: "All emails should be headed Resolution and Escalation Alert."
		Heading: "Resolution and Escalation Alert", StageWord: "Stage",
		Stages: []Stage{
			// s5: "All issues should initially be raised by a direct discussion
			// [face to face or by telephone] with the allocated social worker or
			// responsible team manager to seek to resolve the matter informally."
			{Number: 0, Name: "Informal resolution", Informal: true, Respondent: "social_worker", AlsoRespond: []string{"team_manager"},
				Agreed: true, OnLapse: Consult, ConsultEvery: consultEvery},
			// s5 Stage 1: "IRO raises concern in a conversation with social worker
			// and confirms in writing in an email, copying in the team manager";
			// "The email should summarise the conversation with agreed actions and
			// timescales" - the date the email states is the due date; no fixed window.
			{Number: 1, Respondent: "social_worker", Copy: []string{"team_manager"}, Agreed: true, Reminders: oneDayBefore},
			// s5 Stage 2: "IRO to escalate to ASCMs and alert SM Safeguarding";
			// "Maximum timeframe for ASCM response is 5 working days".
			{Number: 2, Respondent: "ascm", Notify: []string{"sm_safeguarding"}, Days: 5, Reminders: oneDayBefore},
			// s5 Stage 3: "IRO to escalate to Deputy Director and alert Safeguarding
			// Manager" - no window stated.
			{Number: 3, Respondent: "deputy_director", Notify: []string{"safeguarding_manager"}, Agreed: true},
			// s5 Stage 4: "IRO to escalate to Director and alert Deputy Director
			// Safeguarding [if not already aware]" - no window stated.
			{Number: 4, Respondent: "director", Notify: []string{"deputy_director_safeguarding"}, Agreed: true},
			// s5 Stage 5: "IRO to escalate to Chief Executive and alert DCS" - no
			// window stated, and no further level: a lapse goes to the IRO.
			{Number: 5, Respondent: "chief_executive", Notify: []string{"dcs"}, Agreed: true, OnLapse: Consult, ConsultEvery: consultEvery},
		},
		// s3: "The formal dispute resolution process within each local authority
		// should have timescales in total of no more than 20 working days."
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
		// s6: "A six-monthly report should be compiled by the Quality Assurance
		// service and presented to CMT".
		ReportMonths: []int{4, 10},
	},
	"wakefield": {
		Name: "wakefield", Council: "Wakefield Council", Source: "Wakefield IRO Dispute Resolution Procedure",
		// Appendix 2 is the "Independent Reviewing Officer's Alert Form" and
		// 3.5-3.8 name a "Stage N IRO Formal Dispute Form": there is no "Alert"
		// heading; this matches every formal stage's subject. The document
		// itself drops "IRO" at Stage 4 ("A Stage 4 Formal Dispute Form"), so
		// each formal stage also answers to its heading with or without it.
		Heading: "IRO Formal Dispute Form", StageWord: "Stage",
		Stages: []Stage{
			// 2.2: "an Informal Resolution Monitoring form (Appendix 1) ... e-mailed
			// to the child's allocated social worker and team manager, and copied
			// to the IRO Manager ... an activity headed "IRO Informal Dispute"."
			// 2.3: "A response from the social worker or team manager is then
			// expected within a maximum of 15 working days ... this timescale may
			// be reduced" (the form's "Response due by" counts when earlier: 15
			// is a maximum, so the stage is not "agreed"); "no response ...
			// consideration must be given to initiating the formal dispute process
			// and the IRO Manager consulted."
			{Number: 0, Name: "Informal stage", Heading: "Informal Resolution Monitoring Form", Headings: []string{"IRO Informal Dispute"},
				Informal: true, Respondent: "social_worker", AlsoRespond: []string{"team_manager"}, Copy: []string{RoleIROManager},
				Days: 15, Reminders: []int{2}, OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery,
				// 2.3: "The IRO should then briefly record the outcome ... and
				// forward a copy to the IRO Manager."
				OutcomeCopy: []string{RoleIROManager}},
			// 3.5: "A Stage 1 IRO Formal Dispute Form to be forwarded to the
			// responsible Service Manager. Copies to be sent to the responsible Team
			// Manager, IRO Manager, Service Lead for the Safeguarding and Reviewing
			// Unit and Service Manager for the Safeguarding and Reviewing Unit";
			// "within 5 working days"; "the IRO in consultation with the IRO Manager
			// will progress to Stage 2".
			{Number: 1, Heading: "Stage 1 IRO Formal Dispute Form", Headings: []string{"Stage 1 Formal Dispute Form"}, Respondent: "service_manager",
				Copy: []string{"team_manager", RoleIROManager, "service_lead_sru", "service_manager_sru"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery},
			// 3.6: "A Stage 2 IRO Formal Dispute Form to be forwarded to the Service
			// Director. Copies to be sent to the responsible Service Manager, IRO
			// Manager, Service Lead ... and Service Manager for the Safeguarding and
			// Reviewing Unit"; "within 5 working days"; "in consultation with the
			// IRO Manager will progress to Stage 3".
			{Number: 2, Heading: "Stage 2 IRO Formal Dispute Form", Headings: []string{"Stage 2 Formal Dispute Form"}, Respondent: "service_director",
				Copy: []string{"service_manager", RoleIROManager, "service_lead_sru", "service_manager_sru"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery},
			// 3.7: "A Stage 3 IRO Formal Dispute Form to be forwarded to the
			// Corporate Director. Copies to be sent to the Service Director, IRO
			// Manager, Service Lead ... and Service Manager ..."; "in consultation
			// with the IRO Manager will progress to Stage 4".
			{Number: 3, Heading: "Stage 3 IRO Formal Dispute Form", Headings: []string{"Stage 3 Formal Dispute Form"}, Respondent: "corporate_director",
				Copy: []string{"service_director", RoleIROManager, "service_lead_sru", "service_manager_sru"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery},
			// 3.8: "A Stage 4 Formal Dispute Form to be forwarded to the Chief
			// Executive. Copies to be sent to the Corporate Director, IRO Manager,
			// Service Lead ... and Service Manager ..."; "a referral to CAFCASS
			// should be fully discussed with the IRO Manager, Service Lead for the
			// Safeguarding and Reviewing Unit and Service Manager for the
			// Safeguarding and Reviewing Unit."
			{Number: 4, Heading: "Stage 4 Formal Dispute Form", Headings: []string{"Stage 4 IRO Formal Dispute Form"}, Respondent: "chief_executive",
				Copy: []string{"corporate_director", RoleIROManager, "service_lead_sru", "service_manager_sru"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{RoleIROManager, "service_lead_sru", "service_manager_sru"}, ConsultEvery: consultEvery},
			// 3.9: "prior to taking this action discussion must take place with the
			// IRO Manager, Service Lead ... and Service Manager for the Safeguarding
			// and Reviewing Unit".
			{Number: 5, Name: "Cafcass referral", Cafcass: true, Consult: []string{RoleIROManager, "service_lead_sru", "service_manager_sru"}},
		},
		// 1.3: "not exceeding in total 20 working days".
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
	"brighton-hove": {
		Name: "brighton-hove", Council: "Brighton & Hove City Council", Source: "Brighton & Hove 5.3.5 Practice Recognition and Issue Resolution Process",
		// 3.2: "Formal disputes will be recorded via the Looked-after Manager
		// Alert process"; each level is a "Looked-after Manager Alert".
		Heading: "Looked-after Manager Alert", StageWord: "Level",
		Stages: []Stage{
			// Informal Issue Resolution Process: "IRO raises concerns with Pod Team
			// Manager"; "Timescales negotiated"; "Where the issue has not been
			// resolved then the IRO will consult with the IRO Manager".
			{Number: 0, Name: "Informal Issue Resolution", Informal: true, Respondent: "pod_team_manager", Agreed: true,
				OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery},
			// Level 1: "IRO raises concerns with the Pod Team Manager and notifies
			// the relevant Service Manager"; "The Pod Team Manager has 5 working
			// days"; "Where the issue has not been resolved, the IRO will consult
			// with the IRO Manager (Children Looked-after)".
			{Number: 1, Respondent: "pod_team_manager", Notify: []string{"service_manager"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{RoleIROManager}, ConsultEvery: consultEvery},
			// Level 2: "IRO Manager (Children Looked-after) raises concerns with the
			// Service Manager and notifies the Head of Children's Delivery Unit";
			// "5 working days"; "the IRO Manager (Children Looked-after) will
			// consult with the Head of Safeguarding".
			{Number: 2, Raiser: RoleIROManager, Respondent: "service_manager", Notify: []string{"head_of_childrens_delivery"}, Days: 5, Reminders: oneDayBefore,
				OnLapse: Consult, Consult: []string{"head_of_safeguarding"}, ConsultEvery: consultEvery},
			// Level 3: "Head of Safeguarding raises concerns with the Head of
			// Children's Delivery Unit and notifies the Director Children's
			// Services"; "4 working days"; Level 4: "If the matter remains
			// unresolved it will be escalated to the Director for Children's
			// Services".
			{Number: 3, Raiser: "head_of_safeguarding", Respondent: "head_of_childrens_delivery", Notify: []string{"dcs"}, Days: 4, Reminders: oneDayBefore},
			// Level 4: "Head of Safeguarding raises concerns with the Director
			// Children's Services"; "3 working days"; "the Head of Safeguarding will
			// seek legal and Cafcass advice before deciding"; "will notify the
			// Director of Children's Services in writing of the intention to refer
			// the matter to the Chief Executive".
			{Number: 4, Raiser: "head_of_safeguarding", Respondent: "dcs", Days: 3, Reminders: oneDayBefore,
				OnLapse: Consult, ConsultEvery: consultEvery},
			// Level 5: "Head of Safeguarding raises concerns with the Chief
			// Executive"; "3 working days"; "the Head of Safeguarding will notify
			// the Director of Children's Services and the Chief Executive in writing
			// of the intention to refer the case to Cafcass."
			{Number: 5, Raiser: "head_of_safeguarding", Respondent: "chief_executive", Days: 3, Reminders: oneDayBefore,
				OnLapse: Consult, ConsultEvery: consultEvery},
			// Level 5: "The Head of Safeguarding will make the referral to Cafcass
			// with all required documentation."
			{Number: 6, Name: "Cafcass referral", Raiser: "head_of_safeguarding", Cafcass: true, Notify: []string{"dcs", "chief_executive"}},
		},
		// The procedure states no overall cap; the IRO Handbook's 20 working
		// days (which the other four repeat) is kept as a warning only.
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
		// s5: "bi annually (October and April)".
		ReportMonths: []int{4, 10},
	},
	"kirklees": {
		Name: "kirklees", Council: "Kirklees Council", Source: "Kirklees Dispute Resolution Process for Children in Care (Sept 2020; flowchart not public)",
		// The document states no email heading: a starting point to confirm.
		Heading: "IRO Alert", StageWord: "Stage", StartingPoint: true,
		Stages: []Stage{
			// s3: "This Informal - Quality Assurance - Stage is the first step";
			// "There should be clear timescales agreed"; Forms "assigned to
			// relevant operational Manager for comments and then reassigned to the
			// IRO to make a decision on whether the issue is resolved or should be
			// escalated".
			{Number: 0, Name: "Informal (quality assurance)", Informal: true, Respondent: "team_manager", AlsoRespond: []string{"social_worker"},
				Agreed: true, OnLapse: Consult, ConsultEvery: consultEvery},
			// The formal stages are in "The Dispute Resolution Process Flowchart",
			// which is not public: these follow the IRO Handbook's ladder and must
			// be confirmed with the council.
			{Number: 1, Respondent: "service_manager", Days: 5, Reminders: oneDayBefore, OnLapse: Consult, ConsultEvery: consultEvery},
			{Number: 2, Respondent: "head_of_service", Days: 5, Reminders: oneDayBefore, OnLapse: Consult, ConsultEvery: consultEvery},
			{Number: 3, Respondent: "service_director", Days: 5, Reminders: oneDayBefore, OnLapse: Consult, ConsultEvery: consultEvery},
			{Number: 4, Respondent: "dcs", Days: 5, Reminders: oneDayBefore, OnLapse: Consult, ConsultEvery: consultEvery},
			// s2: "The IRO has the power to refer the matter to Cafcass at any point".
			{Number: 5, Name: "Cafcass referral", Cafcass: true, Consult: []string{RoleIROManager}},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
}
