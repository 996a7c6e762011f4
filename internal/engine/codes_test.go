package engine_test

// The engine's conservative reading of codes outside HUD's lists (docs/rules.md, "Codes outside
// HUD's lists"), one test per rule, on testdata/rules/codes: an FY2024 export from another vendor
// whose out-of-list codes the importer keeps as warnings.

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// codesLoad imports the fixture, checks it has warnings and no errors, and sets the CoC default
// policy (30 days) and a project-type policy for the unknown type 5.
func codesLoad(t *testing.T) (*pgxpool.Pool, *importer.Result) {
	t.Helper()
	pool, res := importDB(t, filepath.Join("testdata", "rules", "codes"))
	rulesPolicy(t, pool, "default", "", 30, 0, "", "")
	rulesPolicy(t, pool, "project-type", "5", 30, 0, "", "")
	return pool, res
}

func TestCodes_OutOfListValuesImportAsWarnings(t *testing.T) { // SPEC IO3
	_, res := codesLoad(t)
	var kinds []string
	for _, w := range res.Warnings {
		if !strings.HasPrefix(w.Kind, "file missing") {
			kinds = append(kinds, w.Kind)
		}
	}
	sort.Strings(kinds)
	want := []string{
		"DataCollectionStage 4: not a FY2026 HUD DataCollectionStage code (stored as sent)",
		"Destination 419: not a FY2026 HUD Destination code (stored as sent)",
		"ProjectType 15: not a FY2026 HUD ProjectType code (stored as sent)",
		"ProjectType 5: not a FY2026 HUD ProjectType code (stored as sent)",
		"RRHSubType 3: not a FY2026 HUD RRHSubType code (stored as sent)",
		"RecordType 145: not a FY2026 HUD RecordType code (stored as sent)",
		"RelationshipToHoH 7: not a FY2026 HUD RelationshipToHoH code (stored as sent)",
		"household without exactly one head of household",
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\ngot  %s\nwant %s", strings.Join(kinds, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestCodes_P2_UnknownProjectTypeGetsNoBuiltInTypeOrDefaultPolicy(t *testing.T) { // SPEC P1, P2
	pool, _ := codesLoad(t)
	rows := rulesCandidates(t, pool, engine.Options{Projects: []string{"PX", "PY"}})
	rulesSame(t, "unknown project types under a CoC default and a type-5 policy", rows)

	// Only a policy set for the project or its organization applies.
	rulesPolicy(t, pool, "organization", "O2", 30, 0, "", "")
	rows = rulesCandidates(t, pool, engine.Options{Projects: []string{"PX", "PY"}})
	rulesSame(t, "with O2's organization policy", rows,
		rulesExit("PY/HY1/Y1", "2024-01-02", "entry", "2024-01-02")) // D3 lists no unknown type
	var scope string
	if err := pool.QueryRow(context.Background(), "SELECT scope FROM exitflow.effective_policy WHERE projectid = 'PX'").Scan(&scope); err != nil {
		t.Fatal(err)
	}
	if scope != "built-in" {
		t.Errorf("PX takes its policy from %q, want built-in (off)", scope)
	}
}

func TestCodes_A1_UnknownRecordTypeIsAService(t *testing.T) { // SPEC A1
	pool, _ := codesLoad(t)
	rulesSame(t, "PS/S1", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), "S1"),
		rulesExit("PS/HS1/S1", "2024-05-01", "service", "2024-05-01"))
}

func TestCodes_A4_UnknownRecordTypeIsNotABedNight(t *testing.T) { // SPEC A4, D2
	pool, _ := codesLoad(t)
	rulesSame(t, "PN", rulesCandidates(t, pool, engine.Options{Projects: []string{"PN"}}),
		rulesExit("PN/HN1/N1", "2024-03-01", "bed-night", "2024-03-02"))
}

func TestCodes_A1_UnknownDataCollectionStageIsNotAnUpdate(t *testing.T) { // SPEC A1
	pool, _ := codesLoad(t)
	rulesSame(t, "PS/S2", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), "S2"),
		rulesExit("PS/HS2/S2", "2024-01-02", "entry", "2024-01-02"))
}

func TestCodes_UnknownRelationshipIsNotAHeadOfHousehold(t *testing.T) { // SPEC section 2 (HoH)
	pool, res := codesLoad(t)
	var found bool
	for _, w := range res.Warnings {
		if w.Kind == "household without exactly one head of household" {
			for _, e := range w.Examples {
				found = found || strings.Contains(e.Msg, "HS3")
			}
		}
	}
	if !found {
		t.Errorf("household HS3 (its only member has RelationshipToHoH 7) is not reported as having no head: %+v", res.Warnings)
	}
	// The household is still a household of one for the exit rules (H4).
	rulesSame(t, "PS/S3", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), "S3"),
		rulesExit("PS/HS3/S3", "2024-01-02", "entry", "2024-01-02"))
}

func TestCodes_D3_UnknownRRHSubTypeIsNotServicesOnly(t *testing.T) { // SPEC D3
	pool, _ := codesLoad(t)
	rulesSame(t, "PR", rulesCandidates(t, pool, engine.Options{Projects: []string{"PR"}}),
		rulesExit("PR/HR1/R1", "2024-01-02", "entry", "2024-01-03"))
}

func TestCodes_PermanentDestinationIsAnyCodeInThe400s(t *testing.T) { // SPEC PD3b, Q1
	pool, _ := codesLoad(t)
	ctx := context.Background()
	for _, tc := range []struct {
		dest int
		want bool
	}{{410, true}, {435, true}, {419, true}, {434, true}, {440, true}, {499, true}, {10, false}, {30, false}, {99, false}, {399, false}, {500, false}} {
		var got bool
		if err := pool.QueryRow(ctx, "SELECT exitflow.permanent_destination($1)", tc.dest).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want || hmis.PermanentDestination(tc.dest) != tc.want {
			t.Errorf("Destination %d: SQL %v, Go %v, want %v", tc.dest, got, hmis.PermanentDestination(tc.dest), tc.want)
		}
	}
	// The fixture's legacy exit (Destination 419 written in Destination) counts as permanent.
	var permanent bool
	if err := pool.QueryRow(ctx, "SELECT exitflow.permanent_destination(destination) FROM hmis.exit WHERE exitid = 'XZ1'").Scan(&permanent); err != nil {
		t.Fatal(err)
	}
	if !permanent {
		t.Error("Destination 419 is not a permanent destination")
	}
}

func TestHUDProjectTypeMatchesTheSpec(t *testing.T) { // one list: internal/hmis.Codes and exitflow.hud_project_type
	_, pool := testdb.New(t)
	for n := -1; n <= 20; n++ {
		var got bool
		if err := pool.QueryRow(context.Background(), "SELECT exitflow.hud_project_type($1)", n).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != hmis.KnownCode("ProjectType", n) {
			t.Errorf("ProjectType %d: SQL says %v, internal/hmis says %v", n, got, !got)
		}
	}
}
