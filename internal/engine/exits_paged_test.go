package engine_test

// Paged exit runs: a keyed run stopped at MaxHouseholds, at a batch boundary, and resumed by the
// next call with its key (SPEC H2, H3, U1).

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC H2, H3: paging a keyed run (2 households a batch, at least 3 a call) writes the same exits
// as one unpaged run, each once; paging is not a crash: no "resumed" audit, one "done".
func TestH2_PagedRunWritesWhatOneRunWrites(t *testing.T) {
	wholePool := exDB(t)
	whole := exRun(t, wholePool, engine.RunOptions{})
	want := exExits(t, wholePool)

	pool := exDB(t)
	opt := engine.RunOptions{Key: "sweep-1/exits", BatchHouseholds: 2, MaxHouseholds: 3}
	first := exRun(t, pool, opt)
	assert.Equal(t, engine.StatusPaused, first.Status)
	assert.Equal(t, 4, first.ProcessedHouseholds, "stops at the batch boundary after 3 households")
	assert.Equal(t, whole.CandidateHouseholds, first.CandidateHouseholds, "the total, also when paused")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'paused' AND lock_pid IS NULL", first.RunID))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.exit_run WHERE id = $1
		AND snapshot_import = (SELECT coalesce(max(id), 0) FROM exitflow.import_run)`, first.RunID),
		"the run keeps the newest import its list saw: the next pages skip the staleness check while none lands")

	calls, last := 1, first
	for last.Status == engine.StatusPaused {
		next := exRun(t, pool, opt)
		require.Equal(t, first.RunID, next.RunID)
		assert.Greater(t, next.ProcessedHouseholds, last.ProcessedHouseholds)
		last = next
		calls++
		require.Less(t, calls, 10)
	}
	assert.Equal(t, engine.StatusDone, last.Status)
	assert.Equal(t, 3, calls, "4 + 4 + 1 households")
	assert.Equal(t, whole.CandidateHouseholds, last.ProcessedHouseholds)
	assert.Equal(t, whole.Enrollments, last.Enrollments)
	assert.Equal(t, whole.Households, last.Households)
	assert.Equal(t, want, exExits(t, pool), "the same exits, the same exit dates")
	exAssertOneExitEach(t, pool)

	again := exRun(t, pool, opt) // a keyed repeat of the done run
	assert.Equal(t, engine.StatusDone, again.Status)
	assert.Equal(t, whole.CandidateHouseholds, again.CandidateHouseholds)
	assert.Equal(t, whole.CandidateHouseholds, again.ProcessedHouseholds)
	assert.Equal(t, whole.Enrollments, again.Enrollments)

	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run' AND details ->> 'phase' = 'done'"))
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE details ->> 'phase' = 'resumed'"), "paging is not resuming")
	assert.Equal(t, 2, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE details ->> 'phase' = 'paused'"))
}

// SPEC H2: a paged run with several writers still stops at a batch boundary and never doubles.
func TestH2_PagedRunWithWriters(t *testing.T) {
	pool := exDB(t)
	opt := engine.RunOptions{Key: "k", BatchHouseholds: 1, MaxHouseholds: 5, Writers: 2}
	first := exRun(t, pool, opt)
	assert.Equal(t, engine.StatusPaused, first.Status)
	assert.Equal(t, 5, first.ProcessedHouseholds)
	last := exRun(t, pool, opt)
	assert.Equal(t, engine.StatusDone, last.Status)
	assert.Equal(t, last.CandidateHouseholds, last.ProcessedHouseholds)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)
}

// SPEC H2: a paged run that crashed is resumed as a crash: the "resumed" audit is written.
func TestH2_PagedRunResumedAfterACrashIsAudited(t *testing.T) {
	pool := exDB(t)
	opt := engine.RunOptions{Key: "k", BatchHouseholds: 2, MaxHouseholds: 3}
	first := exRun(t, pool, opt)
	require.Equal(t, engine.StatusPaused, first.Status)
	_, err := pool.Exec(context.Background(), "UPDATE exitflow.exit_run SET status = 'running' WHERE id = $1", first.RunID)
	require.NoError(t, err)
	opt.MaxHouseholds = 0
	last := exRun(t, pool, opt)
	assert.Equal(t, engine.StatusDone, last.Status)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE details ->> 'phase' = 'resumed'"))
	exAssertOneExitEach(t, pool)
}
