-- exit_notices: the live engine exits of exit run $1 (not undone), one row per exited enrollment
-- and staff member told of it: the enrollment's assigned staff from exitflow.assignment, else the
-- email of the enrollment's UserID in User.csv (as alert_recipients.sql). An enrollment with
-- neither has one row with a NULL email (unassigned). Ordered by lower(email) (NULLs last), then
-- project, household and enrollment in CompareIDs order. Staff names and emails, client IDs only.
-- SPEC N5, N2, F3
-- $1 bigint: the exit run (exitflow.exit_run.id)
-- psql: PREPARE q(bigint) AS <this file>; EXECUTE q(1);
WITH ex AS (
    SELECT enrollmentid, personalid, projectid, householdid, exit_date
    FROM exitflow.engine_exit WHERE run_id = $1 AND undone_at IS NULL
),
staff AS (
    SELECT x.enrollmentid, 'assignment' AS source, s.staff_name AS name, s.email
    FROM ex x JOIN exitflow.assignment s ON s.enrollmentid = x.enrollmentid
    UNION ALL -- N5: no assignment row, so the enrollment's UserID in User.csv
    SELECT x.enrollmentid, 'hmis-user', trim(concat_ws(' ', u.userfirstname, u.userlastname)), trim(u.useremail)
    FROM ex x
    JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid AND e.datedeleted IS NULL
    JOIN hmis."user" u ON u.userid = e.userid AND u.datedeleted IS NULL AND trim(coalesce(u.useremail, '')) <> ''
    WHERE NOT EXISTS (SELECT 1 FROM exitflow.assignment s WHERE s.enrollmentid = x.enrollmentid)
),
one AS ( -- one row per staff member and enrollment
    SELECT lower(email) AS k, enrollmentid, min(source) AS source, min(name) AS name, min(email) AS email
    FROM staff GROUP BY 1, 2
)
SELECT min(o.email) OVER w AS email, min(o.name) OVER w AS name, min(o.source) OVER w AS source,
       d.projectid, d.householdid, d.enrollmentid, d.personalid, d.exit_date
FROM ex d LEFT JOIN one o ON o.enrollmentid = d.enrollmentid
WINDOW w AS (PARTITION BY o.k)
ORDER BY o.k NULLS LAST, {natural_order}
