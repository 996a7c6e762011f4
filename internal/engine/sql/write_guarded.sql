-- write_guarded: writes the Exit rows of a batch of households of an exit run after a change since
-- its snapshot (an import, an Exit written meanwhile, a resumed run): an enrollment that has an
-- Exit keeps it (INSERT … ON CONFLICT DO NOTHING on the one-exit-per-enrollment index), the batch
-- marks what it did not write (already exited; deleted since: skipped) and is recorded as done.
-- Returns how many candidates were left unwritten for another reason (an ExitID taken) and one of
-- their ExitIDs: then the caller rolls the batch back.
-- SPEC H3, H2, F3, U1
-- $1 bigint run; $2, $3 int: households hh_seq $2 to $3; $4 timestamp: now (CoC wall clock); $5 text ExportID;
-- $6 text actor, $7 text workflow ID, $8 text workflow run ID ('' for none)
-- {insert_exits}: exit_insert.sql over b; {batch_done}: batch_done.sql
-- psql: exitflow sql write_guarded prints it; BEGIN; PREPARE q(bigint, int, int, timestamp, text, text, text, text) AS <it>;
--       EXECUTE q(<run id>, 1, 10000, localtimestamp(0), 'exitflow', 'Dana Lee', '', ''); ROLLBACK;
WITH b AS (
    SELECT c.* FROM exitflow.exit_run_candidate c
    WHERE c.run_id = $1 AND c.hh_seq >= $2 AND c.hh_seq <= $3 AND c.status IS NULL
),
x AS ({insert_exits}
    ON CONFLICT DO NOTHING -- the ExitID, or exit_one_per_enrollment: the enrollment has an Exit (H3)
    RETURNING exitid
),
u AS ( -- the candidates not written, and why (NULL: the ExitID is taken: the batch fails)
    UPDATE exitflow.exit_run_candidate c
    SET status = CASE WHEN EXISTS (SELECT 1 FROM hmis.exit o WHERE o.enrollmentid = c.enrollmentid AND o.datedeleted IS NULL) THEN 'already-exited'
                      WHEN NOT EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = c.enrollmentid AND e.datedeleted IS NULL) THEN 'skipped'
                 END
    FROM b
    WHERE c.run_id = b.run_id AND c.enrollmentid = b.enrollmentid AND b.exitid NOT IN (SELECT exitid FROM x)
    RETURNING c.status, c.exitid
),
done AS ({batch_done})
SELECT count(*) FILTER (WHERE status IS NULL), coalesce(min(exitid) FILTER (WHERE status IS NULL), '') FROM u
