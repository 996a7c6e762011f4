-- batch_done: a fragment of write_fresh.sql and write_guarded.sql: records the batch of households
-- [$2, $3] of run $1 as committed with its Exit rows, written at $4 by actor $6 for workflow $7,
-- run $8 (a resumed run: whoever resumed it).
-- SPEC H2, U1, F3
-- psql: a fragment; run write_fresh.sql or write_guarded.sql
INSERT INTO exitflow.exit_run_batch (run_id, hh_from, hh_to, written_at, actor, workflow_id, workflow_run_id)
    VALUES ($1, $2, $3, $4::timestamp, $6, nullif($7, ''), nullif($8, ''))
