-- +goose Up
-- Exit runs (SPEC F3, H2, H3, U1, U2; section 17): the list of enrollments a run exits is
-- snapshotted here, keyed by run, so that runs page through it in batches of households and a
-- retry after a crash resumes where the run stopped. IDs, dates and policy values only.

ALTER TABLE exitflow.exit_run
    ADD COLUMN snapshot_at    timestamptz,          -- the candidate list is complete (set in the same transaction)
    ADD COLUMN lock_pid       integer,              -- the PostgreSQL backend holding the exits lock for this run
    ADD COLUMN already_exited integer NOT NULL DEFAULT 0, -- H3: enrollments that got an exit meanwhile (kept)
    ADD COLUMN skipped        integer NOT NULL DEFAULT 0, -- enrollments not exited: household active again since the snapshot
    ADD COLUMN error          text,
    ADD COLUMN undone_at      timestamptz;          -- the run was undone (SPEC U2): it is never resumed

CREATE TABLE exitflow.exit_run_candidate (
    run_id               bigint NOT NULL REFERENCES exitflow.exit_run (id),
    seq                  integer NOT NULL,  -- position in the run (ProjectID, HouseholdID, EnrollmentID order)
    hh_seq               integer NOT NULL,  -- the household's position in the run: batches are ranges of it
    exitid               text NOT NULL,     -- the ExitID this enrollment's Exit gets: 'EF' || run_id || '-' || seq
    projectid            text NOT NULL,
    householdid          text NOT NULL,
    enrollmentid         text NOT NULL,
    personalid           text NOT NULL,
    exit_date            date NOT NULL,     -- SPEC D1–D4
    destination          integer NOT NULL,  -- SPEC F1, P5
    subsidy              integer,
    reason               text NOT NULL,
    last_activity_date   date NOT NULL,     -- evidence: the household's last activity (H1)
    last_activity_source text NOT NULL,
    evidence_enrollmentid text NOT NULL,
    evidence_file        text,
    evidence_id          text,
    by_bed_night         boolean NOT NULL,  -- A4: the household's activity is measured by bed nights
    policy               jsonb NOT NULL,    -- the policy values used (F3), exit_defaults keys in lower case
    status               text CHECK (status IN ('written', 'already-exited', 'skipped')), -- NULL: not yet processed
    PRIMARY KEY (run_id, enrollmentid)
) WITH (fillfactor = 70); -- room on each page for the status updates of the batches (HOT updates)
CREATE INDEX ON exitflow.exit_run_candidate (run_id, hh_seq);

-- +goose Down
DROP TABLE exitflow.exit_run_candidate;
ALTER TABLE exitflow.exit_run
    DROP COLUMN snapshot_at, DROP COLUMN lock_pid, DROP COLUMN already_exited, DROP COLUMN skipped,
    DROP COLUMN error, DROP COLUMN undone_at;
