-- snapshot: lists the enrollments of exit run $6 in exitflow.exit_run_candidate: the exit rows of
-- candidates.sql (the preview's exit rows as of the run's date, in its order: seq per enrollment,
-- hh_seq per household), with the evidence record (the file and record ID of the household's last
-- activity) and the policy values (built once per project).
-- SPEC F3, P5, AD2, H2, A1
-- $1 date as-of, $2 text[] ProjectIDs or NULL, $3 text 'auto' or 'admin', $4 int admin window days or NULL,
-- $5 bool admin all-open: as in candidates_rows.sql; $6 bigint: the run (exitflow.exit_run.id)
-- {candidates}: candidates.sql
-- psql: `exitflow sql snapshot` prints the assembled statement, then
--       BEGIN; PREPARE q(date, text[], text, int, bool, bigint) AS <the output of exitflow sql snapshot>;
--       EXECUTE q('2026-11-01', NULL, 'auto', NULL, false, <run id>); ROLLBACK;
WITH c AS (
    SELECT x.*,
           row_number() OVER w AS seq,
           dense_rank() OVER (ORDER BY x.projectid COLLATE "C", x.householdid COLLATE "C") AS hh_seq
    FROM ({candidates}) x
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
)
INSERT INTO exitflow.exit_run_candidate (run_id, seq, hh_seq, exitid, projectid, householdid, enrollmentid, personalid,
    exit_date, destination, subsidy, reason, last_activity_date, last_activity_source, evidence_enrollmentid,
    evidence_file, evidence_id, by_bed_night, policy)
SELECT $6::bigint, c.seq, c.hh_seq, 'EF' || $6::bigint || '-' || c.seq, c.projectid, c.householdid, c.enrollmentid, c.personalid,
       c.exit_date, c.destination, c.subsidy, c.reason, c.la, c.la_source, c.evidence,
       ev.file, ev.id, pol.by_bed_night, pol.policy
-- F3: the record of the household's last activity, looked up for each member (the same record:
-- a lateral per row, not a join of the list with itself, which a low row estimate made quadratic)
FROM c JOIN pol USING (projectid)
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
) ev ON true
