package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestU1_EveryEngineActionIsAudited: a policy change, an exit run, an alert pass and an undo each
// leave an exitflow.audit row with actor, time, reason where there is one, and the workflow and run
// that did it; the details hold IDs and counts, never a client's name (SPEC U1, S1).
func TestU1_EveryEngineActionIsAudited(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	days := 400
	_, err := engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PO", AutoExitDays: &days, Actor: "Pat Kim"}, exAsOf, true)
	require.NoError(t, err)
	run := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", WorkflowID: "agreement-7", WorkflowRunID: "run-a"})
	require.Positive(t, run.Enrollments)
	_, err = engine.RecordAlerts(ctx, pool, engine.Options{AsOf: exAsOf}, engine.AlertRun{Actor: "exitflow", WorkflowID: "agreement-7", RunID: "run-b"})
	require.NoError(t, err)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: run.RunID, Actor: "Dana Lee", Reason: "agency asked", WorkflowID: "agreement-7", WorkflowRunID: "run-c"})
	require.NoError(t, err)

	rows, err := pool.Query(ctx, `SELECT action, actor, at IS NOT NULL, coalesce(reason, ''), coalesce(workflow_id, ''), coalesce(workflow_run_id, ''), details::text
		FROM exitflow.audit ORDER BY id`)
	require.NoError(t, err)
	type entry struct{ actor, reason, wf, run, details string }
	got := map[string]entry{}
	for rows.Next() {
		var action string
		var e entry
		var at bool
		require.NoError(t, rows.Scan(&action, &e.actor, &at, &e.reason, &e.wf, &e.run, &e.details))
		assert.True(t, at)
		got[action] = e
	}
	require.NoError(t, rows.Err())
	require.Contains(t, got, "policy-change")
	assert.Equal(t, "Pat Kim", got["policy-change"].actor)
	require.Contains(t, got, "exit-run")
	assert.Equal(t, entry{"Dana Lee", got["exit-run"].reason, "agreement-7", "run-a", got["exit-run"].details}, got["exit-run"])
	require.Contains(t, got, "alert")
	assert.Equal(t, "agreement-7", got["alert"].wf)
	require.Contains(t, got, "undo")
	assert.Equal(t, "Dana Lee", got["undo"].actor)
	assert.Equal(t, "agency asked", got["undo"].reason)
	assert.Equal(t, "run-c", got["undo"].run)
	// No client personal data: the fixture's client names never appear in the audit.
	var names []string
	nrows, err := pool.Query(ctx, "SELECT firstname FROM hmis.client WHERE firstname IS NOT NULL UNION SELECT lastname FROM hmis.client WHERE lastname IS NOT NULL")
	require.NoError(t, err)
	for nrows.Next() {
		var n string
		require.NoError(t, nrows.Scan(&n))
		names = append(names, n)
	}
	for action, e := range got {
		for _, n := range names {
			assert.False(t, strings.Contains(e.details, n), "%s audit details contain the client name %q", action, n)
		}
	}
}
