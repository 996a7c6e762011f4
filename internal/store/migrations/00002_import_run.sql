-- +goose Up
CREATE SCHEMA IF NOT EXISTS exitflow;

-- One row per successful import: what came in, from where, and how many rows (audit, SPEC IO4).
CREATE TABLE exitflow.import_run (
    id           bigserial PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    source       text NOT NULL,
    export_id    text NOT NULL,
    csv_version  text NOT NULL,
    rows_read    bigint NOT NULL,
    rows_changed bigint NOT NULL,
    warnings     integer NOT NULL,
    files        jsonb NOT NULL
);

-- +goose Down
DROP TABLE exitflow.import_run;
