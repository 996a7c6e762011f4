package engine_test

// Every policy change is recorded, also when changes run at the same time (SPEC P6).

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestP6_EveryChangeIsRecordedWithWhoWhenScopeOldAndNew(t *testing.T) {
	pool := policyCoC(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "6", AutoExitDays: days(120), Actor: "alice"})
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "06", AlertDays: days(100), Actor: "bob"})

	h, err := engine.PolicyHistory(ctx, pool, 0)
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, "bob", h[0].Actor, "newest first")
	assert.Equal(t, "alice", h[1].Actor)
	for _, e := range h {
		assert.Equal(t, engine.ScopeProjectType, e.Scope)
		assert.Equal(t, "6", e.ScopeID, "project type IDs are stored as numbers")
		assert.True(t, e.ChangedAt.After(start))
	}
	assert.Nil(t, h[1].Old, "the scope had no policy before")
	assert.Equal(t, 120, *h[1].New.AutoExitDays)
	assert.Equal(t, h[1].New, h[0].Old)
	assert.Equal(t, 100, *h[0].New.AlertDays)
	assert.Equal(t, 120, *h[0].New.AutoExitDays)
	h1, err := engine.PolicyHistory(ctx, pool, 1)
	require.NoError(t, err)
	assert.Len(t, h1, 1)

	rows, err := pool.Query(ctx, `SELECT actor, details::text FROM exitflow.audit WHERE action = 'policy-change' ORDER BY id`)
	require.NoError(t, err)
	var audit [][2]string
	for rows.Next() {
		var a [2]string
		require.NoError(t, rows.Scan(&a[0], &a[1]))
		audit = append(audit, a)
	}
	require.NoError(t, rows.Err())
	require.Len(t, audit, 2)
	assert.Equal(t, "alice", audit[0][0])
	var d struct {
		Scope   string               `json:"scope"`
		ScopeID string               `json:"scope_id"`
		Old     *engine.PolicyValues `json:"old"`
		New     engine.PolicyValues  `json:"new"`
	}
	require.NoError(t, json.Unmarshal([]byte(audit[1][1]), &d))
	assert.Equal(t, "project-type", d.Scope)
	assert.Equal(t, "6", d.ScopeID)
	assert.Equal(t, 120, *d.Old.AutoExitDays)
	assert.Equal(t, 100, *d.New.AlertDays)
	for _, a := range audit { // no client data: IDs and counts only
		for _, s := range []string{"C8", "E8", "H-SSO", "First", "Last"} {
			assert.NotContains(t, a[1], s)
		}
	}
}

func TestP6_ConcurrentChangesLoseNoHistoryRow(t *testing.T) {
	pool := policyCoC(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// PES has auto exit off: each of these first changes could enable it, so all confirm.
			_, errs[i] = engine.SetPolicy(context.Background(), pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES",
				AutoExitDays: days(400 + i), Actor: fmt.Sprintf("user%d", i)}, policyAsOf, true)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	h, err := engine.PolicyHistory(context.Background(), pool, 0)
	require.NoError(t, err)
	require.Len(t, h, n, "one history row per change")
	// Oldest first, each change's old values are the previous change's new values.
	for i := n - 1; i >= 0; i-- {
		if i == n-1 {
			assert.Nil(t, h[i].Old)
			continue
		}
		require.NotNil(t, h[i].Old, "change %d saw no row: a lost update", i)
		assert.Equal(t, *h[i+1].New, *h[i].Old)
	}
	assert.Equal(t, *h[0].New.AutoExitDays, *effective(t, pool, "PES").AutoExitDays, "the last recorded change is in force")
}
