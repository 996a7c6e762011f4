package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SweepStatus is the status of a sweep (exitflow.sweep_run.status).
type SweepStatus string

// Statuses of a sweep.
const (
	SweepRunning   SweepStatus = "running"   // begun, not finished; at most one at a time (the database refuses a second)
	SweepDone      SweepStatus = "done"      // finished (FinishSweep)
	SweepSkipped   SweepStatus = "skipped"   // not run: another sweep was running
	SweepAbandoned SweepStatus = "abandoned" // its workflow stopped (terminated, timed out) before it finished
	SweepMailing   SweepStatus = "mailing"   // its exits are done, its messages not yet: the next sweep may begin
)

// SweepClaim asks to begin a sweep: the workflow (its ID and first run ID) and what it sweeps.
type SweepClaim struct {
	WorkflowID, FirstRunID string
	AsOf                   time.Time
	Projects               []string // empty: every project
	Actor                  string
	Location               *time.Location // the CoC's time zone, for "today" (nil: UTC)
}

// SweepProjectCount is what a sweep did in one project (counts only: SPEC S1).
type SweepProjectCount struct {
	ProjectID   string `json:"project_id"`
	Households  int    `json:"households"`
	Enrollments int    `json:"enrollments"`
	Alerts      int    `json:"alerts"`
}

// Sweep is an exitflow.sweep_run row: one sweep workflow and what it did (IDs and counts).
type Sweep struct {
	ID            int64               `json:"id"`
	WorkflowID    string              `json:"workflow_id"`
	FirstRunID    string              `json:"first_run_id"`
	AsOf          time.Time           `json:"as_of"`
	Projects      []string            `json:"projects"`
	Status        SweepStatus         `json:"status"`
	SkipReason    string              `json:"skip_reason,omitempty"`
	StartedAt     time.Time           `json:"started_at"`
	FinishedAt    *time.Time          `json:"finished_at,omitempty"`
	ExitRunID     *int64              `json:"exit_run_id,omitempty"`
	Households    int                 `json:"households"`
	Enrollments   int                 `json:"enrollments"`
	Alerts        int                 `json:"alerts"`
	AlertMessages int                 `json:"alert_messages"`
	ExitNotices   int                 `json:"exit_notices"`
	Summaries     int                 `json:"summaries"`
	Executions    int                 `json:"executions"`
	Pages         int                 `json:"pages"`
	PerProject    []SweepProjectCount `json:"per_project"`
}

// SweepFinish is what a sweep did besides its exits and alerts, for FinishSweep.
type SweepFinish struct {
	ExitRunID                                                int64 // 0: no exit run
	AlertMessages, ExitNotices, Summaries, Executions, Pages int
}

// sweepColumns are the columns sweepSQL and scanSweep read, in order.
const sweepColumns = `id, workflow_id, first_run_id, as_of, projects, status, coalesce(skip_reason, ''), started_at, finished_at,
	exit_run_id, households, enrollments, alerts, alert_messages, exit_notices, summaries, executions, pages, per_project`

// sweepFinishSQL finishes a running sweep with its counts (sql/sweep_finish.sql).
var sweepFinishSQL = assembled("sweep_finish", "sweep_finish", vars{"counts": sweepCountsSQL, "natural_order": naturalOrderSQL("projectid")})

// Names of sweep_run's unique constraints (migration 00017).
const (
	sweepKeyConstraint = "sweep_run_key"         // one row per workflow ID and first run ID
	sweepOneRunning    = "sweep_run_one_running" // at most one running sweep
)

// scanSweep reads one row of sweepColumns.
func scanSweep(row pgx.Row) (Sweep, error) {
	var s Sweep
	var status string
	err := row.Scan(&s.ID, &s.WorkflowID, &s.FirstRunID, &s.AsOf, &s.Projects, &status, &s.SkipReason, &s.StartedAt, &s.FinishedAt,
		&s.ExitRunID, &s.Households, &s.Enrollments, &s.Alerts, &s.AlertMessages, &s.ExitNotices, &s.Summaries, &s.Executions,
		&s.Pages, &s.PerProject)
	s.Status = SweepStatus(status)
	if s.Projects == nil {
		s.Projects = []string{}
	}
	if s.PerProject == nil {
		s.PerProject = []SweepProjectCount{}
	}
	return s, err
}

// GetSweep returns sweep id (a *NotFoundError when there is none).
func GetSweep(ctx context.Context, q Querier, id int64) (Sweep, error) {
	s, err := scanSweep(q.QueryRow(ctx, "SELECT "+sweepColumns+" FROM exitflow.sweep_run WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, &NotFoundError{fmt.Sprintf("sweep %d does not exist", id)}
	}
	if err != nil {
		return s, fmt.Errorf("reading sweep %d: %w", id, err)
	}
	return s, nil
}

// RunningSweep returns the running sweep, or nil when none is running.
func RunningSweep(ctx context.Context, q Querier) (*Sweep, error) {
	s, err := scanSweep(q.QueryRow(ctx, "SELECT "+sweepColumns+" FROM exitflow.sweep_run WHERE status = 'running'"))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the running sweep: %w", err)
	}
	return &s, nil
}

// SweepHistory lists the sweeps, newest first; limit 0: all of them.
func SweepHistory(ctx context.Context, q Querier, limit int) ([]Sweep, error) {
	rows, err := q.Query(ctx, "SELECT "+sweepColumns+" FROM exitflow.sweep_run ORDER BY started_at DESC, id DESC LIMIT nullif($1::int, 0)", limit)
	if err != nil {
		return nil, fmt.Errorf("listing sweeps: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sweep, error) { return scanSweep(r) })
	if err != nil {
		return nil, fmt.Errorf("listing sweeps: %w", err)
	}
	return out, nil
}

// sweepByKey returns the sweep of workflow wfID's first run firstRunID, or nil.
func sweepByKey(ctx context.Context, q Querier, wfID, firstRunID string) (*Sweep, error) {
	s, err := scanSweep(q.QueryRow(ctx, "SELECT "+sweepColumns+" FROM exitflow.sweep_run WHERE workflow_id = $1 AND first_run_id = $2", wfID, firstRunID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the sweep of workflow %s: %w", wfID, err)
	}
	return &s, nil
}

// sweepCountsSQL counts a sweep's exits and alerts per project (sql/sweep_counts.sql).
var sweepCountsSQL = assembled("sweep_counts", "sweep_counts", vars{"natural_order": naturalOrderSQL("coalesce(ex.projectid, al.projectid)")})

// SweepCounts is what sweep id did so far, per project: the live exits of its exit run exitRunID
// (0: none) and the alerts its workflow recorded (SPEC F3, AL2); for its summary (SPEC N3).
func SweepCounts(ctx context.Context, q Querier, id, exitRunID int64) ([]SweepProjectCount, error) {
	rows, err := q.Query(ctx, sweepCountsSQL, id, exitRunID)
	if err != nil {
		return nil, fmt.Errorf("counting sweep %d: %w", id, err)
	}
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SweepProjectCount, error) {
		var c SweepProjectCount
		return c, r.Scan(&c.ProjectID, &c.Households, &c.Enrollments, &c.Alerts)
	})
	if err != nil {
		return nil, fmt.Errorf("counting sweep %d: %w", id, err)
	}
	return counts, nil
}

// SweepExitsDone marks running sweep id as mailing: its exits are written, so it gives up the one
// running slot and the next sweep may begin while it mails (an SMTP server down for days must not
// hold back the next days' exits). Idempotent; a sweep in another status is left as it is.
func SweepExitsDone(ctx context.Context, q Querier, id int64) error {
	if _, err := q.Exec(ctx, `UPDATE exitflow.sweep_run SET status = 'mailing' WHERE id = $1 AND status = 'running'`, id); err != nil {
		return fmt.Errorf("sweep %d: recording its exits done: %w", id, err)
	}
	return nil
}

// MailingSweeps are the workflow IDs of the sweeps that are only mailing (SweepMailing): their
// workflows still run, but they do not hold back a new sweep.
func MailingSweeps(ctx context.Context, q Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT workflow_id FROM exitflow.sweep_run WHERE status = 'mailing' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing the sweeps that are mailing: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing the sweeps that are mailing: %w", err)
	}
	return ids, nil
}
