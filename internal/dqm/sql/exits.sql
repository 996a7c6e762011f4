-- exits: per project, the exits recorded in the period (an Exit row not deleted, DateCreated after
-- $2 and on or before $1) by method: written by exitflow (the engine record's method) or by a case
-- manager; the engine exits undone in the period; and the share of the period's exits with
-- Destination 30 (no exit interview), 8 or 9 (client doesn't know, prefers not to answer) and 99
-- (data not collected), NULL when the period has no exit.
-- SPEC Q1, F3, U2
-- $1 date: the as-of date; $2 date: the period starts after it; $3 text[]: the ProjectIDs
-- psql: PREPARE q(date, date, text[]) AS <this file>; EXECUTE q('2026-11-01', '2026-10-01', '{1362}');
WITH x AS (
    SELECT e.projectid, x.exitid, x.destination, ee.method
    FROM hmis.exit x
    JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid AND e.datedeleted IS NULL
    LEFT JOIN exitflow.engine_exit ee ON ee.exitid = x.exitid
    WHERE x.datedeleted IS NULL AND e.projectid = ANY ($3)
      AND x.datecreated::date > $2 AND x.datecreated::date <= $1
),
undone AS (
    SELECT ee.projectid, count(*) AS n
    FROM exitflow.engine_exit ee
    WHERE ee.projectid = ANY ($3) AND ee.undone_at IS NOT NULL
      AND ee.undone_at::date > $2 AND ee.undone_at::date <= $1
    GROUP BY ee.projectid
),
p AS (SELECT unnest($3::text[]) AS projectid)
SELECT p.projectid,
       count(x.exitid) FILTER (WHERE x.method IS NULL) AS case_manager,
       count(x.exitid) FILTER (WHERE x.method = 'auto-inactivity') AS auto_inactivity,
       count(x.exitid) FILTER (WHERE x.method = 'admin') AS admin,
       count(x.exitid) FILTER (WHERE x.method = 'auto-housed') AS auto_housed,
       coalesce(min(u.n), 0) AS undone,
       count(x.exitid) AS exits,
       count(x.exitid) FILTER (WHERE x.destination = 30) AS dest_30,
       count(x.exitid) FILTER (WHERE x.destination IN (8, 9)) AS dest_8_9,
       count(x.exitid) FILTER (WHERE x.destination = 99) AS dest_99
FROM p
LEFT JOIN x ON x.projectid = p.projectid
LEFT JOIN undone u ON u.projectid = p.projectid
GROUP BY p.projectid
