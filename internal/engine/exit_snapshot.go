package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// snapshotSQL lists the enrollments of a run in exitflow.exit_run_candidate: the exit rows of
// candidatesSQL (the preview's exit rows, as of the run's date), with the evidence record (SPEC F3:
// the file and record ID of the household's last activity, looked up once per household) and the
// policy values (built once per project). $6 is the run.
const snapshotSQL = `
WITH c AS (
    SELECT x.*,
           row_number() OVER w AS seq,
           dense_rank() OVER (ORDER BY x.projectid COLLATE "C", x.householdid COLLATE "C") AS hh_seq,
           (lag(x.householdid) OVER w, lag(x.projectid) OVER w) IS DISTINCT FROM (x.householdid, x.projectid) AS first_member
    FROM (` + candidatesSQL + `) x
    WHERE x.action = 'exit'
    WINDOW w AS (ORDER BY x.projectid COLLATE "C", x.householdid COLLATE "C", x.enrollmentid COLLATE "C")
),
pol AS ( -- F3: the policy values used, per project
    SELECT ep.projectid, (ep.projecttype = 1 AND ep.nbn_benchmark = 'last-bed-night') AS by_bed_night,
           jsonb_build_object('scope', ep.scope, 'scope_id', ep.scope_id, 'project_type', ep.projecttype,
               'auto_exit_days', ep.auto_exit_days, 'alert_days', ep.alert_days, 'nbn_benchmark', ep.nbn_benchmark,
               'window_days', $4::integer, 'all_open', $5::boolean,
               -- P5 defaults are for automatic exits; AD2: administrative exits write Destination 30 and nothing else
               'exit_defaults', CASE WHEN $3 = 'admin' THEN '{}'::jsonb
                                ELSE coalesce((SELECT jsonb_object_agg(lower(d.k), d.v) FROM jsonb_each(ep.exit_defaults) AS d (k, v)), '{}'::jsonb) END) AS policy
    FROM exitflow.effective_policy ep
    WHERE ep.projectid IN (SELECT DISTINCT projectid FROM c)
),
ev AS ( -- F3: the record of the household's last activity, per household
    SELECT c.hh_seq, e.file, e.id FROM c
    LEFT JOIN LATERAL (
        SELECT e.file, e.id FROM (
            SELECT 'Services.csv' AS file, s.servicesid AS id FROM hmis.services s
             WHERE c.la_source IN ('service', 'bed-night') AND s.enrollmentid = c.evidence AND s.dateprovided = c.la
               AND s.datedeleted IS NULL AND (s.recordtype = 200) = (c.la_source = 'bed-night')
            UNION ALL
            SELECT 'CurrentLivingSituation.csv', s.currentlivingsitid FROM hmis.currentlivingsituation s
             WHERE c.la_source = 'current-living-situation' AND s.enrollmentid = c.evidence AND s.informationdate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Assessment.csv', s.assessmentid FROM hmis.assessment s
             WHERE c.la_source = 'assessment' AND s.enrollmentid = c.evidence AND s.assessmentdate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Event.csv', s.eventid FROM hmis.event s
             WHERE c.la_source = 'event' AND s.enrollmentid = c.evidence AND greatest(s.eventdate, s.resultdate) = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'IncomeBenefits.csv', s.incomebenefitsid FROM hmis.incomebenefits s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'HealthAndDV.csv', s.healthanddvid FROM hmis.healthanddv s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Disabilities.csv', s.disabilitiesid FROM hmis.disabilities s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'EmploymentEducation.csv', s.employmenteducationid FROM hmis.employmenteducation s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'CustomActivity.csv', s.customactivityid FROM hmis.customactivity s
             WHERE c.la_source = 'custom' AND s.enrollmentid = c.evidence AND s.activitydate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Enrollment.csv', c.evidence WHERE c.la_source = 'entry'
        ) e
        ORDER BY e.file, e.id COLLATE "C"
        LIMIT 1
    ) e ON true
    WHERE c.first_member
)
INSERT INTO exitflow.exit_run_candidate (run_id, seq, hh_seq, exitid, projectid, householdid, enrollmentid, personalid,
    exit_date, destination, subsidy, reason, last_activity_date, last_activity_source, evidence_enrollmentid,
    evidence_file, evidence_id, by_bed_night, policy)
SELECT $6::bigint, c.seq, c.hh_seq, 'EF' || $6::bigint || '-' || c.seq, c.projectid, c.householdid, c.enrollmentid, c.personalid,
       c.exit_date, c.destination, c.subsidy, c.reason, c.la, c.la_source, c.evidence,
       ev.file, ev.id, pol.by_bed_night, pol.policy
FROM c JOIN pol USING (projectid) JOIN ev USING (hh_seq)`

// snapshot lists the run's enrollments, in one transaction with exit_run.snapshot_at.
func snapshot(ctx context.Context, conn *pgx.Conn, run runRow) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var done *time.Time
		if err := tx.QueryRow(ctx, "SELECT snapshot_at FROM exitflow.exit_run WHERE id = $1 FOR UPDATE", run.id).Scan(&done); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		if done != nil {
			return nil
		}
		// The list's sorts and its materialized steps fit in memory (a few hundred bytes per
		// enrollment) instead of spilling to temporary files.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '256MB'"); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		args := append(run.options().args(), run.id)
		if _, err := tx.Exec(ctx, snapshotSQL, args...); err != nil {
			return fmt.Errorf("exit run %d: listing the enrollments to exit: %w", run.id, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE exitflow.exit_run SET snapshot_at = clock_timestamp() WHERE id = $1", run.id); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		return nil
	})
}
