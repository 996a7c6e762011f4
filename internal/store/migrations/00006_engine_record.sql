-- +goose Up
-- The engine record of each exit (SPEC F3) is the run's candidate row itself: it already holds
-- the evidence, the policy values, the exit date and the reason. Writing a second copy of it per
-- Exit, and marking each candidate written one row at a time, cost more than the Exit rows
-- themselves. Now a batch of households inserts its Exit rows, marks only what it did not write
-- (already exited, skipped), and records itself in exitflow.exit_run_batch; exitflow.engine_exit
-- becomes a view of the candidates of committed batches that were written.

-- Which households of a run are done: a batch is one transaction, recorded here when it commits.
CREATE TABLE exitflow.exit_run_batch (
    run_id     bigint NOT NULL REFERENCES exitflow.exit_run (id),
    hh_from    integer NOT NULL, -- households [hh_from, hh_to] of the run (exit_run_candidate.hh_seq)
    hh_to      integer NOT NULL,
    written_at timestamp NOT NULL, -- the Exit rows' DateCreated and DateUpdated (CoC wall clock)
    PRIMARY KEY (run_id, hh_from)
);

ALTER TABLE exitflow.exit_run_candidate
    -- No foreign key to exit_run: it costs a trigger call per listed enrollment, and the engine
    -- writes candidates only for the run its own session has just recorded (runs are never deleted).
    DROP CONSTRAINT exit_run_candidate_run_id_fkey,
    ADD COLUMN undone_at   timestamptz, -- SPEC U2
    ADD COLUMN undone_by   text,
    ADD COLUMN undo_reason text;

-- Carry over the runs written so far: one batch per processed household, undo columns, statuses.
INSERT INTO exitflow.exit_run_batch (run_id, hh_from, hh_to, written_at)
SELECT c.run_id, c.hh_seq, c.hh_seq, coalesce(min(ee.written_at), min(r.finished_at)::timestamp, now()::timestamp)
FROM exitflow.exit_run_candidate c
JOIN exitflow.exit_run r ON r.id = c.run_id
LEFT JOIN exitflow.engine_exit ee ON ee.exitid = c.exitid
WHERE c.status IS NOT NULL
GROUP BY c.run_id, c.hh_seq;
UPDATE exitflow.exit_run_candidate c SET undone_at = ee.undone_at, undone_by = ee.undone_by, undo_reason = ee.undo_reason
FROM exitflow.engine_exit ee WHERE ee.exitid = c.exitid AND ee.undone_at IS NOT NULL;
ALTER TABLE exitflow.exit_run_candidate DROP CONSTRAINT exit_run_candidate_status_check;
UPDATE exitflow.exit_run_candidate SET status = NULL WHERE status = 'written';
-- NULL: written once its household's batch has committed (pending before).
ALTER TABLE exitflow.exit_run_candidate ADD CONSTRAINT exit_run_candidate_status_check
    CHECK (status IN ('already-exited', 'skipped'));
ALTER TABLE exitflow.exit_run_candidate SET (fillfactor = 100); -- no more status update per row
DROP TABLE exitflow.engine_exit;

-- Lookups of the engine record by ExitID (undo, "was this Exit written by exitflow?"), household
-- (undo --household)
-- and enrollment (undo --household, --enrollment: the primary key, enrollment first).
ALTER TABLE exitflow.exit_run_candidate DROP CONSTRAINT exit_run_candidate_pkey, ADD PRIMARY KEY (enrollmentid, run_id);
CREATE UNIQUE INDEX ON exitflow.exit_run_candidate (exitid);
CREATE INDEX ON exitflow.exit_run_candidate (householdid);

-- SPEC F3: the engine record beside each Exit row the engine wrote: method, reason, actor,
-- workflow and run, evidence, policy values; and its undo (U2).
CREATE VIEW exitflow.engine_exit AS
SELECT c.exitid, c.run_id, c.enrollmentid, c.personalid, c.projectid, c.householdid, r.method, c.reason, r.actor,
       r.workflow_id, r.workflow_run_id, c.exit_date, c.last_activity_date, c.last_activity_source,
       c.evidence_file, c.evidence_id, c.policy, b.written_at, c.undone_at, c.undone_by, c.undo_reason
FROM exitflow.exit_run_candidate c
JOIN exitflow.exit_run r ON r.id = c.run_id
JOIN exitflow.exit_run_batch b ON b.run_id = c.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to
WHERE c.status IS NULL;

-- +goose Down
DROP VIEW exitflow.engine_exit;
CREATE TABLE exitflow.engine_exit (
    exitid               text PRIMARY KEY,
    run_id               bigint NOT NULL REFERENCES exitflow.exit_run (id),
    enrollmentid         text NOT NULL,
    personalid           text NOT NULL,
    projectid            text NOT NULL,
    householdid          text NOT NULL,
    method               text NOT NULL,
    reason               text NOT NULL,
    actor                text NOT NULL,
    workflow_id          text,
    workflow_run_id      text,
    exit_date            date NOT NULL,
    last_activity_date   date NOT NULL,
    last_activity_source text NOT NULL,
    evidence_file        text,
    evidence_id          text,
    policy               jsonb NOT NULL,
    written_at           timestamp NOT NULL,
    undone_at            timestamptz,
    undone_by            text,
    undo_reason          text
);
CREATE INDEX ON exitflow.engine_exit (run_id);
CREATE INDEX ON exitflow.engine_exit (householdid);
CREATE INDEX ON exitflow.engine_exit (enrollmentid);
INSERT INTO exitflow.engine_exit
SELECT c.exitid, c.run_id, c.enrollmentid, c.personalid, c.projectid, c.householdid, r.method, c.reason, r.actor,
       r.workflow_id, r.workflow_run_id, c.exit_date, c.last_activity_date, c.last_activity_source,
       c.evidence_file, c.evidence_id, c.policy, b.written_at, c.undone_at, c.undone_by, c.undo_reason
FROM exitflow.exit_run_candidate c
JOIN exitflow.exit_run r ON r.id = c.run_id
JOIN exitflow.exit_run_batch b ON b.run_id = c.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to
WHERE c.status IS NULL;
ALTER TABLE exitflow.exit_run_candidate DROP CONSTRAINT exit_run_candidate_status_check;
UPDATE exitflow.exit_run_candidate c SET status = 'written'
WHERE c.status IS NULL AND EXISTS (SELECT 1 FROM exitflow.exit_run_batch b
    WHERE b.run_id = c.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to);
ALTER TABLE exitflow.exit_run_candidate ADD CONSTRAINT exit_run_candidate_status_check
    CHECK (status IN ('written', 'already-exited', 'skipped'));
DROP INDEX exitflow.exit_run_candidate_exitid_idx;
DROP INDEX exitflow.exit_run_candidate_householdid_idx;
ALTER TABLE exitflow.exit_run_candidate DROP CONSTRAINT exit_run_candidate_pkey, ADD PRIMARY KEY (run_id, enrollmentid);
ALTER TABLE exitflow.exit_run_candidate
    DROP COLUMN undone_at, DROP COLUMN undone_by, DROP COLUMN undo_reason,
    ADD FOREIGN KEY (run_id) REFERENCES exitflow.exit_run (id);
ALTER TABLE exitflow.exit_run_candidate SET (fillfactor = 70);
DROP TABLE exitflow.exit_run_batch;
