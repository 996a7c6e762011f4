-- candidates_natural: candidates_rows.sql in the order of tables people read: ProjectID,
-- HouseholdID, EnrollmentID compared as engine.CompareIDs does (IDs of digits first, by their
-- number: 9 before 10; then the others as text). {natural_order} is naturalOrderSQL of the three
-- columns: for each, NOT (c ~ '^[0-9]+$'), the length and the digits of ltrim(c, '0'), then c COLLATE "C".
-- SPEC P1, P2, P5, A1, A2, A4, H1, H2, H3, H4, D1, D2, D3, D4, F1, AL1, AD1, AD2
-- $1 date as-of, $2 text[] ProjectIDs or NULL, $3 text 'auto' or 'admin', $4 int admin window days or NULL,
-- $5 bool admin all-open: as in candidates_rows.sql
-- psql: `exitflow sql candidates_natural` prints the assembled statement, then
--       PREPARE q(date, text[], text, int, bool) AS <the output of exitflow sql candidates_natural>; EXECUTE q('2026-11-01', NULL, 'auto', NULL, false);
{candidates_rows}
ORDER BY {natural_order}
