-- write_fresh: writes the Exit rows of a batch of households of an exit run when nothing but the
-- run has written since its snapshot (no import since): every candidate gets its Exit, set-based,
-- with a plain INSERT, and the batch is recorded as done. The one-exit-per-enrollment index still
-- guards it: should anyone have written an Exit meanwhile, the statement fails and the batch is
-- written by write_guarded.sql instead. The candidates themselves are the engine records (the view
-- exitflow.engine_exit). Returns 0 and '' (nothing left unwritten).
-- SPEC F3, H2, H3, U1
-- $1 bigint run; $2, $3 int: households hh_seq $2 to $3; $4 timestamp: now (CoC wall clock); $5 text ExportID;
-- $6 text actor, $7 text workflow ID, $8 text workflow run ID ('' for none)
-- {insert_exits}: exit_insert.sql over the batch's candidates; {batch_done}: batch_done.sql
-- psql: exitflow sql write_fresh prints it; BEGIN; PREPARE q(bigint, int, int, timestamp, text, text, text, text) AS <it>;
--       EXECUTE q(<run id>, 1, 10000, localtimestamp(0), 'exitflow', 'Dana Lee', '', ''); ROLLBACK;
WITH x AS ({insert_exits}
    RETURNING 1
),
done AS ({batch_done})
SELECT 0, '' FROM (SELECT count(*) FROM x) n
