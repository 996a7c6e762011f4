-- +goose Up
-- Whether each enrollment is its household's head (HUD RelationshipToHoH = 1), kept in the
-- engine's narrow enrollment state beside its household, so that the follow-up DQM's household
-- checks (SPEC Q1: heads of household exited, no or several heads) read one table instead of
-- joining every Enrollment row. Imports keep it current with the other identity columns
-- (engine.RefreshState, sql/state.sql).
ALTER TABLE exitflow.enrollment_state ADD COLUMN head boolean NOT NULL DEFAULT false;
UPDATE exitflow.enrollment_state s SET head = true
FROM hmis.enrollment e
WHERE e.enrollmentid = s.enrollmentid AND e.relationshiptohoh = 1;
ALTER TABLE exitflow.enrollment_state ALTER head DROP DEFAULT;

-- +goose Down
ALTER TABLE exitflow.enrollment_state DROP COLUMN head;
