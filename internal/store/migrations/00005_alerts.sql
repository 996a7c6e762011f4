-- +goose Up
-- Auto alerts (SPEC AL1–AL3) and who they go to (SPEC N5). IDs only: no client personal data.

-- AL2: one alert per household per inactivity episode. An episode is the household and its last
-- activity date: new activity moves the date and so starts a new episode (and a new alert).
CREATE TABLE exitflow.alert (
    id                   bigserial PRIMARY KEY,
    projectid            text NOT NULL,
    organizationid       text NOT NULL,   -- the project's agency when alerted (AL3: its liaisons)
    householdid          text NOT NULL,
    last_activity_date   date NOT NULL,   -- the household's last activity (SPEC H1): the episode
    last_activity_source text NOT NULL,
    as_of                date NOT NULL,   -- the as-of date of the pass that found it
    days_inactive        integer NOT NULL,
    exit_on              date NOT NULL,   -- AL1: the date the exit will be recorded if nothing happens
    exit_date            date NOT NULL,   -- AL1: the exit date it would get (SPEC D1–D4)
    enrollmentids        text[] NOT NULL, -- the household's open enrollments when alerted
    policy               jsonb NOT NULL,  -- the policy values used (scope, auto-exit and alert days)
    actor                text NOT NULL,
    workflow_id          text,
    workflow_run_id      text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (projectid, householdid, last_activity_date)
);
CREATE INDEX ON exitflow.alert (created_at);

-- AL3: the recipients each alert was resolved to when it was recorded (the notification outbox:
-- sending and its result belong to the notifications, SPEC N1, N4).
CREATE TABLE exitflow.alert_recipient (
    alert_id      bigint NOT NULL REFERENCES exitflow.alert (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role IN ('liaison', 'assigned-staff')),
    source        text NOT NULL CHECK (source IN ('contact', 'assignment', 'hmis-user')),
    name          text NOT NULL DEFAULT '',
    email         text NOT NULL,
    enrollmentids text[] NOT NULL DEFAULT '{}', -- assigned staff: the enrollments they are assigned to
    PRIMARY KEY (alert_id, role, email)
);

-- SPEC N5: each agency's (organization's) liaisons and notification contacts.
CREATE TABLE exitflow.contact (
    organizationid text NOT NULL,
    role           text NOT NULL CHECK (role IN ('liaison', 'notification')),
    name           text NOT NULL,
    email          text NOT NULL CHECK (email LIKE '%_@_%'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organizationid, role, email)
);

-- SPEC N5: the engine's own assignment of staff (case managers) to enrollments. An enrollment
-- without a row here falls back to its UserID's UserEmail (hmis."user").
CREATE TABLE exitflow.assignment (
    enrollmentid text NOT NULL,
    staff_name   text NOT NULL,
    email        text NOT NULL CHECK (email LIKE '%_@_%'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrollmentid, email)
);

-- +goose Down
DROP TABLE exitflow.assignment;
DROP TABLE exitflow.contact;
DROP TABLE exitflow.alert_recipient;
DROP TABLE exitflow.alert;
