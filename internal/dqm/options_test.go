package dqm_test

// SPEC Q1: what a report covers (projects, an organization or the whole CoC), and bad options,
// which change nothing and are engine.InvalidError.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Projects as given (in natural order), an organization's, or every project of the CoC.
func TestQ1_Scope(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	given := report(t, pool, "PSO", "PHH")
	assert.Equal(t, []string{"PHH", "PSO"}, given.Projects)
	assert.False(t, given.WholeCoC)
	org := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since, OrganizationID: "O2"})
	assert.Equal(t, []string{"PHH", "PNBN", "PNX", "PSO"}, org.Projects)
	assert.Equal(t, "O2", org.OrganizationID)
	assert.False(t, org.WholeCoC)
	for _, p := range org.ProjectReports {
		assert.Equal(t, "Beta Agency", p.OrganizationName, p.ProjectID)
	}
	coc := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since})
	assert.True(t, coc.WholeCoC)
	assert.Equal(t, []string{"PA", "PB", "PES", "PHH", "PNBN", "PNX", "PP", "PSO", "PSSO", "PX"}, coc.Projects)
	require.Len(t, coc.ProjectReports, 10)
	// The totals are the sums of the projects' counts.
	for i, m := range dqm.Measures {
		if m.Percent() {
			continue
		}
		sum := 0.0
		for _, p := range coc.ProjectReports {
			sum += p.Measures[i].Value.N
		}
		assert.Equal(t, num(int(sum)), coc.Total[i].Value, m)
	}
	// Every finding is counted: each finding measure's total is its number of findings.
	for _, m := range []dqm.Measure{dqm.PastWindow, dqm.Q6fNbnNoBedNight90d, dqm.Q6fSoNoContact90d, dqm.FutureDatedActivity,
		dqm.HouseholdsHohExited, dqm.HouseholdsHohNotOne} {
		assert.Equal(t, num(len(found(coc, m))), value(t, coc, "", m), m)
	}
}

// Bad options are refused before anything is read or written: no report, no audit record.
func TestQ1_BadOptionsChangeNothing(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	ctx := context.Background()
	tomorrow := today().AddDate(0, 0, 1)
	for name, opt := range map[string]dqm.Options{
		"unknown project":           {AsOf: asOf, Projects: []string{"PSSO", "NOPE"}},
		"unknown organization":      {AsOf: asOf, OrganizationID: "O9"},
		"project given twice":       {AsOf: asOf, Projects: []string{"PSSO", "PES", "PSSO"}},
		"projects and organization": {AsOf: asOf, Projects: []string{"PSSO"}, OrganizationID: "O1"},
		"since on the as-of date":   {AsOf: asOf, Since: asOf},
		"since after the as-of":     {AsOf: asOf, Since: asOf.AddDate(0, 0, 1)},
		"as-of before the data":     {AsOf: day("2025-05-31")}, // the earliest entry is 2025-06-01
		"as-of in the future":       {AsOf: tomorrow},
		"no as-of date":             {},
		"no actor":                  {AsOf: asOf, Actor: " "},
	} {
		if opt.Actor == "" {
			opt.Actor = "Dana Lee"
		}
		r, err := dqm.Run(ctx, pool, opt)
		assert.Nil(t, r, name)
		assert.True(t, errors.Is(err, engine.ErrInvalid), "%s: %v", name, err)
		var inv *engine.InvalidError
		assert.True(t, errors.As(err, &inv), "%s: %v", name, err)
	}
	// An organization without projects has nothing to report on.
	_, err := dqm.Run(ctx, pool, dqm.Options{AsOf: asOf, OrganizationID: "O3", Actor: "Dana Lee"})
	var nf *engine.NotFoundError
	assert.True(t, errors.As(err, &nf), "%v", err)

	assert.Zero(t, countRows(t, pool, `SELECT count(*) FROM exitflow.dqm_report`))
	assert.Zero(t, countRows(t, pool, `SELECT count(*) FROM exitflow.dqm_measure`))
	assert.Zero(t, countRows(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'dqm'`))

	// The earliest entry date and today are accepted; a report is audited with its actor.
	_ = runOpt(t, pool, dqm.Options{AsOf: day("2025-06-01"), Projects: []string{"PES"}})
	_ = runOpt(t, pool, dqm.Options{AsOf: today(), Projects: []string{"PES"}, Actor: "Sam Ortiz"})
	assert.Equal(t, 1, countRows(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'dqm' AND actor = 'Sam Ortiz'`))
	assert.Equal(t, 2, countRows(t, pool, `SELECT count(*) FROM exitflow.dqm_report`))
}

// Each measure of the report has its test (they name the measure); a new measure needs one.
func TestQ1_EveryMeasureIsTested(t *testing.T) {
	tests := map[dqm.Measure]string{
		dqm.OpenEnrollments: "TestQ1_OpenEnrollments", dqm.OpenHouseholds: "TestQ1_OpenHouseholds",
		dqm.PastWindow: "TestQ1_PastWindow", dqm.AlertWindowHouseholds: "TestQ1_AlertWindowHouseholds",
		dqm.ExitsCaseManager: "TestQ1_ExitsCaseManager", dqm.ExitsAutoInactivity: "TestQ1_ExitsAutoInactivity",
		dqm.ExitsAdmin: "TestQ1_ExitsAdmin", dqm.ExitsAutoHoused: "TestQ1_ExitsAutoHoused", dqm.ExitsUndone: "TestQ1_ExitsUndone",
		dqm.ExitsDestination30Pct: "TestQ1_ExitsDestination30Pct", dqm.ExitsDestination89Pct: "TestQ1_ExitsDestination89Pct",
		dqm.ExitsDestination99Pct: "TestQ1_ExitsDestination99Pct", dqm.ExitsBeforeEntry: "TestQ1_ExitsBeforeEntry",
		dqm.ExitsAfterAsOf: "TestQ1_ExitsAfterAsOf", dqm.NbnExitDateOff: "TestQ1_NbnExitDateOff",
		dqm.BedNightsOnOrAfterExit: "TestQ1_BedNightsOnOrAfterExit", dqm.Q6fNbnNoBedNight90d: "TestQ1_Q6fNbnNoBedNight90d",
		dqm.Q6fSoNoContact90d: "TestQ1_Q6fSoNoContact90d", dqm.FutureDatedActivity: "TestQ1_FutureDatedActivity",
		dqm.HouseholdsHohExited: "TestQ1_HouseholdsHohExited", dqm.HouseholdsHohNotOne: "TestQ1_HouseholdsHohNotOne",
	}
	assert.Len(t, tests, len(dqm.Measures))
	var src strings.Builder
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
	}
	for _, m := range dqm.Measures {
		require.NotEmpty(t, tests[m], "no test for %s", m)
		assert.Contains(t, src.String(), "func "+tests[m]+"(t *testing.T)", m)
	}
}

// A pool of one connection measures everything on it, one part after the other, to the same report.
func TestQ1_OneConnectionPool(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql")
	cfg, err := pgxpool.ParseConfig(pool.Config().ConnString())
	require.NoError(t, err)
	cfg.MaxConns = 1
	one, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	defer one.Close()
	a := report(t, pool)
	b := runOpt(t, one, dqm.Options{AsOf: asOf, Since: since})
	assert.Equal(t, a.Total, b.Total)
	assert.Equal(t, a.ProjectReports, b.ProjectReports)
	assert.Equal(t, a.Findings, b.Findings)
	assert.Equal(t, a.Reasons, b.Reasons)
}
