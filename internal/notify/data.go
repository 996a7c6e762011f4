package notify

import (
	"time"

	"github.com/exitflow/exitflow/internal/engine"
)

// The data each kind's templates get (SPEC N2): IDs, counts, dates and a few fixed words
// (method, trigger, verdict, measure, change), never a name or any other personal data; the
// one free text is an agreement change's note, staff's reason for the change. Each is also
// stored as the notification's `about`. Counts the templates print are the lengths of the ID
// lists, so a notice and what it is about cannot disagree.

// AgreementNotice is an agreement-notice (SPEC AG2): the candidates, and the date by which the
// agency should exit them itself.
type AgreementNotice struct {
	AgreementID    string    `json:"agreement_id"`
	OrganizationID string    `json:"organization_id"`
	ProjectIDs     []string  `json:"project_ids"`
	Method         string    `json:"method"` // auto or admin: what happens to the ones left open
	WindowDays     int       `json:"window_days"`
	PeriodEnds     time.Time `json:"period_ends"`
	EnrollmentIDs  []string  `json:"enrollment_ids"` // the candidates: open past the window
}

// PeriodEndingReminder is a period-ending-reminder (SPEC AG3), 7 days before the period ends.
type PeriodEndingReminder struct {
	AgreementID    string    `json:"agreement_id"`
	OrganizationID string    `json:"organization_id"`
	ProjectIDs     []string  `json:"project_ids"`
	Method         string    `json:"method"`
	PeriodEnds     time.Time `json:"period_ends"`
	EnrollmentIDs  []string  `json:"enrollment_ids"` // the candidates still open
}

// ProcessBegins is a process-begins notice (SPEC AG4): the period is over.
type ProcessBegins struct {
	AgreementID    string   `json:"agreement_id"`
	OrganizationID string   `json:"organization_id"`
	ProjectIDs     []string `json:"project_ids"`
	Method         string   `json:"method"` // auto: the auto-exit policy is on; admin: administrative exits run
	WindowDays     int      `json:"window_days"`
	EnrollmentIDs  []string `json:"enrollment_ids"` // the candidates the agency did not exit
}

// Completion is a completion notice (SPEC AG5).
type Completion struct {
	AgreementID    string   `json:"agreement_id"`
	OrganizationID string   `json:"organization_id"`
	ProjectIDs     []string `json:"project_ids"`
	Method         string   `json:"method"`
	ExitedByAgency int      `json:"exited_by_agency"` // candidates the agency exited itself
	EnrollmentIDs  []string `json:"enrollment_ids"`   // the enrollments exitflow exited
	RunIDs         []int64  `json:"run_ids"`          // the exit runs that exited them
}

// AcknowledgementReminder is an acknowledgement-reminder (SPEC AG6), every 7 days.
type AcknowledgementReminder struct {
	AgreementID    string    `json:"agreement_id"`
	OrganizationID string    `json:"organization_id"`
	CompletedOn    time.Time `json:"completed_on"` // the date of the completion notice
	Reminder       int       `json:"reminder"`     // 1, 2, 3
	Reminders      int       `json:"reminders"`    // how many are sent before HMIS staff are alerted
}

// Escalation is an escalation to the agreement's HMIS staff member (SPEC AG6).
type Escalation struct {
	AgreementID    string    `json:"agreement_id"`
	OrganizationID string    `json:"organization_id"`
	CompletedOn    time.Time `json:"completed_on"`
	Reminders      int       `json:"reminders"` // sent without an acknowledgement
}

// The changes an agreement-change notice tells of (SPEC AG3).
const (
	ChangeExtended  = "extended"  // the period was extended
	ChangePaused    = "paused"    // a liaison reported an issue: the period waits
	ChangeResumed   = "resumed"   // the issue was resolved: the period runs again
	ChangeCancelled = "cancelled" // the agreement was cancelled: nothing is exited
)

// AgreementChange is an agreement-change notice (SPEC AG3), to the liaisons and the HMIS staff
// member: the agreement was extended, paused by a reported issue, resumed or cancelled. Note is
// the only free text any kind carries: the reason or issue given with the change (staff's words
// about the agreement, not client data), printed as given, HTML-escaped in the HTML part.
type AgreementChange struct {
	AgreementID    string    `json:"agreement_id"`
	OrganizationID string    `json:"organization_id"`
	ProjectIDs     []string  `json:"project_ids"`
	Change         string    `json:"change"` // extended, paused, resumed or cancelled
	Note           string    `json:"note,omitempty"`
	PeriodEnds     time.Time `json:"period_ends"` // the (new) end of the period
}

// AutoAlert is an auto-alert (SPEC AL1–AL3): one recipient's digest of the households, across
// projects, that entered the alert window as of AsOf; one message per recipient per day, never one
// per enrollment (see AlertDigests).
type AutoAlert struct {
	AsOf       time.Time        `json:"as_of"`
	Role       string           `json:"role"` // engine.RoleLiaison or engine.RoleAssignedStaff: why this recipient gets it (AL3)
	Households []AlertHousehold `json:"households"`
}

// AlertHousehold is one household of an auto alert (SPEC AL1): for assigned staff, only their
// enrollments of it.
type AlertHousehold struct {
	ProjectID     string    `json:"project_id"`
	HouseholdID   string    `json:"household_id"`
	EnrollmentIDs []string  `json:"enrollment_ids"`
	LastActivity  time.Time `json:"last_activity"`
	DaysInactive  int       `json:"days_inactive"`
	ExitOn        time.Time `json:"exit_on"`   // when the exit is recorded if nothing happens
	ExitDate      time.Time `json:"exit_date"` // the exit date it would get
}

// AutoExitDone is an auto-exit-done notice to the staff assigned to the exited enrollments (SPEC N5).
type AutoExitDone struct {
	RunID int64      `json:"run_id"`
	AsOf  time.Time  `json:"as_of"` // the day of the auto exits
	Exits []ExitLine `json:"exits"`
}

// ExitLine is one exited enrollment.
type ExitLine struct {
	ProjectID    string    `json:"project_id"`
	HouseholdID  string    `json:"household_id"`
	EnrollmentID string    `json:"enrollment_id"`
	PersonalID   string    `json:"personal_id"`
	ExitDate     time.Time `json:"exit_date"`
}

// HousedExitProposal is a housed-exit-proposal (SPEC PD8): an exit waiting for confirmation.
type HousedExitProposal struct {
	ProposalID          string    `json:"proposal_id"`
	ProjectID           string    `json:"project_id"`
	HouseholdID         string    `json:"household_id"`
	EnrollmentIDs       []string  `json:"enrollment_ids"`
	Trigger             string    `json:"trigger"`               // move-in (PD3 a) or permanent-exit (PD3 b)
	TriggerEnrollmentID string    `json:"trigger_enrollment_id"` // the PH enrollment or the exited one
	ExitDate            time.Time `json:"exit_date"`
	Destination         int       `json:"destination"` // the HUD Destination code
	ExpiresOn           time.Time `json:"expires_on"`
}

// HoHRedesignation is a hoh-redesignation notice (SPEC PD3 b): the head of an open household
// was exited, and a new one must be designated retroactively.
type HoHRedesignation struct {
	ProjectID          string    `json:"project_id"`
	HouseholdID        string    `json:"household_id"`
	ExitedEnrollmentID string    `json:"exited_enrollment_id"`
	ExitedPersonalID   string    `json:"exited_personal_id"`
	ExitDate           time.Time `json:"exit_date"`
	OpenEnrollmentIDs  []string  `json:"open_enrollment_ids"` // the members still open
}

// DQMReport is a dqm-report (SPEC Q3). The report itself (report.html) is the message's HTML
// part and its CSVs are attachments: the caller sets them after Compose (see Message).
type DQMReport struct {
	ReportID       int64       `json:"report_id"`
	AsOf           time.Time   `json:"as_of"`
	Since          time.Time   `json:"since"` // the period is (Since, AsOf]
	OrganizationID string      `json:"organization_id,omitempty"`
	ProjectIDs     []string    `json:"project_ids"`
	Verdict        string      `json:"verdict"` // working as planned, needs attention
	Reasons        []DQMReason `json:"reasons"`
	Findings       int         `json:"findings"` // rows of findings.csv
}

// DQMReason is one reason of a "needs attention" verdict: a measure and its count.
type DQMReason struct {
	Measure string `json:"measure"`
	Count   int    `json:"count"`
}

// SweepSummary is a sweep-summary (SPEC N3) to the HMIS staff: what one auto-exit sweep did, by
// project, as counts only.
type SweepSummary struct {
	SweepID     int64                 `json:"sweep_id"`
	AsOf        time.Time             `json:"as_of"`
	ExitRunID   int64                 `json:"exit_run_id"` // 0: the sweep exited nothing
	Projects    []SweepSummaryProject `json:"projects"`
	Households  int                   `json:"households"`   // totals: households exited
	Enrollments int                   `json:"enrollments"`  // enrollments exited
	Alerts      int                   `json:"alerts"`       // households alerted (SPEC AL1)
	ExitNotices int                   `json:"exit_notices"` // messages to assigned staff
	Unassigned  int                   `json:"unassigned"`   // exited enrollments nobody was told of (no staff email, N5)
}

// SweepSummaryProject is one project's line of a sweep summary.
type SweepSummaryProject struct {
	ProjectID   string `json:"project_id"`
	Households  int    `json:"households"`  // exited
	Enrollments int    `json:"enrollments"` // exited
	Alerts      int    `json:"alerts"`      // households alerted
}

// EnrollmentCount is the number of enrollments the alert lists, over its households.
func (a AutoAlert) EnrollmentCount() int {
	n := 0
	for _, h := range a.Households {
		n += len(h.EnrollmentIDs)
	}
	return n
}

// Liaison tells whether the recipient gets the alert as the projects' agency liaison (SPEC AL3).
func (a AutoAlert) Liaison() bool { return a.Role == engine.RoleLiaison }
