package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// UndoOptions select the engine exits to undo (SPEC U2): exactly one of RunID, HouseholdID,
// EnrollmentID.
type UndoOptions struct {
	RunID       int64
	HouseholdID string // every engine exit of the household, together
	// ProjectID is the household's project, only with HouseholdID: HUD makes a HouseholdID unique
	// within its project, not across projects. "" is the one project whose engine exits carry the
	// HouseholdID; when several projects' do, Undo refuses with an AmbiguousHouseholdError.
	ProjectID    string
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
	// Key is an idempotency key (a workflow: its ID and the step): a second call with it undoes
	// nothing and returns the first call's result; it must give the same selection and Force.
	Key string
	// Progress, if set, is called with the exits undone so far and in all: before the soft
	// delete (0 of n) and after it (n of n); an activity heartbeats from it.
	Progress func(done, total int)
}

// keyOptions are the options a keyed undo is repeated with.
func (o UndoOptions) keyOptions() keyOptions {
	return keyOptions{FieldRunID: intText(int(o.RunID)), FieldProjectID: o.ProjectID, FieldHouseholdID: o.HouseholdID,
		FieldEnrollmentID: o.EnrollmentID, FieldForce: boolText(o.Force)}
}

// UndoResult is what an undo did (IDs and counts only).
type UndoResult struct {
	Selector      string    `json:"selector"`       // "run 5", "household H1 of project P1", "enrollment N1"
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

// AmbiguousHouseholdError refuses an undo by HouseholdID alone when the engine exits of several
// projects carry that HouseholdID (HUD makes a HouseholdID unique per project only).
type AmbiguousHouseholdError struct {
	HouseholdID string
	Projects    []string // their ProjectIDs, in text order
}

// Error names the projects and asks for one of them.
func (e *AmbiguousHouseholdError) Error() string { return e.Render(plainName) }

// Render names the fields as name does.
func (e *AmbiguousHouseholdError) Render(name func(f Field, value string) string) string {
	return renderFields(fmt.Sprintf("household %s has exits written by exitflow in %d projects (%s): a HouseholdID is unique only within its project; give its project with {ProjectID} ID",
		e.HouseholdID, len(e.Projects), strings.Join(e.Projects, ", ")), name)
}

// EditedError refuses to undo engine exits changed after they were written, without Force.
type EditedError struct {
	Exits []string // "EF5-1 (enrollment N1)"
	Count int
}

func (e *EditedError) Error() string { return e.Render(plainName) }

// Render names the fields as name does.
func (e *EditedError) Render(name func(f Field, value string) string) string {
	more := ""
	if e.Count > len(e.Exits) {
		more = fmt.Sprintf(" and %d more", e.Count-len(e.Exits))
	}
	return renderFields(fmt.Sprintf("%d engine exits were changed after exitflow wrote them: %s%s; nothing was undone (undo them anyway with {Force})",
		e.Count, strings.Join(e.Exits, ", "), more), name)
}

// Undo soft-deletes engine-written exits (SPEC U2): DateDeleted and DateUpdated are set to now
// (the CoC's wall clock), so the next export (also a delta export) tells the source HMIS to delete
// them, and the enrollments are open again. Exits written by people are never touched; engine
// exits changed after they were written are undone only with Force. The undo is recorded in
// the engine record (exitflow.exit_run_candidate: undone_at, undone_by, undo_reason) and exitflow.audit.
func Undo(ctx context.Context, pool *pgxpool.Pool, opt UndoOptions) (UndoResult, error) {
	res := UndoResult{}
	if opt.ProjectID != "" && opt.HouseholdID == "" {
		return res, Invalid("", nil, "{ProjectID} goes with {HouseholdID}: it names the project of the household to undo")
	}
	n := 0
	for _, given := range []bool{opt.RunID != 0, opt.HouseholdID != "", opt.EnrollmentID != ""} {
		if given {
			n++
		}
	}
	if n != 1 {
		return res, Invalid("", nil, "give exactly one of {RunID} ID, {HouseholdID} ID, {EnrollmentID} ID")
	}
	if strings.TrimSpace(opt.Actor) == "" {
		return res, Invalid(FieldActor, nil, "is required: the HMIS staff member who undoes the exits")
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
		if opt.Key != "" {
			if found, err := lookupKey(ctx, tx, keyedUndo, opt.Key, opt.keyOptions(), &res); found || err != nil {
				return err
			}
		}
		var err error
		if res, err = undo(ctx, tx, opt); err != nil || opt.Key == "" {
			return err
		}
		return saveKey(ctx, tx, keyedUndo, opt.Key, opt.Actor, opt.keyOptions(), res)
	})
	return res, err
}

// householdProject is the one project whose engine exits carry householdID ("" if none has any),
// or an AmbiguousHouseholdError naming the projects when several do.
func householdProject(ctx context.Context, tx pgx.Tx, householdID string) (string, error) {
	rows, err := tx.Query(ctx, `SELECT projectid FROM exitflow.engine_exit WHERE householdid = $1
		GROUP BY projectid ORDER BY projectid COLLATE "C"`, householdID)
	if err != nil {
		return "", fmt.Errorf("undo household %s: %w", householdID, err)
	}
	projects, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("undo household %s: %w", householdID, err)
	}
	switch len(projects) {
	case 0:
		return "", nil
	case 1:
		return projects[0], nil
	}
	return "", &AmbiguousHouseholdError{HouseholdID: householdID, Projects: projects}
}

// undoSelection names the engine exits opt selects and returns their condition on
// exitflow.engine_exit ee with its arguments.
func undoSelection(opt UndoOptions) (selector, where string, args []any) {
	switch {
	case opt.RunID != 0:
		return fmt.Sprintf("run %d", opt.RunID), "ee.run_id = $1", []any{opt.RunID}
	case opt.HouseholdID != "" && opt.ProjectID != "":
		return fmt.Sprintf("household %s of project %s", opt.HouseholdID, opt.ProjectID),
			"ee.projectid = $1 AND ee.householdid = $2", []any{opt.ProjectID, opt.HouseholdID}
	case opt.HouseholdID != "": // no project has engine exits for it
		return "household " + opt.HouseholdID, "ee.householdid = $1", []any{opt.HouseholdID}
	}
	return "enrollment " + opt.EnrollmentID, "ee.enrollmentid = $1", []any{opt.EnrollmentID}
}

// personWritten lists the live exits written by people (not by the engine) of the household or
// enrollment opt selects, as (EnrollmentID, ExitID) pairs in that order.
func personWritten(ctx context.Context, tx pgx.Tx, opt UndoOptions) ([][2]string, error) {
	cond, args := "e.enrollmentid = $1", []any{opt.EnrollmentID}
	switch {
	case opt.HouseholdID != "" && opt.ProjectID != "":
		cond, args = "e.projectid = $1 AND e.householdid = $2", []any{opt.ProjectID, opt.HouseholdID}
	case opt.HouseholdID != "":
		cond, args = "e.householdid = $1", []any{opt.HouseholdID}
	}
	rows, err := tx.Query(ctx, `SELECT x.enrollmentid, x.exitid FROM hmis.exit x JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid
		WHERE `+cond+` AND x.datedeleted IS NULL AND e.datedeleted IS NULL
		  AND NOT EXISTS (SELECT 1 FROM exitflow.engine_exit ee WHERE ee.exitid = x.exitid)
		ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var p [2]string
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
}

// undoTargets are the engine exits an undo selects (the temporary table undo_target).
type undoTargets struct {
	total, active int // engine exits selected; those not undone yet
	lastUndone    *time.Time
	lastBy        *string
}

// undo undoes the engine exits opt selects, in tx, step by step.
func undo(ctx context.Context, tx pgx.Tx, opt UndoOptions) (UndoResult, error) {
	res := UndoResult{}
	if opt.HouseholdID != "" && opt.ProjectID == "" {
		p, err := householdProject(ctx, tx, opt.HouseholdID)
		if err != nil {
			return res, err
		}
		opt.ProjectID = p
	}
	if opt.RunID != 0 {
		if _, err := loadRun(ctx, tx, opt.RunID); err != nil {
			return res, err
		}
	}
	var where string
	var args []any
	res.Selector, where, args = undoSelection(opt)
	t, err := selectTargets(ctx, tx, where, args)
	if err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	// Exits written by people are never touched (SPEC U2).
	if opt.HouseholdID != "" || opt.EnrollmentID != "" {
		if res.PersonWritten, err = checkPersonWritten(ctx, tx, opt, t.total); err != nil {
			return res, err
		}
	}
	switch {
	case t.total == 0 && opt.RunID != 0:
		return res, &NotFoundError{fmt.Sprintf("exit run %d wrote no exits: nothing to undo", opt.RunID)}
	case t.total == 0:
		return res, &NotFoundError{fmt.Sprintf("%s has no exits written by exitflow: nothing to undo", res.Selector)}
	case t.active == 0:
		res.AlreadyUndone = t.total
		if t.lastUndone != nil {
			res.UndoneAt = *t.lastUndone
		}
		if t.lastBy != nil {
			res.UndoneBy = *t.lastBy
		}
		return res, nil
	}
	res.AlreadyUndone = t.total - t.active
	if res.Forced, err = editedTargets(ctx, tx, opt.Force); err != nil {
		return res, err
	}
	if err := softDelete(ctx, tx, opt, t.active, &res); err != nil {
		return res, fmt.Errorf("undo %s: %w", res.Selector, err)
	}
	return res, auditUndo(ctx, tx, opt, res)
}

// selectTargets makes the temporary table undo_target of the engine exits where selects (on
// exitflow.engine_exit ee), locks their Exit rows (an import waits for us) and counts them.
func selectTargets(ctx context.Context, tx pgx.Tx, where string, args []any) (undoTargets, error) {
	var t undoTargets
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE undo_target ON COMMIT DROP AS
		SELECT ee.exitid, ee.enrollmentid, ee.projectid, ee.householdid, ee.written_at, ee.undone_at, ee.undone_by,
		       x.exitid IS NOT NULL AS present, x.dateupdated, x.datedeleted
		FROM exitflow.engine_exit ee LEFT JOIN hmis.exit x ON x.exitid = ee.exitid
		WHERE `+where, args...); err != nil {
		return t, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM hmis.exit WHERE exitid IN (SELECT exitid FROM undo_target WHERE undone_at IS NULL) FOR UPDATE`); err != nil {
		return t, err
	}
	err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE undone_at IS NULL), max(undone_at),
			(array_agg(undone_by ORDER BY undone_at DESC NULLS LAST))[1]
		FROM undo_target`).Scan(&t.total, &t.active, &t.lastUndone, &t.lastBy)
	return t, err
}

// checkPersonWritten returns the enrollments of the household whose exits people wrote (kept),
// or a *PersonWrittenError when the undo names such an enrollment, or has nothing else to undo.
func checkPersonWritten(ctx context.Context, tx pgx.Tx, opt UndoOptions, engineExits int) ([]string, error) {
	pairs, err := personWritten(ctx, tx, opt)
	if err != nil {
		return nil, fmt.Errorf("undo: finding the exits people wrote: %w", err)
	}
	pw := &PersonWrittenError{}
	for _, p := range pairs {
		pw.Enrollments, pw.ExitIDs = append(pw.Enrollments, p[0]), append(pw.ExitIDs, p[1])
	}
	if len(pw.Enrollments) > 0 && (opt.EnrollmentID != "" || engineExits == 0) {
		return nil, pw
	}
	return pw.Enrollments, nil
}

// editedTargets refuses, unless force, the engine exits changed after they were written (their
// Exit row gone, deleted or updated since); with force it returns their ExitIDs (at most 20).
func editedTargets(ctx context.Context, tx pgx.Tx, force bool) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT exitid, enrollmentid, count(*) OVER () FROM undo_target
		WHERE undone_at IS NULL AND (NOT present OR datedeleted IS NOT NULL OR dateupdated IS DISTINCT FROM written_at)
		ORDER BY exitid COLLATE "C" LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("undo: finding edited exits: %w", err)
	}
	edited := &EditedError{}
	var forced []string
	var exit, enr string
	if _, err := pgx.ForEachRow(rows, []any{&exit, &enr, &edited.Count}, func() error {
		edited.Exits = append(edited.Exits, fmt.Sprintf("%s (enrollment %s)", exit, enr))
		forced = append(forced, exit)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("undo: finding edited exits: %w", err)
	}
	if edited.Count > 0 && !force {
		return nil, edited
	}
	return forced, nil
}

// softDelete sets DateDeleted and DateUpdated of the targets' Exit rows (the CoC's wall clock)
// and records the undo in their engine records, reporting progress before and after.
func softDelete(ctx context.Context, tx pgx.Tx, opt UndoOptions, active int, res *UndoResult) error {
	if opt.Progress != nil {
		opt.Progress(0, active)
	}
	tag, err := tx.Exec(ctx, `UPDATE hmis.exit x SET datedeleted = $1, dateupdated = $1
		FROM undo_target t WHERE x.exitid = t.exitid AND t.undone_at IS NULL AND x.datedeleted IS NULL`, hmisNow(opt.Location))
	if err != nil {
		return fmt.Errorf("soft-deleting the exits: %w", err)
	}
	res.Undone = int(tag.RowsAffected())
	if opt.Progress != nil {
		opt.Progress(active, active)
	}
	return tx.QueryRow(ctx, `WITH u AS (
			UPDATE exitflow.exit_run_candidate c SET undone_at = now(), undone_by = $1, undo_reason = $2
			FROM undo_target t WHERE c.exitid = t.exitid AND t.undone_at IS NULL
			RETURNING c.projectid, c.householdid)
		SELECT count(DISTINCT (projectid, householdid)) FROM u`, opt.Actor, nullText(opt.Reason)).Scan(&res.Households)
}

// auditUndo records the undo (SPEC U1): what it selected, counts, and up to 100 ExitIDs.
func auditUndo(ctx context.Context, tx pgx.Tx, opt UndoOptions, res UndoResult) error {
	details := map[string]any{"undone": res.Undone, "households": res.Households, "force": opt.Force}
	switch {
	case opt.RunID != 0:
		details["run_id"] = opt.RunID
		if _, err := tx.Exec(ctx, "UPDATE exitflow.exit_run SET undone_at = now() WHERE id = $1", opt.RunID); err != nil {
			return fmt.Errorf("undo %s: %w", res.Selector, err)
		}
	case opt.HouseholdID != "":
		details["household_id"] = opt.HouseholdID
		if opt.ProjectID != "" {
			details["project_id"] = opt.ProjectID
		}
	default:
		details["enrollment_id"] = opt.EnrollmentID
	}
	if len(res.Forced) > 0 {
		details["forced_exit_ids"] = res.Forced
	}
	if res.Undone <= 100 {
		var ids []string
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(exitid ORDER BY exitid COLLATE "C"), '{}') FROM undo_target WHERE undone_at IS NULL`).Scan(&ids); err != nil {
			return err
		}
		details["exit_ids"] = ids
	}
	return writeAudit(ctx, tx, opt.Actor, "undo", opt.Reason, opt.WorkflowID, opt.WorkflowRunID, details)
}
