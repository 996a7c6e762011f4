-- For exits the engine writes (their DateCreated is the wall clock: the tests' period ends today).
-- PA (Services Only, 90/80 days) as of 2026-11-01: H90 (two members) and H91 past the window since
-- 2026-06-01, H92 active; E95 exited by a case manager today, E96 in October. PB (auto exit off): H94
-- for administrative exits.
INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, userid, datecreated, dateupdated, exportid) VALUES
  ('E90', 'C90', 'PA', '2026-01-05', 'H90', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E91', 'C91', 'PA', '2026-01-05', 'H90', 2, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E92', 'C92', 'PA', '2026-01-05', 'H91', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E93', 'C93', 'PA', '2026-01-05', 'H92', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E95', 'C95', 'PA', '2026-01-05', 'H95', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E96', 'C96', 'PA', '2026-01-05', 'H96', 1, 'U1', '2026-01-05', '2026-01-05', 'T'),
  ('E94', 'C94', 'PB', '2026-01-05', 'H94', 1, 'U1', '2026-01-05', '2026-01-05', 'T');

INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, userid, datecreated, dateupdated, exportid) VALUES
  ('X95', 'E95', 'C95', '2026-10-30', 410, 'U1', (now() AT TIME ZONE 'UTC')::timestamp(0), (now() AT TIME ZONE 'UTC')::timestamp(0), 'T'),
  ('X96', 'E96', 'C96', '2026-10-30', 410, 'U1', '2026-10-30 12:00', '2026-10-30 12:00', 'T');

INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, userid, datecreated, dateupdated, exportid) VALUES
  ('S90', 'E90', 'C90', '2026-06-01', 144, 1, 'U1', '2026-06-01', '2026-06-01', 'T'),
  ('S92', 'E92', 'C92', '2026-06-01', 144, 1, 'U1', '2026-06-01', '2026-06-01', 'T'),
  ('S93', 'E93', 'C93', '2026-10-25', 144, 1, 'U1', '2026-10-25', '2026-10-25', 'T');
