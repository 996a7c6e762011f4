package worker_test

// The daily sweep end to end (issue 11): a generated CoC, `exitflow sweep run --as-of … --wait`
// through the real dev server with the worker SIGKILLed during the exits and started again; the
// exits equal `exitflow preview --as-of …` exactly, none doubled, no household split, each message
// sent once; a second run exits nothing; the execution's history stays small.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestE2E_SweepExitsWhatThePreviewLists(t *testing.T) {
	b := startBig(t, "SW")
	first := b.startWorker(t)
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	var preview struct {
		Rows []struct{ Action, ProjectID, HouseholdID, EnrollmentID, ExitDate string }
	}
	require.NoError(t, json.Unmarshal([]byte(b.cli(t, "preview", "--as-of", today, "--format", "json")), &preview))
	want := map[string]string{} // EnrollmentID → ExitDate
	alertHouseholds := map[string]bool{}
	for _, p := range preview.Rows {
		switch p.Action {
		case "exit":
			want[p.EnrollmentID] = p.ExitDate
		case "alert":
			alertHouseholds[p.ProjectID+"/"+p.HouseholdID] = true
		}
	}
	require.Greater(t, len(want), 50, "the generated CoC has enough households due for exit")

	// The sweep, started as HMIS staff would, waits for its result while the worker is killed.
	var out, errOut bytes.Buffer // stdout is the result alone
	run := exec.Command(b.bin, "sweep", "run", "--as-of", today, "--wait", "--format", "json")
	run.Dir, run.Env, run.Stdout, run.Stderr = b.tmp, b.temporalEnv(), &out, &errOut
	require.NoError(t, run.Start())
	b.wfID = b.waitSweep(t)
	b.waitMidway(t)
	require.NoError(t, first.Process.Kill())
	t.Logf("killed the worker after %d batches", b.batches(t))
	b.startWorker(t)
	require.NoError(t, run.Wait(), "sweep run --wait: %s%s\nworker log:\n%s", out.String(), errOut.String(), b.workerLog())
	var res workflows.SweepResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())

	got := map[string]string{}
	rows, err := b.pool.Query(context.Background(), `SELECT ee.enrollmentid, ee.exit_date::text FROM exitflow.engine_exit ee
		JOIN hmis.exit x USING (exitid) WHERE x.datedeleted IS NULL AND ee.workflow_id = $1`, b.wfID)
	require.NoError(t, err)
	for rows.Next() {
		var e, d string
		require.NoError(t, rows.Scan(&e, &d))
		got[e] = d
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, want, got, "the sweep exits exactly what the preview lists, with its exit dates")
	assert.Equal(t, len(want), res.Enrollments)
	assert.Equal(t, len(alertHouseholds), res.Alerts, "every household in the alert window alerted once")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM (SELECT enrollmentid FROM hmis.exit WHERE datedeleted IS NULL
		GROUP BY 1 HAVING count(*) > 1) d`), "no enrollment has two live exits")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM exitflow.enrollment_state s JOIN (SELECT DISTINCT projectid, householdid
		FROM exitflow.engine_exit WHERE workflow_id = $1) x USING (projectid, householdid) WHERE s.open`, b.wfID),
		"no exited household has an open member left")

	notices := b.count(t, `SELECT count(*) FROM exitflow.notification`)
	require.Positive(t, notices)
	assert.Equal(t, notices, b.count(t, `SELECT count(*) FROM exitflow.notification WHERE status = 'sent'`), "every message sent")
	var box struct{ Total int }
	b.mail.Get(t, "/api/v1/messages", &box)
	assert.Equal(t, notices, box.Total, "each message mailed once")
	assert.Equal(t, b.count(t, `SELECT count(DISTINCT recipient) FROM exitflow.notification WHERE kind = 'auto-alert'`),
		b.count(t, `SELECT count(*) FROM exitflow.notification WHERE kind = 'auto-alert'`), "one alert digest per recipient")
	assert.Equal(t, 1, b.count(t, `SELECT count(*) FROM exitflow.notification WHERE kind = 'sweep-summary'`), "the summary to the HMIS staff member")
	assert.Less(t, b.historyEvents(t, b.wfID), 1000, "the sweep's history stays small")
	recordHistory(t, b.e2e, b.wfID, "sweep-killed.json") // a worker killed mid-page: the retried activity in it

	// A second sweep of the same day finds nothing left to do.
	out.Reset()
	again := exec.Command(b.bin, "sweep", "run", "--as-of", today, "--wait", "--format", "json")
	again.Dir, again.Env, again.Stdout, again.Stderr = b.tmp, b.temporalEnv(), &out, &errOut
	require.NoError(t, again.Run(), "%s%s", out.String(), errOut.String())
	var res2 workflows.SweepResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res2), out.String())
	assert.Zero(t, res2.Enrollments, "a second run exits nothing")
	assert.Zero(t, res2.Alerts, "and alerts nobody twice (SPEC AL2)")
	hist := b.cli(t, "sweep", "history")
	assert.Equal(t, 3, strings.Count(hist, "\n"), "a header and two sweeps:\n%s", hist)
}

// temporalEnv is the environment of an exitflow command that talks to the test's dev server.
func (b *bigRun) temporalEnv() []string {
	return append(os.Environ(), "EXITFLOW_DATABASE_URL="+b.dbURL, "EXITFLOW_TIMEZONE=America/New_York",
		"EXITFLOW_TEMPORAL_ADDRESS="+b.srv.Address, "EXITFLOW_TEMPORAL_NAMESPACE=default", "EXITFLOW_TASK_QUEUE="+b.q)
}

// waitSweep waits for the sweep's record and returns its workflow ID.
func (b *bigRun) waitSweep(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var id string
		err := b.pool.QueryRow(context.Background(), `SELECT workflow_id FROM exitflow.sweep_run ORDER BY id DESC LIMIT 1`).Scan(&id)
		if err == nil {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sweep recorded within 60 s: %v; worker log:\n%s", err, b.workerLog())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// historyEvents is the number of events of the workflow's latest run.
func (b *bigRun) historyEvents(t *testing.T, wfID string) int {
	t.Helper()
	it := b.c.GetWorkflowHistory(context.Background(), wfID, "", false, 0)
	n := 0
	for it.HasNext() {
		_, err := it.Next()
		require.NoError(t, err)
		n++
	}
	return n
}

// The SMTP server down during a sweep (issue 11): the exits are written, the messages are
// recorded and retried, and when the server is back each goes out once and the sweep completes.
func TestE2E_SweepWithTheSMTPServerDown(t *testing.T) {
	b := startBig(t, "SD")
	b.smtpPort = testenv.FreePort(t) // nothing listens there yet
	b.startWorker(t)
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	var out, errOut bytes.Buffer
	run := exec.Command(b.bin, "sweep", "run", "--as-of", today, "--wait", "--format", "json")
	run.Dir, run.Env, run.Stdout, run.Stderr = b.tmp, b.temporalEnv(), &out, &errOut
	require.NoError(t, run.Start())
	b.wfID = b.waitSweep(t)

	deadline := time.Now().Add(60 * time.Second)
	for b.count(t, `SELECT count(*) FROM exitflow.notification WHERE status = 'failed'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no failed delivery within 60 s; worker log:\n%s", b.workerLog())
		}
		time.Sleep(100 * time.Millisecond)
	}
	exited := b.count(t, `SELECT count(*) FROM exitflow.engine_exit WHERE workflow_id = $1`, b.wfID)
	require.Positive(t, exited, "the exits are written while the SMTP server is down")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM exitflow.notification WHERE status = 'sent'`))

	mail := testenv.StartMailpit(t, b.smtpPort) // the server is back
	require.NoError(t, run.Wait(), "sweep run --wait: %s%s\nworker log:\n%s", out.String(), errOut.String(), b.workerLog())
	var res workflows.SweepResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	assert.Equal(t, exited, res.Enrollments)
	notices := b.count(t, `SELECT count(*) FROM exitflow.notification`)
	assert.Equal(t, notices, b.count(t, `SELECT count(*) FROM exitflow.notification WHERE status = 'sent'`), "every message sent")
	var box struct{ Total int }
	mail.Get(t, "/api/v1/messages", &box)
	assert.Equal(t, notices, box.Total, "each message mailed once, after the server came back")
}
