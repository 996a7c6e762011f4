package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
)

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
	t0 := repDay("2024-03-31")
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
	t0 := repDay("2024-09-20")
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
