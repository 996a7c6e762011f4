package dqm_test

// SPEC Q2: the verdict. "Working as planned" when no enrollment is past its window where auto
// exit is on and no exit is invalid; otherwise "needs attention", with one reason per failing
// measure and its count, in the report's order.

import (
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Other findings (Q6f, future-dated activity, heads of household, bed nights on or after the exit,
// the alert window) are reported but do not change the verdict (docs/rules.md Q2).
func TestQ2_WorkingAsPlanned(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql")
	// PNX under the benchmark last-activity: its exits are not tied to the bed nights (SPEC P4),
	// but two of them still have bed nights on or after the exit date.
	exec(t, pool, `INSERT INTO exitflow.policy (scope, scope_id, nbn_benchmark, changed_by) VALUES ('project', 'PNX', 'last-activity', 'test')`)
	r := report(t, pool, "PES", "PSO", "PHH", "PNBN", "PP", "PNX")
	require.Equal(t, num(2), value(t, r, "", dqm.BedNightsOnOrAfterExit))
	require.Equal(t, num(0), value(t, r, "", dqm.NbnExitDateOff))
	require.NotEmpty(t, found(r, dqm.Q6fSoNoContact90d))
	require.NotEmpty(t, found(r, dqm.Q6fNbnNoBedNight90d))
	require.NotEmpty(t, found(r, dqm.FutureDatedActivity))
	require.NotEmpty(t, found(r, dqm.HouseholdsHohExited))
	require.NotEmpty(t, found(r, dqm.HouseholdsHohNotOne))
	assert.Equal(t, dqm.WorkingAsPlanned, r.Verdict)
	assert.Empty(t, r.Reasons)
	assert.Equal(t, dqm.WorkingAsPlanned, load(t, pool, r.ID).Verdict)

	// Nor is the alert window: PSSO as of 2026-09-25 has H1 in it (86 days) and nothing past it.
	alert := runOpt(t, pool, dqm.Options{AsOf: day("2026-09-25"), Since: day("2026-09-01"), Projects: []string{"PSSO"}})
	require.Equal(t, num(1), value(t, alert, "", dqm.AlertWindowHouseholds))
	assert.Equal(t, dqm.WorkingAsPlanned, alert.Verdict)
}

// Each failing measure gives one reason with its count: past the window, exits before entry or
// after the as-of date, NbN exits off the day after the last bed night.
func TestQ2_NeedsAttentionReasons(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql")
	r := report(t, pool, "PSSO", "PX", "PNX")
	assert.Equal(t, dqm.NeedsAttention, r.Verdict)
	want := []dqm.Reason{
		{Measure: dqm.PastWindow, Count: 2, Text: "2 open enrollments past the auto-exit window where auto exit is on"},
		{Measure: dqm.ExitsBeforeEntry, Count: 1, Text: "1 exit dated before its entry date"},
		{Measure: dqm.ExitsAfterAsOf, Count: 2, Text: "2 exits dated after the as-of date"},
		{Measure: dqm.NbnExitDateOff, Count: 3, Text: "3 night-by-night exits not dated the day after the last bed night"},
	}
	assert.Equal(t, want, r.Reasons)
	l := load(t, pool, r.ID)
	assert.Equal(t, want, l.Reasons, "kept with the report")
	h, err := dqm.History(t.Context(), pool, "PX", 0)
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, want, h[0].Reasons)
	assert.Equal(t, dqm.NeedsAttention, h[0].Verdict)

	// One failing measure is enough, and only it is named.
	one := report(t, pool, "PSSO")
	assert.Equal(t, dqm.NeedsAttention, one.Verdict)
	assert.Equal(t, want[:1], one.Reasons)
}
