-- agreement_snapshot: records the exit rows of candidates.sql in exitflow.agreement_candidate, the
-- candidates of agreement $6 when its notice goes out; a candidate already recorded is kept as it is.
-- SPEC AG2, AD1, H1, S1
-- $1 date as-of, $2 text[] ProjectIDs, $3 text 'auto' or 'admin', $4 int window days or NULL,
-- $5 bool all-open: as in candidates_rows.sql; $6 text: the agreement (exitflow.agreement.agreement_id)
-- {candidates}: candidates.sql
-- psql: `exitflow sql agreement_snapshot` prints the assembled statement, then
--       BEGIN; PREPARE q(date, text[], text, int, bool, text) AS <the output of exitflow sql agreement_snapshot>;
--       EXECUTE q('2026-11-01', '{PS}', 'admin', 90, false, 'A1'); ROLLBACK;
INSERT INTO exitflow.agreement_candidate (agreement_id, enrollmentid, householdid, projectid, personalid)
SELECT $6::text, x.enrollmentid, x.householdid, x.projectid, x.personalid
FROM ({candidates}) x
WHERE x.action = 'exit'
ON CONFLICT (agreement_id, enrollmentid) DO NOTHING
