-- +goose Up
-- Follow-up data quality monitoring (SPEC Q1–Q3): each report is kept with its as-of date, period,
-- scope, verdict and measures per project, so that the next one compares with it (Q3), and with
-- the enrollments behind its findings, so that it can be written again. IDs, dates and counts only.
CREATE TABLE exitflow.dqm_report (
    id              bigserial PRIMARY KEY,
    as_of           date NOT NULL,
    since           date NOT NULL,          -- the period is (since, as_of]
    projects        text[] NOT NULL,        -- the projects covered, sorted (text order)
    organizationid  text,                   -- the organization asked for, if any
    whole_coc       boolean NOT NULL,       -- no project or organization was given
    previous_id     bigint REFERENCES exitflow.dqm_report (id), -- the previous report of the same projects
    verdict         text NOT NULL CHECK (verdict IN ('working as planned', 'needs attention')),
    reasons         jsonb NOT NULL DEFAULT '[]',
    actor           text NOT NULL,
    workflow_id     text,
    workflow_run_id text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (since < as_of)
);
CREATE INDEX ON exitflow.dqm_report (projects, as_of);

-- One row per report, project and measure; projectid '' is the total.
CREATE TABLE exitflow.dqm_measure (
    report_id bigint NOT NULL REFERENCES exitflow.dqm_report (id) ON DELETE CASCADE,
    projectid text NOT NULL,
    measure   text NOT NULL,
    value     numeric,                      -- NULL: does not apply (a share of no exits)
    PRIMARY KEY (report_id, projectid, measure)
);
CREATE INDEX ON exitflow.dqm_measure (projectid, measure);

-- What the chart shows and the report names per project, as it was when the report was made.
CREATE TABLE exitflow.dqm_project (
    report_id      bigint NOT NULL REFERENCES exitflow.dqm_report (id) ON DELETE CASCADE,
    projectid      text NOT NULL,
    organizationid text NOT NULL,
    projecttype    integer,
    auto_exit_days integer,
    alert_days     integer,
    buckets        integer[] NOT NULL,      -- open enrollments by days since last activity
    PRIMARY KEY (report_id, projectid)
);

-- The enrollments behind each non-zero finding (findings.csv).
CREATE TABLE exitflow.dqm_finding (
    report_id    bigint NOT NULL REFERENCES exitflow.dqm_report (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    finding      text NOT NULL,
    projectid    text NOT NULL,
    householdid  text NOT NULL,
    enrollmentid text NOT NULL,
    personalid   text NOT NULL,
    date         date,
    detail       text NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, seq)
);

-- +goose Down
DROP TABLE exitflow.dqm_finding;
DROP TABLE exitflow.dqm_project;
DROP TABLE exitflow.dqm_measure;
DROP TABLE exitflow.dqm_report;
