package engine_test

import (
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
)

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
	t0 := repDay("2024-05-31")
	rulesSame(t, "H2 as of 2024-05-31", rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: t0}), "E11", "E12", "E13"),
		rulesWant(t0, "exit", "PH/HH1/E11", "2024-04-01", "current-living-situation", "", "2024-04-01"),
		rulesWant(t0, "exit", "PH/HH1/E12", "2024-04-01", "current-living-situation", "", "2024-04-01"),
		rulesWant(t0, "exit", "PH/HH1/E13", "2024-04-01", "current-living-situation", "", "2024-04-01"))
	if got := rulesOnly(rulesCandidates(t, pool, engine.Options{AsOf: repDay("2024-05-30")}), "E11", "E12", "E13"); len(got) > 0 {
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
