package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// UndoOptions select the engine exits to undo (SPEC U2): exactly one of RunID, HouseholdID,
// EnrollmentID.
type UndoOptions struct {
	RunID        int64
	HouseholdID  string // every engine exit of the household, together
	EnrollmentID string // the engine exit of this enrollment only
	Actor        string // who undoes it (required)
	Reason       string
	// Force undoes engine exits that were changed after the engine wrote them (their Exit row's
	// DateUpdated is no longer the engine's, e.g. edited in the source HMIS and imported again).
	Force         bool
	WorkflowID    string
	WorkflowRunID string
	Location      *time.Location // the CoC's time zone, for DateDeleted and DateUpdated (nil: UTC)
	Wait          bool           // wait for a running exit run or undo instead of refusing
}

// UndoResult is what an undo did (IDs and counts only).
type UndoResult struct {
	Selector      string    `json:"selector"`       // "run 5", "household H1", "enrollment N1"
	Undone        int       `json:"undone"`         // Exit rows soft-deleted (enrollments open again)
	Households    int       `json:"households"`     // their households
	AlreadyUndone int       `json:"already_undone"` // engine exits of the selection undone before (nothing changed)
	UndoneAt      time.Time `json:"undone_at,omitzero"`
	UndoneBy      string    `json:"undone_by,omitempty"`
	Forced        []string  `json:"forced,omitempty"` // ExitIDs undone although changed after they were written
	// PersonWritten are enrollments of the household whose exits were written by people: kept.
	PersonWritten []string `json:"person_written,omitempty"`
}

// PersonWrittenError refuses to undo exits that people wrote (SPEC U2: never touched).
type PersonWrittenError struct {
	Enrollments []string // EnrollmentIDs
	ExitIDs     []string
}

func (e *PersonWrittenError) Error() string {
	return fmt.Sprintf("enrollment %s: exit %s was written by a person, not by exitflow; exitflow never undoes it",
		strings.Join(e.Enrollments, ", "), strings.Join(e.ExitIDs, ", "))
}

// EditedError refuses to undo engine exits changed after they were written, without Force.
type EditedError struct {
	Exits []string // "EF5-1 (enrollment N1)"
	Count int
}

func (e *EditedError) Error() string {
	more := ""
	if e.Count > len(e.Exits) {
		more = fmt.Sprintf(" and %d more", e.Count-len(e.Exits))
	}
	return fmt.Sprintf("%d engine exits were changed after exitflow wrote them: %s%s; nothing was undone (undo them anyway with --force)",
		e.Count, strings.Join(e.Exits, ", "), more)
}

// Undo soft-deletes engine-written exits (SPEC U2): DateDeleted and DateUpdated are set to now
// (the CoC's wall clock), so the next export (also a delta export) tells the source HMIS to delete
// them, and the enrollments are open again. Exits written by people are never touched; engine
// exits changed after they were written are undone only with Force. The undo is recorded in
// the engine record (exitflow.exit_run_candidate: undone_at, undone_by, undo_reason) and exitflow.audit.
func Undo(ctx context.Context, pool *pgxpool.Pool, opt UndoOptions) (UndoResult, error) {
	res := UndoResult{}
	n := 0
	var where string
	var arg any
	if opt.RunID != 0 {
		n++
		res.Selector, where, arg = fmt.Sprintf("run %d", opt.RunID), "ee.run_id = $1", opt.RunID
	}
	if opt.HouseholdID != "" {
		n++
		res.Selector, where, arg = "household "+opt.HouseholdID, "ee.householdid = $1", opt.HouseholdID
	}
	if opt.EnrollmentID != "" {
		n++
		res.Selector, where, arg = "enrollment "+opt.EnrollmentID, "ee.enrollmentid = $1", opt.EnrollmentID
	}
	if n != 1 {
		return res, errors.New("undo needs exactly one of: a run ID, a HouseholdID, an EnrollmentID")
	}
	if strings.TrimSpace(opt.Actor) == "" {
		return res, errors.New("an undo needs an actor: the HMIS staff member who undoes the exits")
	}
	conn, err := exitsConn(ctx, pool)
	if err != nil {
		return res, err
	}
	defer closeExitsConn(ctx, conn) // releases the exits lock
	if err := lockExits(ctx, conn, opt.Wait); err != nil {
		return res, err
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var err error
		res, err = undo(ctx, tx, opt, res, where, arg)
		return err
	})
	return res, err
}

func undo(ctx context.Context, tx pgx.Tx, opt UndoOptions, res UndoResult, where string, arg any) (UndoResult, error) {
	if opt.RunID != 0 {
		if _, err := loadRun(ctx, tx, opt.RunID); err != nil {
			return res, err
		}
	}
	// The engine exits of the selection, with their Exit rows locked (an import waits for us).
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE undo_target ON COMMIT DROP AS
		SELECT ee.exitid, ee.enrollmentid, ee.projectid, ee.householdid, ee.written_at, ee.undone_at, ee.undone_by,
		       x.exitid IS NOT NULL AS present, x.dateupdated, x.datedeleted
		FROM exitflow.engine_exit ee LEFT JOIN hmis.exit x ON x.exitid = ee.exitid
		WHERE `+where, arg); err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM hmis.exit WHERE exitid IN (SELECT exitid FROM undo_target WHERE undone_at IS NULL) FOR UPDATE`); err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	var total, active int
	var lastUndone *time.Time
	var lastBy *string
	if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE undone_at IS NULL), max(undone_at),
			(array_agg(undone_by ORDER BY undone_at DESC NULLS LAST))[1]
		FROM undo_target`).Scan(&total, &active, &lastUndone, &lastBy); err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}

	// Exits written by people are never touched (SPEC U2).
	if opt.HouseholdID != "" || opt.EnrollmentID != "" {
		col, id := "householdid", opt.HouseholdID
		if opt.EnrollmentID != "" {
			col, id = "enrollmentid", opt.EnrollmentID
		}
		rows, err := tx.Query(ctx, `SELECT x.enrollmentid, x.exitid FROM hmis.exit x JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid
			WHERE e.`+col+` = $1 AND x.datedeleted IS NULL AND e.datedeleted IS NULL
			  AND NOT EXISTS (SELECT 1 FROM exitflow.engine_exit ee WHERE ee.exitid = x.exitid)
			ORDER BY 1, 2`, id)
		if err != nil {
			return res, fmt.Errorf("undo %s: %w", res.Selector, err)
		}
		pw := &PersonWrittenError{}
		for rows.Next() {
			var enr, exit string
			if err := rows.Scan(&enr, &exit); err != nil {
				return res, err
			}
			pw.Enrollments, pw.ExitIDs = append(pw.Enrollments, enr), append(pw.ExitIDs, exit)
		}
		if err := rows.Err(); err != nil {
			return res, err
		}
		if len(pw.Enrollments) > 0 && (opt.EnrollmentID != "" || total == 0) {
			return res, pw
		}
		res.PersonWritten = pw.Enrollments
	}
	if total == 0 {
		switch {
		case opt.RunID != 0:
			return res, &NotFoundError{fmt.Sprintf("exit run %d wrote no exits: nothing to undo", opt.RunID)}
		default:
			return res, &NotFoundError{fmt.Sprintf("%s has no exits written by exitflow: nothing to undo", res.Selector)}
		}
	}
	if active == 0 {
		res.AlreadyUndone = total
		if lastUndone != nil {
			res.UndoneAt = *lastUndone
		}
		if lastBy != nil {
			res.UndoneBy = *lastBy
		}
		return res, nil
	}
	res.AlreadyUndone = total - active

	// Engine exits changed after they were written: only with Force.
	rows, err := tx.Query(ctx, `SELECT exitid, enrollmentid, count(*) OVER () FROM undo_target
		WHERE undone_at IS NULL AND (NOT present OR datedeleted IS NOT NULL OR dateupdated IS DISTINCT FROM written_at)
		ORDER BY exitid COLLATE "C" LIMIT 20`)
	if err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	edited := &EditedError{}
	var forced []string
	for rows.Next() {
		var exit, enr string
		if err := rows.Scan(&exit, &enr, &edited.Count); err != nil {
			return res, err
		}
		edited.Exits = append(edited.Exits, fmt.Sprintf("%s (enrollment %s)", exit, enr))
		forced = append(forced, exit)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if edited.Count > 0 && !opt.Force {
		return res, edited
	}
	res.Forced = forced

	now := hmisNow(opt.Location)
	tag, err := tx.Exec(ctx, `UPDATE hmis.exit x SET datedeleted = $1, dateupdated = $1
		FROM undo_target t WHERE x.exitid = t.exitid AND t.undone_at IS NULL AND x.datedeleted IS NULL`, now)
	if err != nil {
		return res, fmt.Errorf("undo %s: soft-deleting the exits: %w", res.Selector, err)
	}
	res.Undone = int(tag.RowsAffected())
	if err := tx.QueryRow(ctx, `WITH u AS (
			UPDATE exitflow.exit_run_candidate c SET undone_at = now(), undone_by = $1, undo_reason = $2
			FROM undo_target t WHERE c.exitid = t.exitid AND t.undone_at IS NULL
			RETURNING c.projectid, c.householdid)
		SELECT count(DISTINCT (projectid, householdid)) FROM u`, opt.Actor, nullText(opt.Reason)).Scan(&res.Households); err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	details := map[string]any{"undone": res.Undone, "households": res.Households, "force": opt.Force}
	switch {
	case opt.RunID != 0:
		details["run_id"] = opt.RunID
		if _, err := tx.Exec(ctx, "UPDATE exitflow.exit_run SET undone_at = now() WHERE id = $1", opt.RunID); err != nil {
			return res, fmt.Errorf("undo %s: %w", res.Selector, err)
		}
	case opt.HouseholdID != "":
		details["household_id"] = opt.HouseholdID
	default:
		details["enrollment_id"] = opt.EnrollmentID
	}
	if len(forced) > 0 {
		details["forced_exit_ids"] = forced
	}
	if res.Undone <= 100 {
		var ids []string
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(exitid ORDER BY exitid COLLATE "C"), '{}') FROM undo_target WHERE undone_at IS NULL`).Scan(&ids); err != nil {
			return res, err
		}
		details["exit_ids"] = ids
	}
	return res, auditExits(ctx, tx, opt.Actor, "undo", opt.Reason, opt.WorkflowID, opt.WorkflowRunID, details)
}
