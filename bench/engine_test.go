package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// benchAsOf is the generation date of data(): the preview runs as of it.
var benchAsOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// engineDB returns a pool on a database holding the generated CoC of data(), kept between runs
// (importing the full size takes minutes): exitflow_bench_engine_<households>. It is re-created
// when it is missing, when it was loaded from another export (a stamp table records the export's
// path, size and time), or when migrating it fails. New migrations are applied to it; then
// VACUUM ANALYZE, the state autovacuum reaches some minutes after an import.
func engineDB(b *testing.B, exe, dir string) (string, *pgxpool.Pool) {
	b.Helper()
	ctx := context.Background()
	u, err := url.Parse(testdb.ServerURL())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = fmt.Sprintf("/exitflow_bench_engine_%d", households())
	dbURL := u.String()
	fi, err := os.Stat(filepath.Join(dir, "Export.csv"))
	if err != nil {
		b.Fatal(err)
	}
	stamp := fmt.Sprintf("%s %d %d", dir, fi.Size(), fi.ModTime().Unix())

	open := func() (*pgxpool.Pool, string, error) {
		if _, err := store.EnsureDatabase(ctx, dbURL); err != nil {
			return nil, "", err
		}
		pool, err := store.Open(ctx, dbURL)
		if err != nil {
			return nil, "", err
		}
		applied, err := store.Migrate(ctx, pool, nil)
		if err != nil {
			return pool, "", err
		}
		var have string
		_ = pool.QueryRow(ctx, "SELECT stamp FROM public.exitflow_bench_stamp").Scan(&have)
		if have == stamp && applied > 0 {
			// A new migration may change the enrollment state: rebuild it as an import would.
			tx, err := pool.Begin(ctx)
			if err == nil {
				_, err = engine.RefreshState(ctx, tx, "")
			}
			if err == nil {
				err = tx.Commit(ctx)
			}
			if err == nil {
				_, err = pool.Exec(ctx, "VACUUM ANALYZE")
			}
			if err != nil {
				return pool, "", err
			}
		}
		return pool, have, nil
	}
	pool, have, err := open()
	if err == nil && have == stamp {
		b.Logf("database %s: reused (%s)", u.Path[1:], stamp)
		return dbURL, pool
	}
	if pool != nil {
		pool.Close()
	}
	b.Logf("database %s: (re)loading %s (stale or missing: %v)", u.Path[1:], dir, err)
	admin, err := pgx.Connect(ctx, testdb.ServerURL())
	if err != nil {
		b.Fatal(err)
	}
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{u.Path[1:]}.Sanitize()+" WITH (FORCE)")
	admin.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if pool, _, err = open(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	run(b, exe, []string{"EXITFLOW_DATABASE_URL=" + dbURL}, "import", dir)
	b.Logf("imported in %.0f s", time.Since(start).Seconds())
	for _, sql := range []string{"VACUUM ANALYZE", "CREATE TABLE public.exitflow_bench_stamp (stamp text)"} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, "INSERT INTO public.exitflow_bench_stamp VALUES ($1)", stamp); err != nil {
		b.Fatal(err)
	}
	return dbURL, pool
}

// exitKey is what must agree between the engine and a contender: which enrollments are exited or
// alerted on, with which household last activity, days inactive, exit-on and exit date.
type exitKey struct {
	Action, ProjectID, HouseholdID, EnrollmentID string
	LastActivity                                 string
	Days                                         int
	ExitOn, ExitDate                             string
}

func (k exitKey) String() string {
	return fmt.Sprintf("%s %s/%s/%s la=%s days=%d exit_on=%s exit_date=%s", k.Action, k.ProjectID, k.HouseholdID, k.EnrollmentID,
		k.LastActivity, k.Days, k.ExitOn, k.ExitDate)
}

func enginePreview(b *testing.B, pool *pgxpool.Pool) []exitKey {
	var out []exitKey
	err := engine.Candidates(context.Background(), pool, engine.Options{AsOf: benchAsOf, Method: engine.MethodAuto}, func(r engine.Row) error {
		out = append(out, exitKey{r.Action, r.ProjectID, r.HouseholdID, r.EnrollmentID, r.LastActivityDate.Format(time.DateOnly),
			r.DaysInactive, r.ExitOn.Format(time.DateOnly), r.ExitDate.Format(time.DateOnly)})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// rawActivitySQL is each member's latest activity straight from the HMIS tables (SPEC A1, A4),
// as one expression per enrollment: every source's max() is a backward index scan on
// (enrollmentid, date) where such an index exists. {e} is the enrollment row.
const rawActivitySQL = `
CASE WHEN {by_bed_night} THEN
    (SELECT max(s.dateprovided) FROM hmis.services s WHERE s.enrollmentid = {e}.enrollmentid AND s.recordtype = 200 AND s.datedeleted IS NULL)
ELSE greatest(
    (SELECT max(s.dateprovided) FROM hmis.services s WHERE s.enrollmentid = {e}.enrollmentid AND s.datedeleted IS NULL),
    (SELECT max(c.informationdate) FROM hmis.currentlivingsituation c WHERE c.enrollmentid = {e}.enrollmentid AND c.datedeleted IS NULL),
    (SELECT max(a.assessmentdate) FROM hmis.assessment a WHERE a.enrollmentid = {e}.enrollmentid AND a.datedeleted IS NULL),
    (SELECT max(greatest(v.eventdate, v.resultdate)) FROM hmis.event v WHERE v.enrollmentid = {e}.enrollmentid AND v.datedeleted IS NULL),
    (SELECT max(i.informationdate) FROM hmis.incomebenefits i WHERE i.enrollmentid = {e}.enrollmentid AND i.datacollectionstage IN (2, 5) AND i.datedeleted IS NULL),
    (SELECT max(h.informationdate) FROM hmis.healthanddv h WHERE h.enrollmentid = {e}.enrollmentid AND h.datacollectionstage IN (2, 5) AND h.datedeleted IS NULL),
    (SELECT max(d.informationdate) FROM hmis.disabilities d WHERE d.enrollmentid = {e}.enrollmentid AND d.datacollectionstage IN (2, 5) AND d.datedeleted IS NULL),
    (SELECT max(m.informationdate) FROM hmis.employmenteducation m WHERE m.enrollmentid = {e}.enrollmentid AND m.datacollectionstage IN (2, 5) AND m.datedeleted IS NULL),
    (SELECT max(c.activitydate) FROM hmis.customactivity c WHERE c.enrollmentid = {e}.enrollmentid AND c.datedeleted IS NULL))
END`

// rawPreviewSQL is the hand-written query for the auto-exit list without the enrollment state:
// the same rules as candidatesSQL (policy P1, P2; households H1–H3; dates D1–D4; alerts AL1) with
// each member's activity read from the raw tables, in one of two ways (rawQueries): {act} {with}
// {join} are filled in. $1 as-of.
var rawPreviewSQL = `
WITH pol AS (SELECT * FROM exitflow.effective_policy WHERE auto_exit_days IS NOT NULL),{with}
member AS (
    SELECT e.enrollmentid, e.projectid, e.householdid, e.entrydate, x.enrollmentid IS NULL AS open,
           (pol.projecttype = 1 AND pol.nbn_benchmark = 'last-bed-night') AS by_bed_night,
           {act} AS act
    FROM pol
    JOIN hmis.enrollment e ON e.projectid = pol.projectid AND e.datedeleted IS NULL AND e.entrydate <= $1
    LEFT JOIN hmis.exit x ON x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL{join}
),
household AS (
    SELECT projectid, householdid, max(greatest(entrydate, act)) AS la, -- A1, A2: never before the entry date
           max(act) FILTER (WHERE by_bed_night AND act >= entrydate) AS last_bed_night, bool_or(by_bed_night) AS by_bed_night,
           max(entrydate) FILTER (WHERE open) AS last_open_entry, array_agg(entrydate) FILTER (WHERE open) AS open_entries
    FROM member GROUP BY projectid, householdid HAVING bool_or(open)
),
decided AS (
    SELECT h.*, pol.projecttype, pol.rrhsubtype, pol.auto_exit_days, pol.alert_days, $1::date - h.la AS days,
           greatest(CASE WHEN h.by_bed_night AND h.last_bed_night IS NOT NULL THEN h.last_bed_night + 1 ELSE h.la END, h.last_open_entry) AS base_date
    FROM household h JOIN pol USING (projectid)
),
dated AS (
    SELECT d.*,
           CASE WHEN d.days >= d.auto_exit_days THEN 'exit' WHEN d.alert_days IS NOT NULL AND d.days >= d.alert_days THEN 'alert' END AS action,
           least($1::date, CASE WHEN d.projecttype IN (0, 1, 2, 3, 4, 8, 9, 10, 13)
                                 AND NOT (d.projecttype = 13 AND d.rrhsubtype IS NOT DISTINCT FROM 1)
                                 AND d.base_date = ANY (d.open_entries)
                                THEN d.base_date + 1 ELSE d.base_date END) AS exit_date
    FROM decided d
)
SELECT d.action, m.projectid, m.householdid, m.enrollmentid, d.la, d.days,
       CASE WHEN d.action = 'exit' THEN $1::date ELSE d.la + d.auto_exit_days END, d.exit_date
FROM dated d JOIN member m ON m.projectid = d.projectid AND m.householdid = d.householdid AND m.open
WHERE d.action IS NOT NULL
ORDER BY m.projectid COLLATE "C", m.householdid COLLATE "C", m.enrollmentid COLLATE "C"`

func scanKeys(b *testing.B, rows pgx.Rows) []exitKey {
	var out []exitKey
	for rows.Next() {
		var k exitKey
		var la, exitOn, exitDate time.Time
		if err := rows.Scan(&k.Action, &k.ProjectID, &k.HouseholdID, &k.EnrollmentID, &la, &k.Days, &exitOn, &exitDate); err != nil {
			b.Fatal(err)
		}
		k.LastActivity, k.ExitOn, k.ExitDate = la.Format(time.DateOnly), exitOn.Format(time.DateOnly), exitDate.Format(time.DateOnly)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// rawQueries are the two best single queries we wrote over the raw tables: "index" reads each
// member's latest activity of each source by a backward index scan (only the members of auto-exit
// projects are touched); "set" aggregates every activity table once (hash aggregates, the way the
// summary itself is built) and joins the members. The faster one is the contender.
var rawQueries = map[string]string{
	"index": strings.NewReplacer("{with}", "", "{join}", "",
		"{act}", strings.NewReplacer("{e}", "e", "{by_bed_night}", "(pol.projecttype = 1 AND pol.nbn_benchmark = 'last-bed-night')").Replace(rawActivitySQL)).Replace(rawPreviewSQL),
	"set": strings.NewReplacer("{with}", rawSetActivitySQL, "{join}", "\n    LEFT JOIN act ON act.enrollmentid = e.enrollmentid",
		"{act}", "CASE WHEN pol.projecttype = 1 AND pol.nbn_benchmark = 'last-bed-night' THEN act.last_bed_night ELSE act.last_date END").Replace(rawPreviewSQL),
}

// rawSetActivitySQL: every member's latest activity and bed night (SPEC A1, A4), set-based.
const rawSetActivitySQL = `
act AS (
    SELECT enrollmentid, max(d) AS last_date, max(d) FILTER (WHERE bed) AS last_bed_night FROM (
        SELECT enrollmentid, dateprovided AS d, recordtype = 200 AS bed FROM hmis.services WHERE datedeleted IS NULL
        UNION ALL SELECT enrollmentid, informationdate, false FROM hmis.currentlivingsituation WHERE datedeleted IS NULL
        UNION ALL SELECT enrollmentid, assessmentdate, false FROM hmis.assessment WHERE datedeleted IS NULL
        UNION ALL SELECT enrollmentid, greatest(eventdate, resultdate), false FROM hmis.event WHERE datedeleted IS NULL
        UNION ALL SELECT enrollmentid, informationdate, false FROM hmis.incomebenefits WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL
        UNION ALL SELECT enrollmentid, informationdate, false FROM hmis.healthanddv WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL
        UNION ALL SELECT enrollmentid, informationdate, false FROM hmis.disabilities WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL
        UNION ALL SELECT enrollmentid, informationdate, false FROM hmis.employmenteducation WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL
        UNION ALL SELECT enrollmentid, activitydate, false FROM hmis.customactivity WHERE datedeleted IS NULL
    ) u
    WHERE enrollmentid IN (SELECT e.enrollmentid FROM pol JOIN hmis.enrollment e ON e.projectid = pol.projectid AND e.datedeleted IS NULL)
    GROUP BY enrollmentid
),`

func rawPreview(b *testing.B, pool *pgxpool.Pool, sql string) []exitKey {
	rows, err := pool.Query(context.Background(), sql, benchAsOf)
	if err != nil {
		b.Fatal(err)
	}
	return scanKeys(b, rows)
}

// sameList fails the benchmark unless both lists are identical.
func sameList(b *testing.B, what string, want, got []exitKey) {
	b.Helper()
	if slices.Equal(want, got) {
		return
	}
	for i := 0; i < min(len(want), len(got)); i++ {
		if want[i] != got[i] {
			b.Fatalf("%s differs from engine.Candidates at row %d of %d/%d:\n engine: %v\n %s: %v", what, i, len(want), len(got), want[i], what, got[i])
		}
	}
	b.Fatalf("%s: %d rows, engine.Candidates %d", what, len(got), len(want))
}

// best runs f reps times after one untimed warm-up and returns the fastest run's seconds.
func best(reps int, f func()) float64 {
	f()
	s := 0.0
	for i := 0; i < reps; i++ {
		start := time.Now()
		f()
		if d := time.Since(start).Seconds(); i == 0 || d < s {
			s = d
		}
	}
	return s
}

// openAutoHouseholds lists the households with an open member in projects with auto exit on: what
// a per-household implementation loops over.
const openAutoHouseholdsSQL = `
SELECT DISTINCT e.projectid, e.householdid
FROM exitflow.effective_policy pol
JOIN hmis.enrollment e ON e.projectid = pol.projectid AND e.datedeleted IS NULL AND e.entrydate <= $1
WHERE pol.auto_exit_days IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)`

// householdActivitySQL is the per-household query: the household's last activity (SPEC H1) from
// the raw tables, every member, open or exited (no night-by-night project has auto exit on under
// the built-in policies, so bed nights need no special case here).
var householdActivitySQL = `
SELECT max(greatest(e.entrydate, ` + strings.NewReplacer("{e}", "e", "{by_bed_night}", "false").Replace(rawActivitySQL) + `))
FROM hmis.enrollment e WHERE e.projectid = $1 AND e.householdid = $2 AND e.datedeleted IS NULL AND e.entrydate <= $3`

// openPathProjectSQL is Open Path HMIS's per-project load (greenriver/hmis-warehouse,
// drivers/hmis/app/jobs/hmis/auto_exit_job.rb: project.households.active.preload(:enrollments)):
// every enrollment, open or exited, of the project's households with an open member. $1 project,
// $2 as-of.
const openPathProjectSQL = `
SELECT e.householdid, e.enrollmentid, e.entrydate FROM hmis.enrollment e
WHERE e.projectid = $1 AND e.datedeleted IS NULL AND e.householdid IN (
    SELECT o.householdid FROM hmis.enrollment o
    WHERE o.projectid = $1 AND o.datedeleted IS NULL AND o.entrydate <= $2
      AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = o.enrollmentid AND x.datedeleted IS NULL))
ORDER BY e.householdid, e.enrollmentid`

// openPathMemberSQL are Open Path's per-enrollment "latest record" queries (get_most_recent_contact:
// enrollment.services / custom_services / current_living_situations / custom_assessments
// .order(date).last, which ActiveRecord sends as SELECT * … ORDER BY date DESC LIMIT 1), mapped to
// the HMIS CSV tables here: Services, CustomActivity, CurrentLivingSituation, Assessment. A
// night-by-night shelter by bed nights asks only for the latest bed night.
var openPathMemberSQL = []string{
	`SELECT * FROM hmis.services WHERE enrollmentid = $1 AND datedeleted IS NULL AND dateprovided IS NOT NULL ORDER BY dateprovided DESC LIMIT 1`,
	`SELECT * FROM hmis.customactivity WHERE enrollmentid = $1 AND datedeleted IS NULL ORDER BY activitydate DESC LIMIT 1`,
	`SELECT * FROM hmis.currentlivingsituation WHERE enrollmentid = $1 AND datedeleted IS NULL ORDER BY informationdate DESC LIMIT 1`,
	`SELECT * FROM hmis.assessment WHERE enrollmentid = $1 AND datedeleted IS NULL ORDER BY assessmentdate DESC LIMIT 1`,
}

const openPathBedNightSQL = `SELECT * FROM hmis.services WHERE enrollmentid = $1 AND recordtype = 200 AND datedeleted IS NULL AND dateprovided IS NOT NULL ORDER BY dateprovided DESC LIMIT 1`

// openPathLoop measures Open Path HMIS's auto-exit read path (SPEC-independent: it checks fewer
// activity sources than exitflow, which favours it): one load per auto-exit project, then for a
// random sample of households one "latest record" query per member and activity table (4N round
// trips for N members; N for a night-by-night shelter by bed nights), the newest picked in Go. It
// returns the households, the seconds of the project loads, the seconds per household and the
// round trips per household of the sample.
func openPathLoop(b *testing.B, ctx context.Context, pool *pgxpool.Pool, sample int) (households int, load, perHH, trips float64) {
	type project struct {
		id         string
		byBedNight bool
	}
	var projects []project
	rows, err := pool.Query(ctx, `SELECT projectid, projecttype = 1 AND nbn_benchmark = 'last-bed-night'
		FROM exitflow.effective_policy WHERE auto_exit_days IS NOT NULL ORDER BY projectid`)
	if err != nil {
		b.Fatal(err)
	}
	var p project
	if _, err := pgx.ForEachRow(rows, []any{&p.id, &p.byBedNight}, func() error { projects = append(projects, p); return nil }); err != nil {
		b.Fatal(err)
	}
	type household struct {
		byBedNight bool
		members    []string
	}
	var all []household
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	start := time.Now()
	for _, p := range projects {
		rows, err := conn.Query(ctx, openPathProjectSQL, p.id, benchAsOf)
		if err != nil {
			b.Fatal(err)
		}
		var hh, enr, last string
		var entry time.Time
		if _, err := pgx.ForEachRow(rows, []any{&hh, &enr, &entry}, func() error {
			if hh != last || len(all) == 0 {
				all = append(all, household{byBedNight: p.byBedNight})
				last = hh
			}
			all[len(all)-1].members = append(all[len(all)-1].members, enr)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	load = time.Since(start).Seconds()
	sample = min(sample, len(all))
	r := rand.New(rand.NewPCG(11, 11))
	picked := r.Perm(len(all))[:sample]
	queries := 0
	start = time.Now()
	for _, i := range picked {
		h := all[i]
		var newest time.Time
		for _, enr := range h.members {
			sqls := openPathMemberSQL
			if h.byBedNight {
				sqls = []string{openPathBedNightSQL}
			}
			for _, sql := range sqls {
				rows, err := conn.Query(ctx, sql, enr)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() { // the whole record, as ActiveRecord loads it
					vals, err := rows.Values()
					if err != nil {
						b.Fatal(err)
					}
					for _, v := range vals {
						if t, ok := v.(time.Time); ok && t.After(newest) {
							newest = t
						}
					}
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				queries++
			}
		}
	}
	loop := time.Since(start).Seconds()
	return len(all), load, loop / float64(max(sample, 1)), float64(queries) / float64(max(sample, 1))
}

// BenchmarkPreview: the auto-exit preview of a whole generated CoC (as of its generation date,
// built-in policies: Services Only, Other and Street Outreach on) by engine.Candidates over the
// enrollment state, against (a) the best single hand-written query over the raw activity tables
// (the lists must be identical) and a full rebuild of the summary (rolled back), (b) a
// per-household loop the way Open Path HMIS does it (one query per open household, measured on a
// sample and extrapolated linearly), and (d) the peak memory of `exitflow preview`. Targets:
// preview < 2 s; rebuild within 1.5× of the raw query; ≥ 100× the per-household loop.
func BenchmarkPreview(b *testing.B) {
	exe := binary(b)
	dir := data(b, exe)
	dbURL, pool := engineDB(b, exe, dir)
	ctx := context.Background()
	var enrollments, activity int64
	_ = pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM hmis.enrollment), (SELECT count(*) FROM exitflow.enrollment_state WHERE last_date IS NOT NULL)").Scan(&enrollments, &activity)
	b.Logf("data: %s: %d enrollments, %d with activity in the enrollment state; as of %s", dir, enrollments, activity, benchAsOf.Format(time.DateOnly))
	const reps = 3
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// (a) engine.Candidates vs the raw query: identical lists, then the best of 3 timed runs each.
		want := enginePreview(b, pool)
		for name, sql := range rawQueries {
			sameList(b, "raw query ("+name+")", want, rawPreview(b, pool, sql))
		}
		exits := 0
		for _, k := range want {
			if k.Action == engine.ActionExit {
				exits++
			}
		}
		eng := best(reps, func() { enginePreview(b, pool) })
		raws := map[string]float64{}
		raw, rawName := 0.0, ""
		for name, sql := range rawQueries {
			raws[name] = best(reps, func() { rawPreview(b, pool, sql) })
			if rawName == "" || raws[name] < raw {
				raw, rawName = raws[name], name
			}
		}
		rebuild := best(reps, func() {
			tx, err := pool.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			if _, err := engine.RefreshState(ctx, tx, ""); err != nil {
				b.Fatal(err)
			}
		})

		// The candidate-project report (SPEC Q4) over the same CoC: every open enrollment of every project.
		report := best(1, func() {
			if _, err := engine.CandidateReport(ctx, pool, engine.ReportOptions{AsOf: benchAsOf}); err != nil {
				b.Fatal(err)
			}
		})

		// (b) per household: list the open households of auto-exit projects, then one query each
		// for a random sample, extrapolated linearly to all of them.
		start := time.Now()
		rows, err := pool.Query(ctx, openAutoHouseholdsSQL, benchAsOf)
		if err != nil {
			b.Fatal(err)
		}
		type hh struct{ project, household string }
		var all []hh
		var h hh
		if _, err := pgx.ForEachRow(rows, []any{&h.project, &h.household}, func() error { all = append(all, h); return nil }); err != nil {
			b.Fatal(err)
		}
		list := time.Since(start).Seconds()
		sample := min(2000, len(all))
		r := rand.New(rand.NewPCG(7, 7))
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		conn, err := pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, x := range all[:sample] {
			var la *time.Time
			if err := conn.QueryRow(ctx, householdActivitySQL, x.project, x.household, benchAsOf).Scan(&la); err != nil {
				b.Fatal(err)
			}
		}
		loop := time.Since(start).Seconds()
		conn.Release()
		perHH := loop / float64(max(sample, 1))
		loopAll := list + perHH*float64(len(all))
		// (b) the Open Path way: per project, then per member and activity table.
		opHouseholds, opLoad, opPerHH, opTrips := openPathLoop(b, ctx, pool, sample)
		opAll := opLoad + opPerHH*float64(opHouseholds)

		// (d) peak memory of the CLI preview (streams every row to stdout).
		m := peak(b, exe, []string{"EXITFLOW_DATABASE_URL=" + dbURL}, "preview", "--as-of", benchAsOf.Format(time.DateOnly), "--format", "csv")

		b.ReportMetric(eng, "preview-s")
		b.ReportMetric(raw, "raw-query-s")
		b.ReportMetric(raws["index"], "raw-index-s")
		b.ReportMetric(raws["set"], "raw-set-s")
		b.ReportMetric(raw/eng, "raw/preview")
		b.ReportMetric(rebuild, "rebuild-summary-s")
		b.ReportMetric(rebuild/raw, "rebuild/raw")
		b.ReportMetric(loopAll, "per-household-s")
		b.ReportMetric(loopAll/eng, "per-household/preview")
		b.ReportMetric(opAll, "open-path-loop-s")
		b.ReportMetric(opAll/eng, "open-path-loop/preview")
		b.ReportMetric(m.seconds, "cli-preview-s")
		b.ReportMetric(float64(m.maxRSS)/1024, "cli-preview-MiB")
		b.ReportMetric(float64(len(want)), "rows")
		b.ReportMetric(report, "report-candidates-s")
		b.Logf("preview: %d rows (%d exits, %d alerts); engine.Candidates %.2f s (target < 2 s); raw-table query %.2f s (%.1f× the preview); "+
			"enrollment state rebuild %.2f s (%.2f× the raw query, target ≤ 1.5×); raw queries: index %.2f s, set %.2f s (best: %s)",
			len(want), exits, len(want)-exits, eng, raw, raw/eng, rebuild, rebuild/raw, raws["index"], raws["set"], rawName)
		b.Logf("per household: %d open households in auto-exit projects listed in %.2f s; %d sampled at %.2f ms each; extrapolated linearly to all: %.0f s = %.0f× the preview (target ≥ 100×)",
			len(all), list, sample, perHH*1000, loopAll, loopAll/eng)
		b.Logf("the Open Path way: %d open households of auto-exit projects loaded project by project in %.2f s; %d sampled at %.2f ms each (%.1f round trips a household); extrapolated linearly to all: %.0f s = %.0f× the preview (target ≥ 100×)",
			opHouseholds, opLoad, sample, opPerHH*1000, opTrips, opAll, opAll/eng)
		b.Logf("candidate-project report (every project, every open enrollment): %.2f s", report)
		b.Logf("exitflow preview --format csv (a process): %.2f s, peak RSS %d MiB; best of %d runs after a warm-up; %d CPUs; others may be using the machine",
			m.seconds, m.maxRSS/1024, reps, runtime.NumCPU())
	}
}

// peak runs the CLI under /usr/bin/time to read its peak RSS. The rusage of a child started from
// this (Go, vfork-like) process counts this process's own peak RSS too (Linux carries the old
// mm's high-water mark over exec), so run()'s maxRSS would report the benchmark's memory, not the
// CLI's; /usr/bin/time forks from a small C process. Without it, run()'s figure (an upper bound).
func peak(b *testing.B, exe string, env []string, args ...string) measured {
	b.Helper()
	tm, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Logf("no /usr/bin/time: peak RSS is an upper bound (includes the benchmark's own)")
		return run(b, exe, env, args...)
	}
	cmd := exec.Command(tm, append([]string{"-f", "maxrss=%M", exe}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", exe, strings.Join(args, " "), err, stderr.String())
	}
	m := measured{seconds: time.Since(start).Seconds()}
	i := strings.LastIndex(stderr.String(), "maxrss=")
	if i < 0 {
		b.Fatalf("/usr/bin/time printed no maxrss: %s", stderr.String())
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(stderr.String()[i+len("maxrss="):]), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	m.maxRSS = kib
	return m
}

// BenchmarkExitsPerSecond: `exitflow exits run --method admin --all-open` over the projects that
// hold the first ≈100,000 households with an open enrollment (SPEC F3 records, batches, idempotency
// guards and all), timed as a process. The phases come from exitflow.exit_run (list snapshot, then
// the batches). Target: ≥ 50,000 enrollments/s. The exits are removed again afterwards, so the
// kept benchmark database is unchanged.
func BenchmarkExitsPerSecond(b *testing.B) {
	exe := binary(b)
	dir := data(b, exe)
	dbURL, pool := engineDB(b, exe, dir)
	ctx := context.Background()
	var projects []string
	rows, err := pool.Query(ctx, `
		WITH o AS (
			SELECT e.projectid, count(DISTINCT e.householdid) AS hh FROM hmis.enrollment e
			WHERE e.datedeleted IS NULL AND e.entrydate <= '2026-11-01'
			  AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)
			GROUP BY 1),
		c AS (SELECT projectid, hh, sum(hh) OVER (ORDER BY projectid COLLATE "C") AS cum FROM o)
		SELECT projectid FROM c WHERE cum - hh < 100000 ORDER BY projectid COLLATE "C"`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		projects = append(projects, id)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	cleanup := func() {
		for _, q := range []string{
			"DELETE FROM exitflow.exit_run_batch", "DELETE FROM exitflow.exit_run_candidate", "DELETE FROM exitflow.exit_run",
			"DELETE FROM hmis.exit WHERE userid = 'exitflow'", "DELETE FROM exitflow.audit WHERE action IN ('exit-run', 'undo')",
			// as autovacuum would, and no run pays for the previous one's writes
			"VACUUM ANALYZE hmis.exit", "VACUUM ANALYZE exitflow.exit_run_candidate", "VACUUM ANALYZE exitflow.enrollment_state", "CHECKPOINT",
		} {
			if _, err := pool.Exec(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	cleanup()
	defer cleanup()
	args := []string{"exits", "run", "--method", "admin", "--all-open", "--as-of", "2026-11-01", "--actor", "bench", "--yes"}
	for _, p := range projects {
		args = append(args, "--project", p)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := peak(b, exe, []string{"EXITFLOW_DATABASE_URL=" + dbURL}, args...)
		var hh, enr int
		var snapshot, write float64
		if err := pool.QueryRow(ctx, `SELECT households, enrollments, extract(epoch FROM snapshot_at - started_at),
				extract(epoch FROM finished_at - snapshot_at) FROM exitflow.exit_run ORDER BY id DESC LIMIT 1`).Scan(&hh, &enr, &snapshot, &write); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(enr)/m.seconds, "enrollments/s")
		b.ReportMetric(float64(enr)/write, "write-phase-enrollments/s")
		b.ReportMetric(float64(hh), "households")
		b.ReportMetric(float64(m.maxRSS)/1024, "exitflow-MiB")
		b.Logf("exits run: %d households, %d enrollments in %.2f s (list %.2f s, writing %.2f s): %.0f enrollments/s overall, %.0f in the write phase; peak RSS %d MiB",
			hh, enr, m.seconds, snapshot, write, float64(enr)/m.seconds, float64(enr)/write, m.maxRSS/1024)
		b.StopTimer()
		cleanup()
		b.StartTimer()
	}
	b.StopTimer()
	// The runs' exits and their deletion went through the Exit triggers: the enrollment state
	// must still agree with the HMIS tables, row for row.
	if n, err := engine.StateMismatches(ctx, pool); err != nil || n != 0 {
		b.Fatalf("enrollment state after the runs: %d rows disagree with hmis (%v)", n, err)
	}
}
