-- +goose Up
-- The exit engine's own tables (SPEC sections 3–9 and 14). IDs and counts only: client data stays
-- in the hmis schema.

-- Exit policies (SPEC P1–P7): one row per scope that has a policy. The built-in defaults (P2) are
-- not rows; exitflow.effective_policy falls back to them.
CREATE TABLE exitflow.policy (
    scope          text NOT NULL CHECK (scope IN ('project', 'organization', 'project-type', 'default')),
    scope_id       text NOT NULL DEFAULT '',   -- ProjectID, OrganizationID or ProjectType; '' for default
    auto_exit_days integer CHECK (auto_exit_days >= 30),                         -- NULL: auto exit off (P3)
    alert_days     integer CHECK (alert_days >= 1 AND alert_days < auto_exit_days), -- NULL: no alert
    nbn_benchmark  text NOT NULL DEFAULT 'last-bed-night' CHECK (nbn_benchmark IN ('last-bed-night', 'last-activity')),
    exit_defaults  jsonb NOT NULL DEFAULT '{}', -- Exit column → value, for inactivity and admin exits (P5)
    changed_at     timestamptz NOT NULL DEFAULT now(),
    changed_by     text NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- P6: every policy change, who, when, and the values before and after.
CREATE TABLE exitflow.policy_history (
    id         bigserial PRIMARY KEY,
    changed_at timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    scope      text NOT NULL,
    scope_id   text NOT NULL,
    old_values jsonb,
    new_values jsonb
);

-- P1, P2: the policy in force for each project, and the scope that gave it. The most specific
-- policy that exists applies as a whole.
CREATE VIEW exitflow.effective_policy AS
SELECT p.projectid, p.organizationid, p.projecttype, p.rrhsubtype,
       pol.scope, pol.scope_id, pol.auto_exit_days, pol.alert_days, pol.nbn_benchmark, pol.exit_defaults
FROM hmis.project p
CROSS JOIN LATERAL (
    SELECT x.scope, x.scope_id, x.auto_exit_days, x.alert_days, x.nbn_benchmark, x.exit_defaults
    FROM (
        SELECT 1 AS rank, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project' AND scope_id = p.projectid
        UNION ALL
        SELECT 2, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'organization' AND scope_id = p.organizationid
        UNION ALL
        SELECT 3, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'project-type' AND scope_id = p.projecttype::text
        UNION ALL
        SELECT 4, scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
          FROM exitflow.policy WHERE scope = 'default'
        UNION ALL -- P2: SSO and Other 90/80, Street Outreach 365/300, every other type off
        SELECT 5, 'built-in', '',
               CASE WHEN p.projecttype IN (6, 7) THEN 90 WHEN p.projecttype = 4 THEN 365 END,
               CASE WHEN p.projecttype IN (6, 7) THEN 80 WHEN p.projecttype = 4 THEN 300 END,
               'last-bed-night', '{}'::jsonb
    ) x
    ORDER BY x.rank
    LIMIT 1
) pol
WHERE p.datedeleted IS NULL;

-- Each enrollment's latest activity (SPEC A1), kept up to date by every import so that previews
-- need not scan the activity tables. Dates are as recorded: the entry-date baseline (A1, A2) and
-- the night-by-night benchmark (A4) are applied when it is read.
CREATE TABLE exitflow.enrollment_activity (
    enrollmentid   text PRIMARY KEY,
    last_date      date NOT NULL, -- latest activity of any A1 source
    last_source    text NOT NULL, -- its source: service, bed-night, current-living-situation, assessment, event, update-assessment, custom
    last_bed_night date           -- latest bed night (Services RecordType 200), for A4 and D2
);

-- One row per exit run (auto, admin or housed exits written by the engine).
CREATE TABLE exitflow.exit_run (
    id              bigserial PRIMARY KEY,
    method          text NOT NULL CHECK (method IN ('auto-inactivity', 'admin', 'auto-housed')),
    as_of           date NOT NULL,
    projects        text[] NOT NULL DEFAULT '{}', -- empty: every project the method applies to
    window_days     integer,
    all_open        boolean NOT NULL DEFAULT false,
    actor           text NOT NULL,
    workflow_id     text,
    workflow_run_id text,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    households      integer NOT NULL DEFAULT 0,
    enrollments     integer NOT NULL DEFAULT 0
);

-- The engine record beside each Exit row the engine wrote (SPEC F3), and its undo (U2).
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
    last_activity_date   date NOT NULL, -- evidence: the household's last activity
    last_activity_source text NOT NULL,
    evidence_file        text,          -- the HMIS CSV file and record ID of that activity
    evidence_id          text,
    policy               jsonb NOT NULL, -- the policy values used
    written_at           timestamp NOT NULL, -- = the Exit row's DateUpdated when written
    undone_at            timestamptz,
    undone_by            text,
    undo_reason          text
);
CREATE INDEX ON exitflow.engine_exit (run_id);
CREATE INDEX ON exitflow.engine_exit (householdid);
CREATE INDEX ON exitflow.engine_exit (enrollmentid);

-- SPEC U1: every engine action, with actor, time, reason and the workflow/run that did it.
CREATE TABLE exitflow.audit (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    action          text NOT NULL, -- exit-run, undo, alert, policy-change, agreement-…
    reason          text,
    workflow_id     text,
    workflow_run_id text,
    details         jsonb NOT NULL DEFAULT '{}' -- IDs and counts only
);

-- +goose Down
DROP TABLE exitflow.audit;
DROP TABLE exitflow.engine_exit;
DROP TABLE exitflow.exit_run;
DROP TABLE exitflow.enrollment_activity;
DROP VIEW exitflow.effective_policy;
DROP TABLE exitflow.policy_history;
DROP TABLE exitflow.policy;
