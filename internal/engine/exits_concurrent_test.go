package engine_test

// Exit runs at the same time, and one run's parallel writers: each exit is written once (SPEC H2, H3).

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestH3_ConcurrentRunsAreRefusedOrWaitAndNothingDoubles(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	var busyErr error
	var waited engine.RunResult
	waitedErr := make(chan error, 1)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	calls := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		calls++
		if calls != 1 {
			return
		}
		// A second run for overlapping projects while the first one is writing: refused, naming it.
		_, busyErr = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PS"}}, Actor: "Sam Roe"})
		// A third one waits for the lock and runs when the first is done.
		go func() {
			var err error
			waited, err = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Sam Roe", Wait: true})
			waitedErr <- err
		}()
		time.Sleep(200 * time.Millisecond)
	}
	first, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	var busy *engine.BusyError
	require.True(t, errors.As(busyErr, &busy), "%v", busyErr)
	assert.Equal(t, first.RunID, busy.RunID)
	assert.Contains(t, busyErr.Error(), "exit run "+strconv.FormatInt(first.RunID, 10)+" (by Dana Lee) is in progress")
	require.NoError(t, <-waitedErr)
	assert.Equal(t, engine.StatusDone, waited.Status)
	assert.Zero(t, waited.Enrollments, "the waiting run finds everything exited")
	assert.Equal(t, 10, first.Enrollments)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 2, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"), "the refused run was never started")
	exAssertOneExitEach(t, pool)
}

func TestH3_ManyConcurrentRunsWriteEachExitOnce(t *testing.T) {
	pool := exDB(t)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := engine.WriteExits(context.Background(), pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Wait: true, BatchHouseholds: 1})
			errs <- err
		}()
	}
	for range 6 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit"))
	exAssertOneExitEach(t, pool)
}

func TestH2_ParallelWritersWriteEachHouseholdOnce(t *testing.T) {
	pool := exDB(t)
	var last, calls int
	res := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, BatchHouseholds: 1, Writers: 3,
		Progress: func(done, total int) { // one call at a time, never backwards
			calls++
			assert.GreaterOrEqual(t, done, last)
			last = done
			assert.Equal(t, 9, total)
		}})
	assert.Equal(t, engine.RunResult{RunID: res.RunID, Method: engine.MethodAuto, AsOf: exAsOf, Status: engine.StatusDone, CandidateHouseholds: 9, ProcessedHouseholds: 9,
		CandidateEnrollments: 10, Households: 9, Enrollments: 10}, res)
	assert.Equal(t, 10, calls, "before the first batch, then after each of the 9")
	assert.Equal(t, 9, last)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE run_id = $1", res.RunID))
	assert.Equal(t, 9, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run_batch WHERE run_id = $1 AND hh_from = hh_to", res.RunID))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)
}
