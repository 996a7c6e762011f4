// Package engine decides which households to exit or alert, with which exit date and fields, and
// writes those exits with an audit trail that can be undone (SPEC sections 3–9 and 14). It is plain
// SQL over the hmis schema, the analyst-readable form of the rules (sql/*.sql, put together in
// queries.go), called by the CLI and the Temporal activities.
package engine

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Activity sources (SPEC A1), as LastActivitySource names them; the entry date is the baseline.
const (
	SourceEntry            = "entry"
	SourceService          = "service"
	SourceBedNight         = "bed-night"
	SourceLivingSituation  = "current-living-situation"
	SourceAssessment       = "assessment"
	SourceEvent            = "event"
	SourceUpdateAssessment = "update-assessment"
	SourceCustom           = "custom"
)

// ActivityFiles are the HMIS CSV files whose rows are activity (SPEC A1); an import that touches
// one of them refreshes the enrollment state (exitflow.enrollment_state) of the enrollments it touched.
var ActivityFiles = []string{"Enrollment", "Services", "CurrentLivingSituation", "Assessment", "Event",
	"IncomeBenefits", "HealthAndDV", "Disabilities", "EmploymentEducation", "CustomActivity"}

// RefreshState recomputes exitflow.enrollment_state (each enrollment's project, household, entry
// date, open flag and latest activity): for every enrollment when touched is empty, else for the
// enrollments whose IDs the query touched returns (an import's rows). It returns the rows written.
//
// It locks hmis.exit against writers until tx ends: the rows it writes are computed from its own
// snapshot, so an Exit written or undone meanwhile would leave their open flag wrong.
func RefreshState(ctx context.Context, tx pgx.Tx, touched string) (int64, error) {
	if _, err := tx.Exec(ctx, "LOCK TABLE hmis.exit IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return 0, fmt.Errorf("enrollment state: waiting for writers of Exit rows: %w", err)
	}
	if touched == "" {
		return rebuildState(ctx, tx)
	}
	// state_touched is the table refreshStateSQL reads (touchedIn in queries.go).
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE state_touched ON COMMIT DROP AS "+touched); err != nil {
		return 0, fmt.Errorf("enrollment state: listing touched enrollments: %w", err)
	}
	if _, err := tx.Exec(ctx, "ANALYZE state_touched"); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM exitflow.enrollment_state WHERE enrollmentid IN (SELECT enrollmentid FROM state_touched)"); err != nil {
		return 0, fmt.Errorf("enrollment state: %w", err)
	}
	tag, err := tx.Exec(ctx, refreshStateSQL) // sql/state_refresh.sql: the rows of state_touched
	if err != nil {
		return 0, fmt.Errorf("enrollment state: refreshing: %w", err)
	}
	return tag.RowsAffected(), nil
}

// rebuildState builds the whole table anew and swaps it in: CREATE TABLE AS may scan and
// aggregate the activity tables in parallel, which INSERT … SELECT may not (PostgreSQL 15).
func rebuildState(ctx context.Context, tx pgx.Tx) (int64, error) {
	tag, err := tx.Exec(ctx, rebuildStateSQL) // sql/state_rebuild.sql: exitflow.enrollment_state_new
	if err != nil {
		return 0, fmt.Errorf("enrollment state: rebuilding: %w", err)
	}
	for _, sql := range []string{
		`ALTER TABLE exitflow.enrollment_state_new ALTER projectid SET NOT NULL, ALTER householdid SET NOT NULL,
			ALTER personalid SET NOT NULL, ALTER entrydate SET NOT NULL, ALTER open SET NOT NULL, ALTER head SET NOT NULL`,
		"DROP TABLE exitflow.enrollment_state",
		"ALTER TABLE exitflow.enrollment_state_new RENAME TO enrollment_state",
		"ALTER TABLE exitflow.enrollment_state ADD CONSTRAINT enrollment_state_pkey PRIMARY KEY (enrollmentid)",
		"CREATE INDEX enrollment_state_household ON exitflow.enrollment_state (projectid, householdid)",
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return 0, fmt.Errorf("enrollment state: rebuilding: %w", err)
		}
	}
	return tag.RowsAffected(), nil
}

// StateMismatches counts the enrollments whose exitflow.enrollment_state row (or its absence)
// differs from what the HMIS tables say now: 0 unless something bypassed the import's refresh.
func StateMismatches(ctx context.Context, q Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, stateMismatchesSQL).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("checking the enrollment state: %w", err)
	}
	return n, nil
}
