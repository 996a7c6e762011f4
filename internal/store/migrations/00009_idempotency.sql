-- +goose Up
-- Runs that survive retries and crashes (SPEC H2, H3, U1, AL2). A Temporal activity is retried
-- at any moment: each exit run, undo and alert pass it starts carries an idempotency key (the
-- workflow ID and step), and a second call with the key resumes or returns the same action.

-- An exit run spans many transactions: its key is on the run, so a retry finds and resumes it.
ALTER TABLE exitflow.exit_run ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX exit_run_idempotency_key ON exitflow.exit_run (idempotency_key);

-- interrupted: recorded as running, but its process died (its session no longer holds the exits
-- lock); anyone can resume it.
ALTER TABLE exitflow.exit_run DROP CONSTRAINT exit_run_status_check,
    ADD CONSTRAINT exit_run_status_check CHECK (status IN ('running', 'interrupted', 'done', 'failed'));

-- Who wrote each batch (SPEC U1): a run resumed by someone else records them for what they wrote.
-- NULL (batches written before this version): the run's own actor and workflow.
ALTER TABLE exitflow.exit_run_batch
    ADD COLUMN actor           text,
    ADD COLUMN workflow_id     text,
    ADD COLUMN workflow_run_id text;

CREATE OR REPLACE VIEW exitflow.engine_exit AS
SELECT c.exitid, c.run_id, c.enrollmentid, c.personalid, c.projectid, c.householdid, r.method, c.reason,
       CASE WHEN b.actor IS NULL THEN r.actor ELSE b.actor END AS actor,
       CASE WHEN b.actor IS NULL THEN r.workflow_id ELSE b.workflow_id END AS workflow_id,
       CASE WHEN b.actor IS NULL THEN r.workflow_run_id ELSE b.workflow_run_id END AS workflow_run_id,
       c.exit_date, c.last_activity_date, c.last_activity_source,
       c.evidence_file, c.evidence_id, c.policy, b.written_at, c.undone_at, c.undone_by, c.undo_reason
FROM exitflow.exit_run_candidate c
JOIN exitflow.exit_run r ON r.id = c.run_id
JOIN exitflow.exit_run_batch b ON b.run_id = c.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to
WHERE c.status IS NULL;

-- An undo and an alert pass are one transaction each: the key is recorded in that transaction
-- with what was asked and what was done, so a retry returns the same result and does nothing.
CREATE TABLE exitflow.action_key (
    key     text PRIMARY KEY,
    action  text NOT NULL CHECK (action IN ('undo', 'alert')),
    options jsonb NOT NULL,  -- what was asked: IDs, dates, switches (no client personal data)
    result  jsonb NOT NULL,  -- what was done: IDs and counts
    actor   text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE exitflow.action_key;
CREATE OR REPLACE VIEW exitflow.engine_exit AS
SELECT c.exitid, c.run_id, c.enrollmentid, c.personalid, c.projectid, c.householdid, r.method, c.reason, r.actor,
       r.workflow_id, r.workflow_run_id, c.exit_date, c.last_activity_date, c.last_activity_source,
       c.evidence_file, c.evidence_id, c.policy, b.written_at, c.undone_at, c.undone_by, c.undo_reason
FROM exitflow.exit_run_candidate c
JOIN exitflow.exit_run r ON r.id = c.run_id
JOIN exitflow.exit_run_batch b ON b.run_id = c.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to
WHERE c.status IS NULL;
ALTER TABLE exitflow.exit_run_batch DROP COLUMN actor, DROP COLUMN workflow_id, DROP COLUMN workflow_run_id;
UPDATE exitflow.exit_run SET status = 'failed' WHERE status = 'interrupted';
ALTER TABLE exitflow.exit_run DROP CONSTRAINT exit_run_status_check,
    ADD CONSTRAINT exit_run_status_check CHECK (status IN ('running', 'done', 'failed'));
DROP INDEX exitflow.exit_run_idempotency_key;
ALTER TABLE exitflow.exit_run DROP COLUMN idempotency_key;
