-- stale: marks as skipped the candidates of a batch of an exit run that are no longer what the
-- run's snapshot saw: those whose enrollment was deleted since, and every candidate of a household
-- in which a member (open or exited) has activity after the snapshot's last activity date, or an
-- open member is not in the snapshot (joined or reopened since). Exiting part of such a household
-- would break H2, so none of it is exited. Only an import changes these: an exit run runs it per
-- batch only when one has been committed since its snapshot.
-- SPEC H1, H2, A1, A4
-- $1 bigint: the run (exitflow.exit_run.id); $2, $3 int: its households hh_seq $2 to $3; $4 date: the run's as-of date
-- psql: BEGIN; PREPARE q(bigint, int, int, date) AS <this file>; EXECUTE q(<run id>, 1, 10000, '2026-11-01'); ROLLBACK;
UPDATE exitflow.exit_run_candidate c SET status = 'skipped'
WHERE c.run_id = $1 AND c.hh_seq >= $2 AND c.hh_seq <= $3 AND c.status IS NULL
  AND (NOT EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = c.enrollmentid AND e.datedeleted IS NULL)
    OR EXISTS (
    SELECT 1 FROM exitflow.enrollment_state e
    WHERE e.householdid = c.householdid AND e.projectid = c.projectid AND e.entrydate <= $4
      AND (greatest(e.entrydate, CASE WHEN c.by_bed_night THEN e.last_bed_night ELSE e.last_date END) > c.last_activity_date
           OR (e.open AND NOT EXISTS (SELECT 1 FROM exitflow.exit_run_candidate m WHERE m.run_id = $1 AND m.enrollmentid = e.enrollmentid)))))
