package engine_test

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/export"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exUndo(t *testing.T, pool *pgxpool.Pool, opt engine.UndoOptions) engine.UndoResult {
	t.Helper()
	if opt.Actor == "" {
		opt.Actor = "Dana Lee"
	}
	res, err := engine.Undo(context.Background(), pool, opt)
	require.NoError(t, err)
	return res
}

func TestU2_UndoByRunSoftDeletesExportsAndReopens(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	run := exRun(t, pool, engine.RunOptions{})
	before := exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto})
	require.Empty(t, before)

	time.Sleep(1100 * time.Millisecond)             // HMIS datetimes are whole seconds: the undo is later than the write
	since := time.Now().UTC().Truncate(time.Second) // HMIS datetimes (and --changed-since) are whole seconds
	res := exUndo(t, pool, engine.UndoOptions{RunID: run.RunID, Reason: "policy set by mistake"})
	assert.Equal(t, 10, res.Undone)
	assert.Equal(t, 9, res.Households)
	assert.Zero(t, res.AlreadyUndone)

	// Soft-deleted (DateDeleted = DateUpdated = now), the engine record says who undid it and why.
	assert.Equal(t, 10, exCount(t, pool, `SELECT count(*) FROM hmis.exit x JOIN exitflow.engine_exit ee USING (exitid)
		WHERE x.datedeleted IS NOT NULL AND x.dateupdated = x.datedeleted AND x.dateupdated > ee.written_at
		  AND ee.undone_at IS NOT NULL AND ee.undone_by = 'Dana Lee' AND ee.undo_reason = 'policy set by mistake'`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE datedeleted IS NULL`), "the person-written exit XD2 stays")
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo' AND actor = 'Dana Lee'
		AND reason = 'policy set by mistake' AND (details ->> 'run_id')::bigint = $1 AND (details ->> 'undone')::int = 10`, run.RunID))

	// The enrollments are open again: the preview lists them as exits again, with the same dates.
	again := exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto})
	assert.Equal(t, []string{"NA1", "NA2", "NB1", "ND1", "NE1", "NF1", "NG1", "NH1", "NO1", "NP1"}, keys(again))

	// A delta export since just before the undo carries the deletions (IO5).
	dir := t.TempDir()
	_, err := export.Run(ctx, pool, dir, export.Options{ChangedSince: &since})
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(dir, "Exit.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	deleted := map[string]string{}
	for _, r := range recs[1:] {
		deleted[r[col["EnrollmentID"]]] = r[col["DateDeleted"]]
		assert.Equal(t, "exitflow", r[col["UserID"]])
	}
	assert.Len(t, deleted, 10)
	for enr, d := range deleted {
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`, d, "DateDeleted of %s's exit", enr)
	}

	// Undone already: says so and changes nothing.
	res = exUndo(t, pool, engine.UndoOptions{RunID: run.RunID, Actor: "Sam Roe"})
	assert.Zero(t, res.Undone)
	assert.Equal(t, 10, res.AlreadyUndone)
	assert.Equal(t, "Dana Lee", res.UndoneBy)
	assert.Equal(t, 0, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit WHERE undone_by = 'Sam Roe'`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo'`))

	// An undone run is not resumed; a new run exits the households again, once.
	_, err = engine.WriteExits(ctx, pool, engine.RunOptions{RunID: run.RunID, Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "was undone")
	assert.ErrorIs(t, err, engine.ErrInvalid)
	assert.True(t, engine.Permanent(err), "a retry cannot resume it")
	rerun := exRun(t, pool, engine.RunOptions{})
	assert.Equal(t, 10, rerun.Enrollments)
	exAssertOneExitEach(t, pool)
}

func TestU2_UndoByHouseholdUndoesItTogetherAndKeepsPersonWrittenExits(t *testing.T) {
	pool := exDB(t)
	exRun(t, pool, engine.RunOptions{})
	res := exUndo(t, pool, engine.UndoOptions{HouseholdID: "HA"})
	assert.Equal(t, 2, res.Undone)
	assert.Equal(t, 1, res.Households)
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE enrollmentid IN ('NA1', 'NA2') AND datedeleted IS NULL`))
	assert.Equal(t, 8, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`))

	// HD: ND1 exited by the engine, ND2 by a person before the run: ND2's exit is never touched.
	res = exUndo(t, pool, engine.UndoOptions{HouseholdID: "HD"})
	assert.Equal(t, 1, res.Undone)
	assert.Equal(t, []string{"ND2"}, res.PersonWritten)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE exitid = 'XD2' AND datedeleted IS NULL
		AND dateupdated = '2026-05-01 10:00:00'`))

	res = exUndo(t, pool, engine.UndoOptions{HouseholdID: "HA"})
	assert.Equal(t, 2, res.AlreadyUndone)
	assert.Zero(t, res.Undone)
}

func TestU2_UndoByEnrollmentUndoesOnlyThatEnrollment(t *testing.T) {
	pool := exDB(t)
	exRun(t, pool, engine.RunOptions{})
	res := exUndo(t, pool, engine.UndoOptions{EnrollmentID: "NB1"})
	assert.Equal(t, 1, res.Undone)
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'NB1' AND datedeleted IS NULL`))
	assert.Equal(t, 9, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo' AND details ->> 'enrollment_id' = 'NB1'
		AND details -> 'exit_ids' ->> 0 LIKE 'EF%'`))
}

func TestU2_PersonWrittenExitsAreNeverTouched(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	exRun(t, pool, engine.RunOptions{})
	_, err := engine.Undo(ctx, pool, engine.UndoOptions{EnrollmentID: "ND2", Actor: "Dana Lee", Force: true})
	var pw *engine.PersonWrittenError
	require.True(t, errors.As(err, &pw), "%v", err)
	assert.ErrorContains(t, err, "enrollment ND2: exit XD2 was written by a person")
	// A household whose only exit a person wrote.
	_, err = pool.Exec(ctx, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, exportid)
		VALUES ('CM-1', 'NC1', 'CC1', '2026-10-21', 410, '2026-10-21 09:00', '2026-10-21 09:00', 'U1', 'EX1')`)
	require.NoError(t, err)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "HC", Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "enrollment NC1: exit CM-1 was written by a person")
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE exitid IN ('XD2', 'CM-1') AND datedeleted IS NULL`))
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo'`))
}

func TestU2_EditedEngineExitNeedsForce(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	run := exRun(t, pool, engine.RunOptions{})
	// The source HMIS changed NB1's exit after exitflow wrote it, and the change was imported.
	_, err := pool.Exec(ctx, `UPDATE hmis.exit SET destination = 410, dateupdated = dateupdated + interval '2 days' WHERE enrollmentid = 'NB1'`)
	require.NoError(t, err)

	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: run.RunID, Actor: "Dana Lee"})
	var edited *engine.EditedError
	require.True(t, errors.As(err, &edited), "%v", err)
	assert.ErrorContains(t, err, "(enrollment NB1)")
	assert.Contains(t, asFlags(err), "--force")
	assert.Equal(t, 10, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`), "nothing was undone")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{EnrollmentID: "NB1", Actor: "Dana Lee"})
	require.True(t, errors.As(err, &edited), "%v", err)

	res := exUndo(t, pool, engine.UndoOptions{RunID: run.RunID, Force: true})
	assert.Equal(t, 10, res.Undone)
	assert.Len(t, res.Forced, 1)
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo' AND (details ->> 'force')::boolean
		AND jsonb_array_length(details -> 'forced_exit_ids') = 1`))
}

func TestU2_UndoOfAMissingRunOrNothing(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	_, err := engine.Undo(ctx, pool, engine.UndoOptions{RunID: 999, Actor: "Dana Lee"})
	var nf *engine.NotFoundError
	require.True(t, errors.As(err, &nf), "%v", err)
	assert.EqualError(t, err, "exit run 999 does not exist")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "HI", Actor: "Dana Lee"})
	assert.EqualError(t, err, "household HI has no exits written by exitflow: nothing to undo")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "exactly one of")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: 1, HouseholdID: "HA", Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "exactly one of")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: 1})
	assert.ErrorContains(t, err, "Actor is required")
	assert.ErrorIs(t, err, engine.ErrInvalid)
}

// exDBHouseholdTwice is the exits fixture plus testdata/exits_household_twice: enrollment NQ1 of
// Street Outreach PO in a household also named HA (HUD makes HouseholdID unique per project only),
// inactive since its entry, so one run exits HA in PS (NA1, NA2) and HA in PO (NQ1).
func exDBHouseholdTwice(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := exDB(t)
	_, err := importer.Run(context.Background(), pool, "testdata/exits_household_twice", importer.Options{})
	require.NoError(t, err)
	return pool
}

func TestU2_UndoByHouseholdNeedsItsProject(t *testing.T) {
	ctx := context.Background()
	pool := exDBHouseholdTwice(t)
	run := exRun(t, pool, engine.RunOptions{})
	require.Equal(t, 11, run.Enrollments)
	require.Equal(t, 10, run.Households, "HA of PS and HA of PO are two households")
	live := `SELECT string_agg(enrollmentid, ',' ORDER BY enrollmentid) FROM hmis.exit WHERE enrollmentid IN ('NA1', 'NA2', 'NQ1') AND datedeleted IS NULL`
	var exited string
	require.NoError(t, pool.QueryRow(ctx, live).Scan(&exited))
	require.Equal(t, "NA1,NA2,NQ1", exited)

	// HouseholdID alone names two households: refused, naming the projects; nothing is undone.
	_, err := engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "HA", Actor: "Dana Lee"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "household HA has exits written by exitflow in 2 projects (PO, PS)")
	assert.Contains(t, asFlags(err), "--project")
	require.NoError(t, pool.QueryRow(ctx, live).Scan(&exited))
	assert.Equal(t, "NA1,NA2,NQ1", exited, "nothing was undone")
	var amb *engine.AmbiguousHouseholdError
	require.True(t, errors.As(err, &amb), "%v", err)
	assert.Equal(t, []string{"PO", "PS"}, amb.Projects)

	// With its project: that household only; HA of PO stays exited.
	res := exUndo(t, pool, engine.UndoOptions{ProjectID: "PS", HouseholdID: "HA"})
	assert.Equal(t, 2, res.Undone)
	assert.Equal(t, 1, res.Households)
	assert.Equal(t, "household HA of project PS", res.Selector)
	require.NoError(t, pool.QueryRow(ctx, live).Scan(&exited))
	assert.Equal(t, "NQ1", exited)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'undo'
		AND details ->> 'project_id' = 'PS' AND details ->> 'household_id' = 'HA' AND (details ->> 'undone')::int = 2`))

	// Still ambiguous once one of them is undone: HA has engine exits in both projects.
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "HA", Actor: "Dana Lee"})
	require.True(t, errors.As(err, &amb), "%v", err)

	res = exUndo(t, pool, engine.UndoOptions{ProjectID: "PO", HouseholdID: "HA"})
	assert.Equal(t, 1, res.Undone)
	assert.Equal(t, []string{"NQ1"}, keys(exPreview(t, pool, engine.Options{AsOf: exAsOf, Projects: []string{"PO"}, Method: engine.MethodAuto})),
		"NQ1 is open again (NO1 and NP1 keep their exits)")

	// A household in one project only needs no ProjectID; with the wrong one it is not found.
	res = exUndo(t, pool, engine.UndoOptions{HouseholdID: "HB"})
	assert.Equal(t, "household HB of project PS", res.Selector)
	assert.Equal(t, 1, res.Undone)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{ProjectID: "PO", HouseholdID: "HE", Actor: "Dana Lee"})
	assert.EqualError(t, err, "household HE of project PO has no exits written by exitflow: nothing to undo")
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{ProjectID: "PS", Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "ProjectID goes with HouseholdID")
	assert.ErrorIs(t, err, engine.ErrInvalid)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{ProjectID: "PS", EnrollmentID: "NB1", Actor: "Dana Lee"})
	assert.ErrorContains(t, err, "ProjectID goes with HouseholdID")
	assert.ErrorIs(t, err, engine.ErrInvalid)
}
