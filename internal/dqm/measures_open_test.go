package dqm_test

// SPEC Q1: the measures of open enrollments (testdata/open.sql, as of 2026-11-01): open enrollments
// and households, the windows, Q6f, future-dated activity, heads of household; and the chart's
// buckets (Q3).

import (
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/stretchr/testify/assert"
)

// Open enrollments as of the as-of date: entered by then and without an Exit row.
func TestQ1_OpenEnrollments(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSSO", "PES", "PHH")
	// PSSO: E1–E4; not E5 (exited) nor E6 (enters on 2026-11-10)
	assert.Equal(t, num(4), value(t, r, "PSSO", dqm.OpenEnrollments))
	assert.Equal(t, num(1), value(t, r, "PES", dqm.OpenEnrollments))
	// PHH: 13 of 17; not E40, E43, E50, E51 (exited)
	assert.Equal(t, num(13), value(t, r, "PHH", dqm.OpenEnrollments))
	assert.Equal(t, num(18), value(t, r, "", dqm.OpenEnrollments))

	later := runOpt(t, pool, dqm.Options{AsOf: day("2026-11-15"), Since: asOf, Projects: []string{"PSSO"}})
	assert.Equal(t, num(5), value(t, later, "PSSO", dqm.OpenEnrollments), "E6 has entered")
}

// Open households: each household with an open member counts once.
func TestQ1_OpenHouseholds(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSSO", "PES", "PHH")
	assert.Equal(t, num(3), value(t, r, "PSSO", dqm.OpenHouseholds), "H1 (two members), H2, H3; not H4 (exited), H5")
	assert.Equal(t, num(1), value(t, r, "PES", dqm.OpenHouseholds))
	// PHH: H30–H35 and H40–H44 (H40 through its member E41, H41 through its head); not H45, all exited
	assert.Equal(t, num(10), value(t, r, "PHH", dqm.OpenHouseholds))
	assert.Equal(t, num(14), value(t, r, "", dqm.OpenHouseholds))
}

// Open enrollments past the auto-exit window, where auto exit is on only (SPEC H2, P2).
func TestQ1_PastWindow(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSSO", "PES")
	assert.Equal(t, num(2), value(t, r, "PSSO", dqm.PastWindow), "H1's two members, 123 days; H2 (85 days) and H3 are not")
	assert.Equal(t, num(0), value(t, r, "PES", dqm.PastWindow), "H7 is 518 days inactive, but auto exit is off")
	assert.Equal(t, num(2), value(t, r, "", dqm.PastWindow))
	assert.Equal(t, []string{"E1", "E2"}, found(r, dqm.PastWindow))
	f := finding(t, r, dqm.PastWindow, "E2")
	assert.Equal(t, "H1", f.HouseholdID)
	assert.Equal(t, "C2", f.PersonalID)
	assert.Equal(t, day("2026-07-01"), *f.Date, "the household's last activity")
	assert.Contains(t, f.Detail, "123 days inactive")
}

// Households in the alert window (alert days ≤ days inactive < auto-exit days, SPEC AL1).
func TestQ1_AlertWindowHouseholds(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSSO", "PES")
	assert.Equal(t, num(1), value(t, r, "PSSO", dqm.AlertWindowHouseholds), "H2 at 85 days; not H1 (past the window) nor H3")
	assert.Equal(t, num(0), value(t, r, "PES", dqm.AlertWindowHouseholds), "auto exit off: no alert window")
	assert.Empty(t, found(r, dqm.AlertWindowHouseholds), "not a finding")

	// As of 2026-09-25, H1 is 86 days inactive: one household of two members. H2 is 48 days.
	earlier := runOpt(t, pool, dqm.Options{AsOf: day("2026-09-25"), Since: day("2026-09-01"), Projects: []string{"PSSO"}})
	assert.Equal(t, num(1), value(t, earlier, "PSSO", dqm.AlertWindowHouseholds))
	assert.Equal(t, num(0), value(t, earlier, "PSSO", dqm.PastWindow))
}

// HUD Q6f bed nights: open NbN enrollments entered more than 90 days before the as-of date whose
// latest bed night is more than 90 days before it.
func TestQ1_Q6fNbnNoBedNight90d(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PNBN", "PSO")
	// not E11 (bed night 7 days ago), E12 (entered 31 days ago), E13 (bed night exactly 90 days
	// ago), E14 (entered exactly 90 days ago); E15's service in the window is no bed night
	assert.Equal(t, []string{"E10", "E15"}, found(r, dqm.Q6fNbnNoBedNight90d))
	assert.Equal(t, num(2), value(t, r, "PNBN", dqm.Q6fNbnNoBedNight90d))
	assert.Equal(t, num(0), value(t, r, "PSO", dqm.Q6fNbnNoBedNight90d), "Street Outreach has no bed nights")
	assert.Equal(t, day("2026-05-01"), *finding(t, r, dqm.Q6fNbnNoBedNight90d, "E10").Date, "the entry date")

	// A bed night recorded today makes E10 active.
	exec(t, pool, `INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided,
		datecreated, dateupdated, exportid) VALUES ('S10b', 'E10', 'C10', '2026-11-01', 200, 200, now(), now(), 'T')`)
	refresh(t, pool)
	assert.Equal(t, []string{"E15"}, found(report(t, pool, "PNBN"), dqm.Q6fNbnNoBedNight90d))
}

// HUD Q6f contacts: open Street Outreach adults and heads of household entered more than 90 days
// before the as-of date whose latest contact (Current Living Situation) is more than 90 days before it.
func TestQ1_Q6fSoNoContact90d(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSO", "PNBN")
	// E20 (head, contact in June), E23 (adult member, none), E24 (a child who heads the household),
	// E27 (services are no contacts); not E21 (contact 10 days ago), E22 (a child, not the head),
	// E25 (contact exactly 90 days ago)
	assert.Equal(t, []string{"E20", "E23", "E24", "E27"}, found(r, dqm.Q6fSoNoContact90d))
	assert.Equal(t, num(4), value(t, r, "PSO", dqm.Q6fSoNoContact90d))
	assert.Equal(t, num(0), value(t, r, "PNBN", dqm.Q6fSoNoContact90d), "contacts are counted in Street Outreach")
	assert.Equal(t, num(4), value(t, r, "", dqm.Q6fSoNoContact90d))
}

// SPEC A3: activity of any A1 source dated after the as-of date, of open enrollments.
func TestQ1_FutureDatedActivity(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PHH", "PSSO")
	// not E31 (a service on the as-of date) nor E33 (an entry assessment is no activity)
	assert.Equal(t, []string{"E30", "E32", "E35"}, found(r, dqm.FutureDatedActivity))
	for id, want := range map[string][2]string{"E30": {"2026-11-05", "service"}, "E32": {"2026-11-20", "update-assessment"},
		"E35": {"2026-11-03", "event"}} {
		f := finding(t, r, dqm.FutureDatedActivity, id)
		assert.Equal(t, [2]string{f.Date.Format("2006-01-02"), f.Detail}, want, id)
	}
	assert.Equal(t, num(3), value(t, r, "PHH", dqm.FutureDatedActivity))
	assert.Equal(t, num(0), value(t, r, "PSSO", dqm.FutureDatedActivity))

	// As of 2026-11-20 the same records are no longer in the future (E32's is on the as-of date).
	later := runOpt(t, pool, dqm.Options{AsOf: day("2026-11-20"), Since: asOf, Projects: []string{"PHH"}})
	assert.Equal(t, num(0), value(t, later, "PHH", dqm.FutureDatedActivity))
}

// Open households whose head of household has exited (one finding per household).
func TestQ1_HouseholdsHohExited(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PHH")
	// H40; not H41 (a member exited, the head stays) nor H45 (everybody exited)
	assert.Equal(t, []string{"E40"}, found(r, dqm.HouseholdsHohExited))
	f := finding(t, r, dqm.HouseholdsHohExited, "E40")
	assert.Equal(t, "H40", f.HouseholdID)
	assert.Equal(t, day("2026-09-15"), *f.Date, "the head's exit date")
	assert.Equal(t, num(1), value(t, r, "PHH", dqm.HouseholdsHohExited))

	// Before the head's exit date, the head has not exited yet.
	earlier := runOpt(t, pool, dqm.Options{AsOf: day("2026-09-10"), Since: day("2026-09-01"), Projects: []string{"PHH"}})
	assert.Equal(t, num(0), value(t, earlier, "PHH", dqm.HouseholdsHohExited))

	// A second exited head still makes one household.
	exec(t, pool, `UPDATE hmis.enrollment SET relationshiptohoh = 1 WHERE enrollmentid = 'E43'`)
	exec(t, pool, `UPDATE hmis.enrollment SET relationshiptohoh = 2 WHERE enrollmentid = 'E42'`)
	exec(t, pool, `INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh,
		datecreated, dateupdated, exportid) VALUES ('E39', 'C39', 'PHH', '2026-02-01', 'H40', 1, now(), now(), 'T')`)
	exec(t, pool, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, exportid)
		VALUES ('X39', 'E39', 'C39', '2026-09-20', 410, '2026-09-20', '2026-09-20', 'T')`)
	refresh(t, pool)
	assert.Equal(t, []string{"E40", "E43"}, found(report(t, pool, "PHH"), dqm.HouseholdsHohExited), "H40 once, and now H41")
}

// Open households with no head of household or several (HUD: exactly one).
func TestQ1_HouseholdsHohNotOne(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PHH", "PSSO")
	// H42 (two heads) and H43 (none), named by their first open enrollment; households with one head
	// (H30–H35, H40 whose head exited, H41, H44) are fine, and H45 is not open
	assert.Equal(t, []string{"E44", "E46"}, found(r, dqm.HouseholdsHohNotOne))
	assert.Equal(t, "heads of household: 2", finding(t, r, dqm.HouseholdsHohNotOne, "E44").Detail)
	assert.Equal(t, "heads of household: 0", finding(t, r, dqm.HouseholdsHohNotOne, "E46").Detail)
	assert.Equal(t, num(2), value(t, r, "PHH", dqm.HouseholdsHohNotOne))
	assert.Equal(t, num(0), value(t, r, "PSSO", dqm.HouseholdsHohNotOne))
}

// SPEC Q3: the chart's open enrollments by the household's days since last activity, and the
// thresholds it marks.
func TestQ3_ChartBuckets(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql")
	r := report(t, pool, "PSSO", "PES")
	pr := map[string]dqm.ProjectReport{}
	for _, p := range r.ProjectReports {
		pr[p.ProjectID] = p
	}
	// E4 12 days, E3 85 days, E1 and E2 123 days
	assert.Equal(t, [6]int{1, 0, 1, 2, 0, 0}, pr["PSSO"].Buckets)
	assert.Equal(t, [6]int{0, 0, 0, 0, 0, 1}, pr["PES"].Buckets, "518 days")
	assert.Equal(t, 90, *pr["PSSO"].AutoExitDays)
	assert.Equal(t, 80, *pr["PSSO"].AlertDays)
	assert.Nil(t, pr["PES"].AutoExitDays)
	assert.Equal(t, "Alpha Services Only", pr["PSSO"].ProjectName)
	assert.Equal(t, "Alpha Agency", pr["PSSO"].OrganizationName)
	assert.Equal(t, 6, pr["PSSO"].ProjectType)
}
