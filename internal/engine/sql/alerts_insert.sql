-- alerts_insert: records one alert per household in the alert window (the 'alert' rows of
-- candidates.sql with method auto), with the project's agency, the household's open enrollments,
-- its last activity, when it will be exited and with which exit date, the policy values, and who
-- recorded it; returns the IDs of the episodes not recorded before (the unique key is the
-- household and its last activity date: one alert per inactivity episode).
-- SPEC AL1, AL2, U1, H1
-- $1 date as-of, $2 text[] ProjectIDs or NULL, $3 text 'auto', $4 int NULL, $5 bool false: as in candidates_rows.sql
-- $6 text actor, $7 text workflow ID, $8 text workflow run ID ('' for none)
-- {candidates}: candidates.sql
-- psql: exitflow sql alerts_insert prints it; BEGIN; PREPARE q(date, text[], text, int, bool, text, text, text) AS <it>;
--       EXECUTE q('2026-11-01', NULL, 'auto', NULL, false, 'analyst', '', ''); ROLLBACK;
WITH c AS ({candidates}),
a AS (
    SELECT c.projectid, c.householdid, min(c.la) AS la, min(c.la_source) AS la_source, min(c.days) AS days,
           min(c.exit_on) AS exit_on, min(c.exit_date) AS exit_date,
           array_agg(c.enrollmentid ORDER BY c.enrollmentid COLLATE "C") AS enrollmentids,
           min(c.scope) AS scope, min(c.auto_exit_days) AS auto_exit_days, min(c.alert_days) AS alert_days,
           min(c.nbn_benchmark) AS nbn_benchmark
    FROM c WHERE c.action = 'alert'
    GROUP BY c.projectid, c.householdid
)
INSERT INTO exitflow.alert (projectid, organizationid, householdid, last_activity_date, last_activity_source, as_of,
                            days_inactive, exit_on, exit_date, enrollmentids, policy, actor, workflow_id, workflow_run_id)
SELECT a.projectid, p.organizationid, a.householdid, a.la, a.la_source, $1, a.days, a.exit_on, a.exit_date, a.enrollmentids,
       jsonb_build_object('scope', a.scope, 'auto_exit_days', a.auto_exit_days, 'alert_days', a.alert_days,
                          'nbn_benchmark', a.nbn_benchmark),
       $6, nullif($7, ''), nullif($8, '')
FROM a JOIN hmis.project p ON p.projectid = a.projectid
ORDER BY a.projectid COLLATE "C", a.householdid COLLATE "C"
ON CONFLICT (projectid, householdid, last_activity_date) DO NOTHING
RETURNING id
