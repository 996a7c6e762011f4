package worker_test

// A worker killed (SIGKILL) in the middle of an agreement's exits: a second worker resumes the run
// (SPEC H2) and the agreement completes with every candidate exited once, no household half
// exited and every notice mailed once.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestE2E_WorkerKilledDuringTheExits(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "exitflow")
	out, err := exec.Command("go", "build", "-o", bin, "../starter").CombinedOutput()
	require.NoError(t, err, "%s", out)

	dbURL := testdb.Empty(t)
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = tmp // no ./exitflow.yaml
		cmd.Env = append(os.Environ(), "EXITFLOW_DATABASE_URL="+dbURL, "EXITFLOW_TIMEZONE=America/New_York")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "exitflow %s: %s", strings.Join(args, " "), out)
		return string(out)
	}
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	gen := filepath.Join(tmp, "gen")
	cli("generate", "--out", gen, "--households", "3000", "--seed", "3", "--as-of", today)
	cli("migrate")
	cli("import", gen)

	pool, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		require.NoError(t, pool.QueryRow(ctx, sql, args...).Scan(&n), sql)
		return n
	}

	// The organization with the most open households, and its projects with open enrollments.
	var org string
	require.NoError(t, pool.QueryRow(ctx, `SELECT p.organizationid FROM exitflow.enrollment_state s
		JOIN hmis.project p USING (projectid) WHERE s.open GROUP BY 1 ORDER BY count(DISTINCT s.householdid) DESC, 1 LIMIT 1`).Scan(&org))
	var projects, openBefore []string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(DISTINCT s.projectid ORDER BY s.projectid) FROM exitflow.enrollment_state s
		JOIN hmis.project p USING (projectid) WHERE s.open AND p.organizationid = $1`, org).Scan(&projects))
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(enrollmentid) FROM exitflow.enrollment_state
		WHERE open AND projectid = ANY ($1)`, projects).Scan(&openBefore))
	require.Greater(t, len(openBefore), 200, "enough open enrollments for several batches")
	cli("contact", "add", "--role", "liaison", "--organization", org, "--email", "lia@x.example", "--actor", "t")
	cli("contact", "add", "--role", "hmis-staff", "--email", "sam@x.example", "--actor", "t")

	mail := testenv.StartMailpit(t, 0)
	srv := testenv.StartDevServer(t, "ExitflowAgency=Keyword", "ExitflowProjects=KeywordList",
		"ExitflowMethod=Keyword", "ExitflowPhase=Keyword")
	s := &e2e{srv: srv, mail: mail, c: srv.Client(), log: &syncBuffer{}, q: fmt.Sprintf("exitflow-kill-%d", time.Now().UnixNano()), pool: pool}
	logPath := filepath.Join(tmp, "worker.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	t.Cleanup(func() { _ = logFile.Close() })
	workerLog := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	startWorker := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(bin, "worker")
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "EXITFLOW_DATABASE_URL="+dbURL, "EXITFLOW_TEMPORAL_ADDRESS="+srv.Address,
			"EXITFLOW_TEMPORAL_NAMESPACE=default", "EXITFLOW_TASK_QUEUE="+s.q, "EXITFLOW_SMTP_HOST=127.0.0.1",
			fmt.Sprintf("EXITFLOW_SMTP_PORT=%d", mail.SMTPPort), "EXITFLOW_TIMEZONE=America/New_York",
			"EXITFLOW_EXIT_BATCH_HOUSEHOLDS=5") // many small transactions: a kill lands between two
		cmd.Stdout, cmd.Stderr = logFile, logFile
		require.NoError(t, cmd.Start())
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-done
		})
		return cmd
	}
	first := startWorker()

	const id = "K1"
	wfID := workflows.AgreementWorkflowID(id)
	input := fmt.Sprintf(`{"agreement_id":%q,"organization_id":%q,"project_ids":["%s"],"method":"admin","period_end":%q,`+
		`"all_open":true,"liaisons":["lia@x.example"],"hmis_staff":"sam@x.example","dqm_every":"quarterly"}`,
		id, org, strings.Join(projects, `","`), today)
	s.temporal(t, "workflow", "start", "--type", workflows.AgencyAgreementWorkflow, "--task-queue", s.q,
		"--workflow-id", wfID, "--input", input)

	// The run is under way: some of its batches committed, not all.
	const midway = `SELECT count(*) FROM exitflow.exit_run r WHERE r.workflow_id = $1 AND r.status = 'running'
		AND r.snapshot_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM exitflow.exit_run_batch b WHERE b.run_id = r.id)
		AND (SELECT sum(b.hh_to - b.hh_from + 1) FROM exitflow.exit_run_batch b WHERE b.run_id = r.id)
		  < (SELECT count(DISTINCT c.hh_seq) FROM exitflow.exit_run_candidate c WHERE c.run_id = r.id)`
	deadline := time.Now().Add(60 * time.Second)
	for count(midway, wfID) == 0 {
		if count(`SELECT count(*) FROM exitflow.exit_run WHERE workflow_id = $1 AND status <> 'running'`, wfID) > 0 {
			t.Fatalf("the exit run finished before the worker could be killed; worker log:\n%s", workerLog())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no exit run under way within 60 s; worker log:\n%s", workerLog())
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, first.Process.Kill())
	killedAt := time.Now()
	batches := count(`SELECT count(*) FROM exitflow.exit_run_batch b JOIN exitflow.exit_run r ON r.id = b.run_id WHERE r.workflow_id = $1`, wfID)
	t.Logf("killed the worker after %d batches", batches)

	startWorker()
	deadline = time.Now().Add(120 * time.Second) // Temporal retries the exits after their heartbeat timeout
	var st workflows.AgreementStatus
	for {
		st = s.status(t, id)
		if st.Phase == workflows.PhaseAcknowledgement {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("phase %s after 120 s, want %s; worker log:\n%s", st.Phase, workflows.PhaseAcknowledgement, workerLog())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the exits resumed and finished %s after the kill", time.Since(killedAt).Round(time.Second))
	s.temporal(t, "workflow", "signal", "--workflow-id", wfID,
		"--name", string(workflows.ActionAcknowledge), "--input", `{"from":"lia@x.example","note":"all reviewed"}`)
	var res workflows.AgreementResult
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, s.c.GetWorkflow(wctx, wfID, "").Get(wctx, &res), "worker log:\n%s", workerLog())
	assert.Equal(t, workflows.PhaseCompleted, res.Phase)

	candidates := count(`SELECT count(*) FROM exitflow.agreement_candidate WHERE agreement_id = $1`, id)
	assert.Equal(t, len(openBefore), candidates, "all_open: every open enrollment of the projects is a candidate")
	assert.Equal(t, candidates, st.Counts.CandidateEnrollments)
	assert.Equal(t, candidates, st.Counts.ExitedByEngine)
	assert.Equal(t, candidates, res.Counts.ExitedByEngine)
	assert.Equal(t, candidates, count(`SELECT count(*) FROM hmis.exit x JOIN exitflow.engine_exit ee USING (exitid)
		WHERE x.datedeleted IS NULL AND ee.workflow_id = $1 AND ee.projectid = ANY ($2)`, wfID, projects),
		"the live Exit rows the engine wrote for this workflow")
	assert.Equal(t, 1, count(`SELECT count(*) FROM exitflow.exit_run WHERE workflow_id = $1 AND status = 'done'`, wfID),
		"one run, resumed, done")
	assert.Zero(t, count(`SELECT count(*) FROM (SELECT enrollmentid FROM hmis.exit WHERE datedeleted IS NULL
		GROUP BY 1 HAVING count(*) > 1) d`), "no enrollment has two live exits")
	assert.Zero(t, count(`SELECT count(*) FROM unnest($1::text[]) AS o(enrollmentid) WHERE NOT EXISTS
		(SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = o.enrollmentid AND x.datedeleted IS NULL)`, openBefore),
		"every open member of every candidate household is exited (none half exited)")
	assert.Zero(t, count(`SELECT count(*) FROM exitflow.enrollment_state s
		JOIN (SELECT DISTINCT projectid, householdid FROM exitflow.agreement_candidate WHERE agreement_id = $1) c
		USING (projectid, householdid) WHERE s.open`, id), "no candidate household has an open member left")

	notices := count(`SELECT count(*) FROM exitflow.notification`)
	require.Positive(t, notices)
	assert.Equal(t, notices, count(`SELECT count(*) FROM exitflow.notification WHERE status = 'sent'`), "every notice sent")
	var box struct{ Total int }
	mail.Get(t, "/api/v1/messages", &box)
	assert.Equal(t, notices, box.Total, "each notice mailed once")
}
