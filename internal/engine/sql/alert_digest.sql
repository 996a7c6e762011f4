-- alert_digest: the recipient rows of alerts $1 (one per alert and person) with their alert's
-- columns and its unassigned enrollments (those no assigned staff row names, in the alert's
-- order), ordered by the recipient's lower-case trimmed email, then project and household
-- (COLLATE "C"), the alert, liaisons first. Staff names and emails, client IDs only.
-- SPEC AL3, N5, N2
-- $1 bigint[]: the alerts (exitflow.alert.id)
-- psql: PREPARE q(bigint[]) AS <this file>; EXECUTE q('{1,2}');
SELECT lower(btrim(r.email, E' \t\n\r\f\v')) COLLATE "C" AS k, r.role, r.source, r.name, r.email, r.enrollmentids,
       a.id, a.projectid, a.organizationid, a.householdid, a.enrollmentids, a.last_activity_date,
       a.last_activity_source, a.days_inactive, a.exit_on, a.exit_date, a.created_at,
       ARRAY(SELECT u.e FROM unnest(a.enrollmentids) WITH ORDINALITY u(e, i)
             WHERE NOT EXISTS (SELECT 1 FROM exitflow.alert_recipient o
                               WHERE o.alert_id = a.id AND o.role <> 'liaison' AND u.e = ANY (o.enrollmentids))
             ORDER BY u.i) AS unassigned
FROM exitflow.alert_recipient r
JOIN exitflow.alert a ON a.id = r.alert_id
WHERE r.alert_id = ANY ($1)
ORDER BY k, a.projectid COLLATE "C", a.householdid COLLATE "C", a.id, r.role <> 'liaison', r.role COLLATE "C"
