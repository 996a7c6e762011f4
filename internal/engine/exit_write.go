package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// EngineUserID is the HMIS UserID of the Exit rows the engine writes (SPEC F3): a row of
// hmis."user" (so User.csv exports carry it) that WriteExits creates when missing.
const EngineUserID = "exitflow"

// DefaultBatchHouseholds is how many households one exit-run transaction writes.
const DefaultBatchHouseholds = 10000

// DefaultWriters is how many connections the CLI's exit runs write with: two keep a two-core
// database server busy (BENCHMARKS.md).
const DefaultWriters = 2

// fixedExitColumns are the Exit columns WriteExits sets itself; every other column is NULL (F2)
// unless the project's exit defaults (P5) set it.
var fixedExitColumns = []string{"exitid", "enrollmentid", "personalid", "exitdate", "destination", "destinationsubsidytype",
	"datecreated", "dateupdated", "userid", "datedeleted", "exportid", "import_id", "import_line"}

// defaultColumns builds the {cols} and {vals} of sql/exit_insert.sql from hmis.exit's columns.
func defaultColumns(ctx context.Context, q Querier) (cols, vals string, err error) {
	rows, err := q.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'hmis' AND table_name = 'exit' AND column_name <> ALL ($1) ORDER BY ordinal_position`, fixedExitColumns)
	if err != nil {
		return "", "", fmt.Errorf("reading the Exit columns: %w", err)
	}
	defer rows.Close()
	var c, v strings.Builder
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return "", "", err
		}
		id := pgx.Identifier{name}.Sanitize()
		c.WriteString(", " + id)
		fmt.Fprintf(&v, ", (b.policy -> 'exit_defaults' ->> '%s')::%s", name, typ)
	}
	return c.String(), v.String(), rows.Err()
}

// writeRun snapshots the run's enrollments (once) and writes the households not yet processed,
// Writers connections at a time, each batch a range of households of its own, recorded as by's.
// paused: it stopped at opt.MaxHouseholds with batches left.
func writeRun(ctx context.Context, pool *pgxpool.Pool, conn *pgx.Conn, run runRow, by who, opt RunOptions) (paused bool, err error) {
	// Imports are the only writers of activity, enrollments and person-written exits, and they
	// run one at a time: if none has been committed since this process made the snapshot, the
	// households cannot have changed and the per-batch staleness check is skipped. The newest
	// import the snapshot saw is kept with the run, so a resumed run (a sweep's next page, a
	// retry) skips it too while none has landed since; a run listed without it always checks.
	w := &batchWriter{run: run, by: by, loc: opt.Location, lastImport: run.snapshotImport}
	if run.snapshot == nil {
		if err := conn.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM exitflow.import_run").Scan(&w.lastImport); err != nil {
			return false, fmt.Errorf("exit run %d: %w", run.id, err)
		}
		if w.lastImport, err = snapshot(ctx, conn, run, w.lastImport); err != nil {
			return false, err
		}
		// Fresh statistics for the batch queries (the list was just written).
		if _, err := conn.Exec(ctx, "ANALYZE exitflow.exit_run_candidate"); err != nil {
			return false, fmt.Errorf("exit run %d: %w", run.id, err)
		}
	}
	if err := w.prepare(ctx, conn); err != nil {
		return false, err
	}
	size := opt.BatchHouseholds
	if size <= 0 {
		size = DefaultBatchHouseholds
	}
	batches, total, err := pendingBatches(ctx, conn, run.id, size)
	if err != nil {
		return false, err
	}
	done := total
	for _, b := range batches {
		done -= b.to - b.from + 1
	}
	if opt.Progress != nil {
		opt.Progress(done, total)
	}
	if len(batches) == 0 {
		return false, nil
	}
	batches, paused = pageBatches(batches, opt.MaxHouseholds)
	return paused, w.writeAll(ctx, pool, conn, batches, max(opt.Writers, 1), &progress{done: done, total: total, report: opt.Progress})
}

// pageBatches keeps the first batches that hold at least limit households (0: all of them);
// paused says that some were left for the next call (RunOptions.MaxHouseholds).
func pageBatches(batches []batch, limit int) (kept []batch, paused bool) {
	if limit <= 0 {
		return batches, false
	}
	n := 0
	for i, b := range batches {
		if n += b.to - b.from + 1; n >= limit {
			return batches[:i+1], i+1 < len(batches)
		}
	}
	return batches, false
}

// progress counts the households written, for a Progress callback called one call at a time.
type progress struct {
	mu          sync.Mutex
	done, total int
	report      func(done, total int)
}

// add counts n more households and reports them.
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.report != nil {
		p.report(p.done, p.total)
	}
}

// batchWriter writes a run's batches: the statements with the project's exit-default columns
// filled in, the ExportID, who writes them, and the import the snapshot saw.
type batchWriter struct {
	run        runRow
	by         who
	loc        *time.Location
	lastImport int64 // -1: unknown (a resumed run): every batch checks for changes
	exportID   string
	fresh      string
	guarded    string
}

// prepare makes sure of the engine's HMIS user and builds the run's two write statements.
func (w *batchWriter) prepare(ctx context.Context, conn *pgx.Conn) error {
	var err error
	if w.exportID, err = ensureEngineUser(ctx, conn, hmisNow(w.loc)); err != nil {
		return err
	}
	cols, vals, err := defaultColumns(ctx, conn)
	if err != nil {
		return err
	}
	w.fresh, w.guarded = exitColumns(writeFreshSQL, cols, vals), exitColumns(writeGuardedSQL, cols, vals)
	return nil
}

// writeAll writes the batches on up to writers connections (conn and new ones), each batch on one
// of them; the first error cancels the others (errgroup) and is returned.
func (w *batchWriter) writeAll(ctx context.Context, pool *pgxpool.Pool, conn *pgx.Conn, batches []batch, writers int, p *progress) error {
	// Batches cover disjoint households, so writers never wait for each other's rows; the
	// one-exit-per-enrollment index still guards every insert.
	writers = min(writers, len(batches))
	conns := []*pgx.Conn{conn}
	defer func() {
		for _, c := range conns[1:] {
			closeExitsConn(ctx, c)
		}
	}()
	for len(conns) < writers {
		c, err := writerConn(ctx, pool)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan batch)
	for _, c := range conns {
		g.Go(func() error {
			for b := range next {
				if err := w.write(ctx, c, b); err != nil {
					return err
				}
				p.add(b.to - b.from + 1)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for _, b := range batches {
			select {
			case next <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	return g.Wait()
}

// ExitIDTakenError stops a batch whose ExitIDs (EF<run>-<n>) other Exit rows already carry: a
// retry meets them again, so it is permanent (someone must look at those rows).
type ExitIDTakenError struct {
	RunID    int64
	Count    int
	ExitID   string // one of them
	From, To int    // the batch's households
}

// Error names the run, one ExitID and the batch that was not written.
func (e *ExitIDTakenError) Error() string {
	return fmt.Sprintf("exit run %d: %d exits could not be written (ExitID %s is taken by another Exit row?); nothing of households %d–%d was written",
		e.RunID, e.Count, e.ExitID, e.From, e.To)
}

// batch is a range of a run's households, [from, to] in exit_run_candidate.hh_seq.
type batch struct{ from, to int }

// pendingBatches splits the households of the run that no committed batch holds into batches of
// at most size households, and returns them with the run's number of households.
func pendingBatches(ctx context.Context, q Querier, runID int64, size int) ([]batch, int, error) {
	var total int
	if err := q.QueryRow(ctx, "SELECT coalesce(max(hh_seq), 0) FROM exitflow.exit_run_candidate WHERE run_id = $1", runID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("reading the run's households: %w", err)
	}
	rows, err := q.Query(ctx, "SELECT hh_from, hh_to FROM exitflow.exit_run_batch WHERE run_id = $1 ORDER BY hh_from", runID)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the run's batches: %w", err)
	}
	var done []batch
	var d batch
	if _, err := pgx.ForEachRow(rows, []any{&d.from, &d.to}, func() error { done = append(done, d); return nil }); err != nil {
		return nil, 0, fmt.Errorf("reading the run's batches: %w", err)
	}
	var out []batch
	gap := func(from, to int) {
		for ; from <= to; from += size {
			out = append(out, batch{from, min(from+size-1, to)})
		}
	}
	at := 1
	for _, d := range done {
		gap(at, d.from-1)
		at = max(at, d.to+1)
	}
	gap(at, total)
	return out, total, nil
}

// ensureEngineUser makes sure the engine's own user is in hmis."user" (SPEC F3) and returns the
// ExportID engine rows carry: that of the latest import, or "exitflow".
func ensureEngineUser(ctx context.Context, conn *pgx.Conn, now time.Time) (string, error) {
	exportID := EngineUserID
	err := conn.QueryRow(ctx, "SELECT export_id FROM exitflow.import_run ORDER BY id DESC LIMIT 1").Scan(&exportID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("reading the latest import: %w", err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO hmis."user" (userid, userfirstname, userlastname, datecreated, dateupdated, exportid)
		VALUES ($1, 'exitflow', 'engine', $2, $2, $3)
		ON CONFLICT (userid) DO UPDATE SET datedeleted = NULL, dateupdated = excluded.dateupdated
		WHERE "user".datedeleted IS NOT NULL`, EngineUserID, now, exportID)
	if err != nil {
		return "", fmt.Errorf("recording the engine's HMIS user: %w", err)
	}
	return exportID, nil
}

// write writes households [b.from, b.to] of the run in one transaction: a household is written
// whole or not at all. If no import has been committed since the snapshot it tries the plain
// insert first; an Exit written meanwhile (a unique violation) sends the batch down the guarded way.
func (w *batchWriter) write(ctx context.Context, conn *pgx.Conn, b batch) error {
	err := w.writeTx(ctx, conn, b, w.lastImport)
	var pgErr *pgconn.PgError
	if w.lastImport < 0 || !errors.As(err, &pgErr) || pgErr.Code != pgerrcode.UniqueViolation {
		return err
	}
	return w.writeTx(ctx, conn, b, -1)
}

func (w *batchWriter) writeTx(ctx context.Context, conn *pgx.Conn, b batch, lastImport int64) error {
	run := w.run
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// A batch lost in a crash after its commit was acknowledged is simply written again on
		// resume (its exits and its exit_run_batch row commit together), so the commit need not
		// wait for the disk.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '256MB'"); err != nil {
			return err
		}
		// An import holds hmis.exit against writers from its first statement to its commit: wait
		// for a running one here, then ask whether one has landed since the list. No import can
		// start until this batch commits.
		if _, err := tx.Exec(ctx, "LOCK TABLE hmis.exit IN ROW EXCLUSIVE MODE"); err != nil {
			return fmt.Errorf("exit run %d: waiting for an import to finish: %w", run.id, err)
		}
		stale := lastImport < 0
		if !stale {
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM exitflow.import_run WHERE id > $1)", lastImport).Scan(&stale); err != nil {
				return fmt.Errorf("exit run %d: %w", run.id, err)
			}
		}
		sql := w.fresh
		if stale {
			sql = w.guarded
			if _, err := tx.Exec(ctx, staleSQL, run.id, b.from, b.to, run.asOf); err != nil {
				return fmt.Errorf("exit run %d: checking households %d–%d for new activity: %w", run.id, b.from, b.to, err)
			}
		}
		var left int
		var example string
		if err := tx.QueryRow(ctx, sql, run.id, b.from, b.to, hmisNow(w.loc), w.exportID, w.by.actor, w.by.wfID, w.by.wfRunID).Scan(&left, &example); err != nil {
			return fmt.Errorf("exit run %d: writing the exits of households %d–%d: %w", run.id, b.from, b.to, err)
		}
		if left > 0 {
			return &ExitIDTakenError{RunID: run.id, Count: left, ExitID: example, From: b.from, To: b.to}
		}
		return nil
	})
}
