package policy

// Role names used by the presets. A council's directory gives each person
// the roles they hold; any name works as long as policy and directory agree.
const (
	RoleIROManager = "iro_manager"
	RoleQA         = "qa"
)

var oneDayBefore = []int{1}

// presets are the procedures drpbot follows, each cited to its document.
// Section numbers refer to the versions the councils publish.
var presets = map[string]Policy{
	// London Borough of Newham, Dispute Resolution Process for IROs and CP
	// Chairs: each formal stage 5 working days, the whole process within 20;
	// stage 3 alerts the AD for Quality Assurance, stage 4 copies the
	// Operations Director, stage 5 is the referral to Cafcass, made by the
	// IRO only, with the DCS alerted. The IRO records the outcome within
	// 2 days of a response.
	"newham": {
		Name: "newham", Council: "London Borough of Newham", Source: "Newham DRP for IROs and CP Chairs",
		Heading: "Dispute Resolution Alert", StageWord: "Stage",
		Stages: []Stage{
			{Number: 1, Respondent: "practice_lead", Days: 5, Reminders: oneDayBefore},
			{Number: 2, Respondent: "service_manager", Days: 5, Reminders: oneDayBefore},
			{Number: 3, Respondent: "operations_director", Notify: []string{"ad_qa"}, Days: 5, Reminders: oneDayBefore},
			{Number: 4, Respondent: "corporate_director", Copy: []string{"operations_director"}, Days: 5, Reminders: oneDayBefore},
			{Number: 5, Name: "Stage 5 (Cafcass referral)", Notify: []string{"dcs"}, Cafcass: true},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
	// Oxfordshire County Council, Resolution and Escalation Process: stage 1
	// the social worker (team manager copied), 2 the ASCM (SM Safeguarding
	// alerted), 3 the Deputy Director (Safeguarding Manager alerted), 4 the
	// Director (Deputy Director Safeguarding alerted), 5 the Chief Executive
	// (DCS alerted); 5 working days a stage, 20 in all.
	"oxfordshire": {
		Name: "oxfordshire", Council: "Oxfordshire County Council", Source: "Oxfordshire Resolution and Escalation Process",
		Heading: "Resolution and Escalation Alert", StageWord: "Stage",
		Stages: []Stage{
			{Number: 1, Respondent: "social_worker", Copy: []string{"team_manager"}, Days: 5, Reminders: oneDayBefore},
			{Number: 2, Respondent: "ascm", Notify: []string{"sm_safeguarding"}, Days: 5, Reminders: oneDayBefore},
			{Number: 3, Respondent: "deputy_director", Notify: []string{"safeguarding_manager"}, Days: 5, Reminders: oneDayBefore},
			{Number: 4, Respondent: "director", Notify: []string{"deputy_director_safeguarding"}, Days: 5, Reminders: oneDayBefore},
			{Number: 5, Respondent: "chief_executive", Notify: []string{"dcs"}, Days: 5, Reminders: oneDayBefore, OnLapse: Propose},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
	// Wakefield Council, IRO dispute resolution: an informal stage with the
	// social worker and team manager (IRO manager copied, 15 working days),
	// then stages 1..4 to the Service Manager, Service Director, Corporate
	// Director and Chief Executive, 5 working days each, each copying the
	// level below; then a Cafcass referral discussed with the IRO manager.
	"wakefield": {
		Name: "wakefield", Council: "Wakefield Council", Source: "Wakefield IRO Dispute Resolution Protocol",
		Heading: "IRO Alert", StageWord: "Stage",
		Stages: []Stage{
			{Number: 0, Name: "Informal stage", Respondent: "team_manager", Copy: []string{"social_worker", RoleIROManager}, Days: 15, Reminders: []int{2}, OnLapse: Propose},
			{Number: 1, Respondent: "service_manager", Copy: []string{"team_manager"}, Days: 5, Reminders: oneDayBefore},
			{Number: 2, Respondent: "service_director", Copy: []string{"service_manager"}, Days: 5, Reminders: oneDayBefore},
			{Number: 3, Respondent: "corporate_director", Copy: []string{"service_director"}, Days: 5, Reminders: oneDayBefore},
			{Number: 4, Respondent: "chief_executive", Copy: []string{"corporate_director"}, Days: 5, Reminders: oneDayBefore},
			{Number: 5, Name: "Cafcass referral", Notify: []string{RoleIROManager}, Cafcass: true},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
	// Brighton & Hove City Council, Looked-after Manager Alert: levels 1..5
	// with 5, 5, 4, 3 and 3 working days, to the Pod Team Manager, Service
	// Manager, Head of Children's Delivery, Director of Children's Services
	// and Chief Executive; the IRO manager is told at each level from 2.
	"brighton-hove": {
		Name: "brighton-hove", Council: "Brighton & Hove City Council", Source: "Brighton & Hove IRO Manager Alert Process",
		Heading: "Looked-after Manager Alert", StageWord: "Level",
		Stages: []Stage{
			{Number: 1, Respondent: "pod_team_manager", Days: 5, Reminders: oneDayBefore},
			{Number: 2, Respondent: "service_manager", Copy: []string{"pod_team_manager"}, Notify: []string{RoleIROManager}, Days: 5, Reminders: oneDayBefore},
			{Number: 3, Respondent: "head_of_childrens_delivery", Copy: []string{"service_manager"}, Notify: []string{RoleIROManager}, Days: 4, Reminders: oneDayBefore},
			{Number: 4, Respondent: "dcs", Copy: []string{"head_of_childrens_delivery"}, Notify: []string{RoleIROManager}, Days: 3, Reminders: oneDayBefore},
			{Number: 5, Respondent: "chief_executive", Copy: []string{"dcs"}, Notify: []string{RoleIROManager}, Days: 3, Reminders: oneDayBefore, OnLapse: Propose},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
	// Kirklees Council: an informal quality-assurance stage, then formal
	// stages of 5 working days each. The flowchart is not public: this is a
	// starting point to edit, not the procedure.
	"kirklees": {
		Name: "kirklees", Council: "Kirklees Council", Source: "Kirklees IRO escalation (flowchart not public)",
		Heading: "IRO Alert", StageWord: "Stage", StartingPoint: true,
		Stages: []Stage{
			{Number: 0, Name: "Informal (quality assurance)", Respondent: "team_manager", Days: 5, Reminders: oneDayBefore, OnLapse: Propose},
			{Number: 1, Respondent: "service_manager", Days: 5, Reminders: oneDayBefore},
			{Number: 2, Respondent: "head_of_service", Days: 5, Reminders: oneDayBefore},
			{Number: 3, Respondent: "service_director", Days: 5, Reminders: oneDayBefore},
			{Number: 4, Respondent: "dcs", Days: 5, Reminders: oneDayBefore},
			{Number: 5, Name: "Cafcass referral", Notify: []string{RoleIROManager}, Cafcass: true},
		},
		TotalDays: 20, CapWarnDays: 3, CapNotify: []string{RoleIROManager, RoleQA}, DecisionDays: 2,
	},
}
