package engine_test

// Policy changes that are refused and change nothing, partial updates, and exit defaults checked
// against the HUD code lists (SPEC P3, P5).

import (
	"context"
	"fmt"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestP3_ValidationRefusesBadValuesAndChangesNothing(t *testing.T) {
	pool := policyCoC(t)
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", AutoExitDays: days(120), AlertDays: days(100)})
	before, dump := rowCounts(t, pool), policyDump(t, pool)
	p := func(c engine.PolicyChange) engine.PolicyChange {
		if c.Scope == "" {
			c.Scope, c.ScopeID = engine.ScopeProject, "PSSO"
		}
		if c.Actor == "" {
			c.Actor = "tester"
		}
		return c
	}
	for _, tc := range []struct {
		change engine.PolicyChange
		reason string
	}{
		{p(engine.PolicyChange{AutoExitDays: days(0)}), "--auto-exit-days 0: must be 30 or more (a shorter window is almost always a typing error that would mass-exit a project)"},
		{p(engine.PolicyChange{AutoExitDays: days(29)}), "--auto-exit-days 29: must be 30 or more"},
		{p(engine.PolicyChange{AutoExitDays: days(-5)}), "--auto-exit-days -5: must be 30 or more"},
		{p(engine.PolicyChange{AlertDays: days(0)}), "--alert-days 0: must be 1 or more"},
		{p(engine.PolicyChange{AlertDays: days(120)}), "--alert-days 120: must be less than the auto-exit days (120)"},
		{p(engine.PolicyChange{AutoExitDays: days(60), AlertDays: days(60)}), "--alert-days 60: must be less than the auto-exit days (60)"},
		{p(engine.PolicyChange{AutoExitDays: days(100)}), "--auto-exit-days 100: the alert at this scope is at 100 days, which must be less"},
		{p(engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PES", AlertDays: days(10)}), "--alert-days 10: auto exit is off at this scope"},
		{p(engine.PolicyChange{Off: true, AutoExitDays: days(90)}), "--off and --auto-exit-days 90: give one or the other"},
		{p(engine.PolicyChange{Off: true, AlertDays: days(9)}), "--off and --alert-days 9"},
		{p(engine.PolicyChange{NbnBenchmark: "last-service"}), `--nbn-benchmark "last-service": want last-bed-night or last-activity`},
		{p(engine.PolicyChange{AutoExitDays: days(90), Actor: "  "}), "--actor is required"},
		{p(engine.PolicyChange{}), "nothing to set"},
		{p(engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "NOPE", AutoExitDays: days(90)}), "--project NOPE: no such project"},
		{p(engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PGONE", AutoExitDays: days(90)}), "--project PGONE: no such project"},
		{p(engine.PolicyChange{Scope: engine.ScopeOrganization, ScopeID: "OX", AutoExitDays: days(90)}), "--organization OX: no such organization"},
		{p(engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "5", AutoExitDays: days(90)}), "--project-type 5: not a HUD project type"},
		{p(engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "abc", AutoExitDays: days(90)}), "--project-type abc: not a HUD project type"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			res, err := engine.SetPolicy(context.Background(), pool, tc.change, policyAsOf, true)
			require.Error(t, err)
			assert.Contains(t, asFlags(err), tc.reason)
			assert.ErrorIs(t, err, engine.ErrInvalid)
			assert.NotContains(t, err.Error(), "--", "an engine message names no CLI flag")
			assert.False(t, res.Applied)
			assert.Equal(t, before, rowCounts(t, pool), "a rejected change changes nothing")
			assert.Equal(t, dump, policyDump(t, pool), "a rejected change changes nothing")
		})
	}
	// Compared with the resulting policy: shortening below the alert works with a new alert or --no-alert.
	res := setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", AutoExitDays: days(100), NoAlert: true})
	assert.Equal(t, 100, *res.New.AutoExitDays)
	assert.Nil(t, res.New.AlertDays)
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", AlertDays: days(99)})
	assert.Equal(t, 99, *res.New.AlertDays)
	// --off switches auto exit off at the scope: both NULL.
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", Off: true})
	assert.Nil(t, res.New.AutoExitDays)
	assert.Nil(t, res.New.AlertDays)
	assert.Empty(t, actions(t, pool, "PSSO"))
}

func TestP3_PartialUpdatesKeepTheOtherFields(t *testing.T) {
	pool := policyCoC(t)
	// A new row: the given fields, the rest as "nothing set" (off, no alert, last-bed-night, no defaults).
	res := setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", NbnBenchmark: engine.BenchmarkLastActivity})
	assert.Nil(t, res.Old)
	assert.Equal(t, engine.PolicyValues{NbnBenchmark: engine.BenchmarkLastActivity, ExitDefaults: map[string]any{}}, res.New)
	// A new row without a window on a project whose auto exit was on says so.
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSO", ExitDefaults: []engine.ExitDefault{{"Destination", "99"}}})
	assert.Contains(t, fmt.Sprint(res.Warnings), "auto exit is now off for project PSO (was 365 days, built-in)")
	// An existing row: only the given fields change.
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", AutoExitDays: days(90), AlertDays: days(60)})
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", AutoExitDays: days(120)})
	assert.Equal(t, engine.PolicyValues{AutoExitDays: days(120), AlertDays: days(60), NbnBenchmark: engine.BenchmarkLastActivity, ExitDefaults: map[string]any{}}, res.New)
	// The same values again: nothing is written.
	n := rowCounts(t, pool)
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PNBN", AutoExitDays: days(120)})
	assert.False(t, res.Changed)
	assert.Equal(t, n, rowCounts(t, pool))
}

func TestP5_ExitDefaultsAreValidatedAgainstTheHUDCodeLists(t *testing.T) {
	pool := policyCoC(t)
	before, dump := rowCounts(t, pool), policyDump(t, pool)
	for _, tc := range []struct {
		defaults []engine.ExitDefault
		reason   string
	}{
		{[]engine.ExitDefault{{"Nope", "1"}}, `--exit-default Nope=1: "Nope" is not a column of Exit.csv`},
		{[]engine.ExitDefault{{"ExitDate", "2025-01-01"}}, "ExitDate cannot have a default"},
		{[]engine.ExitDefault{{"PersonalID", "C1"}}, "PersonalID cannot have a default"},
		{[]engine.ExitDefault{{"DateDeleted", "x"}}, "DateDeleted cannot have a default"},
		{[]engine.ExitDefault{{"Destination", "5"}}, "--exit-default Destination=5: 5 is not a HUD Destination code"},
		{[]engine.ExitDefault{{"Destination", "abc"}}, `Destination is an integer HUD field: "abc" is not a whole number`},
		{[]engine.ExitDefault{{"Destination", "435"}}, "--exit-default Destination=435 needs --exit-default DestinationSubsidyType=N too"},
		{[]engine.ExitDefault{{"Destination", "410"}, {"DestinationSubsidyType", "431"}}, "DestinationSubsidyType=431: only allowed when the Destination default is 435 (the Destination default is 410)"},
		{[]engine.ExitDefault{{"DestinationSubsidyType", "431"}}, "only allowed when the Destination default is 435 (no Destination default"},
		{[]engine.ExitDefault{{"Destination", "435"}, {"DestinationSubsidyType", "999"}}, "999 is not a HUD DestinationSubsidyType code"},
		{[]engine.ExitDefault{{"OtherDestination", "Moved away"}}, "OtherDestination=Moved away: only allowed when the Destination default is 17"},
		{[]engine.ExitDefault{{"Destination", "17"}}, "Destination=17 needs --exit-default OtherDestination=TEXT too"},
		{[]engine.ExitDefault{{"ExchangeForSex", "2"}}, "2 is not a HUD code for ExchangeForSex (0, 1, 8, 9, 99)"},
		{[]engine.ExitDefault{{"ProjectCompletionStatus", "1.5"}}, "is not a whole number"},
		{[]engine.ExitDefault{{"AftercareDate", "2025-01-01"}}, "AftercareDate is a date"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			_, err := engine.SetPolicy(context.Background(), pool,
				engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", ExitDefaults: tc.defaults, Actor: "tester"}, policyAsOf, true)
			require.Error(t, err)
			assert.Contains(t, asFlags(err), tc.reason)
			assert.ErrorIs(t, err, engine.ErrInvalid)
			assert.NotContains(t, err.Error(), "--", "an engine message names no CLI flag")
			assert.Equal(t, before, rowCounts(t, pool))
			assert.Equal(t, dump, policyDump(t, pool))
		})
	}

	// Valid defaults: stored by HUD column name, numbers for integer columns, strings for text.
	res := setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", AutoExitDays: days(90), AlertDays: days(80),
		ExitDefaults: []engine.ExitDefault{{"destination", "435"}, {"DestinationSubsidyType", "431"}, {"ProjectCompletionStatus", "1"}}})
	assert.Equal(t, map[string]any{"Destination": 435, "DestinationSubsidyType": 431, "ProjectCompletionStatus": 1}, res.New.ExitDefaults)
	var stored string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT exit_defaults::text FROM exitflow.policy WHERE scope = 'project' AND scope_id = 'PSSO'`).Scan(&stored))
	assert.JSONEq(t, `{"Destination": 435, "DestinationSubsidyType": 431, "ProjectCompletionStatus": 1}`, stored)
	// The candidates query reads them (F1, P5).
	var dest []int
	var subsidy []*int
	require.NoError(t, engine.Candidates(context.Background(), pool, engine.Options{AsOf: policyAsOf, Projects: []string{"PSSO"}, Method: engine.MethodAuto},
		func(r engine.Row) error {
			dest, subsidy = append(dest, r.Destination), append(subsidy, r.DestinationSubsidyType)
			return nil
		}))
	require.Len(t, dest, 2)
	assert.Equal(t, []int{435, 435}, dest)
	assert.Equal(t, []*int{days(431), days(431)}, subsidy)

	// A Destination change must take the dependent field along; FIELD= removes a default.
	_, err := engine.SetPolicy(context.Background(), pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO",
		ExitDefaults: []engine.ExitDefault{{"Destination", "17"}, {"OtherDestination", "With family out of state"}}, Actor: "tester"}, policyAsOf, true)
	require.ErrorContains(t, err, "DestinationSubsidyType=431: only allowed when the Destination default is 435 (the Destination default is 17)")
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO",
		ExitDefaults: []engine.ExitDefault{{"Destination", "17"}, {"DestinationSubsidyType", ""}, {"OtherDestination", "With family out of state"}, {"ProjectCompletionStatus", ""}}})
	assert.Equal(t, map[string]any{"Destination": 17, "OtherDestination": "With family out of state"}, res.New.ExitDefaults)
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT exit_defaults::text FROM exitflow.policy WHERE scope = 'project' AND scope_id = 'PSSO'`).Scan(&stored))
	assert.JSONEq(t, `{"Destination": 17, "OtherDestination": "With family out of state"}`, stored)
	assert.Equal(t, res.New.ExitDefaults, effective(t, pool, "PSSO").ExitDefaults)
}

// SPEC P5: a text exit default is stored as its text, without the spaces around it; a value of
// spaces only is refused as empty (FIELD= with nothing after the = removes a default).
func TestP5_TextExitDefaultsAreStoredTrimmed(t *testing.T) {
	ctx := context.Background()
	pool := policyCoC(t)
	res := setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO",
		ExitDefaults: []engine.ExitDefault{{"Destination", "17"}, {"OtherDestination", "  With family out of state \t"}}})
	assert.Equal(t, map[string]any{"Destination": 17, "OtherDestination": "With family out of state"}, res.New.ExitDefaults)
	var stored string
	require.NoError(t, pool.QueryRow(ctx, `SELECT exit_defaults ->> 'OtherDestination' FROM exitflow.policy WHERE scope = 'project' AND scope_id = 'PSSO'`).Scan(&stored))
	assert.Equal(t, "With family out of state", stored)

	// The same text with other spaces around it is no change.
	res = setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO",
		ExitDefaults: []engine.ExitDefault{{"OtherDestination", " With family out of state  "}}})
	assert.False(t, res.Changed)

	before, counts := policyDump(t, pool), rowCounts(t, pool)
	for _, blank := range []string{" ", "  \t "} {
		_, err := engine.SetPolicy(ctx, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO",
			ExitDefaults: []engine.ExitDefault{{"OtherDestination", blank}}, Actor: "tester"}, policyAsOf, true)
		assert.ErrorContains(t, err, "OtherDestination")
		assert.ErrorContains(t, err, "is empty (spaces only)")
	}
	assert.Equal(t, before, policyDump(t, pool), "nothing changed")
	assert.Equal(t, counts, rowCounts(t, pool))
}
