-- +goose Up
-- Paged exit runs and the sweep record (SPEC H2, H3, U1, F3, AL2, N5).

-- paused: a run that stopped at a batch boundary because its call's household limit was reached
-- (RunOptions.MaxHouseholds); the next call with its key resumes it. Not a crash: no lock_pid.
ALTER TABLE exitflow.exit_run DROP CONSTRAINT exit_run_status_check,
    ADD CONSTRAINT exit_run_status_check CHECK (status IN ('running', 'interrupted', 'paused', 'done', 'failed'));

-- One row per sweep workflow (its workflow ID and first run ID): what it did, in IDs and counts.
CREATE TABLE exitflow.sweep_run (
    id             bigserial PRIMARY KEY,
    workflow_id    text NOT NULL,
    first_run_id   text NOT NULL,
    as_of          date NOT NULL,
    projects       text[] NOT NULL DEFAULT '{}', -- empty: every project
    actor          text NOT NULL,
    status         text NOT NULL CHECK (status IN ('running', 'done', 'skipped', 'abandoned')),
    skip_reason    text,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    exit_run_id    bigint REFERENCES exitflow.exit_run (id),
    households     integer NOT NULL DEFAULT 0,
    enrollments    integer NOT NULL DEFAULT 0,
    alerts         integer NOT NULL DEFAULT 0,
    alert_messages integer NOT NULL DEFAULT 0,
    exit_notices   integer NOT NULL DEFAULT 0,
    summaries      integer NOT NULL DEFAULT 0,
    executions     integer NOT NULL DEFAULT 0,
    pages          integer NOT NULL DEFAULT 0,
    per_project    jsonb NOT NULL DEFAULT '[]', -- [{project_id, households, enrollments, alerts}]
    CONSTRAINT sweep_run_key UNIQUE (workflow_id, first_run_id),
    CONSTRAINT sweep_run_finished CHECK ((status = 'running') = (finished_at IS NULL)),
    CONSTRAINT sweep_run_skip_reason CHECK (status IN ('running', 'done') OR skip_reason IS NOT NULL)
);
-- Never two sweeps at once: at most one row is running.
CREATE UNIQUE INDEX sweep_run_one_running ON exitflow.sweep_run ((true)) WHERE status = 'running';
CREATE INDEX ON exitflow.sweep_run (started_at);

-- +goose Down
DROP TABLE exitflow.sweep_run;
UPDATE exitflow.exit_run SET status = 'interrupted' WHERE status = 'paused';
ALTER TABLE exitflow.exit_run DROP CONSTRAINT exit_run_status_check,
    ADD CONSTRAINT exit_run_status_check CHECK (status IN ('running', 'interrupted', 'done', 'failed'));
