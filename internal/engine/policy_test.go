package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policyAsOf is the date the fixture testdata/policy is built around (see its README.md).
var policyAsOf = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// policyCoC returns a migrated database holding testdata/policy.
func policyCoC(t *testing.T) *pgxpool.Pool {
	t.Helper()
	_, pool := testdb.New(t)
	res, err := importer.Run(context.Background(), pool, "testdata/policy", importer.Options{})
	require.NoError(t, err, "%+v", res)
	return pool
}

func days(n int) *int { return &n }

// setPolicy applies a change that must succeed.
func setPolicy(t *testing.T, pool *pgxpool.Pool, c engine.PolicyChange) engine.PolicyResult {
	t.Helper()
	if c.Actor == "" {
		c.Actor = "tester"
	}
	res, err := engine.SetPolicy(context.Background(), pool, c, policyAsOf, true)
	require.NoError(t, err)
	require.True(t, res.Applied || !res.Changed)
	return res
}

// effective is the effective policy of one project.
func effective(t *testing.T, pool *pgxpool.Pool, project string) engine.EffectivePolicy {
	t.Helper()
	eps, err := engine.EffectivePolicies(context.Background(), pool, []string{project})
	require.NoError(t, err)
	require.Len(t, eps, 1)
	return eps[0]
}

// actions maps each household of the projects to what an auto run as of policyAsOf does with it.
func actions(t *testing.T, pool *pgxpool.Pool, projects ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := engine.Candidates(context.Background(), pool, engine.Options{AsOf: policyAsOf, Projects: projects, Method: engine.MethodAuto},
		func(r engine.Row) error { out[r.HouseholdID] = r.Action; return nil })
	require.NoError(t, err)
	return out
}

// rowCounts counts policy rows, history rows and policy-change audit rows.
func rowCounts(t *testing.T, pool *pgxpool.Pool) [3]int {
	t.Helper()
	var n [3]int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM exitflow.policy),
		(SELECT count(*) FROM exitflow.policy_history), (SELECT count(*) FROM exitflow.audit WHERE action = 'policy-change')`).Scan(&n[0], &n[1], &n[2]))
	return n
}

// policyDump is every policy row as text, to show that a refused change changed nothing.
func policyDump(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s *string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT string_agg(format('%s/%s %s %s %s %s %s', scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults, changed_at), ';' ORDER BY scope, scope_id) FROM exitflow.policy`).Scan(&s))
	if s == nil {
		return ""
	}
	return *s
}

func TestP1_MostSpecificScopeWinsAsAWhole(t *testing.T) {
	pool := policyCoC(t)
	// Project type 6 (SSO): 200 days with an alert at 20: every PSSO household is in the alert window.
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProjectType, ScopeID: "6", AutoExitDays: days(200), AlertDays: days(20)})
	assert.Equal(t, map[string]string{"H-SSO-95": "alert", "H-SSO-85": "alert", "H-SSO-25": "alert"}, actions(t, pool, "PSSO"))

	// A project policy of 30 days without alert wins as a whole: no alert taken from the type's policy.
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeProject, ScopeID: "PSSO", AutoExitDays: days(30)})
	e := effective(t, pool, "PSSO")
	assert.Equal(t, engine.ScopeProject, e.Scope)
	assert.Equal(t, "PSSO", e.ScopeID)
	assert.Equal(t, 30, *e.AutoExitDays)
	assert.Nil(t, e.AlertDays, "the project policy has no alert, even though its project type's has one")
	assert.Equal(t, map[string]string{"H-SSO-95": "exit", "H-SSO-85": "exit"}, actions(t, pool, "PSSO"),
		"H-SSO-25 (25 days) gets no alert: the alert of the type policy is not mixed in")

	// Organization beats project type; project type beats default; default beats built-in.
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeDefault, AutoExitDays: days(500)})
	setPolicy(t, pool, engine.PolicyChange{Scope: engine.ScopeOrganization, ScopeID: "O1", AutoExitDays: days(60), NbnBenchmark: engine.BenchmarkLastActivity})
	want := map[string][3]any{ // project → scope, scope id, auto-exit days
		"PES":   {engine.ScopeOrganization, "O1", 60},
		"PNBN":  {engine.ScopeOrganization, "O1", 60},
		"PSO":   {engine.ScopeOrganization, "O1", 60},
		"PSSO2": {engine.ScopeOrganization, "O1", 60}, // type 6 too, but the organization is more specific
		"PSSO":  {engine.ScopeProject, "PSSO", 30},
		"POT":   {engine.ScopeDefault, "", 500}, // O2 has no policy, type 7 neither
	}
	eps, err := engine.EffectivePolicies(context.Background(), pool, nil)
	require.NoError(t, err)
	require.Len(t, eps, len(want), "soft-deleted PGONE has no policy")
	for _, e := range eps {
		w := want[e.ProjectID]
		assert.Equal(t, w[0], e.Scope, e.ProjectID)
		assert.Equal(t, w[1], e.ScopeID, e.ProjectID)
		assert.Equal(t, w[2], *e.AutoExitDays, e.ProjectID)
	}
	assert.Equal(t, engine.BenchmarkLastActivity, effective(t, pool, "PNBN").NbnBenchmark)
	assert.Equal(t, engine.BenchmarkLastBedNight, effective(t, pool, "POT").NbnBenchmark, "the default row's benchmark, not O1's")
}

func TestP2_BuiltInDefaults(t *testing.T) {
	pool := policyCoC(t)
	want := map[string][2]*int{ // SSO and Other 90/80, SO 365/300, every other type off
		"PSSO": {days(90), days(80)}, "PSSO2": {days(90), days(80)}, "POT": {days(90), days(80)},
		"PSO": {days(365), days(300)}, "PES": {nil, nil}, "PNBN": {nil, nil},
	}
	eps, err := engine.EffectivePolicies(context.Background(), pool, nil)
	require.NoError(t, err)
	require.Len(t, eps, len(want))
	for _, e := range eps {
		assert.Equal(t, engine.ScopeBuiltIn, e.Scope, e.ProjectID)
		assert.Equal(t, want[e.ProjectID][0], e.AutoExitDays, e.ProjectID)
		assert.Equal(t, want[e.ProjectID][1], e.AlertDays, e.ProjectID)
		assert.Equal(t, engine.BenchmarkLastBedNight, e.NbnBenchmark)
		assert.Empty(t, e.ExitDefaults)
	}
	assert.Equal(t, map[string]string{
		"H-SSO-95": "exit", "H-SSO-85": "alert", // SSO: 95 days → exit, 85 → alert, 25 → nothing
		"H-OT-95":   "exit",
		"H-SSO2-95": "exit",
		"H-SO-370":  "exit", "H-SO-310": "alert", // SO 365/300
		// ES entry/exit (H-ES-A 400 days inactive) and NbN: auto exit off, nothing
	}, actions(t, pool))
}

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
