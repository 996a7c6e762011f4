-- candidates: candidates_rows.sql in the order of the preview CSV contract (ProjectID, HouseholdID,
-- EnrollmentID as text, byte order); the statement previews and exits run, and the one that
-- snapshot.sql, report.sql and the alerts embed as {candidates}.
-- SPEC P1, P2, P5, A1, A2, A4, H1, H2, H3, H4, D1, D2, D3, D4, F1, AL1, AD1, AD2
-- $1 date as-of, $2 text[] ProjectIDs or NULL, $3 text 'auto' or 'admin', $4 int admin window days or NULL,
-- $5 bool admin all-open: as in candidates_rows.sql
-- psql: PREPARE q(date, text[], text, int, bool) AS <candidates_rows.sql followed by the ORDER BY below>;
--       EXECUTE q('2026-11-01', NULL, 'auto', NULL, false);
{candidates_rows}
ORDER BY d.projectid COLLATE "C", d.householdid COLLATE "C", d.enrollmentid COLLATE "C"
