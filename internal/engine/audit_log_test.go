package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Audit reads exitflow.audit (SPEC U1) newest first, by actor and by action; AuditActions names
// every action the engine writes, and another action is refused naming them.
func TestU1_AuditReadsTheLogByActorAndAction(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	days := 400
	_, err := engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PO", AutoExitDays: &days, Actor: "Pat Kim"}, exAsOf, true)
	require.NoError(t, err)
	run := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", WorkflowID: "agreement-7", WorkflowRunID: "run-a"})
	_, err = engine.RecordAlerts(ctx, pool, engine.Options{AsOf: exAsOf}, engine.AlertRun{Actor: "exitflow", WorkflowID: "agreement-7", RunID: "run-b"})
	require.NoError(t, err)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: run.RunID, Actor: "Ann Admin", Reason: "agency asked"})
	require.NoError(t, err)

	all, err := engine.Audit(ctx, pool, engine.AuditFilter{})
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for i, e := range all {
		assert.Contains(t, engine.AuditActions, e.Action, "an action the engine writes is missing from AuditActions")
		assert.True(t, json.Valid(e.Details), e.Action)
		if i > 0 {
			assert.Less(t, e.ID, all[i-1].ID, "newest first")
		}
	}
	seen := map[string]bool{}
	for _, e := range all {
		seen[e.Action] = true
	}
	for _, a := range engine.AuditActions {
		switch a {
		case "dqm", "assignment-import", "contact-add", "contact-remove":
			continue // written by internal/dqm and internal/contacts, which depend on the engine: their tests check them
		}
		assert.True(t, seen[a], "no %s entry", a)
	}
	assert.Equal(t, "undo", all[0].Action)
	assert.Equal(t, "agency asked", all[0].Reason)

	dana, err := engine.Audit(ctx, pool, engine.AuditFilter{Actor: "dana lee"}) // case does not matter
	require.NoError(t, err)
	require.Len(t, dana, 2, "the run's start and end")
	for _, e := range dana {
		assert.Equal(t, "Dana Lee", e.Actor)
		assert.Equal(t, "exit-run", e.Action)
		assert.Equal(t, [2]string{"agreement-7", "run-a"}, [2]string{e.WorkflowID, e.WorkflowRunID})
	}
	undos, err := engine.Audit(ctx, pool, engine.AuditFilter{Action: "undo"})
	require.NoError(t, err)
	require.Len(t, undos, 1)
	assert.Equal(t, "Ann Admin", undos[0].Actor)
	none, err := engine.Audit(ctx, pool, engine.AuditFilter{Actor: "Ann Admin", Action: "policy-change"})
	require.NoError(t, err)
	assert.Empty(t, none)
	one, err := engine.Audit(ctx, pool, engine.AuditFilter{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, all[:1], one)

	_, err = engine.Audit(ctx, pool, engine.AuditFilter{Action: "exits"})
	var unknown *engine.UnknownActionError
	require.True(t, errors.As(err, &unknown), "%v", err)
	assert.Equal(t, "exits", unknown.Action)
	assert.ErrorContains(t, err, "the known actions are alert, assignment-import, contact-add, contact-remove, dqm, exit-run, policy-change, undo")
	assert.True(t, slices.IsSorted(engine.AuditActions))
}
