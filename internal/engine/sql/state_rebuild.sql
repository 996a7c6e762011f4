-- state_rebuild: builds exitflow.enrollment_state anew, for every enrollment, as
-- exitflow.enrollment_state_new (RefreshState then swaps it in). CREATE TABLE AS may scan and
-- aggregate the activity tables in parallel, which INSERT … SELECT may not (PostgreSQL 15).
-- SPEC A1, A4, H3
-- {state_all}: state.sql for every enrollment
-- No parameters.
-- psql: `exitflow sql state_rebuild` prints the assembled statement;
--       it writes: BEGIN … ROLLBACK.
CREATE TABLE exitflow.enrollment_state_new WITH (fillfactor = 70) AS
{state_all}
ORDER BY e.projectid, e.householdid
