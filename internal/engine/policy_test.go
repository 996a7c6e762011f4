package engine_test

// Policies (engine.SetPolicy, EffectivePolicies) on the fixture testdata/policy (policyCoC,
// helpers_test.go): which policy applies (SPEC P1, P2). Validation and partial updates (P3, P5):
// policy_validate_test.go; the NbN benchmark and confirmation (P4, P7): policy_confirm_test.go;
// history and audit (P6): policy_history_test.go.

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
