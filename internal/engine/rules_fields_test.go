package engine_test

import (
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
)

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
