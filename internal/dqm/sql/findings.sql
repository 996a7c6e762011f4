-- findings: one row per enrollment (or household) behind each DQM finding of the projects $3 as of
-- $1 over the period ($2, $1]: exits of the period dated before their entry or after the as-of
-- date; NbN exits of the period (project type 1, benchmark last-bed-night) not dated the day after
-- the last bed night; bed nights on or after the exit date; HUD APR/CAPER Q6f-style inactive
-- records (open ES NbN enrollments with no bed night, open Street Outreach adults and heads of
-- household with no current living situation, from $1 - 90 days through $1, among those entered
-- more than 90 days before it: the HMIS Reporting Glossary's Q6f, "latest more than 90 days prior
-- to the report end date"); activity (any A1 source) dated after the as-of date; open households
-- whose head of household has exited (one row per household), and open households with no or
-- several heads. IDs and dates only.
-- SPEC Q1, D1, D2, A1, A3, A4, H2
-- $1 date: the as-of date; $2 date: the period starts after it; $3 text[]: the ProjectIDs
-- psql: PREPARE q(date, date, text[]) AS <this file>; EXECUTE q('2026-11-01', '2026-10-01', '{1362}');
WITH e AS (
    SELECT e.enrollmentid, e.projectid, e.householdid, e.personalid, e.entrydate, e.relationshiptohoh,
           p.projecttype, s.open, s.last_date
    FROM hmis.enrollment e
    JOIN hmis.project p ON p.projectid = e.projectid AND p.datedeleted IS NULL
    JOIN exitflow.enrollment_state s ON s.enrollmentid = e.enrollmentid
    WHERE e.datedeleted IS NULL AND e.projectid = ANY ($3) AND e.entrydate <= $1
),
x AS ( -- the period's exits: the same ones as exits.sql counts, whatever their entry date
    SELECT e.enrollmentid, e.projectid, e.householdid, e.personalid, e.entrydate, p.projecttype, x.exitdate
    FROM hmis.exit x
    JOIN hmis.enrollment e ON e.enrollmentid = x.enrollmentid AND e.datedeleted IS NULL
    JOIN hmis.project p ON p.projectid = e.projectid AND p.datedeleted IS NULL
    WHERE x.datedeleted IS NULL AND e.projectid = ANY ($3)
      AND x.datecreated::date > $2 AND x.datecreated::date <= $1
),
lbn AS ( -- each exit's enrollment's last bed night
    SELECT x.enrollmentid, max(b.dateprovided) AS last_bed_night,
           min(b.dateprovided) FILTER (WHERE b.dateprovided >= x.exitdate) AS first_on_or_after
    FROM x JOIN hmis.services b ON b.enrollmentid = x.enrollmentid AND b.recordtype = 200
        AND b.datedeleted IS NULL AND b.dateprovided IS NOT NULL
    GROUP BY x.enrollmentid
),
o AS (SELECT * FROM e WHERE e.open),
f AS (
SELECT 'exits_before_entry' AS finding, x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate AS date,
       'entry ' || x.entrydate AS detail
FROM x WHERE x.exitdate < x.entrydate
UNION ALL
SELECT 'exits_after_as_of', x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate, ''
FROM x WHERE x.exitdate > $1
UNION ALL
SELECT 'nbn_exit_date_off', x.projectid, x.householdid, x.enrollmentid, x.personalid, x.exitdate,
       'last bed night ' || l.last_bed_night
FROM x JOIN lbn l ON l.enrollmentid = x.enrollmentid
JOIN exitflow.effective_policy ep ON ep.projectid = x.projectid
WHERE x.projecttype = 1 AND ep.nbn_benchmark = 'last-bed-night' AND x.exitdate <> l.last_bed_night + 1
UNION ALL
SELECT 'bed_nights_on_or_after_exit', x.projectid, x.householdid, x.enrollmentid, x.personalid, l.first_on_or_after,
       'exit ' || x.exitdate
FROM x JOIN lbn l ON l.enrollmentid = x.enrollmentid
WHERE l.first_on_or_after IS NOT NULL
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
  AND (o.relationshiptohoh = 1 OR c.dob <= $1 - interval '18 years')
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
SELECT * FROM ( -- one row per household: its first exited head
    SELECT DISTINCT ON (h.projectid, h.householdid) 'households_hoh_exited', h.projectid, h.householdid, h.enrollmentid,
           h.personalid, xx.exitdate, 'head of household exited'
    FROM e h
    JOIN hmis.exit xx ON xx.enrollmentid = h.enrollmentid AND xx.datedeleted IS NULL AND xx.exitdate <= $1
    WHERE h.relationshiptohoh = 1
      AND EXISTS (SELECT 1 FROM o WHERE o.projectid = h.projectid AND o.householdid = h.householdid)
    ORDER BY h.projectid, h.householdid, xx.exitdate, h.enrollmentid COLLATE "C"
) hx
UNION ALL
SELECT 'households_hoh_not_one', g.projectid, g.householdid, g.first_open, g.personalid, NULL::date,
       'heads of household: ' || g.heads
FROM (
    SELECT e.projectid, e.householdid, count(*) FILTER (WHERE e.relationshiptohoh = 1) AS heads,
           min(e.enrollmentid COLLATE "C") FILTER (WHERE e.open) AS first_open,
           (array_agg(e.personalid ORDER BY e.enrollmentid COLLATE "C") FILTER (WHERE e.open))[1] AS personalid
    FROM e GROUP BY e.projectid, e.householdid
    HAVING bool_or(e.open)
) g
WHERE g.heads <> 1
)
SELECT * FROM f
ORDER BY finding, projectid COLLATE "C", householdid COLLATE "C", enrollmentid COLLATE "C"
