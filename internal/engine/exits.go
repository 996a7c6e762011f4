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
)

// Exit methods as exitflow.exit_run and exitflow.engine_exit record them (SPEC F3).
const (
	RunMethodAuto  = "auto-inactivity"
	RunMethodAdmin = "admin"
)

// EngineUserID is the HMIS UserID of the Exit rows the engine writes (SPEC F3): a row of
// hmis."user" (so User.csv exports carry it) that WriteExits creates when missing.
const EngineUserID = "exitflow"

// DefaultBatchHouseholds is how many households one exit-run transaction writes.
const DefaultBatchHouseholds = 10000

// DefaultWriters is how many connections the CLI's exit runs write with: two keep a two-core
// database server busy (BENCHMARKS.md).
const DefaultWriters = 2

// Advisory lock key of exit runs and undos: one at a time per database (two int4 keys: 'EFEX', 1).
const (
	lockClass = 0x45464558
	lockObj   = 1
)

// RunOptions select the exits to write (Options) and say who writes them.
type RunOptions struct {
	Options
	Actor         string // who runs it: the HMIS staff member named on the agreement for admin exits (SPEC AD2)
	WorkflowID    string // the Temporal workflow and run that wrote the exits (SPEC F3, U1); empty from the CLI
	WorkflowRunID string
	// RunID 0 starts a new run. The ID of an existing run resumes it (a retry after a crash or a
	// failure): its own options are used, the households it already processed are not touched
	// again, and a run that is done is not run again (its counts are returned).
	RunID int64
	// Location is the CoC's time zone: DateCreated, DateUpdated of the Exit rows are its wall
	// clock (HMIS CSV datetimes have no zone). nil: UTC.
	Location *time.Location
	// BatchHouseholds households are written per transaction (0: DefaultBatchHouseholds).
	BatchHouseholds int
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
	Method               string    `json:"method"` // auto-inactivity or admin
	AsOf                 time.Time `json:"as_of"`
	Status               string    `json:"status"` // done, failed, running
	Resumed              bool      `json:"resumed"`
	CandidateHouseholds  int       `json:"candidate_households"`  // households in the run's snapshot
	CandidateEnrollments int       `json:"candidate_enrollments"` // enrollments in the run's snapshot
	Households           int       `json:"households"`            // households with exits written
	Enrollments          int       `json:"enrollments"`           // Exit rows written
	AlreadyExited        int       `json:"already_exited"`        // enrollments that got an exit meanwhile: kept (SPEC H3)
	SkippedHouseholds    int       `json:"skipped_households"`    // households active again since the snapshot: not exited
	Skipped              int       `json:"skipped"`               // their enrollments (and enrollments deleted since)
}

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

// NotFoundError is returned for a run, household or enrollment that has nothing to act on.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// runRow is an exitflow.exit_run row.
type runRow struct {
	id         int64
	method     string
	asOf       time.Time
	projects   []string
	windowDays *int
	allOpen    bool
	actor      string
	wfID       *string
	wfRunID    *string
	status     string
	snapshot   *time.Time
	undoneAt   *time.Time
}

func (r runRow) options() Options {
	o := Options{AsOf: r.asOf, Projects: r.projects, Method: MethodAuto, AllOpen: r.allOpen}
	if r.method == RunMethodAdmin {
		o.Method = MethodAdmin
	}
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

// wallClock is now in loc as an HMIS timestamp (no zone, whole seconds), for DateCreated,
// DateUpdated and DateDeleted.
func hmisNow(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	n := time.Now().In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), n.Second(), 0, time.UTC)
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

// lockExits takes the exits lock (one exit run or undo at a time) or returns a *BusyError.
func lockExits(ctx context.Context, conn *pgx.Conn, wait bool) error {
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

// audit records an engine action (SPEC U1). details hold IDs and counts only.
func auditExits(ctx context.Context, q Querier, actor, action, reason, wfID, wfRunID string, details map[string]any) error {
	_, err := q.Exec(ctx, `INSERT INTO exitflow.audit (actor, action, reason, workflow_id, workflow_run_id, details)
		VALUES ($1, $2, $3, $4, $5, $6)`, actor, action, nullText(reason), nullText(wfID), nullText(wfRunID), details)
	if err != nil {
		return fmt.Errorf("recording the audit: %w", err)
	}
	return nil
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

	var run runRow
	res := RunResult{}
	if opt.RunID == 0 {
		if run, err = newRun(ctx, conn, opt); err != nil {
			return res, err
		}
	} else {
		if run, err = loadRun(ctx, conn, opt.RunID); err != nil {
			return res, err
		}
		res.Resumed = true
		if err := checkResume(run, opt); err != nil {
			return res, err
		}
	}
	res.RunID, res.Method, res.AsOf = run.id, run.method, run.asOf
	if run.status == "done" {
		return finishRun(ctx, conn, run, res, true)
	}
	if _, err := conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'running', lock_pid = pg_backend_pid(), error = NULL WHERE id = $1`, run.id); err != nil {
		return res, fmt.Errorf("exit run %d: %w", run.id, err)
	}
	if res.Resumed {
		if err := auditExits(ctx, conn, opt.Actor, "exit-run", "resumed", opt.WorkflowID, opt.WorkflowRunID,
			map[string]any{"run_id": run.id, "phase": "resumed"}); err != nil {
			return res, err
		}
	}
	if err := writeRun(ctx, pool, conn, run, opt); err != nil {
		bg := context.WithoutCancel(ctx)
		msg := err.Error()
		if ctx.Err() != nil {
			msg = "interrupted: " + msg
		}
		// The run's session may be gone (a cancelled query closes it): record the failure from the pool.
		_, _ = pool.Exec(bg, `UPDATE exitflow.exit_run SET status = 'failed', finished_at = now(), lock_pid = NULL, error = $2 WHERE id = $1`, run.id, msg)
		_ = auditExits(bg, pool, opt.Actor, "exit-run", "failed", opt.WorkflowID, opt.WorkflowRunID,
			map[string]any{"run_id": run.id, "phase": "failed"})
		if r, cerr := runCounts(bg, pool, run.id, res); cerr == nil {
			res = r
		}
		res.Status = "failed"
		return res, fmt.Errorf("exit run %d failed (resume it with the same run ID; nothing is written twice): %w", run.id, err)
	}
	return finishRun(ctx, conn, run, res, false)
}

// newRun validates the options and records a new exit_run row (and its audit).
func newRun(ctx context.Context, conn *pgx.Conn, opt RunOptions) (runRow, error) {
	o := opt.Options
	if o.Method == "" {
		o.Method = MethodAuto
	}
	if err := o.Validate(ctx, conn); err != nil {
		return runRow{}, err
	}
	today := hmisNow(opt.Location)
	if o.AsOf.Format(time.DateOnly) > today.Format(time.DateOnly) {
		return runRow{}, Invalid(FieldAsOf, o.AsOf.Format(time.DateOnly), "is in the future (today is %s): exits are never recorded ahead of time",
			today.Format(time.DateOnly))
	}
	run := runRow{method: RunMethodAuto, asOf: o.AsOf, projects: o.Projects, allOpen: o.AllOpen, actor: opt.Actor,
		wfID: nullText(opt.WorkflowID), wfRunID: nullText(opt.WorkflowRunID), status: "running"}
	if o.Method == MethodAdmin {
		run.method = RunMethodAdmin
	}
	if run.projects == nil {
		run.projects = []string{}
	}
	if o.WindowDays > 0 {
		run.windowDays = &o.WindowDays
	}
	err := conn.QueryRow(ctx, `INSERT INTO exitflow.exit_run (method, as_of, projects, window_days, all_open, actor, workflow_id, workflow_run_id, lock_pid)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, pg_backend_pid()) RETURNING id`,
		run.method, run.asOf, run.projects, run.windowDays, run.allOpen, run.actor, run.wfID, run.wfRunID).Scan(&run.id)
	if err != nil {
		return run, fmt.Errorf("recording the exit run: %w", err)
	}
	reason := "auto exit: inactivity policy"
	if run.method == RunMethodAdmin {
		reason = AdminReason
	}
	details := map[string]any{"run_id": run.id, "phase": "started", "method": run.method, "as_of": run.asOf.Format(time.DateOnly),
		"projects": run.projects, "all_open": run.allOpen}
	if run.windowDays != nil {
		details["window_days"] = *run.windowDays
	}
	return run, auditExits(ctx, conn, opt.Actor, "exit-run", reason, opt.WorkflowID, opt.WorkflowRunID, details)
}

func loadRun(ctx context.Context, q Querier, id int64) (runRow, error) {
	r := runRow{id: id}
	err := q.QueryRow(ctx, `SELECT method, as_of, projects, window_days, all_open, actor, workflow_id, workflow_run_id, status, snapshot_at, undone_at
		FROM exitflow.exit_run WHERE id = $1`, id).Scan(&r.method, &r.asOf, &r.projects, &r.windowDays, &r.allOpen, &r.actor,
		&r.wfID, &r.wfRunID, &r.status, &r.snapshot, &r.undoneAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, &NotFoundError{fmt.Sprintf("exit run %d does not exist", id)}
	}
	if err != nil {
		return r, fmt.Errorf("reading exit run %d: %w", id, err)
	}
	if len(r.projects) == 0 {
		r.projects = nil
	}
	return r, nil
}

// checkResume refuses to resume a run with options that contradict the run's own.
func checkResume(run runRow, opt RunOptions) error {
	if run.undoneAt != nil {
		return fmt.Errorf("exit run %d was undone on %s: it is not resumed; start a new run", run.id, run.undoneAt.Format(time.DateOnly))
	}
	if run.method == "auto-housed" {
		return fmt.Errorf("exit run %d is a housed-exit run: it is not resumed here", run.id)
	}
	if !opt.AsOf.IsZero() && !opt.AsOf.Equal(run.asOf) {
		return fmt.Errorf("exit run %d is as of %s, not %s: resume it without another as-of date", run.id,
			run.asOf.Format(time.DateOnly), opt.AsOf.Format(time.DateOnly))
	}
	if opt.Method != "" && run.options().Method != opt.Method {
		return fmt.Errorf("exit run %d is a %s run, not %s", run.id, run.method, opt.Method)
	}
	return nil
}

// snapshotSQL lists the enrollments of a run in exitflow.exit_run_candidate: the exit rows of
// candidatesSQL (the preview's exit rows, as of the run's date), with the evidence record (SPEC F3:
// the file and record ID of the household's last activity, looked up once per household) and the
// policy values (built once per project). $6 is the run.
const snapshotSQL = `
WITH c AS (
    SELECT x.*,
           row_number() OVER w AS seq,
           dense_rank() OVER (ORDER BY x.projectid COLLATE "C", x.householdid COLLATE "C") AS hh_seq,
           (lag(x.householdid) OVER w, lag(x.projectid) OVER w) IS DISTINCT FROM (x.householdid, x.projectid) AS first_member
    FROM (` + candidatesSQL + `) x
    WHERE x.action = 'exit'
    WINDOW w AS (ORDER BY x.projectid COLLATE "C", x.householdid COLLATE "C", x.enrollmentid COLLATE "C")
),
pol AS ( -- F3: the policy values used, per project
    SELECT ep.projectid, (ep.projecttype = 1 AND ep.nbn_benchmark = 'last-bed-night') AS by_bed_night,
           jsonb_build_object('scope', ep.scope, 'scope_id', ep.scope_id, 'project_type', ep.projecttype,
               'auto_exit_days', ep.auto_exit_days, 'alert_days', ep.alert_days, 'nbn_benchmark', ep.nbn_benchmark,
               'window_days', $4::integer, 'all_open', $5::boolean,
               -- P5 defaults are for automatic exits; AD2: administrative exits write Destination 30 and nothing else
               'exit_defaults', CASE WHEN $3 = 'admin' THEN '{}'::jsonb
                                ELSE coalesce((SELECT jsonb_object_agg(lower(d.k), d.v) FROM jsonb_each(ep.exit_defaults) AS d (k, v)), '{}'::jsonb) END) AS policy
    FROM exitflow.effective_policy ep
    WHERE ep.projectid IN (SELECT DISTINCT projectid FROM c)
),
ev AS ( -- F3: the record of the household's last activity, per household
    SELECT c.hh_seq, e.file, e.id FROM c
    LEFT JOIN LATERAL (
        SELECT e.file, e.id FROM (
            SELECT 'Services.csv' AS file, s.servicesid AS id FROM hmis.services s
             WHERE c.la_source IN ('service', 'bed-night') AND s.enrollmentid = c.evidence AND s.dateprovided = c.la
               AND s.datedeleted IS NULL AND (s.recordtype = 200) = (c.la_source = 'bed-night')
            UNION ALL
            SELECT 'CurrentLivingSituation.csv', s.currentlivingsitid FROM hmis.currentlivingsituation s
             WHERE c.la_source = 'current-living-situation' AND s.enrollmentid = c.evidence AND s.informationdate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Assessment.csv', s.assessmentid FROM hmis.assessment s
             WHERE c.la_source = 'assessment' AND s.enrollmentid = c.evidence AND s.assessmentdate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Event.csv', s.eventid FROM hmis.event s
             WHERE c.la_source = 'event' AND s.enrollmentid = c.evidence AND greatest(s.eventdate, s.resultdate) = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'IncomeBenefits.csv', s.incomebenefitsid FROM hmis.incomebenefits s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'HealthAndDV.csv', s.healthanddvid FROM hmis.healthanddv s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Disabilities.csv', s.disabilitiesid FROM hmis.disabilities s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'EmploymentEducation.csv', s.employmenteducationid FROM hmis.employmenteducation s
             WHERE c.la_source = 'update-assessment' AND s.enrollmentid = c.evidence AND s.informationdate = c.la
               AND s.datacollectionstage IN (2, 5) AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'CustomActivity.csv', s.customactivityid FROM hmis.customactivity s
             WHERE c.la_source = 'custom' AND s.enrollmentid = c.evidence AND s.activitydate = c.la AND s.datedeleted IS NULL
            UNION ALL
            SELECT 'Enrollment.csv', c.evidence WHERE c.la_source = 'entry'
        ) e
        ORDER BY e.file, e.id COLLATE "C"
        LIMIT 1
    ) e ON true
    WHERE c.first_member
)
INSERT INTO exitflow.exit_run_candidate (run_id, seq, hh_seq, exitid, projectid, householdid, enrollmentid, personalid,
    exit_date, destination, subsidy, reason, last_activity_date, last_activity_source, evidence_enrollmentid,
    evidence_file, evidence_id, by_bed_night, policy)
SELECT $6::bigint, c.seq, c.hh_seq, 'EF' || $6::bigint || '-' || c.seq, c.projectid, c.householdid, c.enrollmentid, c.personalid,
       c.exit_date, c.destination, c.subsidy, c.reason, c.la, c.la_source, c.evidence,
       ev.file, ev.id, pol.by_bed_night, pol.policy
FROM c JOIN pol USING (projectid) JOIN ev USING (hh_seq)`

// staleSQL marks as skipped the candidates of a batch that are no longer what the snapshot saw:
// those whose enrollment was deleted since, and the households in which a member (open or exited,
// SPEC H1) has activity after the snapshot's last activity date, or an open member is not in the
// snapshot (joined or reopened since). Exiting part of such a household would break H2, so none of
// it is exited. Only an import changes these: without one since the snapshot, it is not run.
// $1 run, [$2, $3] households, $4 as-of.
const staleSQL = `
UPDATE exitflow.exit_run_candidate c SET status = 'skipped'
WHERE c.run_id = $1 AND c.hh_seq >= $2 AND c.hh_seq <= $3 AND c.status IS NULL
  AND (NOT EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = c.enrollmentid AND e.datedeleted IS NULL)
    OR EXISTS (
    SELECT 1 FROM exitflow.enrollment_state e
    WHERE e.householdid = c.householdid AND e.projectid = c.projectid AND e.entrydate <= $4
      AND (greatest(e.entrydate, CASE WHEN c.by_bed_night THEN e.last_bed_night ELSE e.last_date END) > c.last_activity_date
           OR (e.open AND NOT EXISTS (SELECT 1 FROM exitflow.exit_run_candidate m WHERE m.run_id = $1 AND m.enrollmentid = e.enrollmentid)))))`

// insertExitsSQL inserts the Exit rows of the candidates {from} (aliased b): a real Exit row per
// enrollment (SPEC F3), DateCreated = DateUpdated = $4 (CoC wall clock), ExportID $5. {cols} and
// {vals} are the P5 default columns.
const insertExitsSQL = `
    INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, destinationsubsidytype{cols},
                           datecreated, dateupdated, userid, exportid)
    SELECT b.exitid, b.enrollmentid, b.personalid, b.exit_date, b.destination, b.subsidy{vals},
           $4::timestamp, $4::timestamp, '` + EngineUserID + `', $5::text
    FROM {from}
    ORDER BY b.seq`

// batchDoneSQL records the batch of households [$2, $3] of run $1 as committed, with its Exit rows.
const batchDoneSQL = `INSERT INTO exitflow.exit_run_batch (run_id, hh_from, hh_to, written_at) VALUES ($1, $2, $3, $4::timestamp)`

// writeFreshSQL writes the Exit rows of a batch of households when nothing but this run has
// written since its list was made (no import since): every candidate gets its Exit, set-based,
// with a plain INSERT. The one-exit-per-enrollment index still guards it: should anyone have
// written an Exit meanwhile, the statement fails, and the batch is written by writeGuardedSQL
// instead. The candidates themselves are the engine records (SPEC F3; the view
// exitflow.engine_exit). $1 run, [$2, $3] households, $4 now, $5 ExportID.
const writeFreshSQL = `
WITH x AS (` + insertExitsSQL + `
    RETURNING 1
),
done AS (` + batchDoneSQL + `)
SELECT 0, '' FROM (SELECT count(*) FROM x) n`

// writeGuardedSQL writes the Exit rows of a batch of households after a change since the list (an
// import, an Exit written meanwhile, a resumed run): H3: an enrollment that has an Exit keeps it
// (INSERT … ON CONFLICT DO NOTHING on the one-exit-per-enrollment index), and the batch marks what
// it did not write (already exited; deleted since: skipped).
const writeGuardedSQL = `
WITH b AS (
    SELECT c.* FROM exitflow.exit_run_candidate c
    WHERE c.run_id = $1 AND c.hh_seq >= $2 AND c.hh_seq <= $3 AND c.status IS NULL
),
x AS (` + insertExitsSQL + `
    ON CONFLICT DO NOTHING -- the ExitID, or exit_one_per_enrollment: the enrollment has an Exit (H3)
    RETURNING exitid
),
u AS ( -- the candidates not written, and why (NULL: the ExitID is taken: the batch fails)
    UPDATE exitflow.exit_run_candidate c
    SET status = CASE WHEN EXISTS (SELECT 1 FROM hmis.exit o WHERE o.enrollmentid = c.enrollmentid AND o.datedeleted IS NULL) THEN 'already-exited'
                      WHEN NOT EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = c.enrollmentid AND e.datedeleted IS NULL) THEN 'skipped'
                 END
    FROM b
    WHERE c.run_id = b.run_id AND c.enrollmentid = b.enrollmentid AND b.exitid NOT IN (SELECT exitid FROM x)
    RETURNING c.status, c.exitid
),
done AS (` + batchDoneSQL + `)
SELECT count(*) FILTER (WHERE status IS NULL), coalesce(min(exitid) FILTER (WHERE status IS NULL), '') FROM u`

// fixedExitColumns are the Exit columns WriteExits sets itself; every other column is NULL (F2)
// unless the project's exit defaults (P5) set it.
var fixedExitColumns = []string{"exitid", "enrollmentid", "personalid", "exitdate", "destination", "destinationsubsidytype",
	"datecreated", "dateupdated", "userid", "datedeleted", "exportid", "import_id", "import_line"}

// defaultColumns builds the {cols} and {vals} of insertExitsSQL from hmis.exit's columns.
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
// Writers connections at a time, each batch a range of households of its own.
func writeRun(ctx context.Context, pool *pgxpool.Pool, conn *pgx.Conn, run runRow, opt RunOptions) error {
	// Imports are the only writers of activity, enrollments and person-written exits, and they
	// run one at a time: if none has been committed since this process made the snapshot, the
	// households cannot have changed and the per-batch staleness check is skipped. A resumed run
	// always checks.
	lastImport := int64(-1)
	if run.snapshot == nil {
		if err := conn.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM exitflow.import_run").Scan(&lastImport); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
		if err := snapshot(ctx, conn, run); err != nil {
			return err
		}
		// Fresh statistics for the batch queries (the list was just written).
		if _, err := conn.Exec(ctx, "ANALYZE exitflow.exit_run_candidate"); err != nil {
			return fmt.Errorf("exit run %d: %w", run.id, err)
		}
	}
	now := hmisNow(opt.Location)
	exportID, err := ensureEngineUser(ctx, conn, now)
	if err != nil {
		return err
	}
	cols, vals, err := defaultColumns(ctx, conn)
	if err != nil {
		return err
	}
	write := writeStatements{
		fresh: strings.NewReplacer("{cols}", cols, "{vals}", vals, "{from}",
			"exitflow.exit_run_candidate b WHERE b.run_id = $1 AND b.hh_seq >= $2 AND b.hh_seq <= $3 AND b.status IS NULL").Replace(writeFreshSQL),
		guarded: strings.NewReplacer("{cols}", cols, "{vals}", vals, "{from}", "b").Replace(writeGuardedSQL),
	}

	size := opt.BatchHouseholds
	if size <= 0 {
		size = DefaultBatchHouseholds
	}
	batches, total, err := pendingBatches(ctx, conn, run.id, size)
	if err != nil {
		return err
	}
	done := total
	for _, b := range batches {
		done -= b.to - b.from + 1
	}
	if opt.Progress != nil {
		opt.Progress(done, total)
	}
	if len(batches) == 0 {
		return nil
	}

	// Batches cover disjoint households, so writers never wait for each other's rows; the
	// one-exit-per-enrollment index still guards every insert.
	writers := min(max(opt.Writers, 1), len(batches))
	conns := []*pgx.Conn{conn}
	defer func() {
		for _, c := range conns[1:] {
			_ = c.Close(context.WithoutCancel(ctx))
		}
	}()
	for len(conns) < writers {
		c, err := exitsConn(ctx, pool)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan batch)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				if err := writeBatch(ctx, c, run, write, b, exportID, opt.Location, lastImport); err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				done += b.to - b.from + 1
				if opt.Progress != nil {
					opt.Progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, b := range batches {
		select {
		case next <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
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

// writeStatements are a run's two ways of writing a batch, with its default columns filled in.
type writeStatements struct{ fresh, guarded string }

// writeBatch writes households [b.from, b.to] of the run in one transaction: a household is
// written whole or not at all. If no import has been committed since lastImport (-1: unknown, a
// resumed run) it tries the plain insert first; an Exit written meanwhile (a unique violation)
// sends the batch down the guarded way.
func writeBatch(ctx context.Context, conn *pgx.Conn, run runRow, write writeStatements, b batch, exportID string, loc *time.Location, lastImport int64) error {
	err := writeBatchTx(ctx, conn, run, write, b, exportID, loc, lastImport)
	var pgErr *pgconn.PgError
	if lastImport < 0 || !errors.As(err, &pgErr) || pgErr.Code != pgerrcode.UniqueViolation {
		return err
	}
	return writeBatchTx(ctx, conn, run, write, b, exportID, loc, -1)
}

func writeBatchTx(ctx context.Context, conn *pgx.Conn, run runRow, write writeStatements, b batch, exportID string, loc *time.Location, lastImport int64) error {
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
		sql := write.fresh
		if stale {
			sql = write.guarded
			if _, err := tx.Exec(ctx, staleSQL, run.id, b.from, b.to, run.asOf); err != nil {
				return fmt.Errorf("exit run %d: checking households %d–%d for new activity: %w", run.id, b.from, b.to, err)
			}
		}
		var left int
		var example string
		if err := tx.QueryRow(ctx, sql, run.id, b.from, b.to, hmisNow(loc), exportID).Scan(&left, &example); err != nil {
			return fmt.Errorf("exit run %d: writing the exits of households %d–%d: %w", run.id, b.from, b.to, err)
		}
		if left > 0 {
			return fmt.Errorf("exit run %d: %d exits could not be written (ExitID %s is taken by another Exit row?); nothing of households %d–%d was written",
				run.id, left, example, b.from, b.to)
		}
		return nil
	})
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
func finishRun(ctx context.Context, conn *pgx.Conn, run runRow, res RunResult, wasDone bool) (RunResult, error) {
	res, err := runCounts(ctx, conn, run.id, res)
	if err != nil {
		return res, err
	}
	res.Status = "done"
	if wasDone {
		return res, nil
	}
	_, err = conn.Exec(ctx, `UPDATE exitflow.exit_run SET status = 'done', finished_at = now(), lock_pid = NULL, error = NULL,
		households = $2, enrollments = $3, already_exited = $4, skipped = $5 WHERE id = $1`,
		run.id, res.Households, res.Enrollments, res.AlreadyExited, res.Skipped)
	if err != nil {
		return res, fmt.Errorf("exit run %d: %w", run.id, err)
	}
	reason := "auto exit: inactivity policy"
	if run.method == RunMethodAdmin {
		reason = AdminReason
	}
	return res, auditExits(ctx, conn, run.actor, "exit-run", reason, derefText(run.wfID), derefText(run.wfRunID), map[string]any{
		"run_id": run.id, "phase": "done", "households": res.Households, "enrollments": res.Enrollments,
		"already_exited": res.AlreadyExited, "skipped_households": res.SkippedHouseholds, "skipped": res.Skipped})
}

func derefText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
