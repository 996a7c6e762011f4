package dqm_test

// The two shared sample exports (FY2026 and FY2024, see their SOURCE.txt), imported with the real
// importer into fresh databases under the built-in policies. The whole-CoC DQM is run as of dates
// inside the exports, then, after exitflow wrote auto and administrative exits and undid some, as of
// today; its totals are checked against counts written here straight over the HMIS tables (not the
// package's SQL, nor the enrollment state), and its findings against its totals.

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/samples"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleActivityAfter is true when an enrollment {e} has a record of any SPEC A1 activity source
// dated after $1.
const sampleActivityAfter = `(
   EXISTS (SELECT 1 FROM hmis.services a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.dateprovided > $1)
OR EXISTS (SELECT 1 FROM hmis.currentlivingsituation a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.informationdate > $1)
OR EXISTS (SELECT 1 FROM hmis.assessment a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.assessmentdate > $1)
OR EXISTS (SELECT 1 FROM hmis.event a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND (a.eventdate > $1 OR a.resultdate > $1))
OR EXISTS (SELECT 1 FROM hmis.incomebenefits a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.datacollectionstage IN (2, 5) AND a.informationdate > $1)
OR EXISTS (SELECT 1 FROM hmis.healthanddv a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.datacollectionstage IN (2, 5) AND a.informationdate > $1)
OR EXISTS (SELECT 1 FROM hmis.disabilities a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.datacollectionstage IN (2, 5) AND a.informationdate > $1)
OR EXISTS (SELECT 1 FROM hmis.employmenteducation a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.datacollectionstage IN (2, 5) AND a.informationdate > $1)
OR EXISTS (SELECT 1 FROM hmis.customactivity a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL AND a.activitydate > $1))`

// sampleCounts are the measures counted over the raw tables as of $1 over the period ($2, $1]. An
// enrollment is open when it entered by $1 and has no live Exit row (SPEC H3). An exit is in the
// period when its DateCreated falls on a day after $2 up to $1; the engine wrote it when its UserID
// is the engine's, with the method of its run. Q6f follows the HMIS Reporting Glossary: entered
// more than 90 days before $1, latest contact or bed night up to $1 more than 90 days before it. No
// sample sets a policy, so every NbN shelter has the benchmark last-bed-night.
var sampleCounts = `
WITH enr AS (
    SELECT e.*, p.projecttype, NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL) AS open
    FROM hmis.enrollment e JOIN hmis.project p ON p.projectid = e.projectid AND p.datedeleted IS NULL
    WHERE e.datedeleted IS NULL AND e.entrydate <= $1
),
opn AS (SELECT * FROM enr WHERE open),
hh AS (SELECT DISTINCT projectid, householdid FROM opn),
px AS (
    SELECT x.*, e.entrydate, p.projecttype, r.method,
           (SELECT max(b.dateprovided) FROM hmis.services b WHERE b.enrollmentid = x.enrollmentid AND b.recordtype = 200 AND b.datedeleted IS NULL) AS last_bed_night
    FROM hmis.exit x
    JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid AND e.datedeleted IS NULL
    JOIN hmis.project p ON p.projectid = e.projectid AND p.datedeleted IS NULL
    LEFT JOIN exitflow.exit_run_candidate c ON x.userid = 'exitflow' AND c.exitid = x.exitid
    LEFT JOIN exitflow.exit_run r ON r.id = c.run_id
    WHERE x.datedeleted IS NULL AND x.datecreated >= $2::date + 1 AND x.datecreated < $1::date + 1
)
SELECT
    (SELECT count(*) FROM opn),
    (SELECT count(*) FROM hh),
    (SELECT count(*) FROM px WHERE userid IS DISTINCT FROM 'exitflow'),
    (SELECT count(*) FROM px WHERE method = 'auto-inactivity'),
    (SELECT count(*) FROM px WHERE method = 'admin'),
    (SELECT count(*) FROM px WHERE method = 'auto-housed'),
    (SELECT count(*) FROM exitflow.exit_run_candidate WHERE undone_at >= $2::date + 1 AND undone_at < $1::date + 1),
    (SELECT count(*) FROM px),
    (SELECT count(*) FROM px WHERE destination = 30),
    (SELECT count(*) FROM px WHERE destination = 8 OR destination = 9),
    (SELECT count(*) FROM px WHERE destination = 99),
    (SELECT count(*) FROM px WHERE exitdate < entrydate),
    (SELECT count(*) FROM px WHERE exitdate > $1),
    (SELECT count(*) FROM px WHERE projecttype = 1 AND last_bed_night IS NOT NULL AND exitdate - last_bed_night <> 1),
    (SELECT count(*) FROM px WHERE EXISTS (SELECT 1 FROM hmis.services b WHERE b.enrollmentid = px.enrollmentid
        AND b.recordtype = 200 AND b.datedeleted IS NULL AND b.dateprovided >= px.exitdate)),
    (SELECT count(*) FROM opn WHERE projecttype = 1 AND $1 - entrydate > 90
        AND coalesce($1 - (SELECT max(b.dateprovided) FROM hmis.services b WHERE b.enrollmentid = opn.enrollmentid
            AND b.recordtype = 200 AND b.datedeleted IS NULL AND b.dateprovided <= $1), 9999) > 90),
    (SELECT count(*) FROM opn LEFT JOIN hmis.client c ON c.personalid = opn.personalid AND c.datedeleted IS NULL
        WHERE opn.projecttype = 4 AND $1 - opn.entrydate > 90 AND (opn.relationshiptohoh = 1 OR age($1, c.dob) >= interval '18 years')
        AND coalesce($1 - (SELECT max(l.informationdate) FROM hmis.currentlivingsituation l WHERE l.enrollmentid = opn.enrollmentid
            AND l.datedeleted IS NULL AND l.informationdate <= $1), 9999) > 90),
    (SELECT count(*) FROM opn WHERE ` + strings.ReplaceAll(sampleActivityAfter, "{e}", "opn") + `),
    (SELECT count(*) FROM hh WHERE EXISTS (SELECT 1 FROM enr m JOIN hmis.exit x ON x.enrollmentid = m.enrollmentid AND x.datedeleted IS NULL
        WHERE m.projectid = hh.projectid AND m.householdid = hh.householdid AND m.relationshiptohoh = 1 AND x.exitdate <= $1)),
    (SELECT count(*) FROM hh WHERE (SELECT count(*) FROM enr m WHERE m.projectid = hh.projectid AND m.householdid = hh.householdid
        AND m.relationshiptohoh = 1) <> 1)`

// sampleCountMeasures are sampleCounts' columns; the shares come from the counts of exits.
var sampleCountMeasures = []dqm.Measure{dqm.OpenEnrollments, dqm.OpenHouseholds, dqm.ExitsCaseManager, dqm.ExitsAutoInactivity,
	dqm.ExitsAdmin, dqm.ExitsAutoHoused, dqm.ExitsUndone, "exits", dqm.ExitsDestination30Pct, dqm.ExitsDestination89Pct,
	dqm.ExitsDestination99Pct, dqm.ExitsBeforeEntry, dqm.ExitsAfterAsOf, dqm.NbnExitDateOff, dqm.BedNightsOnOrAfterExit,
	dqm.Q6fNbnNoBedNight90d, dqm.Q6fSoNoContact90d, dqm.FutureDatedActivity, dqm.HouseholdsHohExited, dqm.HouseholdsHohNotOne}

// sampleCheck runs the whole-CoC DQM as of asOf over (since, asOf] and compares its totals with
// sampleCounts, the windows with the engine's preview, and each finding measure with its findings.
// It returns the report.
func sampleCheck(t *testing.T, pool *pgxpool.Pool, asOf, since time.Time) *dqm.Report {
	t.Helper()
	ctx := context.Background()
	r := runOpt(t, pool, dqm.Options{AsOf: asOf, Since: since})
	got := make([]int, len(sampleCountMeasures))
	dest := make([]any, len(got))
	for i := range got {
		dest[i] = &got[i]
	}
	require.NoError(t, pool.QueryRow(ctx, sampleCounts, asOf, since).Scan(dest...))
	exits := got[7]
	for i, m := range sampleCountMeasures {
		want := num(got[i])
		switch {
		case m == "exits":
			continue
		case m.Percent() && exits == 0:
			want = dqm.Value{}
		case m.Percent():
			want = dqm.Value{N: math.Round(float64(got[i])*1000/float64(exits)) / 10, Valid: true}
		}
		assert.Equal(t, want, value(t, r, "", m), "%s as of %s", m, asOf.Format(time.DateOnly))
	}
	past, alert := 0, map[string]bool{}
	require.NoError(t, engine.Candidates(ctx, pool, engine.Options{AsOf: asOf}, func(c engine.Row) error {
		if c.Action == engine.ActionExit {
			past++
		} else {
			alert[c.ProjectID+"\x00"+c.HouseholdID] = true
		}
		return nil
	}))
	assert.Equal(t, num(past), value(t, r, "", dqm.PastWindow))
	assert.Equal(t, num(len(alert)), value(t, r, "", dqm.AlertWindowHouseholds))
	for _, m := range dqm.Measures {
		if n := len(found(r, m)); n > 0 || m == dqm.PastWindow || strings.HasPrefix(string(m), "q6f") {
			assert.Equal(t, num(n), value(t, r, "", m), "findings of %s", m)
		}
	}
	var line []string
	for _, m := range r.Total {
		if m.Value.N != 0 {
			line = append(line, fmt.Sprintf("%s=%v", m.Measure, m.Value.N))
		}
	}
	t.Logf("as of %s since %s: %s; %s", asOf.Format(time.DateOnly), since.Format(time.DateOnly), r.Verdict, strings.Join(line, " "))
	return r
}

func TestQ1_Samples_AgreeWithRawTables(t *testing.T) {
	t.Parallel()
	for _, name := range []string{samples.FY2026, samples.FY2024} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			_, pool := testdb.New(t)
			_, err := importer.Run(ctx, pool, samples.Dir(t, name), importer.Options{})
			require.NoError(t, err)
			// Inside the exports: the end of their period, and a year earlier.
			sampleCheck(t, pool, day("2022-09-30"), day("2022-03-31"))
			sampleCheck(t, pool, day("2021-09-30"), day("2020-09-30"))

			// exitflow's exits, written today: inactivity exits as of 2022-09-30 (Services Only,
			// Other, Street Outreach), administrative exits of the first project with open
			// enrollments left, and one household's exits undone.
			auto, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: day("2022-09-30")}, Actor: "Dana Lee"})
			require.NoError(t, err)
			var project, undoProject, household string
			require.NoError(t, pool.QueryRow(ctx, `SELECT projectid FROM exitflow.enrollment_state WHERE open
				ORDER BY projectid COLLATE "C" LIMIT 1`).Scan(&project))
			admin, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: day("2022-09-30"),
				Method: engine.MethodAdmin, Projects: []string{project}, AllOpen: true}, Actor: "Dana Lee"})
			require.NoError(t, err)
			require.NoError(t, pool.QueryRow(ctx, `SELECT projectid, householdid FROM exitflow.engine_exit WHERE run_id = $1
				ORDER BY projectid COLLATE "C", householdid COLLATE "C" LIMIT 1`, auto.RunID).Scan(&undoProject, &household))
			u, err := engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: household, ProjectID: undoProject, Actor: "Dana Lee"})
			require.NoError(t, err)
			t.Logf("auto exits %d, admin exits %d (project %s), undone %d", auto.Enrollments, admin.Enrollments, project, u.Undone)
			require.Positive(t, auto.Enrollments)
			require.Positive(t, admin.Enrollments)

			r := sampleCheck(t, pool, today(), today().AddDate(0, 0, -1))
			assert.Equal(t, num(auto.Enrollments-u.Undone), value(t, r, "", dqm.ExitsAutoInactivity))
			assert.Equal(t, num(admin.Enrollments), value(t, r, "", dqm.ExitsAdmin))
			assert.Equal(t, num(u.Undone), value(t, r, "", dqm.ExitsUndone))
			// As of 2022-09-30 again (the engine's exits are not in that period), only the undone
			// household is still past its window.
			r = sampleCheck(t, pool, day("2022-09-30"), day("2022-03-31"))
			assert.Equal(t, num(u.Undone), value(t, r, "", dqm.PastWindow))
		})
	}
}
