-- alert_recipients: resolves and records the recipients of the alerts $1: the liaisons of the
-- project's organization (exitflow.contact), and for each enrollment its assigned staff from
-- exitflow.assignment, else the email of the enrollment's UserID in User.csv. One row per alert,
-- role and email (a staff member assigned to several members of the household is told once).
-- SPEC AL3, N5
-- $1 bigint[]: the alert IDs (exitflow.alert.id)
-- psql: BEGIN; PREPARE q(bigint[]) AS <this file>; EXECUTE q('{1,2}'); ROLLBACK;
WITH new AS (SELECT id, organizationid, enrollmentids FROM exitflow.alert WHERE id = ANY ($1)),
member AS (SELECT n.id, m.enrollmentid FROM new n CROSS JOIN LATERAL unnest(n.enrollmentids) AS m (enrollmentid)),
staff AS (
    SELECT m.id, 'assignment' AS source, s.staff_name AS name, s.email, m.enrollmentid
    FROM member m JOIN exitflow.assignment s ON s.enrollmentid = m.enrollmentid
    UNION ALL -- N5: no assignment row, so the enrollment's UserID in User.csv
    SELECT m.id, 'hmis-user', trim(concat_ws(' ', u.userfirstname, u.userlastname)), trim(u.useremail), m.enrollmentid
    FROM member m
    JOIN hmis.enrollment e ON e.enrollmentid = m.enrollmentid AND e.datedeleted IS NULL
    JOIN hmis."user" u ON u.userid = e.userid AND u.datedeleted IS NULL AND trim(coalesce(u.useremail, '')) <> ''
    WHERE NOT EXISTS (SELECT 1 FROM exitflow.assignment s WHERE s.enrollmentid = m.enrollmentid)
)
INSERT INTO exitflow.alert_recipient (alert_id, role, source, name, email, enrollmentids)
SELECT n.id, 'liaison', 'contact', c.name, c.email, '{}'
FROM new n JOIN exitflow.contact c ON c.organizationid = n.organizationid AND c.role = 'liaison'
UNION ALL
SELECT id, 'assigned-staff', min(source), min(name), min(email), array_agg(DISTINCT enrollmentid)
FROM staff GROUP BY id, lower(email)
