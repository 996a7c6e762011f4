package engine_test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture testdata/exits (as of 2026-11-01): Services Only project PS (built-in 90/80 days),
// Street Outreach PO (365/300) and night-by-night shelter PN (auto exit off). Each exited household's
// last activity comes from another source, so that every evidence file is covered.
var exAsOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// exEvidence is the evidence (file, record ID) each exited enrollment must carry (SPEC F3).
var exEvidence = map[string][2]string{
	"NA1": {"Services.csv", "SA2"}, "NA2": {"Services.csv", "SA2"}, // household HA: NA2's service is the household's last
	"NB1": {"CurrentLivingSituation.csv", "LB1"},
	"ND1": {"Assessment.csv", "AD1"},
	"NE1": {"CustomActivity.csv", "CAE1"},
	"NF1": {"Enrollment.csv", "NF1"}, // no activity: the entry date
	"NG1": {"Event.csv", "EG1"},
	"NH1": {"IncomeBenefits.csv", "IH1"},
	"NO1": {"CurrentLivingSituation.csv", "LO1"},
	"NP1": {"Enrollment.csv", "NP1"},
}

// exDB is a fresh database holding the fixture.
func exDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	_, pool := testdb.New(t)
	_, err := importer.Run(context.Background(), pool, "testdata/exits", importer.Options{})
	require.NoError(t, err)
	return pool
}

func exCount(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func exRun(t *testing.T, pool *pgxpool.Pool, opt engine.RunOptions) engine.RunResult {
	t.Helper()
	if opt.AsOf.IsZero() && opt.RunID == 0 {
		opt.AsOf = exAsOf
	}
	if opt.Actor == "" {
		opt.Actor = "Dana Lee"
	}
	res, err := engine.WriteExits(context.Background(), pool, opt)
	require.NoError(t, err)
	return res
}

// exPreview is the preview's exit rows, keyed by EnrollmentID.
func exPreview(t *testing.T, pool *pgxpool.Pool, opt engine.Options) map[string]engine.Row {
	t.Helper()
	out := map[string]engine.Row{}
	require.NoError(t, engine.Candidates(context.Background(), pool, opt, func(r engine.Row) error {
		if r.Action == engine.ActionExit {
			out[r.EnrollmentID] = r
		}
		return nil
	}))
	return out
}

type exExit struct {
	EnrollmentID string
	ExitDate     time.Time
	Destination  int
	Subsidy      *int
}

// exExits is the engine's live Exit rows, keyed by EnrollmentID.
func exExits(t *testing.T, pool *pgxpool.Pool) map[string]exExit {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT enrollmentid, exitdate, destination, destinationsubsidytype
		FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]exExit{}
	for rows.Next() {
		var x exExit
		require.NoError(t, rows.Scan(&x.EnrollmentID, &x.ExitDate, &x.Destination, &x.Subsidy))
		out[x.EnrollmentID] = x
	}
	require.NoError(t, rows.Err())
	return out
}

// exAssertOneExitEach checks that no enrollment has two live Exit rows and that no household of
// the engine's exits is half exited (SPEC H2, H3).
func exAssertOneExitEach(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM (SELECT enrollmentid FROM hmis.exit WHERE datedeleted IS NULL
		GROUP BY 1 HAVING count(*) > 1) d`), "an enrollment with two Exit rows")
	assert.Zero(t, exCount(t, pool, `SELECT count(*) FROM hmis.enrollment e
		WHERE e.datedeleted IS NULL
		  AND EXISTS (SELECT 1 FROM exitflow.engine_exit ee JOIN hmis.exit x ON x.exitid = ee.exitid AND x.datedeleted IS NULL
		              WHERE ee.projectid = e.projectid AND ee.householdid = e.householdid)
		  AND NOT EXISTS (SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = e.enrollmentid AND x.datedeleted IS NULL)`),
		"an open member in a household the engine exited")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestF3_RunWritesThePreviewsExitsWithEngineRecords(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	preview := exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto})
	require.Len(t, preview, 10)

	res := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}, Actor: "Dana Lee",
		WorkflowID: "agreement-7", WorkflowRunID: "r-1"})
	assert.Equal(t, engine.RunResult{RunID: res.RunID, Method: engine.RunMethodAuto, AsOf: exAsOf, Status: "done", CandidateHouseholds: 9,
		CandidateEnrollments: 10, Households: 9, Enrollments: 10}, res)

	// The same enrollments, exit dates and destinations as the preview.
	written := exExits(t, pool)
	require.Equal(t, keys(preview), keys(written))
	for id, p := range preview {
		assert.Equal(t, p.ExitDate, written[id].ExitDate, id)
		assert.Equal(t, p.Destination, written[id].Destination, id)
		assert.Equal(t, p.DestinationSubsidyType, written[id].Subsidy, id)
	}

	// The Exit rows: the engine's user, the latest import's ExportID, all else empty (F2).
	assert.Equal(t, 10, exCount(t, pool, `SELECT count(*) FROM hmis.exit x JOIN exitflow.engine_exit ee USING (exitid)
		WHERE x.userid = 'exitflow' AND x.exportid = 'EX1' AND x.datecreated = x.dateupdated AND x.dateupdated = ee.written_at
		  AND x.import_id IS NULL AND x.otherdestination IS NULL AND x.projectcompletionstatus IS NULL AND x.cmexitreason IS NULL
		  AND x.exitid ~ '^EF[0-9]+-[0-9]+$' AND length(x.exitid) <= 32`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis."user" WHERE userid = 'exitflow' AND userfirstname = 'exitflow'
		AND userlastname = 'engine' AND exportid = 'EX1' AND datedeleted IS NULL`))

	// The engine record beside each (F3).
	rows, err := pool.Query(ctx, `SELECT ee.enrollmentid, ee.personalid, ee.projectid, ee.householdid, ee.method, ee.reason, ee.actor,
			ee.workflow_id, ee.workflow_run_id, ee.exit_date, ee.last_activity_date, ee.last_activity_source,
			ee.evidence_file, ee.evidence_id, (ee.policy ->> 'auto_exit_days')::int, ee.policy ->> 'scope', ee.run_id
		FROM exitflow.engine_exit ee`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		var enr, personal, project, household, method, reason, actor, wf, wfRun, source, file, id, scope string
		var exitDate, last time.Time
		var days int
		var runID int64
		require.NoError(t, rows.Scan(&enr, &personal, &project, &household, &method, &reason, &actor, &wf, &wfRun,
			&exitDate, &last, &source, &file, &id, &days, &scope, &runID))
		p := preview[enr]
		assert.Equal(t, p.PersonalID, personal)
		assert.Equal(t, p.ProjectID, project)
		assert.Equal(t, p.HouseholdID, household)
		assert.Equal(t, engine.RunMethodAuto, method)
		assert.Equal(t, p.Reason, reason)
		assert.Equal(t, "Dana Lee", actor)
		assert.Equal(t, "agreement-7", wf)
		assert.Equal(t, "r-1", wfRun)
		assert.Equal(t, p.ExitDate, exitDate)
		assert.Equal(t, p.LastActivityDate, last, enr)
		assert.Equal(t, p.LastActivitySource, source, enr)
		assert.Equal(t, exEvidence[enr], [2]string{file, id}, "evidence of %s", enr)
		assert.Equal(t, *p.AutoExitDays, days)
		assert.Equal(t, "built-in", scope)
		assert.Equal(t, res.RunID, runID)
		n++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, 10, n)

	// The run and its audit (U1): counts and IDs only.
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'done'
		AND method = 'auto-inactivity' AND households = 9 AND enrollments = 10 AND finished_at IS NOT NULL AND lock_pid IS NULL`, res.RunID))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run' AND actor = 'Dana Lee'
		AND workflow_id = 'agreement-7' AND (details ->> 'run_id')::bigint = $1`, res.RunID))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run'
		AND details ->> 'phase' = 'done' AND (details ->> 'enrollments')::int = 10 AND (details ->> 'households')::int = 9`))

	// Nothing left to exit: the preview lists no exit any more.
	assert.Empty(t, exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}))
	exAssertOneExitEach(t, pool)
}

func TestF2_P5_ExitDefaultsAreWrittenAndNothingElse(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, exit_defaults, changed_by)
		VALUES ('project', 'PO', 365, 300, '{"Destination": 17, "OtherDestination": "moved in with family", "ProjectCompletionStatus": 1}', 'test')`)
	require.NoError(t, err)
	exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PO"}}})
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND destination = 17
		AND otherdestination = 'moved in with family' AND projectcompletionstatus = 1 AND destinationsubsidytype IS NULL
		AND earlyexitreason IS NULL AND housingassessment IS NULL`))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit
		WHERE policy -> 'exit_defaults' ->> 'destination' = '17' AND policy ->> 'scope' = 'project' AND policy ->> 'scope_id' = 'PO'`))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'`), "only the project's exits")
}

func TestH3_RunningTheRunAgainWritesNothing(t *testing.T) {
	pool := exDB(t)
	first := exRun(t, pool, engine.RunOptions{})
	again := exRun(t, pool, engine.RunOptions{RunID: first.RunID})
	assert.True(t, again.Resumed)
	assert.Equal(t, first.Enrollments, again.Enrollments, "a done run reports its counts and writes nothing")
	second := exRun(t, pool, engine.RunOptions{})
	assert.NotEqual(t, first.RunID, second.RunID)
	assert.Zero(t, second.Enrollments+second.CandidateEnrollments, "a new run finds nothing left to exit")
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)
}

func TestH3_ExitWrittenByAPersonDuringTheRunIsKept(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	// Households are written one per transaction; after the first, a case manager exits NH1 (a later
	// household of the run's list) in the HMIS and that exit is imported.
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	batches := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		batches++
		if batches == 1 {
			_, err := pool.Exec(ctx, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, exportid)
				VALUES ('CM-9', 'NH1', 'CH1', '2026-10-30', 410, '2026-10-30 09:00', '2026-10-30 09:00', 'U1', 'EX1')`)
			require.NoError(t, err)
		}
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	assert.Equal(t, 9, batches)
	assert.Equal(t, 9, res.Enrollments)
	assert.Equal(t, 1, res.AlreadyExited)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'NH1' AND datedeleted IS NULL
		AND exitid = 'CM-9' AND destination = 410`), "the person's exit stays, and is the only one")
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE enrollmentid = 'NH1'"))
	// ND2's exit was there before the run: kept, and ND1 alone is exited.
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'ND2' AND exitid = 'XD2' AND datedeleted IS NULL"))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'ND2'"))
	exAssertOneExitEach(t, pool)
}

func TestH2_ResumeAfterACrashWritesEachExitOnce(t *testing.T) {
	pool := exDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	opt.Progress = func(done, _ int) { // "crash" after the first household
		if done > 0 {
			cancel()
		}
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.Error(t, err)
	require.NotZero(t, res.RunID)
	assert.Equal(t, "failed", res.Status)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'failed' AND error LIKE 'interrupted%'", res.RunID))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(DISTINCT householdid) FROM exitflow.engine_exit"), "one household was written")
	exAssertOneExitEach(t, pool)

	// A crash that leaves the run 'running' (the process died): resuming it works the same.
	_, err = pool.Exec(context.Background(), "UPDATE exitflow.exit_run SET status = 'running' WHERE id = $1", res.RunID)
	require.NoError(t, err)
	resumed := exRun(t, pool, engine.RunOptions{RunID: res.RunID, BatchHouseholds: 2})
	assert.True(t, resumed.Resumed)
	assert.Equal(t, "done", resumed.Status)
	assert.Equal(t, 10, resumed.Enrollments)
	assert.Equal(t, 9, resumed.Households)
	assert.Zero(t, resumed.AlreadyExited)

	// A run that is done: resuming it again writes nothing.
	exRun(t, pool, engine.RunOptions{RunID: res.RunID})
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE run_id = $1", res.RunID))
	exAssertOneExitEach(t, pool)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE details ->> 'phase' = 'resumed'"))
}

func TestH2_AHouseholdActiveAgainSinceTheSnapshotIsNotExited(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	ctx2, cancel := context.WithCancel(ctx)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1, Progress: func(done, _ int) {
		if done > 0 {
			cancel()
		}
	}}
	res, err := engine.WriteExits(ctx2, pool, opt)
	require.Error(t, err)
	// Before the run is resumed, NA1 (household HA, not yet written) gets a service: HA is active.
	_, err = pool.Exec(ctx, `INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
		VALUES ('SX', 'NA1', 'CA1', '2026-10-25', 144, 3, now(), now(), 'EX1')`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE exitflow.enrollment_state SET last_date = '2026-10-25', last_source = 'service' WHERE enrollmentid = 'NA1'`)
	require.NoError(t, err)
	resumed := exRun(t, pool, engine.RunOptions{RunID: res.RunID})
	assert.Equal(t, 1, resumed.SkippedHouseholds)
	assert.Equal(t, 2, resumed.Skipped)
	assert.Equal(t, 8, resumed.Enrollments)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid IN ('NA1', 'NA2')"), "nobody of HA is exited")
	exAssertOneExitEach(t, pool)
}

func TestH3_ConcurrentRunsAreRefusedOrWaitAndNothingDoubles(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	var busyErr error
	var waited engine.RunResult
	waitedErr := make(chan error, 1)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	calls := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		calls++
		if calls != 1 {
			return
		}
		// A second run for overlapping projects while the first one is writing: refused, naming it.
		_, busyErr = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PS"}}, Actor: "Sam Roe"})
		// A third one waits for the lock and runs when the first is done.
		go func() {
			var err error
			waited, err = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Sam Roe", Wait: true})
			waitedErr <- err
		}()
		time.Sleep(200 * time.Millisecond)
	}
	first, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	var busy *engine.BusyError
	require.True(t, errors.As(busyErr, &busy), "%v", busyErr)
	assert.Equal(t, first.RunID, busy.RunID)
	assert.Contains(t, busyErr.Error(), "exit run "+strconv.FormatInt(first.RunID, 10)+" (by Dana Lee) is in progress")
	require.NoError(t, <-waitedErr)
	assert.Equal(t, "done", waited.Status)
	assert.Zero(t, waited.Enrollments, "the waiting run finds everything exited")
	assert.Equal(t, 10, first.Enrollments)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 2, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"), "the refused run was never started")
	exAssertOneExitEach(t, pool)
}

func TestH3_ManyConcurrentRunsWriteEachExitOnce(t *testing.T) {
	pool := exDB(t)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := engine.WriteExits(context.Background(), pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Wait: true, BatchHouseholds: 1})
			errs <- err
		}()
	}
	for range 6 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit"))
	exAssertOneExitEach(t, pool)
}

func TestAD2_AdminRunReasonActorAndDates(t *testing.T) {
	pool := exDB(t)
	opt := engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, WindowDays: 60}
	preview := exPreview(t, pool, opt)
	require.Equal(t, []string{"NN1"}, keys(preview))
	res := exRun(t, pool, engine.RunOptions{Options: opt, Actor: "Ann Admin"})
	assert.Equal(t, engine.RunMethodAdmin, res.Method)
	assert.Equal(t, 1, res.Enrollments)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit ee JOIN hmis.exit x USING (exitid)
		WHERE ee.enrollmentid = 'NN1' AND ee.method = 'admin' AND ee.reason = $1 AND ee.actor = 'Ann Admin'
		  AND x.exitdate = '2026-03-03' AND x.destination = 30 AND ee.last_activity_date = '2026-03-02'
		  AND ee.last_activity_source = 'bed-night' AND ee.evidence_file = 'Services.csv' AND ee.evidence_id = 'SN2'
		  AND (ee.policy ->> 'window_days')::int = 60`, engine.AdminReason), "D2: the day after the last bed night")
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND method = 'admin'
		AND actor = 'Ann Admin' AND window_days = 60 AND projects = '{PN}'`, res.RunID))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run' AND reason = $1
		AND details ->> 'phase' = 'done'`, engine.AdminReason))

	// A closing project: every open enrollment.
	all := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, AllOpen: true}, Actor: "Ann Admin"})
	assert.Equal(t, 1, all.Enrollments, "NN2; NN1 is exited already")
	assert.Equal(t, 2, exCount(t, pool, "SELECT count(*) FROM hmis.exit x JOIN hmis.enrollment e USING (enrollmentid) WHERE e.projectid = 'PN'"))
	exAssertOneExitEach(t, pool)
}

func TestRunOptionsAreValidated(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	for _, c := range []struct {
		opt  engine.RunOptions
		want string
	}{
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf}}, "needs an actor"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: "soon"}, Actor: "x"}, `Method "soon": want auto or admin`},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin}, Actor: "x"}, "give ProjectID"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}}, Actor: "x"}, "auto exit off"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"NOPE"}}, Actor: "x"}, "no such project"},
		{engine.RunOptions{Options: engine.Options{AsOf: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, Actor: "x"}, "before the data starts"},
		{engine.RunOptions{Options: engine.Options{AsOf: time.Now().AddDate(0, 0, 3)}, Actor: "x"}, "in the future"},
		{engine.RunOptions{RunID: 4242, Actor: "x"}, "exit run 4242 does not exist"},
	} {
		_, err := engine.WriteExits(ctx, pool, c.opt)
		assert.ErrorContains(t, err, c.want)
		if c.opt.RunID == 0 { // a caller can tell bad input from a failure (SPEC: activities fail, not retry)
			assert.ErrorIs(t, err, engine.ErrInvalid)
			assert.NotContains(t, err.Error(), "--", "an engine message names no CLI flag")
		}
	}
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"))
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
}

func TestAD2_AdminExitsIgnoreTheProjectsExitDefaults(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	// P5 defaults are for automatic exits; an administrative exit writes Destination 30 and nothing else.
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, exit_defaults, changed_by)
		VALUES ('project', 'PO', 365, 300, '{"Destination": 17, "OtherDestination": "moved in with family", "ProjectCompletionStatus": 1}', 'test')`)
	require.NoError(t, err)
	exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PO"}, Method: engine.MethodAdmin, AllOpen: true}, Actor: "Dana Lee"})
	n := exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'")
	require.Positive(t, n)
	assert.Equal(t, n, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND destination = 30
		AND otherdestination IS NULL AND projectcompletionstatus IS NULL AND destinationsubsidytype IS NULL`))
	assert.Equal(t, n, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit WHERE reason = 'Administrative exit' AND actor = 'Dana Lee'`))
}

func TestH2_ParallelWritersWriteEachHouseholdOnce(t *testing.T) {
	pool := exDB(t)
	var last, calls int
	res := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, BatchHouseholds: 1, Writers: 3,
		Progress: func(done, total int) { // one call at a time, never backwards
			calls++
			assert.GreaterOrEqual(t, done, last)
			last = done
			assert.Equal(t, 9, total)
		}})
	assert.Equal(t, engine.RunResult{RunID: res.RunID, Method: engine.RunMethodAuto, AsOf: exAsOf, Status: "done", CandidateHouseholds: 9,
		CandidateEnrollments: 10, Households: 9, Enrollments: 10}, res)
	assert.Equal(t, 10, calls, "before the first batch, then after each of the 9")
	assert.Equal(t, 9, last)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM exitflow.engine_exit WHERE run_id = $1", res.RunID))
	assert.Equal(t, 9, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run_batch WHERE run_id = $1 AND hh_from = hh_to", res.RunID))
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)
}

// An import that commits while a run is between batches (here: a service for NP1, household HP,
// a later batch) makes HP active again: the next batch waits for the import, sees it, and skips
// HP (SPEC H2: active again since the list) instead of exiting it.
func TestH2_ImportDuringTheRunIsSeenByTheNextBatch(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", BatchHouseholds: 1}
	committed := make(chan error, 1)
	batches := 0
	opt.Progress = func(done, _ int) {
		if done == 0 {
			return
		}
		if batches++; batches != 1 {
			return
		}
		// What an import does, held open while the run goes on: it locks Exit rows against writers
		// first, changes activity, refreshes the state and records itself, then commits.
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		for _, sql := range []string{
			`LOCK TABLE hmis.exit IN SHARE ROW EXCLUSIVE MODE`,
			`INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
				VALUES ('SP9', 'NP1', 'CP1', '2026-10-25', 144, 3, now(), now(), 'EX1')`,
			`UPDATE exitflow.enrollment_state SET last_date = '2026-10-25', last_source = 'service' WHERE enrollmentid = 'NP1'`,
			`INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
				VALUES (now(), 'test', 'EX1', '', 1, 1, 0, '[]')`,
		} {
			_, err := tx.Exec(ctx, sql)
			require.NoError(t, err, sql)
		}
		go func() {
			time.Sleep(300 * time.Millisecond) // the run's next batch is waiting by now
			committed <- tx.Commit(ctx)
		}()
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	require.NoError(t, <-committed)
	assert.Equal(t, 1, res.SkippedHouseholds)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'NP1'"), "HP is active again: not exited")
	assert.Equal(t, 9, res.Enrollments)
	exAssertOneExitEach(t, pool)
	stAssertState(t, pool, "the run")
}
