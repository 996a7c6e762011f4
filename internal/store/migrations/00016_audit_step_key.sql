-- +goose Up
-- SPEC U1: an agreement step is audited once however often its activity is retried: the key of
-- the step (its workflow run and activity) is unique among the audit rows that carry one.
CREATE UNIQUE INDEX audit_step_key ON exitflow.audit ((details ->> 'step_key')) WHERE details ? 'step_key';

-- +goose Down
DROP INDEX exitflow.audit_step_key;
