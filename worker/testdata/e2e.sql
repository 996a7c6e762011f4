-- The end-to-end agreement test's CoC: one agency (organization O1) with one Services Only project
-- (P1: auto exit off, the built-in window 90 days), its liaison and the CoC's HMIS staff member.
-- Households H1 (two members) and H2 have had no activity since January 2026, so an admin
-- agreement exits them; H3 had a service last week and stays open. The clients carry names, SSNs and
-- dates of birth so that the test can check that none of them reaches Temporal or a log.
INSERT INTO hmis.organization (organizationid, organizationname, datecreated, dateupdated, exportid) VALUES
  ('O1', 'Harbor House', now(), now(), 'T');
INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, exportid) VALUES
  ('P1', 'O1', 'Harbor Services', '2020-01-01', 6, now(), now(), 'T');
INSERT INTO hmis.client (personalid, firstname, lastname, ssn, dob, datecreated, dateupdated, exportid) VALUES
  ('C1', 'Marisol', 'Vandermeer', '912345671', '1961-02-03', now(), now(), 'T'),
  ('C2', 'Tobiah', 'Lindqvist', '912345672', '2015-04-04', now(), now(), 'T'),
  ('C3', 'Anouk', 'Ferreira', '912345673', '1979-09-09', now(), now(), 'T'),
  ('C4', 'Quillon', 'Abernathy', '912345674', '1988-12-24', now(), now(), 'T');
INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, datecreated, dateupdated, exportid) VALUES
  ('E1', 'C1', 'P1', '2026-01-05', 'H1', 1, now(), now(), 'T'),
  ('E2', 'C2', 'P1', '2026-01-05', 'H1', 2, now(), now(), 'T'),
  ('E3', 'C3', 'P1', '2026-01-20', 'H2', 1, now(), now(), 'T'),
  ('E4', 'C4', 'P1', '2026-01-20', 'H3', 1, now(), now(), 'T');
INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid) VALUES
  ('S1', 'E4', 'C4', current_date - 7, 144, 3, now(), now(), 'T');
INSERT INTO exitflow.contact (organizationid, role, name, email) VALUES
  ('O1', 'liaison', 'Lia Liaison', 'lia@harbor.example'),
  (NULL, 'hmis-staff', 'Sam Staff', 'sam@coc.example');
