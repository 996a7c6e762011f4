-- open: the open enrollments of the projects as of $1, from the engine's own rule query
-- ({candidates_rows}: an administrative all-open preview, the same rules and query as previews
-- and exits, SPEC H1), so that the DQM counts what a preview lists: one row per project ('project')
-- with its open enrollments and households, the households in the alert window, the enrollments
-- past the auto-exit window where auto exit is on, and its open enrollments by the household's days
-- since last activity (0–30, 31–60, 61–90, 91–180, 181–365, over 365); then one row per enrollment
-- past the window ('past': the findings behind past_window). An inactivity preview lists exactly
-- the rows with days ≥ auto-exit days (exit) or ≥ alert days (alert) of the projects with auto exit
-- on (SPEC H2, AL1): one pass gives both, and the CoC is read once. IDs, dates and counts only.
-- SPEC Q1, H1, H2, AL1
-- $1 date as-of, $2 text[] ProjectIDs, $3 text 'admin', $4 int NULL, $5 bool true: as in candidates_rows.sql
-- psql: `exitflow sql candidates_rows` prints the rule query; put it in place of {candidates_rows},
--       then PREPARE q(date, text[], text, int, bool) AS <this file>; EXECUTE q('2026-11-01', '{1362}', 'admin', NULL, true);
WITH c AS MATERIALIZED ( -- the columns used, so that the rule query computes no others
    SELECT r.projectid, r.householdid, r.enrollmentid, r.personalid, r.la, r.la_source, r.days,
           r.auto_exit_days IS NOT NULL AND r.days >= r.auto_exit_days AS past,                  -- H2
           r.auto_exit_days IS NOT NULL AND r.alert_days IS NOT NULL AND r.days >= r.alert_days AS alert -- AL1
    FROM ({candidates_rows}) r
),
h AS ( -- per household: its open members and its days since last activity (the same for each, H1)
    SELECT projectid, count(*) AS n, min(days) AS days, bool_or(past) AS past, bool_or(alert) AS alert
    FROM c GROUP BY projectid, householdid
)
SELECT * FROM (
SELECT 'project' AS kind, projectid, '' AS householdid, '' AS enrollmentid, '' AS personalid, NULL::date AS la, '' AS source,
       0 AS days, sum(n)::int AS enrollments, count(*)::int AS households, coalesce(sum(n) FILTER (WHERE past), 0)::int AS past,
       count(*) FILTER (WHERE alert AND NOT past)::int AS alert,
       ARRAY[coalesce(sum(n) FILTER (WHERE days <= 30), 0), coalesce(sum(n) FILTER (WHERE days BETWEEN 31 AND 60), 0),
             coalesce(sum(n) FILTER (WHERE days BETWEEN 61 AND 90), 0), coalesce(sum(n) FILTER (WHERE days BETWEEN 91 AND 180), 0),
             coalesce(sum(n) FILTER (WHERE days BETWEEN 181 AND 365), 0), coalesce(sum(n) FILTER (WHERE days > 365), 0)]::int[] AS buckets
FROM h GROUP BY projectid
UNION ALL
SELECT 'past', projectid, householdid, enrollmentid, personalid, la, la_source, days, 0, 0, 0, 0, NULL
FROM c WHERE past
) u
ORDER BY kind DESC, projectid COLLATE "C", householdid COLLATE "C", enrollmentid COLLATE "C"
