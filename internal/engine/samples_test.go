package engine_test

// The two shared sample exports (FY2026 and FY2024), imported into a fresh database with a
// 'default' policy that turns auto exit on for every project type (90 days, alert at 80), previewed
// at several as-of dates. Every row is checked against an oracle computed here in Go straight from
// the raw activity tables (not from exitflow.enrollment_state nor the preview SQL): the
// household's last activity (A1–A4, H1), which households are listed and how (H2, H3, AL1, AD1),
// and the exit date (D1–D4).

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/samples"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sampleMember is one enrollment of the oracle.
type sampleMember struct {
	id, project, household string
	entry                  time.Time
	open                   bool
	projectType            int
	rrhSubType             *int
	byBedNight             bool // NbN with benchmark last-bed-night (A4)
	autoDays, alertDays    *int
}

type sampleActivity struct {
	date   time.Time
	source string
}

// sampleRawActivity lists every A1 activity row, straight from the HMIS tables.
const sampleRawActivity = `
SELECT enrollmentid, dateprovided, CASE WHEN recordtype = 200 THEN 'bed-night' ELSE 'service' END FROM hmis.services WHERE datedeleted IS NULL AND dateprovided IS NOT NULL
UNION ALL SELECT enrollmentid, informationdate, 'current-living-situation' FROM hmis.currentlivingsituation WHERE datedeleted IS NULL AND informationdate IS NOT NULL
UNION ALL SELECT enrollmentid, assessmentdate, 'assessment' FROM hmis.assessment WHERE datedeleted IS NULL AND assessmentdate IS NOT NULL
UNION ALL SELECT enrollmentid, eventdate, 'event' FROM hmis.event WHERE datedeleted IS NULL AND eventdate IS NOT NULL
UNION ALL SELECT enrollmentid, resultdate, 'event' FROM hmis.event WHERE datedeleted IS NULL AND resultdate IS NOT NULL
UNION ALL SELECT enrollmentid, informationdate, 'update-assessment' FROM hmis.incomebenefits WHERE datedeleted IS NULL AND informationdate IS NOT NULL AND datacollectionstage IN (2, 5)
UNION ALL SELECT enrollmentid, informationdate, 'update-assessment' FROM hmis.healthanddv WHERE datedeleted IS NULL AND informationdate IS NOT NULL AND datacollectionstage IN (2, 5)
UNION ALL SELECT enrollmentid, informationdate, 'update-assessment' FROM hmis.disabilities WHERE datedeleted IS NULL AND informationdate IS NOT NULL AND datacollectionstage IN (2, 5)
UNION ALL SELECT enrollmentid, informationdate, 'update-assessment' FROM hmis.employmenteducation WHERE datedeleted IS NULL AND informationdate IS NOT NULL AND datacollectionstage IN (2, 5)
UNION ALL SELECT enrollmentid, activitydate, 'custom' FROM hmis.customactivity WHERE datedeleted IS NULL AND activitydate IS NOT NULL`

// sampleExpect is the oracle's row for one open member.
type sampleExpect struct {
	action               string
	la, exitOn, exitDate time.Time
	days                 int
	sources              map[string]bool // sources at the household's last activity date
}

func sampleOracle(t *testing.T, pool *pgxpool.Pool, opt engine.Options) map[string]sampleExpect {
	t.Helper()
	ctx := context.Background()
	T := opt.AsOf
	// Members: enrollments not deleted, entered by T (the preview's view of who exists as of T);
	// open unless a live Exit row exists. The policy comes from the effective_policy view (P1).
	rows, err := pool.Query(ctx, `SELECT e.enrollmentid, e.projectid, e.householdid, e.entrydate,
			NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL),
			p.projecttype, p.rrhsubtype, p.projecttype = 1 AND p.nbn_benchmark = 'last-bed-night', p.auto_exit_days, p.alert_days
		FROM hmis.enrollment e JOIN exitflow.effective_policy p USING (projectid)
		WHERE e.datedeleted IS NULL AND e.entrydate <= $1`, T)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]*sampleMember{}
	for rows.Next() {
		m := &sampleMember{}
		if err := rows.Scan(&m.id, &m.project, &m.household, &m.entry, &m.open, &m.projectType, &m.rrhSubType, &m.byBedNight, &m.autoDays, &m.alertDays); err != nil {
			t.Fatal(err)
		}
		members[m.id] = m
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	acts := map[string][]sampleActivity{}
	rows, err = pool.Query(ctx, sampleRawActivity)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var a sampleActivity
		if err := rows.Scan(&id, &a.date, &a.source); err != nil {
			t.Fatal(err)
		}
		acts[id] = append(acts[id], a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	type hh struct {
		members     []*sampleMember
		la          time.Time
		sources     map[string]bool
		lastBedNite *time.Time
	}
	households := map[string]*hh{}
	for _, m := range members {
		key := m.project + "\x00" + m.household
		h := households[key]
		if h == nil {
			h = &hh{sources: map[string]bool{}}
			households[key] = h
		}
		h.members = append(h.members, m)
		// A1, A2: activity before entry is ignored, the entry date is the baseline; A4: bed nights only.
		note := func(d time.Time, src string) {
			if d.After(h.la) {
				h.la, h.sources = d, map[string]bool{}
			}
			if d.Equal(h.la) {
				h.sources[src] = true
			}
		}
		note(m.entry, engine.SourceEntry)
		for _, a := range acts[m.id] {
			if a.date.Before(m.entry) || (m.byBedNight && a.source != engine.SourceBedNight) {
				continue
			}
			note(a.date, a.source)
			if m.byBedNight && (h.lastBedNite == nil || a.date.After(*h.lastBedNite)) {
				d := a.date
				h.lastBedNite = &d
			}
		}
	}
	out := map[string]sampleExpect{}
	for _, h := range households {
		var open []*sampleMember
		for _, m := range h.members {
			if m.open {
				open = append(open, m)
			}
		}
		if len(open) == 0 {
			continue // H3
		}
		p := open[0]
		days := int(T.Sub(h.la).Hours() / 24)
		var action string
		switch {
		case opt.Method == engine.MethodAdmin:
			window := p.autoDays
			if opt.WindowDays > 0 {
				window = &opt.WindowDays
			}
			if opt.AllOpen || (window != nil && days >= *window) {
				action = engine.ActionExit
			}
		case p.autoDays != nil && days >= *p.autoDays:
			action = engine.ActionExit
		case p.autoDays != nil && p.alertDays != nil && days >= *p.alertDays:
			action = engine.ActionAlert
		}
		if action == "" {
			continue
		}
		// D1, D2: the last activity, or the day after the last bed night.
		exit := h.la
		if p.byBedNight && h.lastBedNite != nil {
			exit = h.lastBedNite.AddDate(0, 0, 1)
		}
		// D4: never before the entry of a member being exited.
		for _, m := range open {
			if m.entry.After(exit) {
				exit = m.entry
			}
		}
		// D3: no same-day exits, but in SSO, Other, Day Shelter, HP, CE and RRH services-only.
		d3 := map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true, 8: true, 9: true, 10: true, 13: true}[p.projectType] &&
			!(p.projectType == 13 && p.rrhSubType != nil && *p.rrhSubType == 1)
		if d3 {
			for _, m := range open {
				if m.entry.Equal(exit) {
					exit = exit.AddDate(0, 0, 1)
					break
				}
			}
		}
		if exit.After(T) { // D4: never after T
			exit = T
		}
		on := T
		if action == engine.ActionAlert {
			on = h.la.AddDate(0, 0, *p.autoDays) // AL1
		}
		for _, m := range open {
			out[m.id] = sampleExpect{action: action, la: h.la, exitOn: on, exitDate: exit, days: days, sources: h.sources}
		}
	}
	return out
}

func sampleCheck(t *testing.T, pool *pgxpool.Pool, opt engine.Options) (exits, alerts int) {
	t.Helper()
	want := sampleOracle(t, pool, opt)
	got := rulesCandidates(t, pool, opt) // also checks D4, H2, H3 and the order on every row
	seen := map[string]bool{}
	bad := 0
	for _, r := range got {
		seen[r.EnrollmentID] = true
		w, ok := want[r.EnrollmentID]
		ds := func(d time.Time) string { return d.Format(time.DateOnly) }
		switch {
		case !ok:
			t.Errorf("%s: listed, but the oracle lists nothing for it: %s", r.EnrollmentID, rulesLine(r))
			bad++
		case r.Action != w.action || !r.LastActivityDate.Equal(w.la) || r.DaysInactive != w.days || !r.ExitOn.Equal(w.exitOn) || !r.ExitDate.Equal(w.exitDate):
			t.Errorf("%s:\n got  %s\n want %s la=%s days=%d on=%s exit=%s", r.EnrollmentID, rulesLine(r), w.action, ds(w.la), w.days, ds(w.exitOn), ds(w.exitDate))
			bad++
		case !w.sources[r.LastActivitySource] || (r.LastActivitySource == engine.SourceEntry && len(w.sources) > 1):
			t.Errorf("%s: source %s, but the household's activity on %s is %v", r.EnrollmentID, r.LastActivitySource, ds(w.la), w.sources)
			bad++
		}
		if r.Action == engine.ActionExit {
			exits++
		} else {
			alerts++
		}
		if bad > 20 {
			t.Fatalf("too many differences")
		}
	}
	var missing []string
	for id := range want {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		if len(missing) > 20 {
			missing = append(missing[:20], "…")
		}
		t.Errorf("%d enrollments the oracle lists are missing: %v", len(missing), missing)
	}
	return exits, alerts
}

func TestSamples_PreviewAgreesWithRawActivity(t *testing.T) {
	t.Parallel()
	for _, name := range []string{samples.FY2026, samples.FY2024} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pool, _ := importDB(t, samples.Dir(t, name))
			ctx := context.Background()
			// Auto exit on for every project type (NbN included: FY2024's project 93), 90/80 days.
			rulesPolicy(t, pool, "default", "", 90, 80, "last-bed-night", "")
			var nbn int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM hmis.enrollment e JOIN hmis.project p USING (projectid)
				WHERE p.projecttype = 1 AND e.datedeleted IS NULL`).Scan(&nbn); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d NbN enrollments", name, nbn)
			for _, d := range []string{"2021-12-31", "2022-09-30", "2023-06-30"} {
				for _, opt := range []engine.Options{
					{Method: engine.MethodAuto},
					{Method: engine.MethodAdmin, WindowDays: 30},
					{Method: engine.MethodAdmin, AllOpen: true},
				} {
					opt.AsOf = repDay(d)
					t.Run(fmt.Sprintf("%s/%s/window%d/all%v", d, opt.Method, opt.WindowDays, opt.AllOpen), func(t *testing.T) {
						exits, alerts := sampleCheck(t, pool, opt)
						t.Logf("exits %d, alerts %d", exits, alerts)
					})
				}
			}
			// The NbN benchmark last-activity (A4) on the same data.
			if _, err := pool.Exec(ctx, `UPDATE exitflow.policy SET nbn_benchmark = 'last-activity'`); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{"2022-09-30", "2023-06-30"} {
				t.Run(d+"/last-activity", func(t *testing.T) { sampleCheck(t, pool, engine.Options{AsOf: repDay(d), Method: engine.MethodAuto}) })
			}
		})
	}
}
