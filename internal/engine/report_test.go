package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repAsOf is the as-of date of testdata/report/coc.sql.
var repAsOf = repDay("2026-11-01")

// fixture returns a migrated database holding the SQL files (under testdata) with the activity
// summary refreshed, as an import leaves it.
func repFixture(t *testing.T, files ...string) *pgxpool.Pool {
	t.Helper()
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = "testdata/" + f
	}
	pool := testdb.WithSQL(t, paths...)
	repRefresh(t, pool)
	return pool
}

// refresh rebuilds exitflow.enrollment_state, as every import does.
func repRefresh(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = engine.RefreshState(ctx, tx, "")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
}

func repDate(s string) *time.Time { d := repDay(s); return &d }

// SPEC Q4: per project and agency, open enrollments, past the window, in the alert window and the
// oldest household last activity, sorted by organization then project, with totals.
func TestQ4_CandidateReport(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	rep, err := engine.CandidateReport(context.Background(), pool, engine.ReportOptions{AsOf: repAsOf})
	require.NoError(t, err)
	assert.Equal(t, engine.DefaultReferenceDays, rep.ReferenceDays)

	want := []engine.ProjectReport{
		{ProjectID: "P2", ProjectName: "Alpha ES", OrganizationID: "O1", OrganizationName: "Alpha Agency", ProjectType: 0,
			PolicyScope: "built-in", NbnBenchmark: "last-bed-night", ReferenceWindowShown: true,
			ReportCounts:       engine.ReportCounts{OpenEnrollments: 2, OpenHouseholds: 2, PastReferenceEnrollments: 1, PastReferenceHouseholds: 1},
			OldestLastActivity: repDate("2026-06-01"), OldestDaysInactive: days(153)},
		{ProjectID: "P1", ProjectName: "Alpha SSO", OrganizationID: "O1", OrganizationName: "Alpha Agency", ProjectType: 6,
			PolicyScope: "built-in", AutoExitDays: days(90), AlertDays: days(80), NbnBenchmark: "last-bed-night",
			// H1 past (123 days); H2 in the alert window through its exited member (SPEC H1); H3 active; H4 exited
			ReportCounts: engine.ReportCounts{OpenEnrollments: 3, OpenHouseholds: 3, PastWindowEnrollments: 1, PastWindowHouseholds: 1,
				AlertWindowEnrollments: 1, AlertWindowHouseholds: 1},
			OldestLastActivity: repDate("2026-07-01"), OldestDaysInactive: days(123)},
		{ProjectID: "P4", ProjectName: "Beta NbN", OrganizationID: "O2", OrganizationName: "Beta Agency", ProjectType: 1,
			PolicyScope: "organization", AutoExitDays: days(60), AlertDays: days(45), NbnBenchmark: "last-bed-night",
			// SPEC A4: the last bed night, not the later service
			ReportCounts:       engine.ReportCounts{OpenEnrollments: 1, OpenHouseholds: 1, PastWindowEnrollments: 1, PastWindowHouseholds: 1},
			OldestLastActivity: repDate("2026-08-01"), OldestDaysInactive: days(92)},
		{ProjectID: "P3", ProjectName: "Beta SO", OrganizationID: "O2", OrganizationName: "Beta Agency", ProjectType: 4,
			PolicyScope: "organization", AutoExitDays: days(60), AlertDays: days(45), NbnBenchmark: "last-bed-night",
			// H8 enters after the as-of date
			ReportCounts:       engine.ReportCounts{OpenEnrollments: 3, OpenHouseholds: 1, AlertWindowEnrollments: 3, AlertWindowHouseholds: 1},
			OldestLastActivity: repDate("2026-09-10"), OldestDaysInactive: days(52)},
	}
	assert.Equal(t, want, rep.Projects)

	require.Len(t, rep.Organizations, 2)
	assert.Equal(t, engine.OrganizationReport{OrganizationID: "O1", OrganizationName: "Alpha Agency", Projects: 2,
		ReportCounts: engine.ReportCounts{OpenEnrollments: 5, OpenHouseholds: 5, PastWindowEnrollments: 1, PastWindowHouseholds: 1,
			AlertWindowEnrollments: 1, AlertWindowHouseholds: 1, PastReferenceEnrollments: 1, PastReferenceHouseholds: 1},
		OldestLastActivity: repDate("2026-06-01")}, rep.Organizations[0])
	assert.Equal(t, "O2", rep.Organizations[1].OrganizationID)
	assert.Equal(t, engine.ReportCounts{OpenEnrollments: 9, OpenHouseholds: 7, PastWindowEnrollments: 2, PastWindowHouseholds: 2,
		AlertWindowEnrollments: 4, AlertWindowHouseholds: 2, PastReferenceEnrollments: 1, PastReferenceHouseholds: 1}, rep.Totals)
}

// The report counts exactly what the engine's preview lists: past the window = its exit rows,
// in the alert window = its alert rows (both come from candidatesSQL).
func TestQ4_ReportAgreesWithPreview(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	ctx := context.Background()
	for _, d := range []string{"2026-08-01", "2026-09-15", "2026-11-01", "2027-01-31"} {
		rep, err := engine.CandidateReport(ctx, pool, engine.ReportOptions{AsOf: repDay(d)})
		require.NoError(t, err)
		exits, alerts := map[string]int{}, map[string]int{}
		require.NoError(t, engine.Candidates(ctx, pool, engine.Options{AsOf: repDay(d)}, func(r engine.Row) error {
			if r.Action == engine.ActionExit {
				exits[r.ProjectID]++
			} else {
				alerts[r.ProjectID]++
			}
			return nil
		}))
		for _, p := range rep.Projects {
			assert.Equal(t, exits[p.ProjectID], p.PastWindowEnrollments, "%s %s", d, p.ProjectID)
			assert.Equal(t, alerts[p.ProjectID], p.AlertWindowEnrollments, "%s %s", d, p.ProjectID)
			delete(exits, p.ProjectID)
			delete(alerts, p.ProjectID)
		}
		assert.Empty(t, exits, d)
		assert.Empty(t, alerts, d)
	}
}

// --project lists the given projects even without open enrollments; the reference window is a knob.
func TestQ4_ReportProjectsAndReferenceWindow(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	rep, err := engine.CandidateReport(context.Background(), pool, engine.ReportOptions{AsOf: repAsOf, Projects: []string{"P5", "P2"}, ReferenceDays: 160})
	require.NoError(t, err)
	require.Len(t, rep.Projects, 2)
	assert.Equal(t, "P2", rep.Projects[0].ProjectID)
	assert.Equal(t, 0, rep.Projects[0].PastReferenceEnrollments, "153 days < 160")
	assert.Equal(t, "P5", rep.Projects[1].ProjectID)
	assert.Equal(t, 0, rep.Projects[1].OpenEnrollments)
	assert.Nil(t, rep.Projects[1].OldestLastActivity)
	assert.Equal(t, 160, rep.ReferenceDays)

	// A project policy applies as a whole (SPEC P1): P1 at 30 days, no alert.
	_, err = pool.Exec(context.Background(), `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, changed_by) VALUES ('project', 'P1', 30, 'test')`)
	require.NoError(t, err)
	rep, err = engine.CandidateReport(context.Background(), pool, engine.ReportOptions{AsOf: repAsOf, Projects: []string{"P1"}})
	require.NoError(t, err)
	require.Len(t, rep.Projects, 1)
	p := rep.Projects[0]
	assert.Equal(t, engine.ScopeProject, p.PolicyScope)
	assert.Equal(t, days(30), p.AutoExitDays)
	assert.Nil(t, p.AlertDays)
	assert.Equal(t, 3, p.PastWindowEnrollments, "H1, H2 and H3 (entered 31 days ago)")
	assert.Equal(t, 0, p.AlertWindowEnrollments)
}

func TestQ4_EmptyDatabase(t *testing.T) {
	_, pool := testdb.New(t)
	rep, err := engine.CandidateReport(context.Background(), pool, engine.ReportOptions{AsOf: repAsOf})
	require.NoError(t, err)
	assert.Empty(t, rep.Projects)
	assert.Equal(t, engine.ReportCounts{}, rep.Totals)
}
