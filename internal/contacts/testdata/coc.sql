-- Two agencies and a closed one, and a few enrollments (one deleted), for the contact and
-- assignment tests. IDs only; names are agencies' and staff's.
INSERT INTO hmis.organization (organizationid, organizationname, datecreated, dateupdated, exportid, datedeleted) VALUES
  ('41', 'Harbor House', now(), now(), 'T', NULL),
  ('7', 'Northside Outreach', now(), now(), 'T', NULL),
  ('99', 'Closed Agency', now(), now(), 'T', now()); -- deleted in the source HMIS

INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, exportid) VALUES
  ('P1', '41', 'Harbor SSO', '2020-01-01', 6, now(), now(), 'T');

INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, datecreated, dateupdated, exportid, datedeleted) VALUES
  ('E1', 'C1', 'P1', '2026-01-01', 'H1', 1, now(), now(), 'T', NULL),
  ('E2', 'C2', 'P1', '2026-01-01', 'H1', 2, now(), now(), 'T', NULL),
  ('E3', 'C3', 'P1', '2026-02-01', 'H3', 1, now(), now(), 'T', NULL),
  ('E4', 'C4', 'P1', '2026-02-01', 'H4', 1, now(), now(), 'T', now()); -- deleted in the source HMIS
