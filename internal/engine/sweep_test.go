package engine_test

// The sweep record: one sweep at a time, idempotent begins and finishes, per-project counts
// (SPEC U1, F3, AL2).

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// swClaim is a sweep claim of workflow wf over the exits fixture.
func swClaim(wf string) engine.SweepClaim {
	return engine.SweepClaim{WorkflowID: wf, FirstRunID: wf + "-run1", AsOf: exAsOf, Actor: "exitflow"}
}

// swAlive answers every liveness question with alive, and counts the questions.
func swAlive(alive bool, asked *int) func(context.Context, string) (bool, error) {
	return func(context.Context, string) (bool, error) {
		if asked != nil {
			*asked++
		}
		return alive, nil
	}
}

func swBegin(t *testing.T, pool *pgxpool.Pool, c engine.SweepClaim, alive bool) engine.Sweep {
	t.Helper()
	s, err := engine.BeginSweep(context.Background(), pool, c, swAlive(alive, nil))
	require.NoError(t, err)
	return s
}

// SPEC U1: beginning the same sweep again (a retried activity) returns the same row, whatever its status.
func TestU1_BeginSweepIsIdempotent(t *testing.T) {
	pool := exDB(t)
	first := swBegin(t, pool, swClaim("wf-a"), true)
	assert.Equal(t, engine.SweepRunning, first.Status)
	assert.Nil(t, first.FinishedAt)
	assert.Equal(t, exAsOf, first.AsOf)
	assert.Equal(t, []string{}, first.Projects)
	again := swBegin(t, pool, swClaim("wf-a"), true)
	assert.Equal(t, first, again)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.sweep_run"))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'sweep' AND workflow_id = 'wf-a'"), "SPEC U1: one begin audited")

	skipped := swBegin(t, pool, swClaim("wf-b"), true)
	require.Equal(t, engine.SweepSkipped, skipped.Status)
	asked := 0
	s, err := engine.BeginSweep(context.Background(), pool, swClaim("wf-b"), swAlive(false, &asked))
	require.NoError(t, err)
	assert.Equal(t, skipped, s, "a skipped sweep stays skipped on a retry")
	assert.Zero(t, asked)
}

// SPEC U1: while another sweep's workflow is alive, a new sweep is recorded as skipped.
func TestU1_SweepSkippedWhileAnotherIsAlive(t *testing.T) {
	pool := exDB(t)
	a := swBegin(t, pool, swClaim("wf-a"), true)
	b := swBegin(t, pool, swClaim("wf-b"), true)
	assert.Equal(t, engine.SweepSkipped, b.Status)
	require.NotNil(t, b.FinishedAt)
	assert.Equal(t, fmt.Sprintf("another sweep is running: workflow wf-a (started %s)", a.StartedAt.UTC().Format(time.RFC3339)), b.SkipReason)
	running, err := engine.RunningSweep(context.Background(), pool)
	require.NoError(t, err)
	require.NotNil(t, running)
	assert.Equal(t, a.ID, running.ID)
	hist, err := engine.SweepHistory(context.Background(), pool, 0)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, b.ID, hist[0].ID, "newest first")
	hist, err = engine.SweepHistory(context.Background(), pool, 1)
	require.NoError(t, err)
	assert.Len(t, hist, 1)
}

// SPEC U1: a running sweep whose workflow is gone (terminated, timed out) is abandoned and the new
// sweep runs.
func TestU1_SweepTakesOverAnAbandonedOne(t *testing.T) {
	pool := exDB(t)
	a := swBegin(t, pool, swClaim("wf-a"), true)
	b := swBegin(t, pool, swClaim("wf-b"), false)
	assert.Equal(t, engine.SweepRunning, b.Status)
	old, err := engine.GetSweep(context.Background(), pool, a.ID)
	require.NoError(t, err)
	assert.Equal(t, engine.SweepAbandoned, old.Status)
	assert.Equal(t, "its workflow is no longer running", old.SkipReason)
	assert.NotNil(t, old.FinishedAt)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'sweep' AND details ->> 'phase' = 'abandoned'"))

	// A new run of b's own workflow ID (b's execution has ended): b is abandoned without asking.
	asked := 0
	c := swClaim("wf-b")
	c.FirstRunID = "wf-b-run2"
	s, err := engine.BeginSweep(context.Background(), pool, c, swAlive(true, &asked))
	require.NoError(t, err)
	assert.Equal(t, engine.SweepRunning, s.Status)
	assert.Zero(t, asked)
}

// SPEC U1: a sweep as of a date after today (in the CoC's time zone) is refused; nothing is written.
func TestU1_SweepAsOfInTheFutureIsRefused(t *testing.T) {
	pool := exDB(t)
	c := swClaim("wf-a")
	c.AsOf = time.Now().UTC().AddDate(0, 0, 2)
	_, err := engine.BeginSweep(context.Background(), pool, c, swAlive(true, nil))
	var inv *engine.InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, engine.FieldAsOf, inv.Field)
	assert.Contains(t, err.Error(), "is in the future (today is ")
	c.AsOf = time.Time{}
	_, err = engine.BeginSweep(context.Background(), pool, c, swAlive(true, nil))
	assert.ErrorIs(t, err, engine.ErrInvalid)
	c = swClaim("wf-a")
	c.Actor = ""
	_, err = engine.BeginSweep(context.Background(), pool, c, swAlive(true, nil))
	assert.ErrorIs(t, err, engine.ErrInvalid)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.sweep_run"))
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'sweep'"))
}

// SPEC U1: a sweep over a project that is not in the data is refused; nothing is written.
func TestU1_SweepUnknownProjectIsRefused(t *testing.T) {
	pool := exDB(t)
	c := swClaim("wf-a")
	c.Projects = []string{"PS", "NOPE"}
	_, err := engine.BeginSweep(context.Background(), pool, c, swAlive(true, nil))
	var inv *engine.InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, engine.FieldProjectID, inv.Field)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.sweep_run"))
}

// SPEC U1: sweeps begun at the same moment: exactly one runs (the database's one-running index).
func TestU1_ConcurrentSweepsOneRuns(t *testing.T) {
	pool := exDB(t)
	const n = 8
	var wg sync.WaitGroup
	out := make([]engine.Sweep, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = engine.BeginSweep(context.Background(), pool, swClaim(fmt.Sprintf("wf-%d", i)), swAliveSafe)
		}()
	}
	wg.Wait()
	running := 0
	for i := range n {
		require.NoError(t, errs[i])
		if out[i].Status == engine.SweepRunning {
			running++
		} else {
			assert.Equal(t, engine.SweepSkipped, out[i].Status)
		}
	}
	assert.Equal(t, 1, running)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.sweep_run WHERE status = 'running'"))
	assert.Equal(t, n-1, exCount(t, pool, "SELECT count(*) FROM exitflow.sweep_run WHERE status = 'skipped'"))
}

// swAliveSafe says every workflow is alive (safe for goroutines).
func swAliveSafe(context.Context, string) (bool, error) { return true, nil }

// SPEC U1, F3, AL2: finishing a sweep records its exit run's live exits and its workflow's alerts
// per project, and the totals; finishing it again changes nothing.
func TestU1_FinishSweepCountsPerProject(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	s := swBegin(t, pool, swClaim("sweep-1"), true)
	run := exRun(t, pool, engine.RunOptions{WorkflowID: "sweep-1", WorkflowRunID: "sweep-1-run1"})
	// One exit undone (it no longer counts), and alerts of this sweep's workflow and of another.
	_, err := pool.Exec(ctx, `UPDATE exitflow.exit_run_candidate SET undone_at = now(), undone_by = 'x', undo_reason = 'test'
		WHERE run_id = $1 AND enrollmentid = 'NO1'`, run.RunID)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO exitflow.alert (projectid, organizationid, householdid, last_activity_date, last_activity_source,
			as_of, days_inactive, exit_on, exit_date, enrollmentids, policy, actor, workflow_id)
		VALUES ('PN', 'O1', 'HN1', '2026-09-01', 'service', '2026-11-01', 61, '2026-12-01', '2026-09-01', '{NN1}', '{}', 'exitflow', 'sweep-1'),
		       ('PN', 'O1', 'HN2', '2026-09-01', 'service', '2026-11-01', 61, '2026-12-01', '2026-09-01', '{NN2}', '{}', 'exitflow', 'sweep-1'),
		       ('PS', 'O1', 'HX', '2026-09-01', 'service', '2026-11-01', 61, '2026-12-01', '2026-09-01', '{NX1}', '{}', 'exitflow', 'other')`)
	require.NoError(t, err)

	counts, err := engine.SweepCounts(ctx, pool, s.ID, run.RunID)
	require.NoError(t, err)
	f := engine.SweepFinish{ExitRunID: run.RunID, AlertMessages: 3, ExitNotices: 2, Summaries: 1, Executions: 4, Pages: 2}
	done, err := engine.FinishSweep(ctx, pool, s.ID, f)
	require.NoError(t, err)
	assert.Equal(t, engine.SweepDone, done.Status)
	require.NotNil(t, done.FinishedAt)
	require.NotNil(t, done.ExitRunID)
	assert.Equal(t, run.RunID, *done.ExitRunID)
	assert.Equal(t, []engine.SweepProjectCount{
		{ProjectID: "PN", Alerts: 2},                     // alerts only; the other workflow's alert is not this sweep's
		{ProjectID: "PO", Households: 1, Enrollments: 1}, // NO1's exit undone: NP1's only
		{ProjectID: "PS", Households: 7, Enrollments: 8},
	}, done.PerProject)
	assert.Equal(t, done.PerProject, counts, "SweepCounts, before the finish, counts what the finish records")
	assert.Equal(t, 8, done.Households)
	assert.Equal(t, run.Enrollments-1, done.Enrollments)
	assert.Equal(t, 2, done.Alerts)
	assert.Equal(t, []int{3, 2, 1, 4, 2}, []int{done.AlertMessages, done.ExitNotices, done.Summaries, done.Executions, done.Pages})

	again, err := engine.FinishSweep(ctx, pool, s.ID, engine.SweepFinish{ExitRunID: run.RunID})
	require.NoError(t, err)
	assert.Equal(t, done, again, "a done sweep is returned unchanged")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'sweep' AND details ->> 'phase' = 'done'"))

	skipped := swBegin(t, pool, swClaim("sweep-2"), true)
	other := swBegin(t, pool, swClaim("sweep-3"), true)
	require.Equal(t, engine.SweepRunning, skipped.Status)
	require.Equal(t, engine.SweepSkipped, other.Status)
	_, err = engine.FinishSweep(ctx, pool, other.ID, engine.SweepFinish{})
	assert.Error(t, err, "a skipped sweep is not finished")
	_, err = engine.GetSweep(ctx, pool, 999)
	var nf *engine.NotFoundError
	assert.True(t, errors.As(err, &nf))
}

// Issue 11: a sweep whose exits are done and that only mails (the SMTP server down) gives up the
// one running slot: the next sweep begins though the first one's workflow is alive, and the first
// one still finishes.
func TestU1_AMailingSweepDoesNotHoldBackTheNext(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	first := swBegin(t, pool, swClaim("sweep-1"), true)
	require.Equal(t, engine.SweepRunning, first.Status)
	assert.Equal(t, engine.SweepSkipped, swBegin(t, pool, swClaim("sweep-2"), true).Status, "while its exits run, it holds the slot")
	require.NoError(t, engine.SweepExitsDone(ctx, pool, first.ID))
	require.NoError(t, engine.SweepExitsDone(ctx, pool, first.ID), "idempotent")
	mailing, err := engine.MailingSweeps(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, []string{"sweep-1"}, mailing)
	next := swBegin(t, pool, swClaim("sweep-3"), true)
	assert.Equal(t, engine.SweepRunning, next.Status, "the next sweep begins while the first one mails")
	done, err := engine.FinishSweep(ctx, pool, first.ID, engine.SweepFinish{})
	require.NoError(t, err)
	assert.Equal(t, engine.SweepDone, done.Status, "the mailing sweep still finishes")
	got, err := engine.GetSweep(ctx, pool, next.ID)
	require.NoError(t, err)
	assert.Equal(t, engine.SweepRunning, got.Status)
}
