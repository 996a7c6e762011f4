-- +goose Up
-- A sweep whose exits are done and that is only mailing (alerts, notices, the summary) no longer
-- holds the one running slot: an SMTP server down for days must not hold back the next days'
-- exits (issue 11). Its messages still go out once, when the server is back, by their keys.
ALTER TABLE exitflow.sweep_run DROP CONSTRAINT sweep_run_status_check,
    ADD CONSTRAINT sweep_run_status_check CHECK (status IN ('running', 'mailing', 'done', 'skipped', 'abandoned')),
    DROP CONSTRAINT sweep_run_finished,
    ADD CONSTRAINT sweep_run_finished CHECK ((status IN ('running', 'mailing')) = (finished_at IS NULL)),
    DROP CONSTRAINT sweep_run_skip_reason,
    ADD CONSTRAINT sweep_run_skip_reason CHECK (status IN ('running', 'mailing', 'done') OR skip_reason IS NOT NULL);

-- +goose Down
UPDATE exitflow.sweep_run SET status = 'running' WHERE status = 'mailing';
ALTER TABLE exitflow.sweep_run DROP CONSTRAINT sweep_run_status_check,
    ADD CONSTRAINT sweep_run_status_check CHECK (status IN ('running', 'done', 'skipped', 'abandoned')),
    DROP CONSTRAINT sweep_run_finished,
    ADD CONSTRAINT sweep_run_finished CHECK ((status = 'running') = (finished_at IS NULL)),
    DROP CONSTRAINT sweep_run_skip_reason,
    ADD CONSTRAINT sweep_run_skip_reason CHECK (status IN ('running', 'done') OR skip_reason IS NOT NULL);
