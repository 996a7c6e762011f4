package dqm_test

// SPEC Q3: each report is kept; the next one of the same projects compares with it (previous
// values, better/worse/same) and, by default, covers the period since it; the history lists the
// reports newest first, per project; a kept report reads back as it was made.

import (
	"errors"
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A report as of 2026-10-01, exits recorded, then a report as of 2026-11-01 of the same project:
// previous values, changes of the judged measures, the period since the previous as-of date.
func TestQ3_ComparesWithPreviousReport(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	d1 := day("2026-10-01")
	r1 := runOpt(t, pool, dqm.Options{AsOf: d1, Since: day("2026-09-01"), Projects: []string{"PSSO"}})
	// As of 2026-10-01: E1–E4 open; H1 92 days inactive (past); E4's service of 2026-10-20 is in the future.
	require.Equal(t, num(2), value(t, r1, "", dqm.PastWindow))
	require.Equal(t, num(1), value(t, r1, "", dqm.FutureDatedActivity))
	assert.Zero(t, r1.PreviousID)

	// H1 is exited by its case manager (to 30), E3 with an exit before its entry (to 99).
	exec(t, pool, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, exportid) VALUES
		('X1', 'E1', 'C1', '2026-07-01', 30, '2026-10-15 10:00', '2026-10-15 10:00', 'T'),
		('X2', 'E2', 'C2', '2026-07-01', 30, '2026-10-15 10:00', '2026-10-15 10:00', 'T'),
		('X3', 'E3', 'C3', '2026-02-01', 99, '2026-10-20 10:00', '2026-10-20 10:00', 'T')`)
	refresh(t, pool)
	r2 := runOpt(t, pool, dqm.Options{AsOf: asOf, Projects: []string{"PSSO"}})
	assert.Equal(t, r1.ID, r2.PreviousID)
	assert.Equal(t, d1, r2.Since, "the period starts at the previous report's as-of date")
	assert.Equal(t, num(3), value(t, r2, "", dqm.ExitsCaseManager), "X1–X3, created after 2026-10-01")

	for _, p := range []string{"", "PSSO"} { // the total and the project alike
		for _, c := range []struct {
			m          dqm.Measure
			prev, now  dqm.Value
			wantChange string
		}{
			{dqm.PastWindow, num(2), num(0), dqm.Better},
			{dqm.FutureDatedActivity, num(1), num(0), dqm.Better},
			{dqm.ExitsBeforeEntry, num(0), num(1), dqm.Worse},
			{dqm.HouseholdsHohNotOne, num(0), num(0), dqm.Same},
			{dqm.OpenEnrollments, num(4), num(1), ""}, // described, not judged
			{dqm.ExitsCaseManager, num(0), num(3), ""},
			{dqm.ExitsDestination30Pct, dqm.Value{}, dqm.Value{N: 66.7, Valid: true}, ""}, // no share to compare with
		} {
			got := row(t, r2, p, c.m)
			assert.Equal(t, dqm.MeasureRow{Measure: c.m, Value: c.now, Previous: c.prev, Change: c.wantChange}, got, "%q %s", p, c.m)
		}
	}
	for _, m := range r1.Total {
		assert.Equal(t, dqm.Value{}, m.Previous, "a first report has nothing to compare with: %s", m.Measure)
		assert.Empty(t, m.Change, m.Measure)
	}
	// Read back, the second report still compares with the first.
	l := load(t, pool, r2.ID)
	assert.Equal(t, r2.Total, l.Total)
	assert.Equal(t, r2.ProjectReports, l.ProjectReports)
}

// A first report covers the DefaultPeriodDays up to its as-of date. A report of other projects is no
// previous report, but each project still compares with the latest earlier report that covered it.
func TestQ3_PreviousPerProject(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r1 := runOpt(t, pool, dqm.Options{AsOf: day("2026-10-01"), Projects: []string{"PSSO"}})
	assert.Equal(t, day("2026-09-01"), r1.Since, "30 days")
	r2 := runOpt(t, pool, dqm.Options{AsOf: asOf, Projects: []string{"PSSO", "PES"}})
	assert.Zero(t, r2.PreviousID, "not the same projects")
	assert.Equal(t, day("2026-10-02"), r2.Since)
	assert.Equal(t, dqm.Value{}, row(t, r2, "", dqm.PastWindow).Previous)
	assert.Equal(t, dqm.MeasureRow{Measure: dqm.PastWindow, Value: num(2), Previous: num(2), Change: dqm.Same}, row(t, r2, "PSSO", dqm.PastWindow))
	assert.Equal(t, dqm.Value{}, row(t, r2, "PES", dqm.PastWindow).Previous)

	// A report as of the same date is not a previous one; an earlier one is, whenever it was made.
	r3 := runOpt(t, pool, dqm.Options{AsOf: asOf, Projects: []string{"PES", "PSSO"}})
	assert.Zero(t, r3.PreviousID)
	r4 := runOpt(t, pool, dqm.Options{AsOf: day("2026-11-15"), Projects: []string{"PES", "PSSO"}})
	assert.Equal(t, r3.ID, r4.PreviousID, "the latest of the two as of 2026-11-01")
	assert.Equal(t, asOf, r4.Since)
	assert.Equal(t, []string{"PES", "PSSO"}, r4.Projects)
}

// History: newest as-of date first, filtered by project, limited; each entry's verdict and counts.
func TestQ3_History(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r1 := runOpt(t, pool, dqm.Options{AsOf: day("2026-10-01"), Projects: []string{"PSSO"}})
	r2 := runOpt(t, pool, dqm.Options{AsOf: day("2026-10-15"), Projects: []string{"PES"}, Actor: "Sam Ortiz"})
	r3 := runOpt(t, pool, dqm.Options{AsOf: asOf})
	r4 := runOpt(t, pool, dqm.Options{AsOf: day("2026-09-01"), Projects: []string{"PSSO"}}) // made last, oldest as-of date
	ids := func(project string, limit int) []int64 {
		h, err := dqm.History(t.Context(), pool, project, limit)
		require.NoError(t, err)
		out := []int64{}
		for _, s := range h {
			out = append(out, s.ID)
		}
		return out
	}
	assert.Equal(t, []int64{r3.ID, r2.ID, r1.ID, r4.ID}, ids("", 0))
	assert.Equal(t, []int64{r3.ID, r1.ID, r4.ID}, ids("PSSO", 0), "the whole-CoC report covers PSSO too")
	assert.Equal(t, []int64{r3.ID, r2.ID}, ids("PES", 0))
	assert.Equal(t, []int64{r3.ID}, ids("PSSO", 1))
	assert.Empty(t, ids("NOPE", 0))

	h, err := dqm.History(t.Context(), pool, "PES", 0)
	require.NoError(t, err)
	s := h[1]
	assert.Equal(t, dqm.Summary{ID: r2.ID, AsOf: r2.AsOf, Since: r2.Since, Projects: []string{"PES"}, Verdict: dqm.WorkingAsPlanned,
		Reasons: []dqm.Reason{}, Findings: 0, Actor: "Sam Ortiz", CreatedAt: s.CreatedAt}, s)
	assert.True(t, h[0].WholeCoC)
	assert.Equal(t, len(r3.Findings), h[0].Findings)
	assert.Len(t, h[0].Projects, 10)
}

// Load reads a kept report as Run returned it; a report that does not exist is a NotFoundError.
func TestQ3_Load(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql")
	r := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since, OrganizationID: "O2"})
	require.NotEmpty(t, r.Findings)
	l := load(t, pool, r.ID)
	assert.Equal(t, r.AsOf, l.AsOf)
	assert.Equal(t, r.Since, l.Since)
	assert.Equal(t, r.Projects, l.Projects)
	assert.Equal(t, "O2", l.OrganizationID)
	assert.False(t, l.WholeCoC)
	assert.Equal(t, r.Actor, l.Actor)
	assert.Equal(t, r.Verdict, l.Verdict)
	assert.Equal(t, r.Reasons, l.Reasons)
	assert.Equal(t, r.Total, l.Total)
	assert.Equal(t, r.ProjectReports, l.ProjectReports)
	assert.Equal(t, r.Findings, l.Findings)
	assert.WithinDuration(t, r.CreatedAt, l.CreatedAt, 0)

	_, err := dqm.Load(t.Context(), pool, r.ID+1000)
	var nf *engine.NotFoundError
	assert.True(t, errors.As(err, &nf), "%v", err)
	assert.False(t, errors.Is(err, engine.ErrInvalid))
}

// SPEC Q3: a stored report reads back as it was made, also after a later report with an as-of
// date between it and its previous one: only reports made before it are its previous ones.
func TestQ3_LoadKeepsTheComparisonItWasMadeWith(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql")
	runOpt(t, pool, dqm.Options{AsOf: asOf.AddDate(0, 0, -20), Since: since.AddDate(0, 0, -40)})
	r := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since})
	exec(t, pool, "UPDATE hmis.enrollment SET relationshiptohoh = 1 WHERE datedeleted IS NULL") // changes the heads
	refresh(t, pool)
	runOpt(t, pool, dqm.Options{AsOf: asOf.AddDate(0, 0, -10), Since: since.AddDate(0, 0, -30)})
	l := load(t, pool, r.ID)
	assert.Equal(t, r.ProjectReports, l.ProjectReports)
	assert.Equal(t, r.Total, l.Total)
}
