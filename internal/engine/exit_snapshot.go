package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// snapshot lists the run's enrollments, in one transaction with exit_run.snapshot_at and the
// newest import seen before it (lastImport), which it returns; a run already listed keeps its
// own (-1 if it has none: every batch checks).
func snapshot(ctx context.Context, conn *pgx.Conn, run runRow, lastImport int64) (int64, error) {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var done *time.Time
		var seen *int64
		if err := tx.QueryRow(ctx, "SELECT snapshot_at, snapshot_import FROM exitflow.exit_run WHERE id = $1 FOR UPDATE", run.id).Scan(&done, &seen); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		if done != nil {
			lastImport = -1
			if seen != nil {
				lastImport = *seen
			}
			return nil
		}
		// The list's sorts and its materialized steps fit in memory (a few hundred bytes per
		// enrollment) instead of spilling to temporary files.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '256MB'"); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		args := append(run.options().args(), run.id)
		if _, err := tx.Exec(ctx, snapshotSQL, args...); err != nil {
			return fmt.Errorf("exit run %d: listing the enrollments to exit: %w", run.id, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE exitflow.exit_run SET snapshot_at = clock_timestamp(), snapshot_import = $2 WHERE id = $1", run.id, lastImport); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		return nil
	})
	return lastImport, err
}
