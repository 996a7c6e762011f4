-- candidates_rows: the rule query of previews, exit runs, alerts and the candidate report. As of $1,
-- the open enrollments of the households to exit (action 'exit') or alert (action 'alert'), one row
-- per enrollment with the household's last activity, days inactive, exit date and Exit fields; in no
-- particular order (candidates.sql and candidates_natural.sql add one).
-- SPEC P1, P2, P5, A1, A2, A4, H1, H2, H3, H4, D1, D2, D3, D4, F1, AL1, AD1, AD2
-- $1 date: the as-of date T
-- $2 text[]: ProjectIDs, or NULL for every project
-- $3 text: the method, 'auto' (inactivity exits and alerts) or 'admin' (administrative exits)
-- $4 int: admin only, the window in days, or NULL for each project's auto-exit days
-- $5 bool: admin only, every open enrollment (a closing project)
-- psql: PREPARE q(date, text[], text, int, bool) AS <this file>; EXECUTE q('2026-11-01', NULL, 'auto', NULL, false);
WITH pol AS (
    SELECT * FROM exitflow.effective_policy
    WHERE ($2::text[] IS NULL OR projectid = ANY ($2))
      AND (CASE WHEN $3 = 'auto' THEN auto_exit_days IS NOT NULL                          -- P1, P2: auto exit on
                ELSE $5 OR coalesce($4, auto_exit_days) IS NOT NULL END)                 -- AD1
),
member AS ( -- every member, open or already exited (H1, H4), of the policy projects' households, as of $1;
            -- A1–A4: each one's latest activity, never before its entry date (the entry date stands in)
    SELECT s.projectid, s.householdid, s.enrollmentid, s.personalid, s.entrydate, s.open, b.by_bed_night,
           CASE WHEN b.by_bed_night THEN greatest(s.entrydate, s.last_bed_night) ELSE greatest(s.entrydate, s.last_date) END AS la,
           CASE WHEN b.by_bed_night THEN CASE WHEN s.last_bed_night >= s.entrydate THEN 'bed-night' ELSE 'entry' END
                ELSE CASE WHEN s.last_date >= s.entrydate THEN s.last_source ELSE 'entry' END END AS la_source
    FROM exitflow.enrollment_state s -- soft-deleted enrollments have no row
    JOIN pol p USING (projectid)
    CROSS JOIN LATERAL (SELECT p.projecttype = 1 AND p.nbn_benchmark = 'last-bed-night' AS by_bed_night) b -- A4
    WHERE s.projectid = ANY (ARRAY (SELECT projectid FROM pol)) AND s.entrydate <= $1
),
household AS ( -- H1: each member beside its household's values; the household's last activity is the latest of all its members
    SELECT m.*,
           max(la) OVER h AS hh_la,
           -- the member whose activity is the household's last: latest first, an activity before an
           -- entry date on ties, then the lowest EnrollmentID; one sortable text key (days before
           -- 9999-12-31, 0/1 entry, EnrollmentID, chr(1), source), so no sort per household
           min(lpad((date '9999-12-31' - la)::text, 7, '0') || (la_source = 'entry')::int || enrollmentid COLLATE "C" || chr(1) || la_source) OVER h AS last_key,
           max(la) FILTER (WHERE by_bed_night AND la_source = 'bed-night') OVER h AS last_bed_night,
           max(entrydate) FILTER (WHERE open) OVER h AS last_open_entry
    FROM member m
    WINDOW h AS (PARTITION BY projectid, householdid)
),
decided AS ( -- H2, H3: the open members of each household (a household without one has no row here)
    SELECT h.projectid, h.householdid, h.enrollmentid, h.personalid, h.hh_la AS la,
           -- the key's collation is "C": back to the default, or lookups by EnrollmentID miss the indexes
           split_part(h.last_key, chr(1), 2) COLLATE "default" AS la_source,
           substr(split_part(h.last_key, chr(1), 1), 9) COLLATE "default" AS evidence,
           h.last_open_entry,
           pol.projecttype, pol.rrhsubtype, pol.scope, pol.auto_exit_days, pol.alert_days, pol.nbn_benchmark, pol.exit_defaults,
           ($1::date - h.hh_la) AS days,
           coalesce($4, pol.auto_exit_days) AS window_days,
           -- D1: the household's last activity; D2: NbN by bed nights, the day after the last bed night
           -- (no bed night: the entry date, and D3 applies); D4: never before an open member's entry
           greatest(CASE WHEN h.by_bed_night AND h.last_bed_night IS NOT NULL THEN h.last_bed_night + 1 ELSE h.hh_la END,
                    h.last_open_entry) AS base_date
    FROM household h JOIN pol USING (projectid)
    WHERE h.open
),
dated AS (
    SELECT d.*,
           CASE WHEN $3 = 'admin' AND ($5 OR d.days >= d.window_days) THEN 'exit'              -- AD1
                WHEN $3 = 'auto' AND d.days >= d.auto_exit_days THEN 'exit'                    -- H2
                WHEN $3 = 'auto' AND d.alert_days IS NOT NULL AND d.days >= d.alert_days THEN 'alert' -- AL1
           END AS action,
           -- D3: no same-day exits in types 0, 1, 2, 3, 4, 8, 9, 10, 13 (but RRH services-only): the
           -- base date is an open member's entry date exactly when it is the latest one (it is never
           -- earlier); D4: never after the as-of date
           least($1::date, CASE WHEN d.projecttype IN (0, 1, 2, 3, 4, 8, 9, 10, 13)
                                 AND NOT (d.projecttype = 13 AND d.rrhsubtype IS NOT DISTINCT FROM 1)
                                 AND d.base_date = d.last_open_entry
                                THEN d.base_date + 1 ELSE d.base_date END) AS exit_date
    FROM decided d
)
SELECT d.action, d.projectid, d.householdid, d.enrollmentid, d.personalid,
       d.la, d.la_source, d.days,
       CASE WHEN d.action = 'exit' THEN $1::date ELSE d.la + d.auto_exit_days END AS exit_on,
       d.exit_date,
       -- F1, P5: 30 unless the project's defaults for automatic exits say otherwise;
       -- AD2: administrative exits are not automatic exits: always 30, nothing else
       CASE WHEN $3 = 'admin' THEN 30 ELSE coalesce((d.exit_defaults ->> 'Destination')::int, 30) END AS destination,
       CASE WHEN $3 = 'admin' THEN NULL ELSE (d.exit_defaults ->> 'DestinationSubsidyType')::int END AS subsidy,
       CASE WHEN $3 = 'admin' THEN 'Administrative exit'
            WHEN d.action = 'exit' THEN format('No activity for %s days; auto exit after %s days (%s policy)', d.days, d.auto_exit_days, d.scope)
            ELSE format('No activity for %s days; alert at %s days, auto exit on %s', d.days, d.alert_days, d.la + d.auto_exit_days)
       END AS reason,
       d.projecttype, d.scope, d.auto_exit_days, d.alert_days, d.nbn_benchmark, d.evidence
FROM dated d
WHERE d.action IS NOT NULL
