package engine_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ListRuns lists exit runs and undos newest first, with what HMIS staff need to find a run again:
// its ID, method, date, projects, actor, workflow, counts and status (issue 8, point 6).
func TestListRunsShowsRunsAndUndosNewestFirst(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	none, err := engine.ListRuns(ctx, pool, 0)
	require.NoError(t, err)
	assert.Empty(t, none)

	auto := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, WorkflowID: "agreement-7", WorkflowRunID: "r-1"})
	admin := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, AllOpen: true},
		Actor: "Ann Admin"})
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "HA", Actor: "Pat Kim", Reason: "still engaged"})
	require.NoError(t, err)
	undoRun, err := engine.Undo(ctx, pool, engine.UndoOptions{RunID: auto.RunID, Actor: "Dana Lee"})
	require.NoError(t, err)

	runs, err := engine.ListRuns(ctx, pool, 0)
	require.NoError(t, err)
	require.Len(t, runs, 4)
	kinds := make([]string, len(runs))
	for i, r := range runs {
		kinds[i] = r.Kind + " " + r.Undid
		if i > 0 {
			assert.False(t, r.StartedAt.After(runs[i-1].StartedAt), "newest first")
		}
	}
	assert.Equal(t, []string{"undo run " + strconv.FormatInt(auto.RunID, 10), "undo " + runs[1].Undid, "run ", "run "}, kinds)
	assert.True(t, strings.HasPrefix(runs[1].Undid, "household HA"), runs[1].Undid)

	ur, uh, ad, au := runs[0], runs[1], runs[2], runs[3]
	// The undo of the run: the run's method, date and projects (all), its own counts and actor.
	assert.Equal(t, string(engine.MethodAuto), ur.Method)
	require.NotNil(t, ur.AsOf)
	assert.True(t, exAsOf.Equal(*ur.AsOf))
	assert.Empty(t, ur.Projects)
	assert.Equal(t, []int64{auto.RunID}, ur.RunIDs)
	assert.Equal(t, "Dana Lee", ur.Actor)
	assert.Equal(t, engine.StatusDone, ur.Status)
	assert.Equal(t, undoRun.Undone, ur.Enrollments)
	assert.Equal(t, undoRun.Households, ur.Households)
	// The undo of a household: its project and run, the reason.
	assert.Equal(t, []string{"PS"}, uh.Projects)
	assert.Equal(t, []int64{auto.RunID}, uh.RunIDs)
	assert.Equal(t, string(engine.MethodAuto), uh.Method)
	assert.Equal(t, 2, uh.Enrollments)
	assert.Equal(t, 1, uh.Households)
	assert.Equal(t, "Pat Kim", uh.Actor)
	assert.Equal(t, "still engaged", uh.Reason)
	// The runs: IDs, counts, workflow; the auto run is marked undone.
	assert.Equal(t, admin.RunID, ad.ID)
	assert.Equal(t, string(engine.MethodAdmin), ad.Method)
	assert.Equal(t, []string{"PN"}, ad.Projects)
	assert.Equal(t, "Ann Admin", ad.Actor)
	assert.Equal(t, [2]int{admin.Households, admin.Enrollments}, [2]int{ad.Households, ad.Enrollments})
	assert.Nil(t, ad.UndoneAt)
	assert.Equal(t, auto.RunID, au.ID)
	assert.Equal(t, [2]int{9, 10}, [2]int{au.Households, au.Enrollments})
	assert.Equal(t, [2]string{"agreement-7", "r-1"}, [2]string{au.WorkflowID, au.WorkflowRunID})
	assert.Equal(t, engine.StatusDone, au.Status)
	assert.NotNil(t, au.FinishedAt)
	assert.NotNil(t, au.UndoneAt)

	two, err := engine.ListRuns(ctx, pool, 2)
	require.NoError(t, err)
	assert.Equal(t, runs[:2], two)
}

// A run recorded as running that no session writes any more (its process died) is listed as
// interrupted, with the counts of its committed batches, so that staff know to resume it.
func TestListRunsNamesAnInterruptedRun(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	var id int64
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO exitflow.exit_run (method, as_of, actor, lock_pid, started_at)
		VALUES ('auto-inactivity', $1, 'Dana Lee', 2147483647, now() - interval '1 hour') RETURNING id`, exAsOf).Scan(&id))
	runs, err := engine.ListRuns(ctx, pool, 0)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, id, runs[0].ID)
	assert.Equal(t, engine.StatusInterrupted, runs[0].Status)
	assert.Zero(t, runs[0].Enrollments)
	assert.Nil(t, runs[0].FinishedAt)
	assert.WithinDuration(t, time.Now().Add(-time.Hour), runs[0].StartedAt, time.Minute)
}
