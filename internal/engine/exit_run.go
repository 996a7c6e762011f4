package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RunOptions select the exits to write (Options) and say who writes them.
type RunOptions struct {
	Options
	Actor         string // who runs it: the HMIS staff member named on the agreement for admin exits (SPEC AD2)
	WorkflowID    string // the Temporal workflow and run that wrote the exits (SPEC F3, U1); empty from the CLI
	WorkflowRunID string
	// RunID 0 starts a new run. The ID of an existing run resumes it (a retry after a crash or a
	// failure): its own options are used, the households it already processed are not touched
	// again, and a run that is done is not run again (its counts are returned). Options given
	// with it must be the run's own.
	RunID int64
	// Key is an idempotency key (a workflow: its ID and the step): the first call with it starts
	// a run that carries it; every later call resumes that run, or returns its counts when it is
	// done, and must give the same Options. Not with RunID.
	Key string
	// Location is the CoC's time zone: DateCreated, DateUpdated of the Exit rows are its wall
	// clock (HMIS CSV datetimes have no zone). nil: UTC.
	Location *time.Location
	// BatchHouseholds households are written per transaction (0: DefaultBatchHouseholds).
	BatchHouseholds int
	// MaxHouseholds 0: all; else stop after at least this many households were processed in this
	// call, at a batch boundary, and leave the run resumable: it is paused (StatusPaused) and the
	// next call with its Key (or RunID) goes on where it stopped.
	MaxHouseholds int
	// Wait for another exit run or undo to finish instead of refusing with a *BusyError.
	Wait bool
	// Writers connections write batches in parallel (0 or 1: one, in household order; the CLI
	// uses DefaultWriters).
	Writers int
	// Progress, if set, is called before the first batch and after each committed batch with the
	// households processed so far and the total (an activity heartbeats from it). With several
	// Writers it is called from their goroutines, one call at a time.
	Progress func(done, total int)
}

// RunResult is what an exit run did (counts only: SPEC S1).
type RunResult struct {
	RunID                int64     `json:"run_id"`
	Method               Method    `json:"method"` // auto or admin
	AsOf                 time.Time `json:"as_of"`
	Status               RunStatus `json:"status"` // done, paused (MaxHouseholds), failed or interrupted
	Resumed              bool      `json:"resumed"`
	CandidateHouseholds  int       `json:"candidate_households"`  // households in the run's snapshot
	ProcessedHouseholds  int       `json:"processed_households"`  // of them, processed so far by the whole run (all calls)
	CandidateEnrollments int       `json:"candidate_enrollments"` // enrollments in the run's snapshot
	Households           int       `json:"households"`            // households with exits written
	Enrollments          int       `json:"enrollments"`           // Exit rows written
	AlreadyExited        int       `json:"already_exited"`        // enrollments that got an exit meanwhile: kept (SPEC H3)
	SkippedHouseholds    int       `json:"skipped_households"`    // households active again since the snapshot: not exited
	Skipped              int       `json:"skipped"`               // their enrollments (and enrollments deleted since)
}

// runRow is an exitflow.exit_run row.
type runRow struct {
	id         int64
	method     Method
	asOf       time.Time
	projects   []string
	windowDays *int
	allOpen    bool
	actor      string
	wfID       *string
	wfRunID    *string
	status     RunStatus
	snapshot   *time.Time
	undoneAt   *time.Time
	// snapshotImport is the newest import the snapshot saw; -1: unknown (listed before it was kept).
	snapshotImport int64
}

func (r runRow) options() Options {
	o := Options{AsOf: r.asOf, Projects: r.projects, Method: r.method, AllOpen: r.allOpen}
	if r.windowDays != nil {
		o.WindowDays = *r.windowDays
	}
	return o
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// hmisNow is now in loc as an HMIS timestamp (no zone, whole seconds), for DateCreated,
// DateUpdated and DateDeleted.
func hmisNow(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	n := time.Now().In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), n.Second(), 0, time.UTC)
}

// WriteExits runs (or resumes) an exit run: it snapshots the enrollments to exit in
// exitflow.exit_run_candidate, then writes their Exit rows and engine records household by
// household, BatchHouseholds households per transaction (SPEC F1–F3, H2, H3, D1–D4, AD1–AD2, U1).
//
// It never writes a second Exit for an enrollment: the partial unique index exit_one_per_enrollment
// is the final guard (a batch that meets it is written again the guarded way, INSERT … ON
// CONFLICT DO NOTHING), an enrollment that got an Exit meanwhile keeps it (H3), and a resumed run
// skips the households it already processed. Only one exit run or
// undo runs at a time (a PostgreSQL advisory lock); another one gets a *BusyError or waits (Wait).
//
// It asks for no confirmation: that is the caller's (the CLI's --yes after PreviewRun; for an
// activity, the agreement or the schedule that started it).
func WriteExits(ctx context.Context, pool *pgxpool.Pool, opt RunOptions) (RunResult, error) {
	if strings.TrimSpace(opt.Actor) == "" {
		return RunResult{}, Invalid(FieldActor, nil, "an exit run needs an actor: the HMIS staff member who runs it")
	}
	conn, err := exitsConn(ctx, pool)
	if err != nil {
		return RunResult{}, err
	}
	defer closeExitsConn(ctx, conn) // releases the exits lock
	if err := lockExits(ctx, conn, opt.Wait); err != nil {
		return RunResult{}, err
	}

	run, resumed, err := startOrResume(ctx, conn, opt)
	if err != nil {
		return RunResult{}, err
	}
	res := RunResult{Resumed: resumed}
	res.RunID, res.Method, res.AsOf = run.id, run.method, run.asOf
	by := who{actor: opt.Actor, wfID: opt.WorkflowID, wfRunID: opt.WorkflowRunID}
	// A keyed repeat of a run that was done gets what it did, also after an undo; naming an undone
	// run by its ID is asking to resume it, which it never is.
	if run.undoneAt != nil && (opt.Key == "" || run.status != StatusDone) {
		return res, Invalid(FieldRunID, run.id, "was undone on %s: it is not resumed; start a new run", run.undoneAt.Format(time.DateOnly))
	}
	if run.status == StatusDone {
		return finishRun(ctx, conn, run, by, res, true)
	}
	if _, err := conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'running', lock_pid = pg_backend_pid(), error = NULL WHERE id = $1`, run.id); err != nil {
		return res, fmt.Errorf("exit run %d: %w", run.id, err)
	}
	// Resuming a paused run is paging (MaxHouseholds), not a recovery: no "resumed" audit.
	if res.Resumed && run.status != StatusPaused {
		if err := writeAudit(ctx, conn, opt.Actor, "exit-run", "resumed", opt.WorkflowID, opt.WorkflowRunID,
			map[string]any{"run_id": run.id, "phase": "resumed", "was": run.status}); err != nil {
			return res, err
		}
	}
	pid := conn.PgConn().PID()
	paused, err := writeRun(ctx, pool, conn, run, by, opt)
	if err != nil {
		return stopRun(ctx, pool, run, by, res, pid, err)
	}
	if paused {
		return pauseRun(ctx, conn, run, by, res)
	}
	return finishRun(ctx, conn, run, by, res, false)
}

// pauseRun records that the run stopped at its call's MaxHouseholds, at a batch boundary: paused,
// resumable by the next call (SPEC H2: its households are never processed twice).
func pauseRun(ctx context.Context, conn *pgx.Conn, run runRow, by who, res RunResult) (RunResult, error) {
	res, err := runCounts(ctx, conn, run.id, res)
	if err != nil {
		return res, err
	}
	res.Status = StatusPaused
	if _, err := conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'paused', lock_pid = NULL, error = NULL,
		households = $2, enrollments = $3, already_exited = $4, skipped = $5 WHERE id = $1`,
		run.id, res.Households, res.Enrollments, res.AlreadyExited, res.Skipped); err != nil {
		return res, fmt.Errorf("exit run %d: %w", run.id, err)
	}
	return res, writeAudit(ctx, conn, by.actor, "exit-run", runReason(run.method), by.wfID, by.wfRunID, map[string]any{
		"run_id": run.id, "phase": "paused", "processed_households": res.ProcessedHouseholds,
		"candidate_households": res.CandidateHouseholds, "households": res.Households, "enrollments": res.Enrollments})
}

// stopRun records that the run stopped: interrupted when ctx was cancelled, failed on an error.
// The run's session may be gone (a cancelled query closes it, and with it the exits lock), so it
// writes from the pool, and only while the run is still this session's: a retry that has taken the
// lock and resumed the run meanwhile owns it.
func stopRun(ctx context.Context, pool *pgxpool.Pool, run runRow, by who, res RunResult, pid uint32, cause error) (RunResult, error) {
	bg := context.WithoutCancel(ctx)
	res.Status = StatusFailed
	if ctx.Err() != nil {
		res.Status = StatusInterrupted
	}
	tag, err := pool.Exec(bg, `UPDATE exitflow.exit_run SET status = $2, finished_at = now(), lock_pid = NULL, error = $3
		WHERE id = $1 AND status = 'running' AND lock_pid = $4`, run.id, string(res.Status), cause.Error(), int64(pid))
	if err == nil && tag.RowsAffected() == 1 {
		_ = writeAudit(bg, pool, by.actor, "exit-run", string(res.Status), by.wfID, by.wfRunID,
			map[string]any{"run_id": run.id, "phase": string(res.Status)})
	}
	if r, cerr := runCounts(bg, pool, run.id, res); cerr == nil {
		res = r
	}
	return res, fmt.Errorf("exit run %d %s (resume it with the same run ID or key; nothing is written twice): %w", run.id, res.Status, cause)
}

// who did an action (SPEC U1): the actor and the workflow and run, if any.
type who struct{ actor, wfID, wfRunID string }

// startOrResume records a new run, or loads the run opt names (by Key or RunID) and checks that
// opt's options are its own; resumed says which.
func startOrResume(ctx context.Context, conn *pgx.Conn, opt RunOptions) (run runRow, resumed bool, err error) {
	id, complete := opt.RunID, false
	if opt.Key != "" {
		if opt.RunID != 0 {
			return run, false, Conflict(FieldKey, opt.Key, FieldRunID, opt.RunID, "name a run one way: a key, or the run ID")
		}
		if id, err = runByKey(ctx, conn, opt.Key); err != nil {
			return run, false, err
		}
		complete = true // a keyed call repeats its whole input
	}
	if id == 0 {
		run, err = newRun(ctx, conn, opt)
		return run, false, err
	}
	if run, err = loadRun(ctx, conn, id); err != nil {
		return run, true, err
	}
	return run, true, checkResume(run, opt, complete)
}

// newRun validates the options and records a new exit_run row (and its audit).
func newRun(ctx context.Context, conn *pgx.Conn, opt RunOptions) (runRow, error) {
	o := opt.Options
	if o.Method == "" {
		o.Method = MethodAuto
	}
	if err := checkRunOptions(ctx, conn, o, opt.Location); err != nil {
		return runRow{}, err
	}
	run := runRow{snapshotImport: -1, method: o.Method, asOf: o.AsOf, projects: o.Projects, allOpen: o.AllOpen, actor: opt.Actor,
		wfID: nullText(opt.WorkflowID), wfRunID: nullText(opt.WorkflowRunID), status: StatusRunning}
	if run.projects == nil {
		run.projects = []string{}
	}
	if o.WindowDays > 0 {
		run.windowDays = &o.WindowDays
	}
	// The run (with its key) and its audit commit together: a crash leaves both or neither.
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO exitflow.exit_run (method, as_of, projects, window_days, all_open, actor, workflow_id, workflow_run_id,
			idempotency_key, lock_pid)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, pg_backend_pid()) RETURNING id`,
			run.method.Recorded(), run.asOf, run.projects, run.windowDays, run.allOpen, run.actor, run.wfID, run.wfRunID, nullText(opt.Key)).Scan(&run.id); err != nil {
			return fmt.Errorf("recording the exit run: %w", err)
		}
		return writeAudit(ctx, tx, opt.Actor, "exit-run", runReason(run.method), opt.WorkflowID, opt.WorkflowRunID, startDetails(run, opt.Key))
	})
	return run, err
}

// runReason is the audit reason of an exit run of method m.
func runReason(m Method) string {
	if m == MethodAdmin {
		return AdminReason
	}
	return "auto exit: inactivity policy"
}

// startDetails are the audit details of a run's start (IDs, dates and options only).
func startDetails(run runRow, key string) map[string]any {
	details := map[string]any{"run_id": run.id, "phase": "started", "method": run.method.Recorded(), "as_of": run.asOf.Format(time.DateOnly),
		"projects": run.projects, "all_open": run.allOpen}
	if key != "" {
		details["idempotency_key"] = key
	}
	if run.windowDays != nil {
		details["window_days"] = *run.windowDays
	}
	return details
}

func loadRun(ctx context.Context, q Querier, id int64) (runRow, error) {
	r := runRow{id: id}
	var method string
	var seen *int64
	err := q.QueryRow(ctx, `SELECT method, as_of, projects, window_days, all_open, actor, workflow_id, workflow_run_id, status, snapshot_at, undone_at,
		snapshot_import FROM exitflow.exit_run WHERE id = $1`, id).Scan(&method, &r.asOf, &r.projects, &r.windowDays, &r.allOpen, &r.actor,
		&r.wfID, &r.wfRunID, &r.status, &r.snapshot, &r.undoneAt, &seen)
	r.snapshotImport = -1
	if seen != nil {
		r.snapshotImport = *seen
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return r, &NotFoundError{fmt.Sprintf("exit run %d does not exist", id)}
	}
	if err != nil {
		return r, fmt.Errorf("reading exit run %d: %w", id, err)
	}
	r.method = methodOfRecord(method)
	if len(r.projects) == 0 {
		r.projects = nil
	}
	return r, nil
}

// checkResume refuses to resume a run that is not an inactivity or admin run, or
// with options other than the run's own (complete: all of opt's count as given).
func checkResume(run runRow, opt RunOptions, complete bool) error {
	if run.method == MethodHoused {
		return Invalid(FieldRunID, run.id, "is a housed-exit run: it is not resumed here")
	}
	if d := runDiffs(run, opt.Options, complete); len(d) > 0 {
		key := ""
		if complete {
			key = opt.Key
		}
		return &MismatchError{Action: fmt.Sprintf("exit run %d", run.id), Key: key, Diffs: d}
	}
	return nil
}

// runCounts adds the run's counts (from its snapshot and committed batches) to res.
func runCounts(ctx context.Context, q Querier, id int64, res RunResult) (RunResult, error) {
	err := q.QueryRow(ctx, `SELECT count(*), coalesce(sum(n), 0), coalesce(sum(already), 0),
			count(*) FILTER (WHERE skipped = n), coalesce(sum(skipped), 0)
		FROM (SELECT count(*) AS n, count(*) FILTER (WHERE status = 'already-exited') AS already,
		             count(*) FILTER (WHERE status = 'skipped') AS skipped
		      FROM exitflow.exit_run_candidate WHERE run_id = $1 GROUP BY hh_seq) h`, id).Scan(
		&res.CandidateHouseholds, &res.CandidateEnrollments, &res.AlreadyExited, &res.SkippedHouseholds, &res.Skipped)
	if err != nil {
		return res, fmt.Errorf("counting exit run %d: %w", id, err)
	}
	// Processed: the households of committed batches (batches never overlap).
	err = q.QueryRow(ctx, `SELECT coalesce(sum(hh_to - hh_from + 1), 0) FROM exitflow.exit_run_batch WHERE run_id = $1`, id).Scan(&res.ProcessedHouseholds)
	if err != nil {
		return res, fmt.Errorf("counting exit run %d: %w", id, err)
	}
	// Written: the candidates of committed batches that were not marked otherwise.
	err = q.QueryRow(ctx, `SELECT count(*), count(DISTINCT c.hh_seq)
		FROM exitflow.exit_run_batch b
		JOIN exitflow.exit_run_candidate c ON c.run_id = b.run_id AND c.hh_seq BETWEEN b.hh_from AND b.hh_to
		WHERE b.run_id = $1 AND c.status IS NULL`, id).Scan(&res.Enrollments, &res.Households)
	if err != nil {
		return res, fmt.Errorf("counting exit run %d: %w", id, err)
	}
	return res, nil
}

// finishRun records the run's counts and status done (and its audit), unless it was done already.
func finishRun(ctx context.Context, conn *pgx.Conn, run runRow, by who, res RunResult, wasDone bool) (RunResult, error) {
	res, err := runCounts(ctx, conn, run.id, res)
	if err != nil {
		return res, err
	}
	res.Status = StatusDone
	if wasDone {
		return res, nil
	}
	_, err = conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'done', finished_at = now(), lock_pid = NULL, error = NULL,
		households = $2, enrollments = $3, already_exited = $4, skipped = $5 WHERE id = $1`,
		run.id, res.Households, res.Enrollments, res.AlreadyExited, res.Skipped)
	if err != nil {
		return res, fmt.Errorf("exit run %d: %w", run.id, err)
	}
	return res, writeAudit(ctx, conn, by.actor, "exit-run", runReason(run.method), by.wfID, by.wfRunID, map[string]any{
		"run_id": run.id, "phase": "done", "households": res.Households, "enrollments": res.Enrollments,
		"already_exited": res.AlreadyExited, "skipped_households": res.SkippedHouseholds, "skipped": res.Skipped})
}
