package engine_test

// Helpers shared by the engine's tests: fresh databases holding a fixture, counting rows, dates
// and the exit-run shortcuts (the helpers of one topic stay in its file: rules_test.go,
// policy_test.go, report_test.go).

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repDay parses a YYYY-MM-DD date (a fixture's own dates; it panics on a typing error).
func repDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// days is n as a pointer, for the optional day counts of policies and reports.
func days(n int) *int { return &n }

// importDB is a fresh, migrated database holding the HMIS CSV exports dirs, imported in order with
// the real importer; it returns the last import's result too. An import error fails the test,
// listing the rows it names.
func importDB(t *testing.T, dirs ...string) (*pgxpool.Pool, *importer.Result) {
	t.Helper()
	_, pool := testdb.New(t)
	var res *importer.Result
	for _, dir := range dirs {
		var err error
		res, err = importer.Run(context.Background(), pool, dir, importer.Options{})
		if err != nil {
			var errs []string
			if res != nil {
				for _, p := range res.Errors {
					errs = append(errs, fmt.Sprintf("%+v", p))
				}
			}
			t.Fatalf("importing %s: %v\n%s", dir, err, strings.Join(errs, "\n"))
		}
	}
	return pool, res
}

// policyAsOf is the date the fixture testdata/policy is built around (see its README.md).
var policyAsOf = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// policyCoC returns a migrated database holding testdata/policy.
func policyCoC(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, _ := importDB(t, "testdata/policy")
	return pool
}

// The fixture testdata/exits (as of 2026-11-01): Services Only project PS (built-in 90/80 days),
// Street Outreach PO (365/300) and night-by-night shelter PN (auto exit off). Each exited household's
// last activity comes from another source, so that every evidence file is covered.
var exAsOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// exDB is a fresh database holding the fixture.
func exDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, _ := importDB(t, "testdata/exits")
	return pool
}

// exCount runs a query that returns one integer (a count) and returns it.
func exCount(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func exRun(t *testing.T, pool *pgxpool.Pool, opt engine.RunOptions) engine.RunResult {
	t.Helper()
	if opt.AsOf.IsZero() && opt.RunID == 0 {
		opt.AsOf = exAsOf
	}
	if opt.Actor == "" {
		opt.Actor = "Dana Lee"
	}
	res, err := engine.WriteExits(context.Background(), pool, opt)
	require.NoError(t, err)
	return res
}

// exPreview is the preview's exit rows, keyed by EnrollmentID.
func exPreview(t *testing.T, pool *pgxpool.Pool, opt engine.Options) map[string]engine.Row {
	t.Helper()
	out := map[string]engine.Row{}
	require.NoError(t, engine.Candidates(context.Background(), pool, opt, func(r engine.Row) error {
		if r.Action == engine.ActionExit {
			out[r.EnrollmentID] = r
		}
		return nil
	}))
	return out
}

type exExit struct {
	EnrollmentID string
	ExitDate     time.Time
	Destination  int
	Subsidy      *int
}

// exExits is the engine's live Exit rows, keyed by EnrollmentID.
func exExits(t *testing.T, pool *pgxpool.Pool) map[string]exExit {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT enrollmentid, exitdate, destination, destinationsubsidytype
		FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]exExit{}
	for rows.Next() {
		var x exExit
		require.NoError(t, rows.Scan(&x.EnrollmentID, &x.ExitDate, &x.Destination, &x.Subsidy))
		out[x.EnrollmentID] = x
	}
	require.NoError(t, rows.Err())
	return out
}

// exAssertOneExitEach checks that no enrollment has two live Exit rows and that no household of
// the engine's exits is half exited (SPEC H2, H3).
func exAssertOneExitEach(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM (SELECT enrollmentid FROM hmis.exit WHERE datedeleted IS NULL
		GROUP BY 1 HAVING count(*) > 1) d`), "an enrollment with two Exit rows")
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM hmis.enrollment e
		WHERE e.datedeleted IS NULL
		  AND EXISTS (SELECT 1 FROM exitflow.engine_exit ee JOIN hmis.exit x ON x.exitid = ee.exitid AND x.datedeleted IS NULL
		              WHERE ee.projectid = e.projectid AND ee.householdid = e.householdid)
		  AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)`),
		"an open member in a household the engine exited")
}

// keys is m's keys, sorted.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
