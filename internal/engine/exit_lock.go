package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Advisory lock keys (two int4 keys each): the exits lock, one exit run or undo at a time per
// database ('EFEX', 1), and the writers' lock ('EFEX', 2), held shared by a run's extra writer
// sessions, which do not hold the exits lock themselves.
const (
	lockClass     = 0x45464558
	lockObj       = 1
	writerLockObj = 2
)

// BusyError says that another exit run or undo holds the exits lock.
type BusyError struct {
	RunID int64 // the exit run that holds it; 0: an undo (or a run of an older version)
	Actor string
	PID   int
}

func (e *BusyError) Error() string {
	if e.RunID != 0 {
		return fmt.Sprintf("exit run %d (by %s) is in progress: only one exit run or undo at a time; try again when it is done", e.RunID, e.Actor)
	}
	return fmt.Sprintf("another exit run or undo is in progress (PostgreSQL backend %d): only one at a time; try again when it is done", e.PID)
}

// connect opens a session of its own: the exits lock is a session advisory lock that goes away
// with the session, so a crashed run never leaves it held.
func exitsConn(ctx context.Context, pool *pgxpool.Pool) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	// The batch statements are prepared once and run per batch: a generic plan (chosen after five
	// runs) does not know the batch's household range and is many times slower.
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_custom_plan"); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("configuring the session: %w", err)
	}
	return conn, nil
}

// closeExitsConn releases the exits lock and closes the session. The lock is released explicitly:
// a closed session releases it only when its backend has exited, a moment later.
func closeExitsConn(ctx context.Context, conn *pgx.Conn) {
	bg := context.WithoutCancel(ctx)
	if !conn.IsClosed() {
		_, _ = conn.Exec(bg, "SELECT pg_advisory_unlock_all()")
	}
	_ = conn.Close(bg)
}

// lockExits takes the exits lock (one exit run or undo at a time) or returns a *BusyError; with
// the lock, every run still recorded as running is known to be dead and is marked interrupted.
func lockExits(ctx context.Context, conn *pgx.Conn, wait bool) error {
	if err := takeExitsLock(ctx, conn, wait); err != nil {
		return err
	}
	// A dead run's extra writers may outlive its lock session by a moment (finishing a statement):
	// wait until none is left, so that nobody writes its households while it is resumed.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2), pg_advisory_unlock($1, $2)", lockClass, writerLockObj); err != nil {
		return fmt.Errorf("waiting for the writers of a stopped exit run: %w", err)
	}
	return markInterrupted(ctx, conn)
}

// writerConn opens an extra writer session of a run, holding the writers' lock shared.
func writerConn(ctx context.Context, pool *pgxpool.Pool) (*pgx.Conn, error) {
	c, err := exitsConn(ctx, pool)
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock_shared($1, $2)", lockClass, writerLockObj); err != nil {
		closeExitsConn(ctx, c)
		return nil, fmt.Errorf("taking the writers' lock: %w", err)
	}
	return c, nil
}

// markInterrupted records as interrupted the runs recorded as running: whoever holds the exits
// lock is the only live run, so theirs died (a killed process, a lost connection).
func markInterrupted(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'interrupted', lock_pid = NULL,
		error = 'its process stopped while it was writing (its database session ended): resume it'
		WHERE status = 'running'`)
	if err != nil {
		return fmt.Errorf("recording interrupted exit runs: %w", err)
	}
	return nil
}

// takeExitsLock takes the exits lock, waiting for it or trying for a second.
func takeExitsLock(ctx context.Context, conn *pgx.Conn, wait bool) error {
	if wait {
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2)", lockClass, lockObj); err != nil {
			return fmt.Errorf("waiting for the exits lock: %w", err)
		}
		return nil
	}
	// A session that just ended (a run interrupted a moment ago) releases the lock when its backend
	// exits, a little after the client closed it: try for a second before calling the lock busy.
	for try := 0; ; try++ {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockClass, lockObj).Scan(&ok); err != nil {
			return fmt.Errorf("taking the exits lock: %w", err)
		}
		if ok {
			return nil
		}
		if try == 10 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	busy := &BusyError{}
	err := conn.QueryRow(ctx, `SELECT l.pid, coalesce(r.id, 0), coalesce(r.actor, '')
		FROM pg_locks l LEFT JOIN exitflow.exit_run r ON r.lock_pid = l.pid AND r.status = 'running'
		WHERE l.locktype = 'advisory' AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 2 AND l.granted
		ORDER BY r.started_at DESC NULLS LAST LIMIT 1`, lockClass, lockObj).Scan(&busy.PID, &busy.RunID, &busy.Actor)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("finding the holder of the exits lock: %w", err)
	}
	return busy
}
