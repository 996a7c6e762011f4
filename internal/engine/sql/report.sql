-- report: the candidate-project report, one row per project: the effective policy, the open
-- enrollments and households, how many are past the window, in the alert window and (auto exit off)
-- past the reference window $6, and the oldest household last activity. It aggregates the rows that
-- candidates.sql lists for an administrative preview of every open enrollment ($3 'admin', $5 true):
-- those carry every open household with its last activity by the engine's own rules, so the report
-- counts exactly what previews and exits see. Sorted by organization name and ID, then project name and ID.
-- SPEC Q4, P1, P2, H1, H2, AL1, A1
-- $1 date: the as-of date T
-- $2 text[]: ProjectIDs (listed even without open enrollments), or NULL for every project with open enrollments
-- $3 text: 'admin'; $4 int: NULL; $5 bool: true (see above)
-- $6 int: the reference window in days for projects with auto exit off
-- {candidates}: candidates.sql
-- psql: `exitflow sql report` prints the assembled statement, then
--       PREPARE q(date, text[], text, int, bool, int) AS <the output of exitflow sql report>; EXECUTE q('2026-11-01', NULL, 'admin', NULL, true, 90);
WITH c AS ({candidates}),
hh AS ( -- one row per open household: la and days are the household's (H1)
    SELECT projectid, householdid, count(*) AS enrollments, min(la) AS la, min(days) AS days
    FROM c GROUP BY projectid, householdid
),
agg AS (
    SELECT hh.projectid,
           sum(enrollments) AS open_enr, count(*) AS open_hh,
           coalesce(sum(enrollments) FILTER (WHERE p.auto_exit_days IS NOT NULL AND days >= p.auto_exit_days), 0) AS past_enr,
           count(*) FILTER (WHERE p.auto_exit_days IS NOT NULL AND days >= p.auto_exit_days) AS past_hh,
           coalesce(sum(enrollments) FILTER (WHERE p.auto_exit_days IS NOT NULL AND p.alert_days IS NOT NULL
                                               AND days >= p.alert_days AND days < p.auto_exit_days), 0) AS alert_enr,
           count(*) FILTER (WHERE p.auto_exit_days IS NOT NULL AND p.alert_days IS NOT NULL
                              AND days >= p.alert_days AND days < p.auto_exit_days) AS alert_hh,
           coalesce(sum(enrollments) FILTER (WHERE p.auto_exit_days IS NULL AND days >= $6), 0) AS ref_enr,
           count(*) FILTER (WHERE p.auto_exit_days IS NULL AND days >= $6) AS ref_hh,
           min(la) AS oldest, max(days) AS oldest_days
    FROM hh JOIN exitflow.effective_policy p USING (projectid)
    GROUP BY hh.projectid
)
SELECT p.projectid, pr.projectname, p.organizationid, coalesce(o.organizationname, ''), p.projecttype,
       p.scope, p.auto_exit_days, p.alert_days, p.nbn_benchmark,
       coalesce(a.open_enr, 0), coalesce(a.open_hh, 0), coalesce(a.past_enr, 0), coalesce(a.past_hh, 0),
       coalesce(a.alert_enr, 0), coalesce(a.alert_hh, 0), coalesce(a.ref_enr, 0), coalesce(a.ref_hh, 0),
       a.oldest, a.oldest_days
FROM exitflow.effective_policy p
JOIN hmis.project pr ON pr.projectid = p.projectid
LEFT JOIN hmis.organization o ON o.organizationid = p.organizationid AND o.datedeleted IS NULL
LEFT JOIN agg a ON a.projectid = p.projectid
WHERE CASE WHEN $2::text[] IS NULL THEN a.projectid IS NOT NULL ELSE p.projectid = ANY ($2) END
ORDER BY coalesce(o.organizationname, '') COLLATE "C", p.organizationid COLLATE "C", pr.projectname COLLATE "C", p.projectid COLLATE "C"
