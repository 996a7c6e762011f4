// Package engine decides which households to exit or alert, with which exit date and fields, and
// writes those exits with an audit trail that can be undone (SPEC sections 3–9 and 14). It is plain
// SQL over the hmis schema, the analyst-readable form of the rules, called by the CLI and the
// Temporal activities.
package engine

import (
	"context"
	"fmt"
	"strings"

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

// activitySQL is each enrollment's latest activity of each source (SPEC A1): rows not soft-deleted,
// dates not null. {in} restricts it to some enrollments. When two sources share the latest date,
// the first in this order names it: bed-night, service, current-living-situation, assessment,
// event, update-assessment, custom.
const activitySQL = `
WITH latest AS (
    SELECT enrollmentid, max(dateprovided) AS d, CASE WHEN recordtype = 200 THEN 'bed-night' ELSE 'service' END AS source
      FROM hmis.services WHERE datedeleted IS NULL AND dateprovided IS NOT NULL {in} GROUP BY 1, 3
    UNION ALL
    SELECT enrollmentid, max(informationdate), 'current-living-situation'
      FROM hmis.currentlivingsituation WHERE datedeleted IS NULL AND informationdate IS NOT NULL {in} GROUP BY 1
    UNION ALL
    SELECT enrollmentid, max(assessmentdate), 'assessment'
      FROM hmis.assessment WHERE datedeleted IS NULL AND assessmentdate IS NOT NULL {in} GROUP BY 1
    UNION ALL -- EventDate and ResultDate both count
    SELECT enrollmentid, max(greatest(eventdate, resultdate)), 'event'
      FROM hmis.event WHERE datedeleted IS NULL {in} GROUP BY 1
    UNION ALL -- update (2) and annual (5) assessments
    SELECT enrollmentid, max(informationdate), 'update-assessment' FROM (
        SELECT enrollmentid, informationdate FROM hmis.incomebenefits WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.healthanddv WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.disabilities WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
        UNION ALL
        SELECT enrollmentid, informationdate FROM hmis.employmenteducation WHERE datacollectionstage IN (2, 5) AND datedeleted IS NULL {in}
    ) u WHERE informationdate IS NOT NULL GROUP BY 1
    UNION ALL -- vendor activity without a HUD file
    SELECT enrollmentid, max(activitydate), 'custom'
      FROM hmis.customactivity WHERE datedeleted IS NULL AND activitydate IS NOT NULL {in} GROUP BY 1
)
SELECT enrollmentid, max(d),
       (array_agg(source ORDER BY d DESC, array_position(ARRAY['bed-night', 'service', 'current-living-situation',
            'assessment', 'event', 'update-assessment', 'custom'], source)))[1],
       max(d) FILTER (WHERE source = 'bed-night')
FROM latest GROUP BY enrollmentid`

// stateSQL is each enrollment's state row (exitflow.enrollment_state): soft-deleted enrollments
// have none; {in} and {in_e} restrict it to some enrollments.
const stateSQL = `
SELECT e.enrollmentid, e.projectid, e.householdid, e.personalid, e.entrydate, x.enrollmentid IS NULL AS open,
       a.last_date, a.last_source, a.last_bed_night
FROM hmis.enrollment e
LEFT JOIN hmis.exit x ON x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL
LEFT JOIN (` + activitySQL + `) a (enrollmentid, last_date, last_source, last_bed_night) ON a.enrollmentid = e.enrollmentid
WHERE e.datedeleted IS NULL {in_e}`

// allStateSQL is stateSQL for every enrollment.
var allStateSQL = strings.NewReplacer("{in}", "", "{in_e}", "").Replace(stateSQL)

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
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE state_touched ON COMMIT DROP AS "+touched); err != nil {
		return 0, fmt.Errorf("enrollment state: listing touched enrollments: %w", err)
	}
	if _, err := tx.Exec(ctx, "ANALYZE state_touched"); err != nil {
		return 0, err
	}
	in := "AND enrollmentid IN (SELECT enrollmentid FROM state_touched)"
	inE := "AND e.enrollmentid IN (SELECT enrollmentid FROM state_touched)"
	if _, err := tx.Exec(ctx, "DELETE FROM exitflow.enrollment_state WHERE enrollmentid IN (SELECT enrollmentid FROM state_touched)"); err != nil {
		return 0, fmt.Errorf("enrollment state: %w", err)
	}
	tag, err := tx.Exec(ctx, "INSERT INTO exitflow.enrollment_state "+
		strings.NewReplacer("{in}", in, "{in_e}", inE).Replace(stateSQL))
	if err != nil {
		return 0, fmt.Errorf("enrollment state: refreshing: %w", err)
	}
	return tag.RowsAffected(), nil
}

// rebuildState builds the whole table anew and swaps it in: CREATE TABLE AS may scan and
// aggregate the activity tables in parallel, which INSERT … SELECT may not (PostgreSQL 15).
func rebuildState(ctx context.Context, tx pgx.Tx) (int64, error) {
	tag, err := tx.Exec(ctx, "CREATE TABLE exitflow.enrollment_state_new WITH (fillfactor = 70) AS "+
		allStateSQL+" ORDER BY e.projectid, e.householdid")
	if err != nil {
		return 0, fmt.Errorf("enrollment state: rebuilding: %w", err)
	}
	for _, sql := range []string{
		`ALTER TABLE exitflow.enrollment_state_new ALTER projectid SET NOT NULL, ALTER householdid SET NOT NULL,
			ALTER personalid SET NOT NULL, ALTER entrydate SET NOT NULL, ALTER open SET NOT NULL`,
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
	err := q.QueryRow(ctx, `SELECT count(*) FROM exitflow.enrollment_state s
		FULL JOIN (`+allStateSQL+`) r USING (enrollmentid)
		WHERE (s.projectid, s.householdid, s.personalid, s.entrydate, s.open, s.last_date, s.last_source, s.last_bed_night)
		      IS DISTINCT FROM (r.projectid, r.householdid, r.personalid, r.entrydate, r.open, r.last_date, r.last_source, r.last_bed_night)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("checking the enrollment state: %w", err)
	}
	return n, nil
}
