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
// one of them refreshes the activity summary of the enrollments it touched.
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

// RefreshActivity recomputes exitflow.enrollment_activity: for every enrollment when touched is
// empty, else for the enrollments whose IDs the query touched returns (an import's rows).
func RefreshActivity(ctx context.Context, tx pgx.Tx, touched string) (int64, error) {
	in := ""
	if touched != "" {
		if _, err := tx.Exec(ctx, "CREATE TEMP TABLE activity_touched ON COMMIT DROP AS "+touched); err != nil {
			return 0, fmt.Errorf("activity: listing touched enrollments: %w", err)
		}
		if _, err := tx.Exec(ctx, "ANALYZE activity_touched"); err != nil {
			return 0, err
		}
		in = "AND enrollmentid IN (SELECT enrollmentid FROM activity_touched)"
		if _, err := tx.Exec(ctx, "DELETE FROM exitflow.enrollment_activity WHERE enrollmentid IN (SELECT enrollmentid FROM activity_touched)"); err != nil {
			return 0, fmt.Errorf("activity: %w", err)
		}
	} else if _, err := tx.Exec(ctx, "TRUNCATE exitflow.enrollment_activity"); err != nil {
		return 0, fmt.Errorf("activity: %w", err)
	}
	tag, err := tx.Exec(ctx, "INSERT INTO exitflow.enrollment_activity (enrollmentid, last_date, last_source, last_bed_night) "+
		strings.ReplaceAll(activitySQL, "{in}", in))
	if err != nil {
		return 0, fmt.Errorf("activity: refreshing the summary: %w", err)
	}
	return tag.RowsAffected(), nil
}
