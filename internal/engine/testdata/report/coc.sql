-- A small CoC for the candidate-project report and alert tests, as of 2026-11-01.
-- Days inactive are as of 2026-11-01. IDs only; names are staff's and projects'.
INSERT INTO hmis.organization (organizationid, organizationname, datecreated, dateupdated, exportid) VALUES
  ('O1', 'Alpha Agency', now(), now(), 'T'),
  ('O2', 'Beta Agency', now(), now(), 'T');

INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, exportid) VALUES
  ('P1', 'O1', 'Alpha SSO', '2020-01-01', 6, now(), now(), 'T'), -- built-in 90/80
  ('P2', 'O1', 'Alpha ES',  '2020-01-01', 0, now(), now(), 'T'), -- built-in: auto exit off
  ('P3', 'O2', 'Beta SO',   '2020-01-01', 4, now(), now(), 'T'), -- organization policy 60/45
  ('P4', 'O2', 'Beta NbN',  '2020-01-01', 1, now(), now(), 'T'), -- organization policy 60/45, last-bed-night
  ('P5', 'O2', 'Beta Old',  '2020-01-01', 6, now(), now(), 'T'); -- no open enrollments

INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, changed_by) VALUES
  ('organization', 'O2', 60, 45, 'test');

INSERT INTO hmis."user" (userid, userfirstname, userlastname, useremail, datecreated, dateupdated, exportid) VALUES
  ('U1', 'Uma', 'One', 'u1@example.org', now(), now(), 'T'),
  ('U2', 'Ugo', 'Two', 'u2@example.org', now(), now(), 'T'),
  ('U3', 'Una', 'Three', NULL, now(), now(), 'T');

INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, userid, datecreated, dateupdated, exportid) VALUES
  -- P1: H1 past the window (last service 2026-07-01, 123 days)
  ('E1',  'C1',  'P1', '2026-01-01', 'H1', 1, 'U1', now(), now(), 'T'),
  -- P1: H2 in the alert window through its exited member's service (H1 rule: 2026-08-10, 83 days)
  ('E2',  'C2',  'P1', '2026-05-01', 'H2', 1, 'U1', now(), now(), 'T'),
  ('E3',  'C3',  'P1', '2026-05-01', 'H2', 2, 'U1', now(), now(), 'T'),
  -- P1: H3 active (entry 2026-10-01, 31 days)
  ('E4',  'C4',  'P1', '2026-10-01', 'H3', 1, 'U1', now(), now(), 'T'),
  -- P1: H4 exited: not open
  ('E5',  'C5',  'P1', '2026-01-01', 'H4', 1, 'U1', now(), now(), 'T'),
  -- P2 (auto exit off): H5 past the 90-day reference window (2026-06-01, 153 days), H6 active
  ('E6',  'C6',  'P2', '2026-01-01', 'H5', 1, 'U1', now(), now(), 'T'),
  ('E7',  'C7',  'P2', '2026-10-15', 'H6', 1, 'U1', now(), now(), 'T'),
  -- P3: H7 in the alert window (current living situation 2026-09-10, 52 days), three open members
  ('E8',  'C8',  'P3', '2026-08-01', 'H7', 1, 'U1', now(), now(), 'T'),
  ('E11', 'C11', 'P3', '2026-08-01', 'H7', 2, 'U2', now(), now(), 'T'),
  ('E12', 'C12', 'P3', '2026-08-01', 'H7', 3, 'U3', now(), now(), 'T'),
  -- P3: H8 enters after the as-of date: not open as of 2026-11-01
  ('E9',  'C9',  'P3', '2026-12-01', 'H8', 1, 'U1', now(), now(), 'T'),
  -- P4 (NbN, last-bed-night): H9's last bed night 2026-08-01 (92 days); a later service does not count (A4)
  ('E10', 'C10', 'P4', '2026-06-01', 'H9', 1, 'U1', now(), now(), 'T'),
  -- P5: exited only
  ('E13', 'C13', 'P5', '2026-01-01', 'H10', 1, 'U1', now(), now(), 'T');

INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, exportid) VALUES
  ('X3',  'E3',  'C3',  '2026-08-20', 30, now(), now(), 'T'),
  ('X5',  'E5',  'C5',  '2026-03-01', 30, now(), now(), 'T'),
  ('X13', 'E13', 'C13', '2026-03-01', 30, now(), now(), 'T');

INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid) VALUES
  ('S1', 'E1',  'C1',  '2026-07-01', 144, 1, now(), now(), 'T'),
  ('S2', 'E3',  'C3',  '2026-08-10', 144, 1, now(), now(), 'T'),
  ('S3', 'E6',  'C6',  '2026-06-01', 144, 1, now(), now(), 'T'),
  ('S4', 'E10', 'C10', '2026-08-01', 200, 200, now(), now(), 'T'),
  ('S5', 'E10', 'C10', '2026-10-20', 144, 1, now(), now(), 'T'),
  ('S6', 'E1',  'C1',  '2026-06-01', 144, 1, now(), now(), 'T');

INSERT INTO hmis.currentlivingsituation (currentlivingsitid, enrollmentid, personalid, informationdate, currentlivingsituation, datecreated, dateupdated, exportid) VALUES
  ('L1', 'E8', 'C8', '2026-09-10', 116, now(), now(), 'T');
