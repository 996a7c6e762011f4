package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// snapshot lists the run's enrollments, in one transaction with exit_run.snapshot_at.
func snapshot(ctx context.Context, conn *pgx.Conn, run runRow) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var done *time.Time
		if err := tx.QueryRow(ctx, "SELECT snapshot_at FROM exitflow.exit_run WHERE id = $1 FOR UPDATE", run.id).Scan(&done); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		if done != nil {
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
		if _, err := tx.Exec(ctx, "UPDATE exitflow.exit_run SET snapshot_at = clock_timestamp() WHERE id = $1", run.id); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		return nil
	})
}
