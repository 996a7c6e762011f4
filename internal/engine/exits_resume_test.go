package engine_test

// Exit runs run again, resumed after a crash, or meeting changes made while they run (SPEC H2, H3).

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestH3_RunningTheRunAgainWritesNothing(t *testing.T) {
	pool := exDB(t)
	first := exRun(t, pool, engine.RunOptions{})
	again := exRun(t, pool, engine.RunOptions{RunID: first.RunID})
	assert.True(t, again.Resumed)
	assert.Equal(t, first.Enrollments, again.Enrollments, "a done run reports its counts and writes nothing")
	second := exRun(t, pool, engine.RunOptions{})
	assert.NotEqual(t, first.RunID, second.RunID)
	assert.Zero(t, second.Enrollments+second.CandidateEnrollments, "a new run finds nothing left to exit")
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)
}

func TestH3_ExitWrittenByAPersonDuringTheRunIsKept(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	// Households are written one per transaction; after the first, a case manager exits NH1 (a later
	// household of the run's list) in the HMIS and that exit is imported.
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	batches := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		batches++
		if batches == 1 {
			_, err := pool.Exec(ctx, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, exportid)
				VALUES ('CM-9', 'NH1', 'CH1', '2026-10-30', 410, '2026-10-30 09:00', '2026-10-30 09:00', 'U1', 'EX1')`)
			require.NoError(t, err)
		}
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	assert.Equal(t, 9, batches)
	assert.Equal(t, 9, res.Enrollments)
	assert.Equal(t, 1, res.AlreadyExited)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'NH1' AND datedeleted IS NULL
		AND exitid = 'CM-9' AND destination = 410`), "the person's exit stays, and is the only one")
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE enrollmentid = 'NH1'"))
	// ND2's exit was there before the run: kept, and ND1 alone is exited.
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'ND2' AND exitid = 'XD2' AND datedeleted IS NULL"))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'ND2'"))
	exAssertOneExitEach(t, pool)
}

func TestH2_ResumeAfterACrashWritesEachExitOnce(t *testing.T) {
	pool := exDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	opt.Progress = func(done, _ int) { // "crash" after the first household
		if done > 0 {
			cancel()
		}
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.Error(t, err)
	require.NotZero(t, res.RunID)
	assert.Equal(t, engine.StatusInterrupted, res.Status, "a cancelled run is interrupted, not failed")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'interrupted' AND error LIKE '%context canceled%'", res.RunID))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(DISTINCT householdid) FROM exitflow.engine_exit"), "one household was written")
	exAssertOneExitEach(t, pool)

	// A crash that leaves the run 'running' (the process died): resuming it works the same.
	_, err = pool.Exec(context.Background(), "UPDATE exitflow.exit_run SET status = 'running' WHERE id = $1", res.RunID)
	require.NoError(t, err)
	resumed := exRun(t, pool, engine.RunOptions{RunID: res.RunID, BatchHouseholds: 2})
	assert.True(t, resumed.Resumed)
	assert.Equal(t, engine.StatusDone, resumed.Status)
	assert.Equal(t, 10, resumed.Enrollments)
	assert.Equal(t, 9, resumed.Households)
	assert.Zero(t, resumed.AlreadyExited)

	// A run that is done: resuming it again writes nothing.
	exRun(t, pool, engine.RunOptions{RunID: res.RunID})
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE run_id = $1", res.RunID))
	exAssertOneExitEach(t, pool)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE details ->> 'phase' = 'resumed'"))
}

func TestH2_AHouseholdActiveAgainSinceTheSnapshotIsNotExited(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	ctx2, cancel := context.WithCancel(ctx)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1, Progress: func(done, _ int) {
		if done > 0 {
			cancel()
		}
	}}
	res, err := engine.WriteExits(ctx2, pool, opt)
	require.Error(t, err)
	// Before the run is resumed, an import gives NA1 (household HA, not yet written) a service:
	// HA is active (only imports change activity; the run kept the newest import its list saw).
	_, err = pool.Exec(ctx, `INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
		VALUES ('SX', 'NA1', 'CA1', '2026-10-25', 144, 3, now(), now(), 'EX1');
		INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
		VALUES (now(), 'test', 'EX2', '2026 v1.0', 1, 1, 0, '{}')`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE exitflow.enrollment_state SET last_date = '2026-10-25', last_source = 'service' WHERE enrollmentid = 'NA1'`)
	require.NoError(t, err)
	resumed := exRun(t, pool, engine.RunOptions{RunID: res.RunID})
	assert.Equal(t, 1, resumed.SkippedHouseholds)
	assert.Equal(t, 2, resumed.Skipped)
	assert.Equal(t, 8, resumed.Enrollments)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid IN ('NA1', 'NA2')"), "nobody of HA is exited")
	exAssertOneExitEach(t, pool)
}

// An import that commits while a run is between batches (here: a service for NP1, household HP,
// a later batch) makes HP active again: the next batch waits for the import, sees it, and skips
// HP (SPEC H2: active again since the list) instead of exiting it.
func TestH2_ImportDuringTheRunIsSeenByTheNextBatch(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	committed := make(chan error, 1)
	batches := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		if batches++; batches != 1 {
			return
		}
		// What an import does, held open while the run goes on: it locks Exit rows against writers
		// first, changes activity, refreshes the state and records itself, then commits.
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		for _, sql := range []string{
			`LOCK TABLE hmis.exit IN SHARE ROW EXCLUSIVE MODE`,
			`INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
				VALUES ('SP9', 'NP1', 'CP1', '2026-10-25', 144, 3, now(), now(), 'EX1')`,
			`UPDATE exitflow.enrollment_state SET last_date = '2026-10-25', last_source = 'service' WHERE enrollmentid = 'NP1'`,
			`INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
				VALUES (now(), 'test', 'EX1', '', 1, 1, 0, '[]')`,
		} {
			_, err := tx.Exec(ctx, sql)
			require.NoError(t, err, sql)
		}
		go func() {
			time.Sleep(300 * time.Millisecond) // the run's next batch is waiting by now
			committed <- tx.Commit(ctx)
		}()
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	require.NoError(t, <-committed)
	assert.Equal(t, 1, res.SkippedHouseholds)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'NP1'"), "HP is active again: not exited")
	assert.Equal(t, 9, res.Enrollments)
	exAssertOneExitEach(t, pool)
	stAssertState(t, pool, "the run")
}
