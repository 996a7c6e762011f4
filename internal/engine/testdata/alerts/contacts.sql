-- Recipients for the alert tests (SPEC AL3, N5), over testdata/report/coc.sql.
INSERT INTO exitflow.contact (organizationid, role, name, email) VALUES
  ('O1', 'liaison', 'Lia Alpha', 'lia@alpha.example'),
  ('O1', 'liaison', 'Leo Alpha', 'leo@alpha.example'),
  ('O1', 'notification', 'Nora Alpha', 'nora@alpha.example'), -- not a liaison: no alerts
  ('O2', 'liaison', 'Lee Beta', 'lee@beta.example');

-- The engine's own assignment table wins over the enrollment's UserID (E2's U1, E11's U2);
-- E8 has none, so its UserID U1's email; E12 has none and U3 has no email: unassigned.
INSERT INTO exitflow.assignment (enrollmentid, staff_name, email) VALUES
  ('E2', 'Case Manager A', 'cma@example.org'),
  ('E11', 'Case Manager B', 'cmb@example.org'),
  ('E11', 'Case Manager C', 'cmc@example.org');
