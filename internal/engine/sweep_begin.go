package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sweepAttempts bounds BeginSweep's tries to take the one running slot (each lost try is another
// sweep finishing or being abandoned meanwhile).
const sweepAttempts = 5

// BeginSweep records the start of a sweep (SPEC U1) and returns it. It is idempotent: the row of
// c's workflow ID and first run ID is returned as it is, whatever its status (a retried activity
// gets the same sweep). At most one sweep runs at a time (the database's partial unique index
// sweep_run_one_running): when another is running and alive(its workflow ID) says its workflow
// still runs, this one is recorded as skipped; when it does not, the other is marked abandoned and
// this one takes its place. Invalid options write nothing.
func BeginSweep(ctx context.Context, pool *pgxpool.Pool, c SweepClaim, alive func(ctx context.Context, workflowID string) (bool, error)) (Sweep, error) {
	if strings.TrimSpace(c.WorkflowID) == "" || strings.TrimSpace(c.FirstRunID) == "" {
		return Sweep{}, Invalid(FieldKey, nil, "a sweep needs its workflow ID and first run ID")
	}
	if s, err := sweepByKey(ctx, pool, c.WorkflowID, c.FirstRunID); err != nil || s != nil {
		return deref(s), err
	}
	if err := checkSweepClaim(ctx, pool, c); err != nil {
		return Sweep{}, err
	}
	for range sweepAttempts {
		s, err := insertSweep(ctx, pool, c, SweepRunning, "")
		switch {
		case err == nil:
			return s, nil
		case isUnique(err, sweepKeyConstraint): // the same claim, begun meanwhile (a concurrent retry)
			s, err := sweepByKey(ctx, pool, c.WorkflowID, c.FirstRunID)
			if err == nil && s == nil {
				err = fmt.Errorf("sweep of workflow %s: begun and gone", c.WorkflowID)
			}
			return deref(s), err
		case !isUnique(err, sweepOneRunning):
			return Sweep{}, err
		}
		other, err := RunningSweep(ctx, pool)
		if err != nil {
			return Sweep{}, err
		}
		if other == nil {
			continue // it finished meanwhile: try again
		}
		// Temporal runs one execution per workflow ID at a time: an other execution of this
		// workflow ID has stopped.
		live := false
		if other.WorkflowID != c.WorkflowID {
			if live, err = alive(ctx, other.WorkflowID); err != nil {
				return Sweep{}, fmt.Errorf("asking whether sweep %d's workflow %s is running: %w", other.ID, other.WorkflowID, err)
			}
		}
		if live {
			reason := fmt.Sprintf("another sweep is running: workflow %s (started %s)", other.WorkflowID, other.StartedAt.UTC().Format(time.RFC3339))
			s, err := insertSweep(ctx, pool, c, SweepSkipped, reason)
			if isUnique(err, sweepKeyConstraint) {
				s, err := sweepByKey(ctx, pool, c.WorkflowID, c.FirstRunID)
				return deref(s), err
			}
			return s, err
		}
		if err := abandonSweep(ctx, pool, *other, c.Actor); err != nil {
			return Sweep{}, err
		}
	}
	return Sweep{}, fmt.Errorf("sweep of workflow %s: could not begin after %d tries (other sweeps kept starting)", c.WorkflowID, sweepAttempts)
}

// deref is *s, or the zero Sweep.
func deref(s *Sweep) Sweep {
	if s == nil {
		return Sweep{}
	}
	return *s
}

// checkSweepClaim refuses a claim without an actor or an as-of date, one in the future (in
// c.Location) or before the data starts, or naming projects that are not in the data.
func checkSweepClaim(ctx context.Context, q Querier, c SweepClaim) error {
	if strings.TrimSpace(c.Actor) == "" {
		return Invalid(FieldActor, nil, "a sweep needs an actor")
	}
	if c.AsOf.IsZero() {
		return Invalid(FieldAsOf, nil, "a sweep needs an as-of date")
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	n := time.Now().In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	asOf := time.Date(c.AsOf.Year(), c.AsOf.Month(), c.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	if asOf.After(today) {
		return Invalid(FieldAsOf, asOf.Format(time.DateOnly), "is in the future (today is %s)", today.Format(time.DateOnly))
	}
	if err := CheckAsOf(ctx, q, asOf); err != nil {
		return err
	}
	return CheckProjects(ctx, q, c.Projects)
}

// insertSweep records c's sweep with status (running or skipped, with its reason) and its audit in
// one transaction; a unique violation (sweepKeyConstraint, sweepOneRunning) is returned as it is.
func insertSweep(ctx context.Context, pool *pgxpool.Pool, c SweepClaim, status SweepStatus, reason string) (Sweep, error) {
	projects := c.Projects
	if projects == nil {
		projects = []string{}
	}
	var s Sweep
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		s, err = scanSweep(tx.QueryRow(ctx, `INSERT INTO exitflow.sweep_run (workflow_id, first_run_id, as_of, projects, actor, status, skip_reason, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'running' THEN NULL ELSE now() END)
			RETURNING `+sweepColumns, c.WorkflowID, c.FirstRunID, c.AsOf, projects, c.Actor, string(status), nullText(reason)))
		if err != nil {
			return err
		}
		details := map[string]any{"sweep_id": s.ID, "phase": "begin", "status": string(status), "as_of": s.AsOf.Format(time.DateOnly), "projects": s.Projects}
		return writeAudit(ctx, tx, c.Actor, "sweep", reason, c.WorkflowID, c.FirstRunID, details)
	})
	var pgErr *pgconn.PgError
	if err != nil && !errors.As(err, &pgErr) {
		err = fmt.Errorf("recording the sweep of workflow %s: %w", c.WorkflowID, err)
	}
	return s, err
}

// abandonReason is the skip_reason of a sweep whose workflow stopped before it finished.
const abandonReason = "its workflow is no longer running"

// abandonSweep marks other, a running sweep whose workflow no longer runs, abandoned (and audits
// it), unless it is no longer running.
func abandonSweep(ctx context.Context, pool *pgxpool.Pool, other Sweep, actor string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE exitflow.sweep_run SET status = 'abandoned', finished_at = now(), skip_reason = $2
			WHERE id = $1 AND status = 'running'`, other.ID, abandonReason)
		if err != nil {
			return fmt.Errorf("abandoning sweep %d: %w", other.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return writeAudit(ctx, tx, actor, "sweep", abandonReason, other.WorkflowID, other.FirstRunID,
			map[string]any{"sweep_id": other.ID, "phase": "abandoned"})
	})
}

// isUnique says whether err is a unique violation of constraint (or unique index) name.
func isUnique(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UniqueViolation && pgErr.ConstraintName == name
}

// FinishSweep records sweep id as done (SPEC U1): its exit run f.ExitRunID, what it sent and ran
// (f's counts), and households and enrollments per project from the run's live engine exits and
// alerts per project from the alerts its workflow recorded. It is idempotent: a done sweep is
// returned unchanged. A skipped or abandoned sweep is not finished (an error).
func FinishSweep(ctx context.Context, q Querier, id int64, f SweepFinish) (Sweep, error) {
	var got int64
	var actor string
	err := q.QueryRow(ctx, sweepFinishSQL, id, f.ExitRunID, f.AlertMessages, f.ExitNotices, f.Summaries, f.Executions, f.Pages).Scan(&got, &actor)
	if errors.Is(err, pgx.ErrNoRows) {
		s, err := GetSweep(ctx, q, id)
		if err != nil || s.Status == SweepDone {
			return s, err
		}
		return s, Invalid(FieldKey, s.WorkflowID, "sweep %d is %s (%s): it is not finished", id, s.Status, s.SkipReason)
	}
	if err != nil {
		return Sweep{}, fmt.Errorf("finishing sweep %d: %w", id, err)
	}
	s, err := GetSweep(ctx, q, id)
	if err != nil {
		return s, err
	}
	details := map[string]any{"sweep_id": s.ID, "phase": "done", "households": s.Households, "enrollments": s.Enrollments,
		"alerts": s.Alerts, "alert_messages": s.AlertMessages, "exit_notices": s.ExitNotices, "summaries": s.Summaries,
		"executions": s.Executions, "pages": s.Pages}
	if s.ExitRunID != nil {
		details["exit_run_id"] = *s.ExitRunID
	}
	return s, writeAudit(ctx, q, actor, "sweep", "done", s.WorkflowID, s.FirstRunID, details)
}
