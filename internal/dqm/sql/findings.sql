-- findings: one row per enrollment (or household) behind each DQM finding of the projects $3 as of
-- $1 over the period ($2, $1]: exits of the period dated before their entry or after the as-of
-- date; NbN exits of the period (project type 1, benchmark last-bed-night) not dated the day after
-- the last bed night; bed nights on or after the exit date; HUD APR/CAPER Q6f-style inactive
-- records (open ES NbN enrollments with no bed night, open Street Outreach adults and heads of
-- household with no current living situation, from $1 - 90 days through $1, among those entered
-- more than 90 days before it: the HMIS Reporting Glossary's Q6f, "latest more than 90 days prior
-- to the report end date"); activity (any A1 source) dated after the as-of date; open households
-- whose head of household has exited (one row per household), and open households with no or
-- several heads. IDs and dates only. Open enrollments, heads of household, latest activity and
-- latest bed nights come from exitflow.enrollment_state, as the engine keeps them.
-- SPEC Q1, D1, D2, A1, A3, A4, H2
-- $1 date: the as-of date; $2 date: the period starts after it; $3 text[]: the ProjectIDs
-- psql: PREPARE q(date, date, text[]) AS <this file>; EXECUTE q('2026-11-01', '2026-10-01', '{1362}');
WITH p AS ( -- the projects ($3 as a table: joined by hash whatever plan the array gets), their type and benchmark
    SELECT pr.projectid, pr.projecttype, ep.nbn_benchmark
    FROM unnest($3::text[]) AS u (projectid)
    JOIN hmis.project pr ON pr.projectid = u.projectid AND pr.datedeleted IS NULL
    JOIN exitflow.effective_policy ep ON ep.projectid = pr.projectid
),
o AS ( -- their open enrollments as of $1 (entered by then, no Exit row), from the narrow enrollment state
    SELECT s.enrollmentid, s.projectid, s.householdid, s.personalid, s.entrydate, s.last_date, s.head, p.projecttype
    FROM exitflow.enrollment_state s JOIN p ON p.projectid = s.projectid
    WHERE s.open AND s.entrydate <= $1
),
g AS ( -- each household with an open member as of $1, in one pass over the state: its heads of household
       -- entered by then (open or exited), and whether one of them has an Exit row
    SELECT s.projectid, s.householdid, count(*) FILTER (WHERE s.head) AS heads, bool_or(s.head AND NOT s.open) AS head_out
    FROM exitflow.enrollment_state s
    JOIN p ON p.projectid = s.projectid
    WHERE s.entrydate <= $1
    GROUP BY s.projectid, s.householdid
    HAVING bool_or(s.open)
),
x AS ( -- the period's exits: the same ones as exits.sql counts, whatever their entry date
    SELECT s.enrollmentid, s.projectid, s.householdid, s.personalid, s.entrydate, s.last_bed_night, p.projecttype,
           p.nbn_benchmark, x.exitdate
    FROM hmis.exit x
    JOIN exitflow.enrollment_state s ON s.enrollmentid = x.enrollmentid
    JOIN p ON p.projectid = s.projectid
    WHERE x.datedeleted IS NULL AND x.datecreated::date > $2 AND x.datecreated::date <= $1
),
f AS (
SELECT 'exits_before_entry' AS finding, x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate AS date,
       'entry ' || x.entrydate AS detail
FROM x WHERE x.exitdate < x.entrydate
UNION ALL
SELECT 'exits_after_as_of', x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate, ''
FROM x WHERE x.exitdate > $1
UNION ALL
SELECT 'nbn_exit_date_off', x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate,
       'last bed night ' || x.last_bed_night
FROM x WHERE x.projecttype = 1 AND x.nbn_benchmark = 'last-bed-night' AND x.exitdate <> x.last_bed_night + 1
UNION ALL
SELECT 'bed_nights_on_or_after_exit', x.projectid, x.householdid, x.enrollmentid, x.personalid, b.d, 'exit ' || x.exitdate
FROM x
CROSS JOIN LATERAL (SELECT min(dateprovided) AS d FROM hmis.services WHERE enrollmentid = x.enrollmentid AND recordtype = 200
                    AND datedeleted IS NULL AND dateprovided >= x.exitdate) b
WHERE x.last_bed_night >= x.exitdate -- the enrollment's latest bed night
UNION ALL
SELECT 'q6f_nbn_no_bed_night_90d', o.projectid, o.householdid, o.enrollmentid, o.personalid, o.entrydate, 'entry'
FROM o
WHERE o.projecttype = 1 AND o.entrydate < $1 - 90
  AND NOT EXISTS (SELECT 1 FROM hmis.services b WHERE b.enrollmentid = o.enrollmentid AND b.recordtype = 200
                  AND b.datedeleted IS NULL AND b.dateprovided >= $1 - 90 AND b.dateprovided <= $1)
UNION ALL
SELECT 'q6f_so_no_contact_90d', o.projectid, o.householdid, o.enrollmentid, o.personalid, o.entrydate, 'entry'
FROM o
LEFT JOIN hmis.client c ON c.personalid = o.personalid AND c.datedeleted IS NULL
WHERE o.projecttype = 4 AND o.entrydate < $1 - 90
  AND (o.head OR c.dob <= $1 - interval '18 years') -- adults and heads of household
  AND NOT EXISTS (SELECT 1 FROM hmis.currentlivingsituation l WHERE l.enrollmentid = o.enrollmentid
                  AND l.datedeleted IS NULL AND l.informationdate >= $1 - 90 AND l.informationdate <= $1)
UNION ALL
SELECT 'future_dated_activity', o.projectid, o.householdid, o.enrollmentid, o.personalid, f.d, f.source
FROM o
CROSS JOIN LATERAL ( -- SPEC A1, A3: the earliest record after $1 of any activity source, in the engine's
                     -- names; only where the enrollment state's latest activity is after $1
    SELECT d, source FROM (
        SELECT min(dateprovided) AS d, CASE WHEN recordtype = 200 THEN 'bed-night' ELSE 'service' END AS source
          FROM hmis.services WHERE enrollmentid = o.enrollmentid AND datedeleted IS NULL AND dateprovided > $1 GROUP BY 2
        UNION ALL SELECT min(informationdate), 'current-living-situation' FROM hmis.currentlivingsituation
         WHERE enrollmentid = o.enrollmentid AND datedeleted IS NULL AND informationdate > $1
        UNION ALL SELECT min(assessmentdate), 'assessment' FROM hmis.assessment
         WHERE enrollmentid = o.enrollmentid AND datedeleted IS NULL AND assessmentdate > $1
        UNION ALL SELECT min(least(CASE WHEN eventdate > $1 THEN eventdate END, CASE WHEN resultdate > $1 THEN resultdate END)), 'event'
          FROM hmis.event WHERE enrollmentid = o.enrollmentid AND datedeleted IS NULL AND (eventdate > $1 OR resultdate > $1)
        UNION ALL SELECT min(informationdate), 'update-assessment' FROM (
            SELECT informationdate FROM hmis.incomebenefits WHERE enrollmentid = o.enrollmentid AND datacollectionstage IN (2, 5)
               AND datedeleted IS NULL AND informationdate > $1
            UNION ALL SELECT informationdate FROM hmis.healthanddv WHERE enrollmentid = o.enrollmentid AND datacollectionstage IN (2, 5)
               AND datedeleted IS NULL AND informationdate > $1
            UNION ALL SELECT informationdate FROM hmis.disabilities WHERE enrollmentid = o.enrollmentid AND datacollectionstage IN (2, 5)
               AND datedeleted IS NULL AND informationdate > $1
            UNION ALL SELECT informationdate FROM hmis.employmenteducation WHERE enrollmentid = o.enrollmentid AND datacollectionstage IN (2, 5)
               AND datedeleted IS NULL AND informationdate > $1
        ) u
        UNION ALL SELECT min(activitydate), 'custom' FROM hmis.customactivity
         WHERE enrollmentid = o.enrollmentid AND datedeleted IS NULL AND activitydate > $1
    ) a WHERE d IS NOT NULL ORDER BY d, source LIMIT 1
) f
WHERE o.last_date > $1
UNION ALL
SELECT * FROM ( -- one row per household: its first head to exit
    SELECT DISTINCT ON (g.projectid, g.householdid) 'households_hoh_exited', g.projectid, g.householdid, h.enrollmentid,
           h.personalid, xx.exitdate, 'head of household exited'
    FROM g
    JOIN exitflow.enrollment_state h ON h.projectid = g.projectid AND h.householdid = g.householdid AND h.head
        AND NOT h.open AND h.entrydate <= $1
    JOIN hmis.exit xx ON xx.enrollmentid = h.enrollmentid AND xx.datedeleted IS NULL AND xx.exitdate <= $1
    WHERE g.head_out
    ORDER BY g.projectid, g.householdid, xx.exitdate, h.enrollmentid COLLATE "C"
) hx
UNION ALL
SELECT 'households_hoh_not_one', g.projectid, g.householdid, m.enrollmentid, m.personalid, NULL::date, 'heads of household: ' || g.heads
FROM g
CROSS JOIN LATERAL ( -- the household's first open member (EnrollmentID order), found by the state's household index
    SELECT s.enrollmentid, s.personalid FROM exitflow.enrollment_state s
    WHERE s.projectid = g.projectid AND s.householdid = g.householdid AND s.open AND s.entrydate <= $1
    ORDER BY s.enrollmentid COLLATE "C" LIMIT 1
) m
WHERE g.heads <> 1
)
SELECT * FROM f
ORDER BY finding, projectid COLLATE "C", householdid COLLATE "C", enrollmentid COLLATE "C"
