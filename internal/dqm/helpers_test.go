package dqm_test

// Helpers shared by the DQM tests: databases holding the SQL fixtures of testdata (see base.sql),
// report shortcuts and lookups of one measure or finding.

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// The as-of date of most tests, and the start of their period (asOf − 31 days): (since, asOf].
var (
	asOf  = day("2026-11-01")
	since = day("2026-10-01")
)

// day parses a YYYY-MM-DD date (a fixture's own dates: it panics on a typing error).
func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// today is the UTC calendar date: engine-written exits and undos are dated by the wall clock.
func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// fixture returns a fresh migrated database holding testdata/base.sql, the given files and
// clients.sql, with the enrollment state built as an import leaves it.
func fixture(t *testing.T, files ...string) *pgxpool.Pool {
	t.Helper()
	paths := []string{"testdata/base.sql"}
	for _, f := range files {
		paths = append(paths, "testdata/"+f)
	}
	pool := testdb.WithSQL(t, append(paths, "testdata/clients.sql")...)
	refresh(t, pool)
	return pool
}

// refresh rebuilds exitflow.enrollment_state after a test changed the HMIS tables by hand.
func refresh(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = engine.RefreshState(ctx, tx, "")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
}

// exec runs SQL that must succeed.
func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	_, err := pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// countRows runs a query that returns one integer.
func countRows(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// report runs the DQM of projects as of asOf over (since, asOf] (the defaults of the fixtures).
func report(t *testing.T, pool *pgxpool.Pool, projects ...string) *dqm.Report {
	t.Helper()
	return runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since, Projects: projects})
}

// runOpt runs the DQM with opt (actor "Dana Lee" unless given); it must succeed.
func runOpt(t *testing.T, pool *pgxpool.Pool, opt dqm.Options) *dqm.Report {
	t.Helper()
	if opt.Actor == "" {
		opt.Actor = "Dana Lee"
	}
	r, err := dqm.Run(context.Background(), pool, opt)
	require.NoError(t, err)
	return r
}

// load reads a stored report; it must exist.
func load(t *testing.T, pool *pgxpool.Pool, id int64) *dqm.Report {
	t.Helper()
	r, err := dqm.Load(context.Background(), pool, id)
	require.NoError(t, err)
	return r
}

// row is the measure m of project (or of the total: project "").
func row(t *testing.T, r *dqm.Report, project string, m dqm.Measure) dqm.MeasureRow {
	t.Helper()
	rows := r.Total
	if project != "" {
		i := slices.IndexFunc(r.ProjectReports, func(p dqm.ProjectReport) bool { return p.ProjectID == project })
		require.GreaterOrEqual(t, i, 0, "project %s is not in the report", project)
		rows = r.ProjectReports[i].Measures
	}
	require.Len(t, rows, len(dqm.Measures))
	i := slices.IndexFunc(rows, func(x dqm.MeasureRow) bool { return x.Measure == m })
	require.GreaterOrEqual(t, i, 0, "measure %s", m)
	return rows[i]
}

// value is the measure m of project ("": the total).
func value(t *testing.T, r *dqm.Report, project string, m dqm.Measure) dqm.Value {
	t.Helper()
	return row(t, r, project, m).Value
}

// num is a count's Value.
func num(v int) dqm.Value { return dqm.Value{N: float64(v), Valid: true} }

// found lists the EnrollmentIDs of the findings of m, in the report's order.
func found(r *dqm.Report, m dqm.Measure) []string {
	out := []string{}
	for _, f := range r.Findings {
		if f.Finding == m {
			out = append(out, f.EnrollmentID)
		}
	}
	return out
}

// finding is the finding of m about an enrollment.
func finding(t *testing.T, r *dqm.Report, m dqm.Measure, enrollment string) dqm.Finding {
	t.Helper()
	i := slices.IndexFunc(r.Findings, func(f dqm.Finding) bool { return f.Finding == m && f.EnrollmentID == enrollment })
	require.GreaterOrEqual(t, i, 0, "no %s finding about %s", m, enrollment)
	return r.Findings[i]
}
