-- The CoC of the DQM tests: organizations, projects and staff. The enrollments are in open.sql,
-- exits.sql and engine.sql, the clients in clients.sql. Most tests are as of 2026-11-01 with the
-- period (2026-10-01, 2026-11-01]. The project types give the built-in policies (SPEC P2): Services
-- Only 90/80 days, Street Outreach 365/300, every other type auto exit off. IDs only in the
-- findings; names are staff's, projects' and (clients.sql) the clients' that no report may show.
INSERT INTO hmis.organization (organizationid, organizationname, datecreated, dateupdated, exportid) VALUES
  ('O1', 'Alpha Agency', '2024-01-01', '2024-01-01', 'T'),
  ('O2', 'Beta Agency', '2024-01-01', '2024-01-01', 'T'),
  ('O3', 'Gamma Agency', '2024-01-01', '2024-01-01', 'T'); -- no projects

INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, exportid) VALUES
  ('PSSO', 'O1', 'Alpha Services Only',   '2020-01-01', 6,  '2024-01-01', '2024-01-01', 'T'), -- open.sql: windows
  ('PES',  'O1', 'Alpha Shelter',         '2020-01-01', 0,  '2024-01-01', '2024-01-01', 'T'), -- open.sql: auto exit off
  ('PX',   'O1', 'Alpha Transitional',    '2020-01-01', 2,  '2024-01-01', '2024-01-01', 'T'), -- exits.sql: the period, dates
  ('PP',   'O1', 'Alpha Prevention',      '2020-01-01', 12, '2024-01-01', '2024-01-01', 'T'), -- exits.sql: destinations
  ('PA',   'O1', 'Alpha Day Services',    '2020-01-01', 6,  '2024-01-01', '2024-01-01', 'T'), -- engine.sql: auto exits
  ('PB',   'O1', 'Alpha Housing',         '2020-01-01', 2,  '2024-01-01', '2024-01-01', 'T'), -- engine.sql: admin exits
  ('PNBN', 'O2', 'Beta Night Shelter',    '2020-01-01', 1,  '2024-01-01', '2024-01-01', 'T'), -- open.sql: Q6f bed nights
  ('PNX',  'O2', 'Beta Night Shelter II', '2020-01-01', 1,  '2024-01-01', '2024-01-01', 'T'), -- exits.sql: NbN exits
  ('PSO',  'O2', 'Beta Outreach',         '2020-01-01', 4,  '2024-01-01', '2024-01-01', 'T'), -- open.sql: Q6f contacts
  ('PHH',  'O2', 'Beta Supportive',       '2020-01-01', 3,  '2024-01-01', '2024-01-01', 'T'); -- open.sql: households, future dates

INSERT INTO hmis."user" (userid, userfirstname, userlastname, useremail, datecreated, dateupdated, exportid) VALUES
  ('U1', 'Casey', 'Manager', 'casey@example.org', '2024-01-01', '2024-01-01', 'T');
