package dqm_test

// SPEC Q1: the exits people recorded in the period (testdata/exits.sql, period (2026-10-01,
// 2026-11-01]): an Exit row is in the period when its DateCreated is. Counts by method, the shares
// of destinations 30, 8/9 and 99, and the invalid exits.

import (
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/stretchr/testify/assert"
)

// Exits without an engine record are the case managers'.
func TestQ1_ExitsCaseManager(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX", "PP")
	// PX: X60, X63 (created on the as-of date), X66, X67, X68, X69, X71, X72; not X61 (created
	// before the period), X62 (created on 2026-10-01, the day the period starts after), X64 (created
	// after the as-of date), X65 (deleted), X70 (created before the period)
	assert.Equal(t, num(8), value(t, r, "PX", dqm.ExitsCaseManager))
	assert.Equal(t, num(3), value(t, r, "PP", dqm.ExitsCaseManager), "not X78, created in September")
	assert.Equal(t, num(11), value(t, r, "", dqm.ExitsCaseManager))
	for _, m := range []dqm.Measure{dqm.ExitsAutoInactivity, dqm.ExitsAdmin, dqm.ExitsAutoHoused, dqm.ExitsUndone} {
		assert.Equal(t, num(0), value(t, r, "", m), m)
	}

	// A longer period takes in X61, X62, X70 and X78.
	long := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: day("2026-09-01"), Projects: []string{"PX", "PP"}})
	assert.Equal(t, num(15), value(t, long, "", dqm.ExitsCaseManager))
}

// The share of the period's exits to Destination 30 (no exit interview completed), one decimal.
func TestQ1_ExitsDestination30Pct(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX", "PP")
	assert.Equal(t, dqm.Value{N: 12.5, Valid: true}, value(t, r, "PX", dqm.ExitsDestination30Pct), "X60 of 8; not X61, X62, X64 (outside the period)")
	assert.Equal(t, dqm.Value{N: 66.7, Valid: true}, value(t, r, "PP", dqm.ExitsDestination30Pct), "2 of 3; not X78 (September)")
	// The total is 3 of the 11 exits (27.27 %), not the mean of the projects' shares.
	assert.Equal(t, dqm.Value{N: 27.3, Valid: true}, value(t, r, "", dqm.ExitsDestination30Pct))
}

// The share of the period's exits to Destinations 8 and 9 (client doesn't know, prefers not to answer).
func TestQ1_ExitsDestination89Pct(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX", "PP")
	assert.Equal(t, dqm.Value{N: 25, Valid: true}, value(t, r, "PX", dqm.ExitsDestination89Pct), "X63 (8) and X66 (9) of 8")
	assert.Equal(t, dqm.Value{N: 0, Valid: true}, value(t, r, "PP", dqm.ExitsDestination89Pct))
	assert.Equal(t, dqm.Value{N: 18.2, Valid: true}, value(t, r, "", dqm.ExitsDestination89Pct), "2 of 11")
}

// The share of the period's exits to Destination 99 (data not collected); 1 of 3 is 33.3.
func TestQ1_ExitsDestination99Pct(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX", "PP")
	assert.Equal(t, dqm.Value{N: 12.5, Valid: true}, value(t, r, "PX", dqm.ExitsDestination99Pct), "X67 of 8; not X65 (deleted)")
	assert.Equal(t, dqm.Value{N: 33.3, Valid: true}, value(t, r, "PP", dqm.ExitsDestination99Pct), "X77 of 3")
	assert.Equal(t, dqm.Value{N: 18.2, Valid: true}, value(t, r, "", dqm.ExitsDestination99Pct), "2 of 11")
}

// A period without exits has no shares: empty (not valid), not 0 %; counts stay 0.
func TestQ1_ExitShares_EmptyWithoutExits(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := runOpt(t, pool, dqm.Options{AsOf: day("2026-08-31"), Since: day("2026-08-01"), Projects: []string{"PX", "PP", "PSSO"}})
	for _, p := range []string{"PX", "PP", "PSSO", ""} {
		for _, m := range []dqm.Measure{dqm.ExitsDestination30Pct, dqm.ExitsDestination89Pct, dqm.ExitsDestination99Pct} {
			assert.Equal(t, dqm.Value{}, value(t, r, p, m), "%s %s", p, m)
		}
		assert.Equal(t, num(0), value(t, r, p, dqm.ExitsCaseManager), p)
	}
	// Valid and empty values survive storage.
	l := load(t, pool, r.ID)
	assert.Equal(t, r.Total, l.Total)
	// One project's exits are enough for the total's share.
	one := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since, Projects: []string{"PSSO", "PP"}})
	assert.Equal(t, dqm.Value{}, value(t, one, "PSSO", dqm.ExitsDestination30Pct))
	assert.Equal(t, dqm.Value{N: 66.7, Valid: true}, value(t, one, "", dqm.ExitsDestination30Pct))
}

// Exits of the period dated before their enrollment's entry date (SPEC D4).
func TestQ1_ExitsBeforeEntry(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX")
	// X68; not X69 (on its entry date) nor X70 (before its entry, but created before the period)
	assert.Equal(t, []string{"E68"}, found(r, dqm.ExitsBeforeEntry))
	f := finding(t, r, dqm.ExitsBeforeEntry, "E68")
	assert.Equal(t, day("2026-10-03"), *f.Date)
	assert.Equal(t, "entry 2026-10-05", f.Detail)
	assert.Equal(t, num(1), value(t, r, "PX", dqm.ExitsBeforeEntry))
}

// Exits of the period dated after the as-of date (SPEC D4), whatever their entry date.
func TestQ1_ExitsAfterAsOf(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PX")
	// X67; X72, whose enrollment enters after the as-of date too; not X71 (on the as-of date) nor
	// X64 (dated before the as-of date, created after it)
	assert.Equal(t, []string{"E67", "E72"}, found(r, dqm.ExitsAfterAsOf))
	assert.Equal(t, day("2026-11-10"), *finding(t, r, dqm.ExitsAfterAsOf, "E67").Date)
	assert.Equal(t, num(2), value(t, r, "PX", dqm.ExitsAfterAsOf))

	// As of 2026-11-30 both exit dates have passed.
	later := runOpt(t, pool, dqm.Options{AsOf: day("2026-11-30"), Since: since, Projects: []string{"PX"}})
	assert.Equal(t, num(0), value(t, later, "PX", dqm.ExitsAfterAsOf))
}

// Night-by-night exits (benchmark last-bed-night) of the period not dated the day after the last
// bed night (SPEC D2).
func TestQ1_NbnExitDateOff(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PNX", "PX")
	// X81 on the last bed night, X82 four days after it, X83 before a later bed night; not X80 (the
	// day after) nor X84 (created before the period); PX is no NbN shelter
	assert.Equal(t, []string{"E81", "E82", "E83"}, found(r, dqm.NbnExitDateOff))
	f := finding(t, r, dqm.NbnExitDateOff, "E81")
	assert.Equal(t, day("2026-10-02"), *f.Date)
	assert.Equal(t, "last bed night 2026-10-02", f.Detail)
	assert.Equal(t, num(3), value(t, r, "PNX", dqm.NbnExitDateOff))
	assert.Equal(t, num(0), value(t, r, "PX", dqm.NbnExitDateOff))

	// With the benchmark last-activity (SPEC P4), the exit date is not tied to the bed nights.
	exec(t, pool, `INSERT INTO exitflow.policy (scope, scope_id, nbn_benchmark, changed_by) VALUES ('project', 'PNX', 'last-activity', 'test')`)
	assert.Empty(t, found(report(t, pool, "PNX"), dqm.NbnExitDateOff))
}

// Bed nights recorded on or after the exit date of an exit of the period.
func TestQ1_BedNightsOnOrAfterExit(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "exits.sql")
	r := report(t, pool, "PNX")
	// X81 (a bed night on its exit date), X83 (one four days after); not X80, X82 (bed nights before
	// the exit) nor X84 (created before the period)
	assert.Equal(t, []string{"E81", "E83"}, found(r, dqm.BedNightsOnOrAfterExit))
	f := finding(t, r, dqm.BedNightsOnOrAfterExit, "E83")
	assert.Equal(t, day("2026-10-09"), *f.Date, "the first bed night on or after the exit")
	assert.Equal(t, "exit 2026-10-05", f.Detail)
	assert.Equal(t, num(2), value(t, r, "PNX", dqm.BedNightsOnOrAfterExit))
}
