-- +goose Up
-- The newest import an exit run's snapshot saw (max exitflow.import_run.id when it was listed): a
-- run resumed later (a sweep's next page, a retry after a crash) skips the per-batch staleness
-- check while no import has landed since, as the process that took the snapshot does (SPEC H2:
-- only imports change activity). NULL: a run listed before this column; it always checks.
ALTER TABLE exitflow.exit_run ADD COLUMN snapshot_import bigint;

-- +goose Down
ALTER TABLE exitflow.exit_run DROP COLUMN snapshot_import;
