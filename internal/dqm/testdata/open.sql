-- Open enrollments as of 2026-11-01 (90 days before: 2026-08-03): the windows, Q6f, future-dated
-- activity and heads of household. Every Exit row here was created before the period.
INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, userid, datecreated, dateupdated, exportid) VALUES
  -- PSSO (90/80 days). H1: last service 2026-07-01, 123 days: both members past the window.
  ('E1',  'C1',  'PSSO', '2026-01-05', 'H1', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E2',  'C2',  'PSSO', '2026-01-05', 'H1', 2, 'U1', '2026-01-05', '2026-01-05', 'T'),
  -- H2: last service 2026-08-08, 85 days: in the alert window. H3: service 2026-10-20, active.
  ('E3',  'C3',  'PSSO', '2026-03-01', 'H2', 1, 'U1', '2026-03-01', '2026-03-01', 'T'),
  ('E4',  'C4',  'PSSO', '2026-03-01', 'H3', 1, 'U1', '2026-03-01', '2026-03-01', 'T'),
  -- H4 exited; H5 enters after the as-of date: neither is open as of 2026-11-01.
  ('E5',  'C5',  'PSSO', '2026-01-05', 'H4', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E6',  'C6',  'PSSO', '2026-11-10', 'H5', 1, 'U1', '2026-11-10', '2026-11-10', 'T'),
  -- PES (auto exit off): H7 has had no activity since its entry, 518 days, and is not past any window.
  ('E9',  'C9',  'PES',  '2025-06-01', 'H7', 1, 'U1', '2025-06-01', '2025-06-01', 'T'),
  -- PNBN (night by night). Q6f bed nights: E10 last bed night 2026-07-01 (inactive); E11 bed night
  -- 2026-10-25; E12 entered 2026-10-01 (less than 90 days ago); E13 bed night on 2026-08-03, exactly
  -- 90 days before (not more); E14 entered on 2026-08-03 (not more than 90 days before); E15 has a
  -- service in the window but its last bed night is 2026-06-01 (inactive).
  ('E10', 'C10', 'PNBN', '2026-05-01', 'H10', 1, 'U1', '2026-05-01', '2026-05-01', 'T'),
  ('E11', 'C11', 'PNBN', '2026-05-01', 'H11', 1, 'U1', '2026-05-01', '2026-05-01', 'T'),
  ('E12', 'C12', 'PNBN', '2026-10-01', 'H12', 1, 'U1', '2026-10-01', '2026-10-01', 'T'),
  ('E13', 'C13', 'PNBN', '2026-05-01', 'H13', 1, 'U1', '2026-05-01', '2026-05-01', 'T'),
  ('E14', 'C14', 'PNBN', '2026-08-03', 'H14', 1, 'U1', '2026-08-03', '2026-08-03', 'T'),
  ('E15', 'C15', 'PNBN', '2026-05-01', 'H15', 1, 'U1', '2026-05-01', '2026-05-01', 'T'),
  -- PSO (Street Outreach). Q6f contacts (adults and heads of household): H20's head E20 last
  -- contact 2026-06-01 (inactive), its child E22 (not counted: a child, not the head) and adult E23
  -- (no contact: inactive); E21 contact 2026-10-22, 10 days ago; E24 a child head of household with
  -- no contact (inactive); E25 contact on 2026-08-03, exactly 90 days before; E27 only services, no
  -- contact (inactive).
  ('E20', 'C20', 'PSO',  '2026-01-10', 'H20', 1, 'U1', '2026-01-10', '2026-01-10', 'T'),
  ('E22', 'C22', 'PSO',  '2026-01-10', 'H20', 2, 'U1', '2026-01-10', '2026-01-10', 'T'),
  ('E23', 'C23', 'PSO',  '2026-01-10', 'H20', 3, 'U1', '2026-01-10', '2026-01-10', 'T'),
  ('E21', 'C21', 'PSO',  '2026-01-10', 'H21', 1, 'U1', '2026-01-10', '2026-01-10', 'T'),
  ('E24', 'C24', 'PSO',  '2026-02-01', 'H24', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E25', 'C25', 'PSO',  '2026-01-10', 'H25', 1, 'U1', '2026-01-10', '2026-01-10', 'T'),
  ('E27', 'C27', 'PSO',  '2026-01-10', 'H27', 1, 'U1', '2026-01-10', '2026-01-10', 'T'),
  -- PHH. Future-dated activity: E30 a service on 2026-11-05; E31 a service on the as-of date (not
  -- after it); E32 an update assessment (income, stage 2) on 2026-11-20; E33 an entry assessment
  -- (stage 1) on 2026-11-20, which is no activity (SPEC A1); E35 an event with its result on 2026-11-03.
  ('E30', 'C30', 'PHH',  '2026-02-01', 'H30', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E31', 'C31', 'PHH',  '2026-02-01', 'H31', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E32', 'C32', 'PHH',  '2026-02-01', 'H32', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E33', 'C33', 'PHH',  '2026-02-01', 'H33', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E35', 'C35', 'PHH',  '2026-02-01', 'H35', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  -- PHH heads of household: H40's head exited, its member stays; H41's member exited, its head
  -- stays; H42 two heads; H43 none; H44 one head; H45 everybody exited, the head first.
  ('E40', 'C40', 'PHH',  '2026-02-01', 'H40', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E41', 'C41', 'PHH',  '2026-02-01', 'H40', 2, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E42', 'C42', 'PHH',  '2026-02-01', 'H41', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E43', 'C43', 'PHH',  '2026-02-01', 'H41', 2, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E44', 'C44', 'PHH',  '2026-02-01', 'H42', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E45', 'C45', 'PHH',  '2026-02-01', 'H42', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E46', 'C46', 'PHH',  '2026-02-01', 'H43', 2, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E47', 'C47', 'PHH',  '2026-02-01', 'H43', 3, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E48', 'C48', 'PHH',  '2026-02-01', 'H44', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E49', 'C49', 'PHH',  '2026-02-01', 'H44', 2, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E50', 'C50', 'PHH',  '2026-02-01', 'H45', 1, 'U1', '2026-02-01', '2026-02-01', 'T'),
  ('E51', 'C51', 'PHH',  '2026-02-01', 'H45', 2, 'U1', '2026-02-01', '2026-02-01', 'T');

INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, userid, datecreated, dateupdated, exportid) VALUES
  ('X5',  'E5',  'C5',  '2026-06-01', 410, 'U1', '2026-06-01 10:00', '2026-06-01 10:00', 'T'),
  ('X40', 'E40', 'C40', '2026-09-15', 410, 'U1', '2026-09-15 10:00', '2026-09-15 10:00', 'T'),
  ('X43', 'E43', 'C43', '2026-09-15', 410, 'U1', '2026-09-15 10:00', '2026-09-15 10:00', 'T'),
  ('X50', 'E50', 'C50', '2026-09-10', 410, 'U1', '2026-09-10 10:00', '2026-09-10 10:00', 'T'),
  ('X51', 'E51', 'C51', '2026-09-15', 410, 'U1', '2026-09-15 10:00', '2026-09-15 10:00', 'T');

INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, userid, datecreated, dateupdated, exportid) VALUES
  ('S1',  'E1',  'C1',  '2026-07-01', 144, 1,   'U1', '2026-07-01', '2026-07-01', 'T'),
  ('S3',  'E3',  'C3',  '2026-08-08', 144, 1,   'U1', '2026-08-08', '2026-08-08', 'T'),
  ('S4',  'E4',  'C4',  '2026-10-20', 144, 1,   'U1', '2026-10-20', '2026-10-20', 'T'),
  ('S10', 'E10', 'C10', '2026-07-01', 200, 200, 'U1', '2026-07-01', '2026-07-01', 'T'),
  ('S11', 'E11', 'C11', '2026-10-25', 200, 200, 'U1', '2026-10-25', '2026-10-25', 'T'),
  ('S13', 'E13', 'C13', '2026-08-03', 200, 200, 'U1', '2026-08-03', '2026-08-03', 'T'),
  ('S15', 'E15', 'C15', '2026-06-01', 200, 200, 'U1', '2026-06-01', '2026-06-01', 'T'),
  ('S16', 'E15', 'C15', '2026-10-20', 144, 1,   'U1', '2026-10-20', '2026-10-20', 'T'),
  ('S27', 'E27', 'C27', '2026-10-01', 144, 1,   'U1', '2026-10-01', '2026-10-01', 'T'),
  ('S30', 'E30', 'C30', '2026-11-05', 144, 1,   'U1', '2026-10-20', '2026-10-20', 'T'),
  ('S31', 'E31', 'C31', '2026-11-01', 144, 1,   'U1', '2026-11-01', '2026-11-01', 'T');

INSERT INTO hmis.currentlivingsituation (currentlivingsitid, enrollmentid, personalid, informationdate, currentlivingsituation, userid, datecreated, dateupdated, exportid) VALUES
  ('L20', 'E20', 'C20', '2026-06-01', 116, 'U1', '2026-06-01', '2026-06-01', 'T'),
  ('L21', 'E21', 'C21', '2026-10-22', 116, 'U1', '2026-10-22', '2026-10-22', 'T'),
  ('L25', 'E25', 'C25', '2026-08-03', 116, 'U1', '2026-08-03', '2026-08-03', 'T');

INSERT INTO hmis.incomebenefits (incomebenefitsid, enrollmentid, personalid, informationdate, datacollectionstage, userid, datecreated, dateupdated, exportid) VALUES
  ('I32', 'E32', 'C32', '2026-11-20', 2, 'U1', '2026-10-20', '2026-10-20', 'T'),
  ('I33', 'E33', 'C33', '2026-11-20', 1, 'U1', '2026-10-20', '2026-10-20', 'T');

INSERT INTO hmis.event (eventid, enrollmentid, personalid, eventdate, event, resultdate, userid, datecreated, dateupdated, exportid) VALUES
  ('V35', 'E35', 'C35', '2026-10-01', 1, '2026-11-03', 'U1', '2026-10-01', '2026-10-01', 'T');

-- PSO: the children (every other client is an adult, clients.sql).
INSERT INTO hmis.client (personalid, firstname, lastname, ssn, dob, datecreated, dateupdated, exportid) VALUES
  ('C22', 'Tobiah', 'Lindqvist', '912340022', '2015-04-04', '2024-01-01', '2024-01-01', 'T'),
  ('C24', 'Anouk', 'Ferreira', '912340024', '2010-09-09', '2024-01-01', '2024-01-01', 'T');
