package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/temporal"
)

// What the CLI, the activities and the tests share with the workflows: names, payloads and IDs.
// Every payload carries IDs, dates and counts only (SPEC S1); client lists stay in PostgreSQL.

// TaskQueue is the worker's default task queue (EXITFLOW_TASK_QUEUE).
const TaskQueue = "exitflow"

// Workflow type names, as the Web UI's "Start Workflow" form and the Temporal CLI take them.
const (
	AgencyAgreementWorkflow = "AgencyAgreement" // SPEC AG1–AG8
	FollowUpDQMWorkflow     = "FollowUpDQM"     // SPEC Q1–Q3, AG7
)

// Method is how an agreement exits what the agency did not exit itself (SPEC AG1).
type Method string

// The agreement methods.
const (
	MethodAuto  Method = "auto"  // auto exit switched on for the projects (SPEC AG4, P7)
	MethodAdmin Method = "admin" // administrative exits (SPEC AD1–AD2)
)

// Cadence is how often the follow-up DQM runs (SPEC AG1: default quarterly).
type Cadence string

// The DQM cadences.
const (
	Quarterly Cadence = "quarterly"
	Monthly   Cadence = "monthly"
)

// AgreementInput is the one JSON object that starts an agreement (Web UI, CLI --file, Temporal CLI).
// Either PeriodDays or PeriodEnd gives the agreed period (SPEC AG1).
type AgreementInput struct {
	AgreementID    string   `json:"agreement_id"`
	OrganizationID string   `json:"organization_id"`
	ProjectIDs     []string `json:"project_ids"`
	Method         Method   `json:"method"`
	PeriodDays     int      `json:"period_days,omitempty"`
	PeriodEnd      string   `json:"period_end,omitempty"`     // YYYY-MM-DD, in the CoC time zone
	Liaisons       []string `json:"liaisons"`                 // emails of liaison contacts of the organization
	HMISStaff      string   `json:"hmis_staff"`               // email of an hmis-staff contact
	AutoExitDays   int      `json:"auto_exit_days,omitempty"` // auto: default SPEC P2
	AlertDays      int      `json:"alert_days,omitempty"`     // auto: default SPEC P2
	WindowDays     int      `json:"window_days,omitempty"`    // admin: default each project's auto-exit window, else 90
	AllOpen        bool     `json:"all_open,omitempty"`       // admin: every open enrollment (a closing project)
	DQMEvery       Cadence  `json:"dqm_every,omitempty"`      // default quarterly
}

// AgreementWorkflowID is the workflow ID of an agreement: one running agreement per ID.
func AgreementWorkflowID(agreementID string) string { return "agreement-" + agreementID }

// DQMScheduleID is the ID of the Temporal Schedule of an agreement's follow-up DQM.
func DQMScheduleID(agreementID string) string { return "dqm-" + agreementID }

// Phase is where an agreement is (SPEC AG8), kept in the status query and ExitflowPhase.
type Phase string

// The phases, in the order an agreement goes through them.
const (
	PhaseValidating      Phase = "validating"
	PhaseNotice          Phase = "notice"          // AG2: candidates snapshotted, liaisons told
	PhasePeriod          Phase = "period"          // AG3: the agreed period runs
	PhasePaused          Phase = "paused"          // AG3: the liaison reported an issue; waits for resume
	PhaseExiting         Phase = "exiting"         // AG4: the engine exits what is left
	PhaseAcknowledgement Phase = "acknowledgement" // AG5–AG6: completion notice sent, waiting
	PhaseFollowUp        Phase = "follow-up"       // AG7: creating the DQM schedule
	PhaseCompleted       Phase = "completed"
	PhaseCancelled       Phase = "cancelled"
)

// Action is what a signal (or the update of the same name) asks of an agreement.
type Action string

// The signal names (SPEC AG3, AG6, S2); each takes one JSON object whose "from" is the sender's email.
const (
	ActionAcknowledge Action = "acknowledge"  // liaison, after the exits: AcknowledgeSignal
	ActionReportIssue Action = "report-issue" // liaison: pauses the agreement until resume: ReportIssueSignal
	ActionResume      Action = "resume"       // HMIS staff: ResumeSignal
	ActionExtend      Action = "extend"       // HMIS staff, during the period: ExtendSignal
	ActionCancel      Action = "cancel"       // HMIS staff, before completion: CancelSignal
)

// Actions are every signal name, in the order the UI lists them.
var Actions = []Action{ActionAcknowledge, ActionReportIssue, ActionResume, ActionExtend, ActionCancel}

// UpdateName is the Workflow Update that performs action and answers at once whether it was
// accepted (exitflow agreement signal); the signal of the same action keeps working without a worker.
func UpdateName(a Action) string { return string(a) + "-now" }

// QueryStatus is the agreement's status query (SPEC AG8): AgreementStatus.
const QueryStatus = "status"

// AcknowledgeSignal is the liaison's acknowledgement of the completed exits (SPEC AG6).
type AcknowledgeSignal struct {
	From string `json:"from"`
	Note string `json:"note"`
}

// ReportIssueSignal is a liaison's report of a problem; it pauses the agreement (SPEC AG3).
type ReportIssueSignal struct {
	From        string `json:"from"`
	Description string `json:"description"`
}

// ResumeSignal is HMIS staff resuming a paused agreement (SPEC AG3).
type ResumeSignal struct {
	From string `json:"from"`
	Note string `json:"note"`
}

// ExtendSignal is HMIS staff moving the period's end, during the period (SPEC AG3).
type ExtendSignal struct {
	From      string `json:"from"`
	PeriodEnd string `json:"period_end"` // YYYY-MM-DD, after today and after the current end
	Reason    string `json:"reason"`
}

// CancelSignal is HMIS staff cancelling the agreement before it completes (SPEC AG3).
type CancelSignal struct {
	From   string `json:"from"`
	Reason string `json:"reason"`
}

// SignalPayloads maps each action to a new value of its payload struct (strict decoding).
func SignalPayloads(a Action) any {
	switch a {
	case ActionAcknowledge:
		return &AcknowledgeSignal{}
	case ActionReportIssue:
		return &ReportIssueSignal{}
	case ActionResume:
		return &ResumeSignal{}
	case ActionExtend:
		return &ExtendSignal{}
	case ActionCancel:
		return &CancelSignal{}
	}
	return nil
}

// SignalResult is an update's answer: accepted, or the reason it was rejected.
type SignalResult struct {
	Accepted bool   `json:"accepted"`
	Phase    Phase  `json:"phase"`
	Message  string `json:"message"`
}

// RejectedSignal is one signal the agreement refused (SPEC AG6, S2): who, what, why, when.
type RejectedSignal struct {
	From   string          `json:"from"`
	Action Action          `json:"action"`
	Reason string          `json:"reason"`
	At     time.Time       `json:"at"`
	Raw    json.RawMessage `json:"-"` // never kept: it could hold anything
}

// Counts are an agreement's candidates and what became of them (IDs stay in PostgreSQL).
type Counts struct {
	CandidateEnrollments int `json:"candidate_enrollments"`
	CandidateHouseholds  int `json:"candidate_households"`
	ExitedByAgency       int `json:"exited_by_agency"` // candidates exited by people before the engine ran
	ExitedByEngine       int `json:"exited_by_engine"` // Exit rows the engine wrote for this agreement
	StillOpen            int `json:"still_open"`
}

// AgreementStatus is the answer of the status query (SPEC AG8).
type AgreementStatus struct {
	AgreementID    string           `json:"agreement_id"`
	Phase          Phase            `json:"phase"`
	Method         Method           `json:"method"`
	PeriodEnd      string           `json:"period_end,omitempty"`    // YYYY-MM-DD
	NextReminder   *time.Time       `json:"next_reminder,omitempty"` // the next reminder or escalation
	NextDeadline   *time.Time       `json:"next_deadline,omitempty"` // the period's end, in the CoC time zone
	Counts         Counts           `json:"counts"`
	Paused         bool             `json:"paused"`
	Issue          string           `json:"issue,omitempty"` // the open issue's description (staff text, no client data)
	AcknowledgedBy string           `json:"acknowledged_by,omitempty"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at,omitempty"`
	Reminders      int              `json:"reminders"` // acknowledgement reminders sent
	Escalated      bool             `json:"escalated"`
	Rejected       []RejectedSignal `json:"rejected"`
	NotifyFailures int              `json:"notify_failures"` // notifications that could not be delivered (yet)
	DQMScheduleID  string           `json:"dqm_schedule_id,omitempty"`
	CancelledBy    string           `json:"cancelled_by,omitempty"`
	CancelReason   string           `json:"cancel_reason,omitempty"`
	SnapshotID     int64            `json:"snapshot_id,omitempty"`
	ExitRunID      int64            `json:"exit_run_id,omitempty"`
}

// AgreementResult is what a completed (or cancelled) agreement returns: counts only (SPEC AG7).
type AgreementResult struct {
	AgreementID    string `json:"agreement_id"`
	Phase          Phase  `json:"phase"` // completed or cancelled
	Counts         Counts `json:"counts"`
	Reminders      int    `json:"reminders"`
	Escalated      bool   `json:"escalated"`
	Rejected       int    `json:"rejected_signals"`
	DQMScheduleID  string `json:"dqm_schedule_id,omitempty"`
	AcknowledgedBy string `json:"acknowledged_by,omitempty"`
}

// FollowUpInput is the FollowUpDQM workflow's input, set on the schedule's action.
type FollowUpInput struct {
	AgreementID string   `json:"agreement_id"`
	ProjectIDs  []string `json:"project_ids"`
	Recipients  []string `json:"recipients"`          // the liaisons and the HMIS staff member
	Actor       string   `json:"actor"`               // the HMIS staff member
	TimeZone    string   `json:"time_zone,omitempty"` // the CoC's IANA time zone: the nominal day's zone
}

// FollowUpResult is what one follow-up DQM run did.
type FollowUpResult struct {
	ReportID int64  `json:"report_id"`
	AsOf     string `json:"as_of"`
	Verdict  string `json:"verdict"`
	Mailed   int    `json:"mailed"`
}

// Search attributes exitflow keeps current on agreements (SPEC AG8); `exitflow setup` and
// `make run` register them.
var (
	SearchAgency   = temporal.NewSearchAttributeKeyKeyword("ExitflowAgency")
	SearchProjects = temporal.NewSearchAttributeKeyKeywordList("ExitflowProjects")
	SearchMethod   = temporal.NewSearchAttributeKeyKeyword("ExitflowMethod")
	SearchPhase    = temporal.NewSearchAttributeKeyKeyword("ExitflowPhase")
)

// ErrInvalidInput is the application error type of an agreement input or signal that is refused:
// not retryable; its message names the field.
const ErrInvalidInput = "InvalidInput"

// ErrPermanent is the application error type of an activity failure that retrying cannot cure
// (a refused message, a run people edited): not retryable.
const ErrPermanent = "Permanent"

// Activity names: the workflows call the activities by name, so that package activities (which
// imports this one for the payloads) and the workflows do not import each other.
const (
	ActivityValidateAgreement  = "ValidateAgreement"  // ValidateInput → Agreement
	ActivitySnapshotCandidates = "SnapshotCandidates" // SnapshotInput → SnapshotResult
	ActivityAgreementCounts    = "AgreementCounts"    // CountsInput → Counts
	ActivityRunExits           = "RunExits"           // ExitsInput → ExitsResult (heartbeats)
	ActivityNotify             = "Notify"             // NotifyInput → NotifyResult
	ActivityRecordStep         = "RecordStep"         // StepInput → nothing (audit, SPEC U1)
	ActivityCreateDQMSchedule  = "CreateDQMSchedule"  // ScheduleInput → ScheduleResult
	ActivityRunFollowUpDQM     = "RunFollowUpDQM"     // FollowUpRun → FollowUpResult
)

// ValidateInput asks the first step to check an agreement's input against the database (SPEC AG1).
type ValidateInput struct {
	Input      AgreementInput `json:"input"`
	WorkflowID string         `json:"workflow_id"`
}

// Agreement is a validated agreement: the input with every default filled in, dates resolved in
// the CoC time zone, and its projects sorted. Invalid input fails with ErrInvalidInput naming the field.
type Agreement struct {
	AgreementInput
	Today     string `json:"today"`      // YYYY-MM-DD in the CoC time zone when it was validated
	PeriodEnd string `json:"period_end"` // YYYY-MM-DD (overrides the input's, which may be empty)
	TimeZone  string `json:"time_zone"`  // the CoC's IANA time zone
}

// SnapshotInput asks for the agreement's candidates to be kept in PostgreSQL (SPEC AG2).
type SnapshotInput struct {
	Agreement  Agreement `json:"agreement"`
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
}

// SnapshotResult counts the snapshotted candidates (the IDs stay in PostgreSQL).
type SnapshotResult struct {
	Enrollments int `json:"enrollments"`
	Households  int `json:"households"`
}

// CountsInput asks what became of an agreement's candidates so far.
type CountsInput struct {
	AgreementID string `json:"agreement_id"`
}

// ExitsInput asks for the agreement's exits (SPEC AG4): auto switches the policy on and runs the
// first pass; admin runs administrative exits as the HMIS staff member. Idempotent per agreement.
type ExitsInput struct {
	Agreement  Agreement `json:"agreement"`
	AsOf       string    `json:"as_of"` // YYYY-MM-DD: the period's end (or the day it ran, if later)
	WorkflowID string    `json:"workflow_id"`
	RunID      string    `json:"run_id"`
}

// ExitsResult counts what the exits did.
type ExitsResult struct {
	ExitRunID     int64 `json:"exit_run_id"`
	Households    int   `json:"households"`
	Enrollments   int   `json:"enrollments"`
	PolicyChanged bool  `json:"policy_changed"` // auto: the policy was switched on now
}

// NoticeKind is a notification kind of SPEC N3 that an agreement sends.
type NoticeKind string

// The agreement's notification kinds (SPEC N3).
const (
	NoticeAgreement       NoticeKind = "agreement-notice"
	NoticePeriodEnding    NoticeKind = "period-ending-reminder"
	NoticeProcessBegins   NoticeKind = "process-begins"
	NoticeCompletion      NoticeKind = "completion"
	NoticeAckReminder     NoticeKind = "acknowledgement-reminder"
	NoticeEscalation      NoticeKind = "escalation"
	NoticeDQMReport       NoticeKind = "dqm-report"
	NoticeAgreementChange NoticeKind = "agreement-change" // extended, paused, resumed, cancelled
)

// NotifyInput asks for one kind of message to each recipient, each with its own idempotency key
// (Key + "/" + recipient), so that a retry never sends twice (SPEC N4).
type NotifyInput struct {
	Key        string     `json:"key"` // the workflow ID and the step, e.g. "agreement-A1/notice"
	Kind       NoticeKind `json:"kind"`
	To         []string   `json:"to"`
	Agreement  Agreement  `json:"agreement"`
	Counts     Counts     `json:"counts"`
	Note       string     `json:"note,omitempty"` // staff text: the reason of an extension, an issue
	Reminder   int        `json:"reminder,omitempty"`
	ExitRunID  int64      `json:"exit_run_id,omitempty"`
	ScheduleID string     `json:"schedule_id,omitempty"`
	Deadline   string     `json:"deadline,omitempty"` // YYYY-MM-DD the message names
}

// NotifyResult counts the messages sent and those that could not be delivered.
type NotifyResult struct {
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// StepInput records an agreement step or a rejected signal in the audit log (SPEC U1).
type StepInput struct {
	AgreementID string         `json:"agreement_id"`
	WorkflowID  string         `json:"workflow_id"`
	RunID       string         `json:"run_id"`
	Actor       string         `json:"actor"`
	Step        string         `json:"step"` // e.g. "started", "notice", "extended", "signal-rejected"
	Reason      string         `json:"reason"`
	Details     map[string]any `json:"details,omitempty"` // IDs and counts only
}

// ScheduleInput asks for the follow-up DQM schedule (SPEC AG7): first run on FirstRun, then at
// the cadence, at 06:00 in the CoC time zone. Creating it twice is not an error.
type ScheduleInput struct {
	ScheduleID string        `json:"schedule_id"`
	FirstRun   string        `json:"first_run"` // YYYY-MM-DD
	Cadence    Cadence       `json:"cadence"`
	TimeZone   string        `json:"time_zone"`
	FollowUp   FollowUpInput `json:"follow_up"`
}

// ScheduleResult says whether the schedule was created now or already existed.
type ScheduleResult struct {
	ScheduleID string `json:"schedule_id"`
	Created    bool   `json:"created"`
}

// FollowUpRun asks for one follow-up DQM as of a date, stored and mailed.
type FollowUpRun struct {
	FollowUp   FollowUpInput `json:"follow_up"`
	AsOf       string        `json:"as_of"` // YYYY-MM-DD: the schedule's nominal day in the CoC time zone
	WorkflowID string        `json:"workflow_id"`
	RunID      string        `json:"run_id"`
}
