-- +goose Up
-- Agency agreements (SPEC AG1–AG8): the validated agreement and its snapshotted candidates (AG2).
-- The candidates' IDs stay here; workflow payloads carry counts only (SPEC S1).
CREATE TABLE exitflow.agreement (
    agreement_id   text PRIMARY KEY,
    workflow_id    text NOT NULL,
    organizationid text NOT NULL,
    projects       text[] NOT NULL,
    method         text NOT NULL CHECK (method IN ('auto', 'admin')),
    period_end     date NOT NULL,
    hmis_staff     text NOT NULL,
    liaisons       text[] NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    status         text NOT NULL DEFAULT 'validated'
);

-- AG2: the exit rows of the engine's candidates query when the notice went out.
CREATE TABLE exitflow.agreement_candidate (
    agreement_id text NOT NULL REFERENCES exitflow.agreement (agreement_id),
    enrollmentid text NOT NULL,
    householdid  text NOT NULL,
    projectid    text NOT NULL,
    personalid   text NOT NULL,
    PRIMARY KEY (agreement_id, enrollmentid)
);

-- +goose Down
DROP TABLE exitflow.agreement_candidate;
DROP TABLE exitflow.agreement;
