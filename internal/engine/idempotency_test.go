package engine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv carries a childRun to the test binary run as a process that a test kills (SPEC H2).
const childEnv = "EXITFLOW_TEST_EXIT_RUN_CHILD"

// childRun is what the child process runs: an exit run of the exits fixture, one household per
// batch, that stops after its first committed batch until told to go on.
type childRun struct {
	DBURL string `json:"db_url"`
	Actor string `json:"actor"`
	Key   string `json:"key"`
}

// TestChildProcessWritingExits is not a test of its own: the kill tests run the test binary with
// childEnv set, and it runs the exit run they kill.
func TestChildProcessWritingExits(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("the process that TestH2_…Killed… tests kill")
	}
	var c childRun
	require.NoError(t, json.Unmarshal([]byte(spec), &c))
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, c.DBURL)
	require.NoError(t, err)
	in := bufio.NewReader(os.Stdin)
	_, err = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: c.Actor, Key: c.Key,
		BatchHouseholds: 1, Writers: 1, Progress: func(done, total int) {
			fmt.Printf("progress %d %d\n", done, total)
			if done > 0 {
				_, _ = in.ReadString('\n') // the parent blocks the next batch, then says go
			}
		}})
	fmt.Println("finished", err) // never reached: the parent kills the process first
}

// killMidWrite starts an exit run in a child process and kills it (SIGKILL) while it writes its
// second batch, inside that batch's transaction: the first household is committed, the second is
// not. It returns when the dead process's database session has ended.
func killMidWrite(t *testing.T, dbURL string, pool *pgxpool.Pool, actor, key string) {
	t.Helper()
	ctx := context.Background()
	spec, err := json.Marshal(childRun{DBURL: dbURL, Actor: actor, Key: key})
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcessWritingExits$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	lines := bufio.NewScanner(stdout)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "progress 1 ") {
	}
	require.True(t, strings.HasPrefix(lines.Text(), "progress 1 "), "the child wrote its first household: %q", lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	var pid int
	require.NoError(t, pool.QueryRow(ctx, "SELECT lock_pid FROM exitflow.exit_run WHERE status = 'running'").Scan(&pid))
	// Hold hmis.exit so that the child's next batch waits inside its transaction, then kill it there.
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, "LOCK TABLE hmis.exit IN SHARE MODE")
	require.NoError(t, err)
	_, err = io.WriteString(stdin, "go\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return exCount(t, pool, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock' AND xact_start IS NOT NULL", pid) == 1
	}, 20*time.Second, 20*time.Millisecond, "the child's second batch waits for hmis.exit inside its transaction")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.NoError(t, tx.Rollback(ctx))
	require.Eventually(t, func() bool {
		return exCount(t, pool, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid) == 0
	}, 20*time.Second, 20*time.Millisecond, "the dead process's session ends")
}

// keyDB is exDB and its URL, for the child process.
func keyDB(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	pool := exDB(t)
	return pool.Config().ConnString(), pool
}

func TestH2_KeyedRunKilledMidWriteIsResumedByItsKeyAndWritesEachExitOnce(t *testing.T) {
	ctx := context.Background()
	url, pool := keyDB(t)
	const key = "exits-auto-2026-11-01/write-exits"
	killMidWrite(t, url, pool, "Dana Lee", key)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(DISTINCT householdid) FROM exitflow.engine_exit"), "one household committed")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run_batch"), "the killed batch left nothing")
	exAssertOneExitEach(t, pool)

	// The same call again, as an activity retry makes it: the same run, resumed, not a second one.
	res, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Key: key})
	require.NoError(t, err)
	assert.True(t, res.Resumed)
	assert.Equal(t, engine.StatusDone, res.Status)
	assert.Equal(t, 10, res.Enrollments)
	assert.Equal(t, 9, res.Households)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"), "one run for the key")
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	exAssertOneExitEach(t, pool)

	// And again once it is done: its counts, nothing written.
	again, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Key: key})
	require.NoError(t, err)
	assert.Equal(t, res.RunID, again.RunID)
	assert.Equal(t, engine.StatusDone, again.Status)
	assert.Equal(t, 10, again.Enrollments)
	assert.Equal(t, 10, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"))
}

func TestH2_U1_DeadRunIsInterruptedAndAnotherActorResumesIt(t *testing.T) {
	ctx := context.Background()
	url, pool := keyDB(t)
	killMidWrite(t, url, pool, "Dana Lee", "")
	runs, err := engine.ListRuns(ctx, pool, 0)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, engine.StatusInterrupted, runs[0].Status, "not running forever")
	id := runs[0].ID

	// Anyone who takes the exits lock records it as interrupted (an undo that finds nothing here).
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{EnrollmentID: "NONE", Actor: "Sam Ortiz"})
	require.Error(t, err)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'interrupted' AND lock_pid IS NULL", id))

	// Another staff member resumes it and is the actor of what they wrote.
	res, err := engine.WriteExits(ctx, pool, engine.RunOptions{RunID: id, Actor: "Sam Ortiz"})
	require.NoError(t, err)
	assert.True(t, res.Resumed)
	assert.Equal(t, engine.StatusDone, res.Status)
	assert.Equal(t, 10, res.Enrollments)
	byActor := map[string]int{}
	rows, err := pool.Query(ctx, "SELECT actor, count(DISTINCT householdid) FROM exitflow.engine_exit GROUP BY 1")
	require.NoError(t, err)
	var actor string
	var n int
	for rows.Next() {
		require.NoError(t, rows.Scan(&actor, &n))
		byActor[actor] = n
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string]int{"Dana Lee": 1, "Sam Ortiz": 8}, byActor, "households by who wrote them")
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit
		WHERE actor = 'Sam Ortiz' AND details ->> 'phase' = 'resumed' AND details ->> 'was' = 'interrupted'`))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE actor = 'Sam Ortiz' AND details ->> 'phase' = 'done'"))
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND actor = 'Dana Lee'", id), "the run keeps who started it")
	exAssertOneExitEach(t, pool)
}

func TestH2_KeyedRunCancelledIsResumedByItsKey(t *testing.T) {
	pool := exDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Key: "wf-1/exits", BatchHouseholds: 2}
	opt.Progress = func(done, _ int) {
		if done > 0 {
			cancel() // the activity is cancelled after its first batch
		}
	}
	first, err := engine.WriteExits(ctx, pool, opt)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, engine.StatusInterrupted, first.Status)
	opt.Progress = nil
	res, err := engine.WriteExits(context.Background(), pool, opt)
	require.NoError(t, err)
	assert.Equal(t, first.RunID, res.RunID)
	assert.Equal(t, 10, res.Enrollments)
	exAssertOneExitEach(t, pool)
}

func TestH2_KeyedRunWithOtherOptionsIsRefusedNamingTheDifference(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	first := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PS"}}, Key: "k1"})
	written := exCount(t, pool, "SELECT count(*) FROM hmis.exit")

	_, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf.AddDate(0, 0, -1), Projects: []string{"PS", "PO"}},
		Actor: "Dana Lee", Key: "k1"})
	require.ErrorIs(t, err, engine.ErrInvalid)
	var mm *engine.MismatchError
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, fmt.Sprintf(`exit run %d (idempotency key "k1") was started with other options: AsOf 2026-11-01, not 2026-10-31; ProjectID PS, not PO,PS; repeat it with its own options, or start a new one`, first.RunID), err.Error())
	assert.Equal(t, written, exCount(t, pool, "SELECT count(*) FROM hmis.exit"), "nothing written")

	// Resuming by run ID: only the options given are compared.
	_, err = engine.WriteExits(ctx, pool, engine.RunOptions{RunID: first.RunID, Options: engine.Options{Method: engine.MethodAdmin}, Actor: "Dana Lee"})
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, []engine.OptionDiff{{Field: engine.FieldMethod, Was: string(engine.MethodAuto), Given: string(engine.MethodAdmin)}}, mm.Diffs)
	_, err = engine.WriteExits(ctx, pool, engine.RunOptions{RunID: first.RunID, Key: "k1", Actor: "Dana Lee"})
	require.ErrorIs(t, err, engine.ErrInvalid, "a key and a run ID together")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"))
}

func TestU2_KeyedUndoIsDoneOnce(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	run := exRun(t, pool, engine.RunOptions{})
	opt := engine.UndoOptions{RunID: run.RunID, Actor: "Dana Lee", Reason: "wrong date", Key: "wf-2/undo"}
	var steps []string
	opt.Progress = func(done, total int) { steps = append(steps, fmt.Sprint(done, "/", total)) }
	first, err := engine.Undo(ctx, pool, opt)
	require.NoError(t, err)
	assert.Equal(t, 10, first.Undone)
	assert.Equal(t, []string{"0/10", "10/10"}, steps)

	// The retry returns the first call's result and changes nothing (no second audit row).
	again, err := engine.Undo(ctx, pool, opt)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'undo'"))

	// The key with another selection, or for another action, is refused.
	other := opt
	other.RunID, other.EnrollmentID = 0, "NB1"
	_, err = engine.Undo(ctx, pool, other)
	var mm *engine.MismatchError
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, []engine.OptionDiff{{Field: engine.FieldEnrollmentID, Given: "NB1"}, {Field: engine.FieldRunID, Was: fmt.Sprint(run.RunID)}}, mm.Diffs)
	_, err = engine.RecordAlerts(ctx, pool, engine.Options{AsOf: exAsOf}, engine.AlertRun{Actor: "exitflow", Key: opt.Key})
	require.ErrorIs(t, err, engine.ErrInvalid)
	assert.ErrorContains(t, err, "names an earlier undo")
}

func TestAL2_KeyedAlertPassReturnsTheSameAlerts(t *testing.T) {
	ctx := context.Background()
	pool := repFixture(t, "report/coc.sql", "alerts/contacts.sql")
	run := engine.AlertRun{Actor: "exitflow", WorkflowID: "sweep-2026-10-16", Key: "sweep-2026-10-16/alerts"}
	first, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, run)
	require.NoError(t, err)
	require.NotEmpty(t, first)
	again, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, run)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the retry gets the alerts its first call created")
	unkeyed, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, engine.AlertRun{Actor: "exitflow"})
	require.NoError(t, err)
	assert.Empty(t, unkeyed, "a pass without the key creates nothing new either (SPEC AL2)")
	assert.Equal(t, 1, exCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'alert'"))

	_, err = engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf.AddDate(0, 0, 1)}, run)
	var mm *engine.MismatchError
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, engine.FieldAsOf, mm.Diffs[0].Field)
}

// A keyed run that was done and then undone: a repeat of the call gets what the run did, as
// before the undo, and writes nothing again.
func TestH2_KeyedRunDoneThenUndoneReturnsItsCounts(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	opt := engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee", Key: "wf-3/exits"}
	first, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	_, err = engine.Undo(ctx, pool, engine.UndoOptions{RunID: first.RunID, Actor: "Pat Kim"})
	require.NoError(t, err)
	again, err := engine.WriteExits(ctx, pool, opt)
	require.NoError(t, err)
	assert.Equal(t, first.RunID, again.RunID)
	assert.Equal(t, engine.StatusDone, again.Status)
	assert.Equal(t, 10, again.Enrollments)
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL"), "the undo stands")
}

// A run's extra writer sessions do not hold the exits lock: whoever takes it next waits until no
// writer of a stopped run is left, so that nobody writes a household twice.
func TestH2_TheNextRunWaitsForAStoppedRunsWriters(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	writer, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer writer.Release()
	_, err = writer.Exec(ctx, "SELECT pg_advisory_lock_shared(x'45464558'::int, 2)") // a lingering writer
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	_, err = engine.WriteExits(short, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf}, Actor: "Dana Lee"})
	require.ErrorIs(t, err, context.DeadlineExceeded, "it waited")
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"), "and started nothing")

	_, err = writer.Exec(ctx, "SELECT pg_advisory_unlock_shared(x'45464558'::int, 2)")
	require.NoError(t, err)
	res := exRun(t, pool, engine.RunOptions{})
	assert.Equal(t, 10, res.Enrollments)
}

// An alert pass is checked like a preview: an as-of date, not before the data, not ahead of today.
func TestAL1_AlertPassOptionsAreChecked(t *testing.T) {
	ctx := context.Background()
	pool := repFixture(t, "report/coc.sql")
	run := engine.AlertRun{Actor: "exitflow", Location: time.UTC}
	for name, asOf := range map[string]time.Time{
		"none":      {},
		"future":    time.Now().UTC().AddDate(0, 0, 2),
		"too_early": repAsOf.AddDate(-30, 0, 0),
	} {
		alerts, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: asOf}, run)
		assert.ErrorIs(t, err, engine.ErrInvalid, name)
		assert.Empty(t, alerts, name)
	}
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.alert"), "nothing recorded")
}
