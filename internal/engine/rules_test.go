package engine_test

// One test per SPEC rule of sections 4–9 (A1–A4, H1–H4, D1–D4, F1–F2, AL1, AD1–AD2), each built
// from a small hand-written HMIS CSV export under testdata/rules/<case>/ (see its README.md for
// every household) imported with the real importer into a fresh database, and asserting the exact
// rows engine.Candidates returns.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rulesAsOf is the as-of date T of every rules test unless said otherwise.
var rulesAsOf = rulesDay("2024-06-30")

func rulesDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// load imports testdata/rules/<name> (then each of more, in order) into a fresh database.
func rulesLoad(t *testing.T, name string, more ...string) *pgxpool.Pool {
	t.Helper()
	_, pool := testdb.New(t)
	for _, n := range append([]string{name}, more...) {
		res, err := importer.Run(context.Background(), pool, filepath.Join("testdata", "rules", n), importer.Options{})
		if err != nil {
			var errs []string
			if res != nil {
				for _, p := range res.Errors {
					errs = append(errs, fmt.Sprintf("%+v", p))
				}
			}
			t.Fatalf("importing %s: %v\n%s", n, err, strings.Join(errs, "\n"))
		}
	}
	return pool
}

// policy inserts an exitflow.policy row; alert 0 is NULL (no alert), defaults "" is '{}'.
func rulesPolicy(t *testing.T, pool *pgxpool.Pool, scope, id string, auto, alert int, benchmark, defaults string) {
	t.Helper()
	var a any
	if alert > 0 {
		a = alert
	}
	if defaults == "" {
		defaults = "{}"
	}
	if benchmark == "" {
		benchmark = "last-bed-night"
	}
	if _, err := pool.Exec(context.Background(), `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'test')`, scope, id, auto, a, benchmark, defaults); err != nil {
		t.Fatal(err)
	}
}

func rulesCandidates(t *testing.T, pool *pgxpool.Pool, opt engine.Options) []engine.Row {
	t.Helper()
	if opt.AsOf.IsZero() {
		opt.AsOf = rulesAsOf
	}
	var rows []engine.Row
	if err := engine.Candidates(context.Background(), pool, opt, func(r engine.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rulesInvariants(t, pool, opt, rows)
	return rows
}

// line is the compact, exact form of one row compared by the tests:
// action project/household/enrollment la=date(source) days=N on=ExitOn exit=ExitDate dest=D/subsidy.
func rulesLine(r engine.Row) string {
	sub := "-"
	if r.DestinationSubsidyType != nil {
		sub = fmt.Sprint(*r.DestinationSubsidyType)
	}
	return fmt.Sprintf("%s %s/%s/%s la=%s(%s) days=%d on=%s exit=%s dest=%d/%s", r.Action, r.ProjectID, r.HouseholdID,
		r.EnrollmentID, r.LastActivityDate.Format(time.DateOnly), r.LastActivitySource, r.DaysInactive,
		r.ExitOn.Format(time.DateOnly), r.ExitDate.Format(time.DateOnly), r.Destination, sub)
}

// want builds the expected line of a row. where is project/household/enrollment; days is computed
// as T − la (SPEC H2); on "" is T (an exit is recorded on the as-of date); destination 30, no subsidy (F1, F2).
func rulesWant(t0 time.Time, action, where, la, source, on, exit string) string {
	if on == "" {
		on = t0.Format(time.DateOnly)
	}
	days := int(t0.Sub(rulesDay(la)).Hours() / 24)
	return fmt.Sprintf("%s %s la=%s(%s) days=%d on=%s exit=%s dest=30/-", action, where, la, source, days, on, exit)
}

// x is an exit row as of rulesAsOf.
func rulesExit(where, la, source, exit string) string {
	return rulesWant(rulesAsOf, "exit", where, la, source, "", exit)
}

func rulesLines(rows []engine.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = rulesLine(r)
	}
	return out
}

// only keeps the rows of the given enrollments (in result order).
func rulesOnly(rows []engine.Row, ids ...string) []engine.Row {
	var out []engine.Row
	for _, r := range rows {
		for _, id := range ids {
			if r.EnrollmentID == id {
				out = append(out, r)
			}
		}
	}
	return out
}

// same fails unless got equals want exactly, showing both in full.
func rulesSame(t *testing.T, what string, got []engine.Row, want ...string) {
	t.Helper()
	g := rulesLines(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot  %d rows:\n  %s\nwant %d rows:\n  %s", what, len(g), strings.Join(g, "\n  "), len(want), strings.Join(want, "\n  "))
	}
}

// rulesInvariants checks what holds on every row of every preview, whatever the fixture:
// D4 (entry ≤ ExitDate ≤ T), H3 (no listed enrollment has a live Exit), H2 (all the open members of a
// listed household are listed, with one ExitDate, Action and LastActivityDate), and the byte order
// of ProjectID, HouseholdID, EnrollmentID.
func rulesInvariants(t *testing.T, pool *pgxpool.Pool, opt engine.Options, rows []engine.Row) {
	t.Helper()
	ctx := context.Background()
	type hh struct{ p, h string }
	first := map[hh]engine.Row{}
	listed := map[string]bool{}
	var ids, projects, households []string
	for i, r := range rows {
		if listed[r.EnrollmentID] {
			t.Errorf("%s is listed twice", r.EnrollmentID)
		}
		listed[r.EnrollmentID] = true
		ids = append(ids, r.EnrollmentID)
		k := hh{r.ProjectID, r.HouseholdID}
		if f, ok := first[k]; !ok {
			first[k] = r
			projects, households = append(projects, r.ProjectID), append(households, r.HouseholdID)
		} else if f.ExitDate != r.ExitDate || f.Action != r.Action || f.LastActivityDate != r.LastActivityDate || f.ExitOn != r.ExitOn {
			t.Errorf("H2: household %s/%s: %s and %s differ:\n  %s\n  %s", r.ProjectID, r.HouseholdID, f.EnrollmentID, r.EnrollmentID, rulesLine(f), rulesLine(r))
		}
		if i > 0 {
			p := rows[i-1]
			a := p.ProjectID + "\x00" + p.HouseholdID + "\x00" + p.EnrollmentID
			b := r.ProjectID + "\x00" + r.HouseholdID + "\x00" + r.EnrollmentID
			if a >= b {
				t.Errorf("order: %q before %q", a, b)
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	entry := map[string]time.Time{}
	q, err := pool.Query(ctx, `SELECT e.enrollmentid, e.entrydate,
			EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)
		FROM hmis.enrollment e WHERE e.enrollmentid = ANY ($1) AND e.datedeleted IS NULL`, ids)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var id string
		var d time.Time
		var exited bool
		if err := q.Scan(&id, &d, &exited); err != nil {
			t.Fatal(err)
		}
		entry[id] = d
		if exited {
			t.Errorf("H3: %s is listed but already has an Exit", id)
		}
	}
	q.Close()
	for _, r := range rows {
		e, ok := entry[r.EnrollmentID]
		if !ok {
			t.Errorf("%s is listed but is not a live enrollment", r.EnrollmentID)
		} else if r.ExitDate.Before(e) || r.ExitDate.After(opt.AsOf) {
			t.Errorf("D4: %s exit date %s outside [entry %s, as-of %s]", r.EnrollmentID, r.ExitDate.Format(time.DateOnly), e.Format(time.DateOnly), opt.AsOf.Format(time.DateOnly))
		}
	}
	// H2: every open member (entered by T, no live Exit) of a listed household is listed.
	q, err = pool.Query(ctx, `SELECT e.projectid, e.householdid, e.enrollmentid
		FROM unnest($1::text[], $2::text[]) AS l (projectid, householdid)
		JOIN hmis.enrollment e USING (projectid, householdid)
		WHERE e.datedeleted IS NULL AND e.entrydate <= $3
		  AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)`, projects, households, opt.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for q.Next() {
		var p, h, id string
		if err := q.Scan(&p, &h, &id); err != nil {
			t.Fatal(err)
		}
		if !listed[id] {
			t.Errorf("H2: household %s/%s is listed but its open member %s is not", p, h, id)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// A: activity

// activityPolicies: PS (Services Only) and both NbN shelters exit after 30 days; PN dates by bed
// nights (the HUD default), PL by all activity.
func rulesActivity(t *testing.T, more ...string) *pgxpool.Pool {
	pool := rulesLoad(t, "activity", more...)
	rulesPolicy(t, pool, "project", "PS", 30, 0, "", "")
	rulesPolicy(t, pool, "project", "PN", 30, 0, "last-bed-night", "")
	rulesPolicy(t, pool, "project", "PL", 30, 0, "last-activity", "")
	return pool
}

// rulesActivityRows is the PS preview as of 2024-06-30: every A1 source names the household's last
// activity; stage 1/3/6 assessments, YouthEducationStatus, soft-deleted rows and activity before
// entry do not count; future activity keeps S16 off the list; the soft-deleted enrollment S14 does
// not exist.
var rulesActivityRows = []string{
	rulesExit("PS/HS01/S01", "2024-03-01", "service", "2024-03-01"),
	rulesExit("PS/HS02/S02", "2024-03-02", "current-living-situation", "2024-03-02"),
	rulesExit("PS/HS03/S03", "2024-03-03", "assessment", "2024-03-03"),
	rulesExit("PS/HS04/S04", "2024-03-04", "event", "2024-03-04"),
	rulesExit("PS/HS05/S05", "2024-03-05", "event", "2024-03-05"),
	rulesExit("PS/HS06/S06", "2024-03-06", "update-assessment", "2024-03-06"),
	rulesExit("PS/HS07/S07", "2024-03-07", "update-assessment", "2024-03-07"),
	rulesExit("PS/HS08/S08", "2024-03-08", "update-assessment", "2024-03-08"),
	rulesExit("PS/HS09/S09", "2024-03-09", "update-assessment", "2024-03-09"),
	rulesExit("PS/HS10/S10", "2024-03-10", "custom", "2024-03-10"),
	rulesExit("PS/HS11/S11", "2024-03-11", "bed-night", "2024-03-11"),
	rulesExit("PS/HS12/S12", "2024-01-02", "entry", "2024-01-02"),
	rulesExit("PS/HS13/S13", "2024-02-15", "service", "2024-02-15"),
	rulesExit("PS/HS15/S15", "2024-03-01", "entry", "2024-03-01"),
	rulesExit("PS/HS17/S17", "2024-03-12", "service", "2024-03-12"),
}

func TestA1_ActivitySources(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	rows := rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}})
	rulesSame(t, "A1: one household per source (services any RecordType, CLS, Assessment, Event date and result date, "+
		"update/annual assessments in 4 files, custom activity); stage 1/3/6 and soft-deleted rows ignored", rows, rulesActivityRows...)

	// A later (delta) export soft-deletes S01's only service and adds a recent CLS for S02: the
	// import refreshes the activity summary, so S01 falls back to its entry date and S02 is active.
	t.Run("reimport", func(t *testing.T) {
		pool := rulesActivity(t, "activity_update")
		rows := rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}})
		wantRows := append([]string{rulesExit("PS/HS01/S01", "2024-01-02", "entry", "2024-01-02")}, rulesActivityRows[2:]...)
		rulesSame(t, "A1 after a delta import (S01's service deleted, S02 new CLS 2024-06-25)", rows, wantRows...)
	})
}

// A delta export that moves a service to another enrollment (V01: S01 → S02, a data-entry
// correction) must take it away from S01: the importer refreshes the activity summary of the
// enrollment the stored row pointed at before the merge, not only of the one it points at now.
func TestA1_ReassignedActivityLeavesOldEnrollment(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t, "activity_moved")
	rulesSame(t, "A1 after V01 moved from S01 to S02", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), "S01", "S02"),
		rulesExit("PS/HS01/S01", "2024-01-02", "entry", "2024-01-02"),
		rulesExit("PS/HS02/S02", "2024-03-02", "current-living-situation", "2024-03-02"))
}

func TestA2_ActivityBeforeEntryIgnored(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	// S15 (SSO) entered 2024-03-01 with a service on 02-20 and a CLS on 02-25; N03 (NbN) entered
	// 2024-01-06 with a bed night on 01-03. Both stand at their entry date.
	rulesSame(t, "A2 (as of 2024-06-30)", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PS", "PN"}}), "S15", "N03"),
		rulesExit("PN/HN03/N03", "2024-01-06", "entry", "2024-01-07"), // D2+D3: no bed night in the enrollment: entry + 1
		rulesExit("PS/HS15/S15", "2024-03-01", "entry", "2024-03-01"))
	// Exactly 30 days after S15's entry it is due; had the 02-25 CLS counted it would be 35 days.
	t0 := rulesDay("2024-03-31")
	rulesSame(t, "A2 (as of 2024-03-31)", rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: t0, Projects: []string{"PS"}}), "S15"),
		rulesWant(t0, "exit", "PS/HS15/S15", "2024-03-01", "entry", "", "2024-03-01"))
}

func TestA3_FutureActivityCounts(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	// S16: service 2024-02-01 and 2024-08-15; N05 (NbN): bed nights 2024-01-20 and 2024-07-05.
	// As of 2024-06-30 both households are active (their last activity is after T).
	rows := rulesCandidates(t, pool, engine.Options{Projects: []string{"PS", "PN"}})
	if got := rulesOnly(rows, "S16", "N05"); len(got) > 0 {
		t.Errorf("A3: future-dated activity must keep the household off the list, got:\n  %s", strings.Join(rulesLines(got), "\n  "))
	}
	// An administrative exit of every open enrollment shows the future date as the last activity,
	// with a negative DaysInactive and the exit date capped at T (D4).
	all := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, AllOpen: true, Projects: []string{"PS", "PN"}})
	rulesSame(t, "A3 admin --all-open", rulesOnly(all, "S16", "N05"),
		rulesExit("PN/HN05/N05", "2024-07-05", "bed-night", "2024-06-30"),
		rulesExit("PS/HS16/S16", "2024-08-15", "service", "2024-06-30"))
	// Once the future date is itself 30 days old, the household is due again.
	t0 := rulesDay("2024-09-20")
	rulesSame(t, "A3 as of 2024-09-20", rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: t0, Projects: []string{"PS"}}), "S16"),
		rulesWant(t0, "exit", "PS/HS16/S16", "2024-08-15", "service", "", "2024-08-15"))
}

// rulesNbnRows is the PN preview (NbN, benchmark last-bed-night) as of 2024-06-30.
var rulesNbnRows = []string{
	rulesExit("PN/HN01/N01", "2024-02-02", "bed-night", "2024-02-03"), // service 05-20, CLS 06-01, assessment 06-10, custom 06-15 ignored
	rulesExit("PN/HN02/N02", "2024-01-10", "entry", "2024-01-11"),     // no bed night (service 06-20 ignored): entry + 1
	rulesExit("PN/HN03/N03", "2024-01-06", "entry", "2024-01-07"),     // bed night 01-03 before entry
	rulesExit("PN/HN04/N04", "2024-03-10", "bed-night", "2024-03-11"), // bed night 06-25 soft-deleted
	rulesExit("PN/HN06/N06", "2024-03-12", "bed-night", "2024-03-13"), // the household's last bed night is N07's
	rulesExit("PN/HN06/N07", "2024-03-12", "bed-night", "2024-03-13"),
	rulesExit("PN/HN08/N08", "2024-03-01", "entry", "2024-03-02"), // N08's bed night 02-10; N09 entered 03-01 (D4, D3)
	rulesExit("PN/HN08/N09", "2024-03-01", "entry", "2024-03-02"),
	rulesExit("PN/HN10/N10", "2024-02-20", "bed-night", "2024-02-21"), // exited N11's bed night 02-20 (H1)
	// N12's bed night 02-01; N13 entered 03-01 and already exited: its entry is the household's last
	// activity, but the exit date is still the day after the last bed night (D2; D4 is about N12's entry).
	rulesExit("PN/HN12/N12", "2024-03-01", "entry", "2024-02-02"),
}

func TestA4_NbnBenchmark(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	rulesSame(t, "A4: PN last-bed-night, PL last-activity", rulesCandidates(t, pool, engine.Options{Projects: []string{"PN", "PL"}}),
		append(append([]string{}, rulesExit("PL/HL02/L02", "2024-04-20", "service", "2024-04-20")), rulesNbnRows...)...)
	// (L01: bed nights 02-01/02 but CLS 2024-06-10 → active under last-activity.)

	// Swap the benchmarks: PN now counts all sources (N01's custom activity 06-15 and N02's
	// service 06-20 keep them off the list; N04/N06/N08/N10 are dated by D1, not D2), PL only bed nights.
	if _, err := pool.Exec(context.Background(), `UPDATE exitflow.policy SET nbn_benchmark = CASE scope_id WHEN 'PN' THEN 'last-activity' ELSE 'last-bed-night' END
		WHERE scope = 'project' AND scope_id IN ('PN', 'PL')`); err != nil {
		t.Fatal(err)
	}
	rulesSame(t, "A4 swapped", rulesCandidates(t, pool, engine.Options{Projects: []string{"PN", "PL"}}),
		rulesExit("PL/HL01/L01", "2024-02-02", "bed-night", "2024-02-03"),
		rulesExit("PL/HL02/L02", "2024-02-02", "bed-night", "2024-02-03"),
		rulesExit("PN/HN03/N03", "2024-01-06", "entry", "2024-01-07"), // D3: an exit on the entry date moves a day
		rulesExit("PN/HN04/N04", "2024-03-10", "bed-night", "2024-03-10"),
		rulesExit("PN/HN06/N06", "2024-03-12", "bed-night", "2024-03-12"),
		rulesExit("PN/HN06/N07", "2024-03-12", "bed-night", "2024-03-12"),
		rulesExit("PN/HN08/N08", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("PN/HN08/N09", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("PN/HN10/N10", "2024-02-20", "bed-night", "2024-02-20"),
		rulesExit("PN/HN12/N12", "2024-03-01", "entry", "2024-03-01"))
}

// ---------------------------------------------------------------------------------------------
// H: households (fixture households: project PH, Transitional Housing, auto exit after 60 days)

func rulesHouseholds(t *testing.T) *pgxpool.Pool {
	pool := rulesLoad(t, "households")
	rulesPolicy(t, pool, "project", "PH", 60, 0, "", "")
	return pool
}

var rulesHouseholdRows = []string{
	rulesExit("PH/HH1/E11", "2024-04-01", "current-living-situation", "2024-04-01"), // spouse E12's CLS is the household's last
	rulesExit("PH/HH1/E12", "2024-04-01", "current-living-situation", "2024-04-01"),
	rulesExit("PH/HH1/E13", "2024-04-01", "current-living-situation", "2024-04-01"),
	rulesExit("PH/HH10/E101", "2024-03-05", "service", "2024-03-05"), // E102 (entered 03-05) already exited: no D3 move
	rulesExit("PH/HH4/E41", "2024-03-20", "service", "2024-03-20"),   // exited E42's service 03-20 (H1)
	rulesExit("PH/HH6/E61", "2024-02-10", "service", "2024-02-10"),   // its Exit is soft-deleted: open
	rulesExit("PH/HH7/E71", "2024-04-15", "service", "2024-04-15"),   // household of one
	rulesExit("PH/HH9/E90", "2024-03-01", "service", "2024-03-02"),   // D3: 03-01 is child E90's entry date;
	rulesExit("PH/HH9/E91", "2024-03-01", "service", "2024-03-02"),   // the source is E91's service, not E90's entry
}

func TestH1_HouseholdLastActivityIncludesExitedMembers(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	rows := rulesCandidates(t, pool, engine.Options{})
	rulesSame(t, "H1 households", rows, rulesHouseholdRows...)
	// HH3: E31's last service is 02-01, but E32 (exited 06-20) had a service on 06-10: HH3 is active.
	if got := rulesOnly(rows, "E31"); len(got) > 0 {
		t.Errorf("H1: the exited member E32's activity (2024-06-10) must keep HH3 active: %v", rulesLines(got))
	}
	// The evidence is the member whose activity is the household's last: HH4 the exited member E42;
	// HH9 E91 (its service ties with child E90's entry date, and an activity beats an entry).
	evidence := map[string]string{"HH1": "E12", "HH10": "E101", "HH4": "E42", "HH6": "E61", "HH7": "E71", "HH9": "E91"}
	for _, r := range rows {
		if r.EvidenceEnrollmentID != evidence[r.HouseholdID] {
			t.Errorf("H1: %s's evidence is %s, want %s", r.EnrollmentID, r.EvidenceEnrollmentID, evidence[r.HouseholdID])
		}
	}
}

func TestH2_WholeHouseholdOrNobody(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	rows := rulesCandidates(t, pool, engine.Options{})
	rulesSame(t, "H2 households", rows, rulesHouseholdRows...)
	// HH2: E21 inactive since 02-01, E22 active on 06-15: nobody is exited.
	if got := rulesOnly(rows, "E21", "E22"); len(got) > 0 {
		t.Errorf("H2: HH2 has a member active inside the window; nobody may be listed: %v", rulesLines(got))
	}
	// HH1: all three open members, one exit date, although E13 entered later and had no activity.
	if got := rulesOnly(rows, "E11", "E12", "E13"); len(got) != 3 {
		t.Errorf("H2: every open member of HH1 must be exited, got %v", rulesLines(got))
	}
	// Exactly at the window: as of 2024-05-31 HH1 (last activity 04-01) is 60 days inactive.
	t0 := rulesDay("2024-05-31")
	rulesSame(t, "H2 as of 2024-05-31", rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: t0}), "E11", "E12", "E13"),
		rulesWant(t0, "exit", "PH/HH1/E11", "2024-04-01", "current-living-situation", "", "2024-04-01"),
		rulesWant(t0, "exit", "PH/HH1/E12", "2024-04-01", "current-living-situation", "", "2024-04-01"),
		rulesWant(t0, "exit", "PH/HH1/E13", "2024-04-01", "current-living-situation", "", "2024-04-01"))
	if got := rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: rulesDay("2024-05-30")}), "E11", "E12", "E13"); len(got) > 0 {
		t.Errorf("H2: 59 days inactive is inside the window: %v", rulesLines(got))
	}
}

func TestH3_ExitedMembersKeepTheirExit(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	for _, opt := range []engine.Options{{}, {Method: engine.MethodAdmin, AllOpen: true, Projects: []string{"PH"}}} {
		rows := rulesCandidates(t, pool, opt)
		// E32, E42, E102 (members already exited), E51 and E52 (a household whose members all
		// exited) are never listed; E61, whose Exit row is soft-deleted, is open.
		if got := rulesOnly(rows, "E32", "E42", "E51", "E52", "E102"); len(got) > 0 {
			t.Errorf("H3 (%s): enrollments with an Exit are listed: %v", opt.Method, rulesLines(got))
		}
		if got := rulesOnly(rows, "E61"); len(got) != 1 {
			t.Errorf("H3 (%s): E61's only Exit is soft-deleted, so it is open and must be listed; got %v", opt.Method, rulesLines(got))
		}
	}
	rulesSame(t, "H3 households", rulesCandidates(t, pool, engine.Options{}), rulesHouseholdRows...)
}

func TestH4_SingleClientIsHouseholdOfOne(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	rows := rulesCandidates(t, pool, engine.Options{})
	// HH7 (E71, last service 04-15) is exited on its own; HH8 (E81, service 06-01) in the same
	// project stays: households are never merged by project or person.
	rulesSame(t, "H4", rulesOnly(rows, "E71", "E81"), rulesExit("PH/HH7/E71", "2024-04-15", "service", "2024-04-15"))
	rulesSame(t, "H4 households", rows, rulesHouseholdRows...)
}

// ---------------------------------------------------------------------------------------------
// D: exit dates

func TestD1_ExitDateIsHouseholdLastActivity(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	// Exit dates = household last activity: HH1 the spouse's CLS, HH4 the exited member's service
	// (not E41's own 02-01), HH6/HH7 the service; only HH9 moves (D3).
	rulesSame(t, "D1", rulesCandidates(t, pool, engine.Options{}), rulesHouseholdRows...)
	// Services Only: every source's date is the exit date.
	pool = rulesActivity(t)
	rulesSame(t, "D1 SSO", rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), rulesActivityRows...)
}

func TestD2_NbnExitDayAfterLastBedNight(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	rulesSame(t, "D2 (PN, last-bed-night)", rulesCandidates(t, pool, engine.Options{Projects: []string{"PN"}}), rulesNbnRows...)
}

func TestD3_NoSameDayExits(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "sameday")
	rulesPolicy(t, pool, "default", "", 30, 0, "", "")
	rulesPolicy(t, pool, "project", "T01L", 30, 0, "last-activity", "") // NbN dated by D1, so D3 alone moves it
	// Each T<type> project has one client entered 2024-03-01 with no activity: its exit date is the
	// entry date, moved a day in types 0, 1, 2, 3, 4, 8, 9, 10 and 13 (RRH housing, RRHSubType 2) but
	// not in 6, 7, 11, 12, 14 and RRH services-only (RRHSubType 1). HF00: a later service is not
	// moved. HG<type>: the exit date (the HoH's service 03-05) is the child's entry date.
	rulesSame(t, "D3", rulesCandidates(t, pool, engine.Options{}),
		rulesExit("T00/HF00/F00a", "2024-03-10", "service", "2024-03-10"),
		rulesExit("T00/HG00/G00a", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T00/HG00/G00b", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T00/HT00/ET00", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T01/HT01/ET01", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T01L/HT01L/ET01L", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T02/HT02/ET02", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T03/HT03/ET03", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T04/HT04/ET04", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T06/HG06/G06a", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T06/HG06/G06b", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T06/HT06/ET06", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T07/HT07/ET07", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T08/HT08/ET08", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T09/HT09/ET09", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T10/HT10/ET10", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T11/HT11/ET11", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T12/HT12/ET12", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T13H/HG13H/G13Ha", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T13H/HG13H/G13Hb", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T13H/HT13H/ET13H", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T13S/HG13S/G13Sa", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T13S/HG13S/G13Sb", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T13S/HT13S/ET13S", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T14/HT14/ET14", "2024-03-01", "entry", "2024-03-01"))
}

func TestD4_ExitDateBetweenEntryAndAsOf(t *testing.T) {
	t.Parallel()
	// Never before entry: NbN household HN08, N08's last bed night 02-10 (D2 would give 02-11) but
	// N09 entered 03-01: the exit date is 03-01, then 03-02 by D3.
	pool := rulesActivity(t)
	rulesSame(t, "D4 before entry", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PN"}}), "N08", "N09"),
		rulesExit("PN/HN08/N08", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("PN/HN08/N09", "2024-03-01", "entry", "2024-03-02"))

	// Never after as-of: admin --all-open of PX (ES entry/exit). X4's last activity is in the
	// future (08-01); X5 entered on T itself (D3 would say T+1); X7 enters after T and is not listed.
	pool = rulesLoad(t, "admin")
	rows := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, AllOpen: true, Projects: []string{"PX"}})
	rulesSame(t, "D4 after as-of", rulesOnly(rows, "X4", "X5", "X7"),
		rulesExit("PX/HX4/X4", "2024-08-01", "service", "2024-06-30"),
		rulesExit("PX/HX5/X5", "2024-06-30", "entry", "2024-06-30"))
}

// ---------------------------------------------------------------------------------------------
// F: exit fields

func rulesFields(t *testing.T) *pgxpool.Pool {
	pool := rulesLoad(t, "fields")
	rulesPolicy(t, pool, "project", "PD", 30, 0, "", `{"Destination": 435, "DestinationSubsidyType": 431}`)
	rulesPolicy(t, pool, "project", "PF", 30, 0, "", "")
	rulesPolicy(t, pool, "project", "PG", 30, 0, "", `{"Destination": 410}`)
	return pool
}

func TestF1_DestinationNoExitInterviewUnlessDefault(t *testing.T) {
	t.Parallel()
	pool := rulesFields(t)
	wantRows := []string{
		strings.Replace(rulesExit("PD/HD1/D1a", "2024-03-01", "service", "2024-03-01"), "dest=30/-", "dest=435/431", 1),
		strings.Replace(rulesExit("PD/HD1/D1b", "2024-03-01", "service", "2024-03-01"), "dest=30/-", "dest=435/431", 1),
		rulesExit("PF/HF1/F1", "2024-03-02", "service", "2024-03-02"),
		strings.Replace(rulesExit("PG/HG1/G1", "2024-03-03", "service", "2024-03-03"), "dest=30/-", "dest=410/-", 1),
	}
	rulesSame(t, "F1 auto", rulesCandidates(t, pool, engine.Options{}), wantRows...)
	// SPEC AD2: administrative exits are not automatic exits (P5): always Destination 30, no subsidy.
	rulesSame(t, "F1 admin", rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PD", "PF", "PG"}, WindowDays: 30}),
		rulesExit("PD/HD1/D1a", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PD/HD1/D1b", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PF/HF1/F1", "2024-03-02", "service", "2024-03-02"),
		rulesExit("PG/HG1/G1", "2024-03-03", "service", "2024-03-03"))
}

func TestF2_OtherExitFieldsEmpty(t *testing.T) {
	t.Parallel()
	pool := rulesFields(t)
	rows := rulesCandidates(t, pool, engine.Options{})
	if len(rows) != 4 {
		t.Fatalf("F2: want 4 rows, got %v", rulesLines(rows))
	}
	for _, r := range rows {
		switch r.ProjectID {
		case "PD":
			if r.DestinationSubsidyType == nil || *r.DestinationSubsidyType != 431 {
				t.Errorf("F2: %s: the project default sets DestinationSubsidyType 431: %s", r.EnrollmentID, rulesLine(r))
			}
		default: // no default subsidy: empty, also with Destination 410 (PG)
			if r.DestinationSubsidyType != nil {
				t.Errorf("F2: %s: DestinationSubsidyType must be empty: %s", r.EnrollmentID, rulesLine(r))
			}
		}
	}
}

// ---------------------------------------------------------------------------------------------
// AL: alerts (fixture alerts: PA SSO 30/20, PB SSO 30/no alert under a project-type policy with
// an alert, PC ES entry/exit 30/20)

func TestAL1_AlertWindow(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "alerts")
	rulesPolicy(t, pool, "project", "PA", 30, 20, "", "")
	rulesPolicy(t, pool, "project", "PB", 30, 0, "", "")
	rulesPolicy(t, pool, "project-type", "6", 60, 10, "", "") // P1: PB's own policy (no alert) applies as a whole
	rulesPolicy(t, pool, "project", "PC", 30, 20, "", "")
	alert := func(where, la, source, on, exit string) string {
		return rulesWant(rulesAsOf, "alert", where, la, source, on, exit)
	}
	rows := rulesCandidates(t, pool, engine.Options{})
	// A19 (19 days) and B25 (PB has no alert) are not listed. ExitOn of an alert = last activity + 30.
	rulesSame(t, "AL1", rows,
		alert("PA/HA20/A20", "2024-06-10", "service", "2024-07-10", "2024-06-10"), // exactly alert days
		alert("PA/HA29/A29", "2024-06-01", "service", "2024-07-01", "2024-06-01"), // one day before the exit
		alert("PA/HA2M/A2Ma", "2024-06-05", "service", "2024-07-05", "2024-06-05"),
		alert("PA/HA2M/A2Mb", "2024-06-05", "service", "2024-07-05", "2024-06-05"),
		rulesExit("PA/HA30/A30", "2024-05-31", "service", "2024-05-31"), // exactly auto-exit days: exit, not alert
		rulesExit("PB/HB40/B40", "2024-05-21", "service", "2024-05-21"),
		alert("PC/HC25/C25", "2024-06-05", "entry", "2024-07-05", "2024-06-06")) // the exit date it would get (D3)
	for _, r := range rows {
		if r.Reason == "" || r.Reason == engine.AdminReason {
			t.Errorf("AL1: %s: reason %q", r.EnrollmentID, r.Reason)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// AD: administrative exits (fixture admin: PX ES entry/exit, auto exit off; PY SSO, built-in 90/80;
// PZ ES entry/exit, not in the agreement)

func rulesEnrollments(rows []engine.Row) string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.EnrollmentID)
	}
	return strings.Join(ids, " ")
}

func TestAD1_AdminScope(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "admin")
	ctx := context.Background()
	cases := []struct {
		name string
		opt  engine.Options
		want string
	}{
		// --window-days 90: HX2 (121 days), HX6 (150; X6b already exited), HX9 (112); not X1 (60).
		{"window 90", engine.Options{Projects: []string{"PX"}, WindowDays: 90}, "X2a X2b X6a X9a X9b"},
		// --window-days 60: X1 is exactly 60 days inactive.
		{"window 60", engine.Options{Projects: []string{"PX"}, WindowDays: 60}, "X1 X2a X2b X6a X9a X9b"},
		// --all-open: every open enrollment entered by T, active or not (X3, X4, X5, HX8 too).
		{"all open", engine.Options{Projects: []string{"PX"}, AllOpen: true}, "X1 X2a X2b X3 X4 X5 X6a X8a X8b X9a X9b"},
		// No window given: past the project's own auto-exit window (SSO built-in 90 days):
		// Y1 (102) and Y3 (exactly 90); Y2 (85, in the alert window) is not an admin exit.
		{"project window", engine.Options{Projects: []string{"PY"}}, "Y1 Y3"},
		// PX has auto exit off: without a window there is nothing to exit (and the CLI refuses).
		{"no window", engine.Options{Projects: []string{"PX"}}, ""},
		// Projects outside the agreement are untouched; PZ added, its household is in.
		{"two projects", engine.Options{Projects: []string{"PX", "PZ"}, WindowDays: 90}, "X2a X2b X6a X9a X9b Z1"},
	}
	for _, c := range cases {
		c.opt.Method = engine.MethodAdmin
		rows := rulesCandidates(t, pool, c.opt)
		if got := rulesEnrollments(rows); got != c.want {
			t.Errorf("AD1 %s: got [%s], want [%s]", c.name, got, c.want)
		}
		for _, r := range rows {
			if r.Action != engine.ActionExit || r.Reason != "Administrative exit" || !r.ExitOn.Equal(rulesAsOf) {
				t.Errorf("AD1 %s: %s: action %q reason %q exit on %s", c.name, r.EnrollmentID, r.Action, r.Reason, r.ExitOn.Format(time.DateOnly))
			}
		}
	}
	if err := engine.CheckAdminWindows(ctx, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}}); err == nil {
		t.Errorf("AD1: an admin run of PX (auto exit off) without a window must be refused")
	}
	// The auto method ignores PX (auto exit off) and alerts on Y2.
	rulesSame(t, "AD1 auto", rulesCandidates(t, pool, engine.Options{Projects: []string{"PX", "PY"}}),
		rulesExit("PY/HY1/Y1", "2024-03-20", "service", "2024-03-20"),
		rulesWant(rulesAsOf, "alert", "PY/HY2/Y2", "2024-04-06", "service", "2024-07-05", "2024-04-06"),
		rulesExit("PY/HY3/Y3", "2024-04-01", "service", "2024-04-01"))
}

func TestAD2_AdminHouseholdRuleDatesReason(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "admin")
	rows := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}, WindowDays: 30})
	// H1–H3: HX8 (X8b active 06-20) stays; HX6 exits X6a only; D1/D3: HX9's exit date is the HoH's
	// service 03-10, the child's entry date, so 03-11; destination 30, no subsidy.
	rulesSame(t, "AD2", rows,
		rulesExit("PX/HX1/X1", "2024-05-01", "service", "2024-05-01"),
		rulesExit("PX/HX2/X2a", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PX/HX2/X2b", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PX/HX6/X6a", "2024-02-01", "service", "2024-02-01"),
		rulesExit("PX/HX9/X9a", "2024-03-10", "service", "2024-03-11"),
		rulesExit("PX/HX9/X9b", "2024-03-10", "service", "2024-03-11"))
	for _, r := range rows {
		if r.Reason != "Administrative exit" {
			t.Errorf("AD2: %s: reason %q, want exactly \"Administrative exit\"", r.EnrollmentID, r.Reason)
		}
	}
	all := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}, AllOpen: true})
	rulesSame(t, "AD2 all-open households", rulesOnly(all, "X3", "X8a", "X8b"),
		rulesExit("PX/HX3/X3", "2024-06-25", "service", "2024-06-25"),
		rulesExit("PX/HX8/X8a", "2024-06-20", "service", "2024-06-20"),
		rulesExit("PX/HX8/X8b", "2024-06-20", "service", "2024-06-20"))
}

// ---------------------------------------------------------------------------------------------
// The preview CSV contract: rows sorted by ProjectID, HouseholdID, EnrollmentID in byte order.

func TestSortOrder_ByteOrder(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "sort")
	// Give the ID columns a linguistic collation, so that an ORDER BY without COLLATE "C" would sort
	// "p1" before "P10" and "P_1" first (the test database's own collation is already byte order).
	for _, col := range []string{"projectid", "householdid", "enrollmentid"} {
		if _, err := pool.Exec(context.Background(), fmt.Sprintf(`ALTER TABLE hmis.enrollment ALTER COLUMN %s TYPE text COLLATE "en-x-icu"`, col)); err != nil {
			t.Logf("cannot set an ICU collation on hmis.enrollment.%s (%v): testing in the database collation", col, err)
		}
	}
	rows := rulesCandidates(t, pool, engine.Options{})
	var got []string
	for _, r := range rows {
		got = append(got, r.ProjectID+"/"+r.HouseholdID+"/"+r.EnrollmentID)
	}
	wantOrder := "P10/H-1/E1 P10/H10/E10 P10/H10/E9 P10/H9/e1 P10/h1/E_2 P9/H1/F1 P_1/H1/G1 p1/H1/g1"
	if strings.Join(got, " ") != wantOrder {
		t.Errorf("order:\n got  %s\n want %s", strings.Join(got, " "), wantOrder)
	}
}
