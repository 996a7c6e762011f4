-- state_mismatches: counts the enrollments whose exitflow.enrollment_state row (or its absence)
-- differs from what the HMIS tables say now: 0 unless something bypassed the import's refresh.
-- SPEC A1, A4, H3
-- {state_all}: state.sql for every enrollment
-- No parameters.
-- psql: `exitflow sql state_mismatches` prints the assembled statement,
--       then run the output of exitflow sql state_mismatches as it is.
SELECT count(*) FROM exitflow.enrollment_state s
FULL JOIN ({state_all}) r USING (enrollmentid)
WHERE (s.projectid, s.householdid, s.personalid, s.entrydate, s.open, s.last_date, s.last_source, s.last_bed_night, s.head)
      IS DISTINCT FROM (r.projectid, r.householdid, r.personalid, r.entrydate, r.open, r.last_date, r.last_source, r.last_bed_night, r.head)
