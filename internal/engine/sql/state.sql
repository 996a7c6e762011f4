-- state: each enrollment's row of exitflow.enrollment_state: its project, household, person, entry
-- date, open flag (no live Exit row), latest activity (activity.sql) and whether it is its
-- household's head (RelationshipToHoH 1; last, as migration 00011 added the column). Soft-deleted enrollments
-- have no row.
-- SPEC A1, A4, H3
-- {activity}: activity.sql; {in_e}: nothing (every enrollment), or "AND e.enrollmentid IN (...)"
--       with the same enrollments as activity.sql's {in}
-- No parameters.
-- psql: `exitflow sql state_all` (every enrollment) or `exitflow sql state_touched` prints it assembled,
--       then run the output of exitflow sql state_all as it is.
SELECT e.enrollmentid, e.projectid, e.householdid, e.personalid, e.entrydate, x.enrollmentid IS NULL AS open,
       a.last_date, a.last_source, a.last_bed_night, coalesce(e.relationshiptohoh = 1, false) AS head
FROM hmis.enrollment e
LEFT JOIN hmis.exit x ON x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL
LEFT JOIN ({activity}) a (enrollmentid, last_date, last_source, last_bed_night) ON a.enrollmentid = e.enrollmentid
WHERE e.datedeleted IS NULL {in_e}
