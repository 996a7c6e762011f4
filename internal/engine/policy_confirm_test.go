package engine_test

// The NbN benchmark (SPEC P4), and changes that exit more households need confirmation after a
// preview (SPEC P7).

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestP4_NbnBenchmarkLastActivityWarnsAndAppliesFromNowOn(t *testing.T) {
	pool := policyCoC(t)
	// PNBN's household: last bed night 100 days ago, a (non-bed-night) service 5 days ago.
	res := setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", AutoExitDays: days(90)})
	assert.Empty(t, res.Warnings)
	assert.Equal(t, map[string]string{"H-NBN": "exit"}, actions(t, pool, "PNBN"), "last-bed-night: only bed nights count (A4)")

	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", NbnBenchmark: engine.BenchmarkLastActivity})
	require.Len(t, res.Warnings, 1)
	assert.Contains(t, res.Warnings[0], "not HUD compliant")
	assert.Contains(t, res.Warnings[0], "bed nights")
	assert.False(t, res.NeedsConfirmation, "last-activity exits fewer households")
	assert.Equal(t, 1, res.Before.ExitHouseholds)
	assert.Equal(t, 0, res.After.ExitHouseholds)
	assert.Empty(t, actions(t, pool, "PNBN"), "last-activity: the service 5 days ago counts")
	assert.Equal(t, engine.BenchmarkLastActivity, effective(t, pool, "PNBN").NbnBenchmark)

	// Any later change of a last-activity policy warns again.
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", AlertDays: days(3)})
	assert.Contains(t, fmt.Sprint(res.Warnings), "not HUD compliant")

	// Back to last-bed-night exits the household again: like enabling a window, it needs confirmation (P7).
	c := engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", NbnBenchmark: engine.BenchmarkLastBedNight, Actor: "tester"}
	res, err := engine.SetPolicy(context.Background(), pool, c, policyAsOf, false)
	require.ErrorIs(t, err, engine.ErrNotConfirmed)
	assert.True(t, res.NeedsConfirmation)
	assert.Equal(t, engine.BenchmarkLastActivity, effective(t, pool, "PNBN").NbnBenchmark)

	// The change is audited (P6) and rewrites nothing already recorded: the history keeps each step.
	h, err := engine.PolicyHistory(context.Background(), pool, 0)
	require.NoError(t, err)
	require.Len(t, h, 3)
	assert.Equal(t, engine.BenchmarkLastActivity, h[1].New.NbnBenchmark)
	assert.Equal(t, engine.BenchmarkLastBedNight, h[1].Old.NbnBenchmark)
}

func TestP7_EnablingOrShorteningNeedsConfirmationAfterAPreview(t *testing.T) {
	pool := policyCoC(t)
	ctx := context.Background()
	enable := engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES", AutoExitDays: days(180), Actor: "alice"}
	before := rowCounts(t, pool)

	// PES (ES entry/exit, auto exit off): H-ES-A (2 members, 400 days) and H-ES-B (200 days) are past 180 days.
	res, err := engine.SetPolicy(ctx, pool, enable, policyAsOf, false)
	require.ErrorIs(t, err, engine.ErrNotConfirmed)
	assert.Equal(t, "nothing changed; run again with --yes to apply", asFlags(err))
	assert.Equal(t, "nothing changed; run again with Yes to apply", err.Error())
	assert.True(t, res.NeedsConfirmation)
	assert.False(t, res.Applied)
	assert.Equal(t, []string{"PES"}, res.Projects)
	assert.Equal(t, engine.PreviewCounts{}, res.Before)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 2, ExitEnrollments: 3}, res.After)
	assert.Equal(t, before, rowCounts(t, pool), "nothing changed without confirmation")
	assert.Equal(t, engine.ScopeBuiltIn, effective(t, pool, "PES").Scope)
	assert.Empty(t, actions(t, pool, "PES"))

	res, err = engine.SetPolicy(ctx, pool, enable, policyAsOf, true)
	require.NoError(t, err)
	assert.True(t, res.Applied)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 2, ExitEnrollments: 3}, res.After)
	assert.Equal(t, map[string]string{"H-ES-A": "exit", "H-ES-B": "exit"}, actions(t, pool, "PES"))

	// Lengthening needs no confirmation; the preview still shows the difference.
	res, err = engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES", AutoExitDays: days(365), Actor: "alice"}, policyAsOf, false)
	require.NoError(t, err)
	assert.False(t, res.NeedsConfirmation)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 2, ExitEnrollments: 3}, res.Before)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 1, ExitEnrollments: 2}, res.After)
	// So do an alert, exit defaults and switching off.
	for _, c := range []engine.PolicyChange{
		{Scope: engine.ScopeProject, ScopeID: "PES", AlertDays: days(30), Actor: "alice"},
		{Scope: engine.ScopeProject, ScopeID: "PES", ExitDefaults: []engine.ExitDefault{{"Destination", "99"}}, Actor: "alice"},
		{Scope: engine.ScopeProject, ScopeID: "PES", Off: true, Actor: "alice"},
	} {
		res, err := engine.SetPolicy(ctx, pool, c, policyAsOf, false)
		require.NoError(t, err)
		assert.True(t, res.Applied)
	}

	// Shortening needs it.
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES", AutoExitDays: days(365)})
	res, err = engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES", AutoExitDays: days(180), Actor: "alice"}, policyAsOf, false)
	require.True(t, errors.Is(err, engine.ErrNotConfirmed))
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 1, ExitEnrollments: 2}, res.Before)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 2, ExitEnrollments: 3}, res.After)
	assert.Equal(t, 365, *effective(t, pool, "PES").AutoExitDays)

	// A broad scope previews every project that takes its policy from it, and only those:
	// type 6 → PSSO and PSSO2 (built-in 90/80); shortening to 60 adds H-SSO-85.
	res, err = engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "6", AutoExitDays: days(60), Actor: "alice"}, policyAsOf, false)
	require.ErrorIs(t, err, engine.ErrNotConfirmed)
	assert.Equal(t, []string{"PSSO", "PSSO2"}, res.Projects)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 2, ExitEnrollments: 2, AlertHouseholds: 1, AlertEnrollments: 1}, res.Before)
	assert.Equal(t, engine.PreviewCounts{ExitHouseholds: 3, ExitEnrollments: 3}, res.After)
	// The default scope, with PES's own policy in place: PES is not affected.
	res, err = engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeDefault, AutoExitDays: days(30), Actor: "alice"}, policyAsOf, false)
	require.ErrorIs(t, err, engine.ErrNotConfirmed)
	assert.Equal(t, []string{"PNBN", "POT", "PSO", "PSSO", "PSSO2"}, res.Projects)
}
