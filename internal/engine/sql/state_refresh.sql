-- state_refresh: writes the exitflow.enrollment_state rows of the enrollments an import touched
-- (RefreshState deletes their old rows first and lists them in the temporary table state_touched).
-- SPEC A1, A4, H3
-- {state_touched}: state.sql restricted to the enrollments in state_touched
-- No parameters.
-- psql: `exitflow sql state_refresh` prints the assembled statement;
--       it needs CREATE TEMP TABLE state_touched (enrollmentid text) first, and writes: BEGIN … ROLLBACK.
INSERT INTO exitflow.enrollment_state
{state_touched}
