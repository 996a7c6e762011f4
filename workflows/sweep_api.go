package workflows

import (
	"fmt"
	"time"
)

// The daily auto-exit sweep's contract (issue 11; SPEC sections 4–8, N3, N5): what the CLI, the
// schedule, the activities and the tests share with AutoExitSweep. IDs, dates and counts only
// (SPEC S1); the exits, alerts and their lists stay in PostgreSQL.

// AutoExitSweepWorkflow is the sweep's workflow type name.
const AutoExitSweepWorkflow = "AutoExitSweep"

// SweepScheduleID is the Temporal Schedule that starts a sweep every day (exitflow setup, make run).
const SweepScheduleID = "auto-exit-sweep"

// SweepActor is the actor of the sweep's exits and alerts (SPEC F3, U1).
const SweepActor = "exitflow"

// QueryProgress is the sweep's query: SweepProgress.
const QueryProgress = "progress"

// Sweep defaults: households per exits page, pages per execution before it continues as new.
const (
	DefaultSweepPageHouseholds = 2000
	DefaultSweepPagesPerRun    = 100
)

// SweepWorkflowID is the workflow ID of a sweep started by hand at now (exitflow sweep run);
// scheduled runs get the schedule's ID with their nominal time appended.
func SweepWorkflowID(now time.Time) string {
	return fmt.Sprintf("%s-manual-%s", SweepScheduleID, now.UTC().Format("20060102T150405.000Z"))
}

// SweepInput starts a sweep: one JSON object (Web UI, CLI, the schedule's action).
type SweepInput struct {
	// AsOf is the sweep's day, YYYY-MM-DD. Empty: the scheduled day in the CoC time zone (from the
	// schedule's nominal start time, never the worker's clock), or today for a run started by hand.
	AsOf string `json:"as_of,omitempty"`
	// TimeZone is the CoC's IANA time zone the scheduled day is read in (the schedule's action
	// carries EXITFLOW_TIMEZONE); empty: the worker's.
	TimeZone string `json:"time_zone,omitempty"`
	// ProjectIDs limits the sweep to these projects; empty: every project whose policy has auto
	// exit on.
	ProjectIDs     []string `json:"project_ids,omitempty"`
	PageHouseholds int      `json:"page_households,omitempty"` // households per exits page (0: DefaultSweepPageHouseholds)
	PagesPerRun    int      `json:"pages_per_run,omitempty"`   // exits pages per execution before continuing as new (0: default)
	// Resume is set by the sweep itself when it continues as new: where it was. Never by a user.
	Resume *SweepState `json:"resume,omitempty"`
}

// SweepStage is how far a sweep has got.
type SweepStage string

// The sweep's stages, in order.
const (
	StageBegin   SweepStage = "begin"   // validating, claiming the one running sweep
	StageExits   SweepStage = "exits"   // exiting the inactive households page by page (SPEC H2)
	StageAlerts  SweepStage = "alerts"  // recording alerts and mailing one digest per recipient (AL1–AL3)
	StageNotices SweepStage = "notices" // exit notices to assigned staff (N5), the summary to HMIS staff
	StageDone    SweepStage = "done"
	StageSkipped SweepStage = "skipped" // another sweep was running: this one did nothing
)

// SweepState is what a sweep carries across continue-as-new: IDs and counts.
type SweepState struct {
	SweepID         int64      `json:"sweep_id"` // exitflow.sweep_run.id
	AsOf            string     `json:"as_of"`
	Stage           SweepStage `json:"stage"`
	ExitRunID       int64      `json:"exit_run_id"`
	HouseholdsDone  int        `json:"households_done"`
	HouseholdsTotal int        `json:"households_total"`
	Pages           int        `json:"pages"`      // exits pages so far, over every execution
	Executions      int        `json:"executions"` // this one included (1 + continue-as-new count)
}

// SweepProgress is the answer to QueryProgress: households done of total, and where it is.
type SweepProgress struct {
	SweepState
	Alerts        int    `json:"alerts"`
	AlertMessages int    `json:"alert_messages"`
	ExitNotices   int    `json:"exit_notices"`
	Summaries     int    `json:"summaries"`
	Skipped       string `json:"skipped,omitempty"` // why the sweep did nothing
}

// SweepProjectCount is one project's part of a sweep.
type SweepProjectCount struct {
	ProjectID   string `json:"project_id"`
	Households  int    `json:"households"`  // households exited
	Enrollments int    `json:"enrollments"` // enrollments exited
	Alerts      int    `json:"alerts"`      // households alerted
}

// SweepResult is what a sweep did; the same is kept in exitflow.sweep_run (exitflow sweep history).
type SweepResult struct {
	SweepID       int64               `json:"sweep_id"`
	AsOf          string              `json:"as_of"`
	Skipped       string              `json:"skipped,omitempty"` // another sweep was running (its workflow ID)
	ExitRunID     int64               `json:"exit_run_id"`
	Households    int                 `json:"households"`
	Enrollments   int                 `json:"enrollments"`
	Alerts        int                 `json:"alerts"`
	AlertMessages int                 `json:"alert_messages"`
	ExitNotices   int                 `json:"exit_notices"`
	Summaries     int                 `json:"summaries"`
	Projects      []SweepProjectCount `json:"projects"` // every project with an exit or an alert, by ID
	Executions    int                 `json:"executions"`
	Pages         int                 `json:"pages"`
}

// Activity names of the sweep.
const (
	ActivityBeginSweep     = "BeginSweep"     // SweepBeginInput → SweepBegun
	ActivitySweepExitsPage = "SweepExitsPage" // SweepPageInput → SweepPage (heartbeats)
	ActivitySweepAlerts    = "SweepAlerts"    // SweepStepInput → SweepAlertsResult (heartbeats)
	ActivitySweepNotices   = "SweepNotices"   // SweepStepInput → SweepNoticesResult (heartbeats)
	ActivityFinishSweep    = "FinishSweep"    // SweepFinishInput → SweepResult
)

// SweepBeginInput asks to validate a sweep, fix its as-of date and claim the one running sweep.
type SweepBeginInput struct {
	AsOf       string     `json:"as_of,omitempty"`     // the input's; empty: from Scheduled or today
	Scheduled  *time.Time `json:"scheduled,omitempty"` // the schedule's nominal start time, if scheduled
	ProjectIDs []string   `json:"project_ids,omitempty"`
	WorkflowID string     `json:"workflow_id"`
	FirstRunID string     `json:"first_run_id"` // with WorkflowID, the sweep's identity: a retry gets the same sweep
}

// SweepBegun is a claimed sweep, or a skipped one (Skipped says why; nothing else is done).
type SweepBegun struct {
	SweepID int64  `json:"sweep_id"`
	AsOf    string `json:"as_of"` // YYYY-MM-DD
	Skipped string `json:"skipped,omitempty"`
}

// SweepPageInput asks for one page of the sweep's exits: the engine's run keyed by the sweep,
// resumed where it stopped (SPEC H2, H3).
type SweepPageInput struct {
	SweepID        int64    `json:"sweep_id"`
	AsOf           string   `json:"as_of"`
	ProjectIDs     []string `json:"project_ids,omitempty"`
	PageHouseholds int      `json:"page_households"`
	WorkflowID     string   `json:"workflow_id"`
	RunID          string   `json:"run_id"`
}

// SweepPage is where the sweep's exits are after a page.
type SweepPage struct {
	ExitRunID       int64 `json:"exit_run_id"`
	HouseholdsDone  int   `json:"households_done"`
	HouseholdsTotal int   `json:"households_total"`
	Households      int   `json:"households"`  // exited so far
	Enrollments     int   `json:"enrollments"` // exited so far
	Finished        bool  `json:"finished"`
}

// SweepStepInput names the sweep a step (alerts, notices) works for.
type SweepStepInput struct {
	SweepID    int64    `json:"sweep_id"`
	AsOf       string   `json:"as_of"`
	ProjectIDs []string `json:"project_ids,omitempty"`
	ExitRunID  int64    `json:"exit_run_id,omitempty"` // notices: the run whose exits they tell of
	WorkflowID string   `json:"workflow_id"`
	RunID      string   `json:"run_id"`
}

// SweepAlertsResult counts the alerts recorded and the digests mailed (one per recipient).
type SweepAlertsResult struct {
	Alerts   int `json:"alerts"`
	Messages int `json:"messages"`
	Failed   int `json:"failed"` // digests not delivered yet (SMTP down): recorded, retried by the step
}

// SweepNoticesResult counts the exit notices (assigned staff) and summaries (HMIS staff) mailed.
type SweepNoticesResult struct {
	ExitNotices int `json:"exit_notices"`
	Summaries   int `json:"summaries"`
	Unassigned  int `json:"unassigned"` // exited enrollments with no assigned staff email (N5)
}

// SweepFinishInput closes the sweep's record with what its steps counted.
type SweepFinishInput struct {
	SweepID       int64 `json:"sweep_id"`
	ExitRunID     int64 `json:"exit_run_id"`
	AlertMessages int   `json:"alert_messages"`
	ExitNotices   int   `json:"exit_notices"`
	Summaries     int   `json:"summaries"`
	Executions    int   `json:"executions"`
	Pages         int   `json:"pages"`
}
