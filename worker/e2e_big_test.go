package worker_test

// The harness of the end-to-end tests that interrupt an agreement's exits (the worker killed,
// PostgreSQL down): a generated CoC of 3,000 households, an admin agreement over every open
// enrollment of its largest organization, a worker run as its own process with small exit batches
// so that an interruption lands between two committed batches.

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

// bigRun is one interrupted agreement's stack and data.
type bigRun struct {
	*e2e
	bin, tmp, dbURL, logPath string
	org, id, wfID            string
	projects, openBefore     []string
	smtpPort                 int // the worker's SMTP port (0: the test's Mailpit's)
}

// startBig builds the CLI, generates and imports a CoC, adds the contacts and starts Mailpit and
// the dev server; the worker is started by startWorker, the agreement by startAgreement.
func startBig(t *testing.T, id string) *bigRun {
	t.Helper()
	ctx := context.Background()
	tmp := t.TempDir()
	b := &bigRun{tmp: tmp, bin: filepath.Join(tmp, "exitflow"), dbURL: testdb.Empty(t), logPath: filepath.Join(tmp, "worker.log"),
		id: id, wfID: workflows.AgreementWorkflowID(id)}
	out, err := exec.Command("go", "build", "-o", b.bin, "../starter").CombinedOutput()
	require.NoError(t, err, "%s", out)
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	gen := filepath.Join(tmp, "gen")
	b.cli(t, "generate", "--out", gen, "--households", "3000", "--seed", "3", "--as-of", today)
	b.cli(t, "migrate")
	b.cli(t, "import", gen)

	pool, err := store.Open(ctx, b.dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	// The organization with the most open households, and its projects with open enrollments.
	require.NoError(t, pool.QueryRow(ctx, `SELECT p.organizationid FROM exitflow.enrollment_state s
		JOIN hmis.project p USING (projectid) WHERE s.open GROUP BY 1 ORDER BY count(DISTINCT s.householdid) DESC, 1 LIMIT 1`).Scan(&b.org))
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(DISTINCT s.projectid ORDER BY s.projectid) FROM exitflow.enrollment_state s
		JOIN hmis.project p USING (projectid) WHERE s.open AND p.organizationid = $1`, b.org).Scan(&b.projects))
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(enrollmentid) FROM exitflow.enrollment_state
		WHERE open AND projectid = ANY ($1)`, b.projects).Scan(&b.openBefore))
	require.Greater(t, len(b.openBefore), 200, "enough open enrollments for several batches")
	b.cli(t, "contact", "add", "--role", "liaison", "--organization", b.org, "--email", "lia@x.example", "--actor", "t")
	b.cli(t, "contact", "add", "--role", "hmis-staff", "--email", "sam@x.example", "--actor", "t")

	mail := testenv.StartMailpit(t, 0)
	srv := testenv.StartDevServer(t, "ExitflowAgency=Keyword", "ExitflowProjects=KeywordList",
		"ExitflowMethod=Keyword", "ExitflowPhase=Keyword")
	b.e2e = &e2e{srv: srv, mail: mail, c: srv.Client(), log: &syncBuffer{}, q: fmt.Sprintf("exitflow-%s-%d", id, time.Now().UnixNano()), pool: pool}
	return b
}

// cli runs the exitflow binary against the test's database.
func (b *bigRun) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(b.bin, args...)
	cmd.Dir = b.tmp // no ./exitflow.yaml
	cmd.Env = append(os.Environ(), "EXITFLOW_DATABASE_URL="+b.dbURL, "EXITFLOW_TIMEZONE=America/New_York")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "exitflow %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// count runs a count query on the test's pool.
func (b *bigRun) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

// workerLog is what the worker processes wrote.
func (b *bigRun) workerLog() string { out, _ := os.ReadFile(b.logPath); return string(out) }

// startWorker starts `exitflow worker` as its own process, killed when the test ends.
func (b *bigRun) startWorker(t *testing.T) *exec.Cmd {
	t.Helper()
	logFile, err := os.OpenFile(b.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	t.Cleanup(func() { _ = logFile.Close() })
	smtp := b.smtpPort
	if smtp == 0 {
		smtp = b.mail.SMTPPort
	}
	cmd := exec.Command(b.bin, "worker")
	cmd.Dir = b.tmp
	cmd.Env = append(os.Environ(), "EXITFLOW_DATABASE_URL="+b.dbURL, "EXITFLOW_TEMPORAL_ADDRESS="+b.srv.Address,
		"EXITFLOW_TEMPORAL_NAMESPACE=default", "EXITFLOW_TASK_QUEUE="+b.q, "EXITFLOW_SMTP_HOST=127.0.0.1",
		fmt.Sprintf("EXITFLOW_SMTP_PORT=%d", smtp), "EXITFLOW_TIMEZONE=America/New_York",
		"EXITFLOW_EXIT_BATCH_HOUSEHOLDS=5") // many small transactions: an interruption lands between two
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

// startAgreement starts the admin agreement over every open enrollment of the organization's
// projects, period_end today, through the Temporal CLI.
func (b *bigRun) startAgreement(t *testing.T) {
	t.Helper()
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	input := fmt.Sprintf(`{"agreement_id":%q,"organization_id":%q,"project_ids":["%s"],"method":"admin","period_end":%q,`+
		`"all_open":true,"liaisons":["lia@x.example"],"hmis_staff":"sam@x.example","dqm_every":"quarterly"}`,
		b.id, b.org, strings.Join(b.projects, `","`), today)
	b.temporal(t, "workflow", "start", "--type", workflows.AgencyAgreementWorkflow, "--task-queue", b.q,
		"--workflow-id", b.wfID, "--input", input)
}

// waitMidway waits until the agreement's exit run has committed some of its batches, not all.
func (b *bigRun) waitMidway(t *testing.T) {
	t.Helper()
	const midway = `SELECT count(*) FROM exitflow.exit_run r WHERE r.workflow_id = $1 AND r.status = 'running'
		AND r.snapshot_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM exitflow.exit_run_batch b WHERE b.run_id = r.id)
		AND (SELECT sum(b.hh_to - b.hh_from + 1) FROM exitflow.exit_run_batch b WHERE b.run_id = r.id)
		  < (SELECT count(DISTINCT c.hh_seq) FROM exitflow.exit_run_candidate c WHERE c.run_id = r.id)`
	deadline := time.Now().Add(60 * time.Second)
	for b.count(t, midway, b.wfID) == 0 {
		if b.count(t, `SELECT count(*) FROM exitflow.exit_run WHERE workflow_id = $1 AND status <> 'running'`, b.wfID) > 0 {
			t.Fatalf("the exit run finished before it could be interrupted; worker log:\n%s", b.workerLog())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no exit run under way within 60 s; worker log:\n%s", b.workerLog())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// batches is how many exit batches the agreement's run has committed.
func (b *bigRun) batches(t *testing.T) int {
	return b.count(t, `SELECT count(*) FROM exitflow.exit_run_batch b JOIN exitflow.exit_run r ON r.id = b.run_id WHERE r.workflow_id = $1`, b.wfID)
}

// finish waits (up to wait) for the acknowledgement phase, acknowledges, waits for the result and
// checks that every candidate was exited once, no household half exited, every notice mailed once.
func (b *bigRun) finish(t *testing.T, wait time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	var st workflows.AgreementStatus
	for st = b.status(t, b.id); st.Phase != workflows.PhaseAcknowledgement; st = b.status(t, b.id) {
		if time.Now().After(deadline) {
			t.Fatalf("phase %s after %s, want %s; worker log:\n%s", st.Phase, wait, workflows.PhaseAcknowledgement, b.workerLog())
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.temporal(t, "workflow", "signal", "--workflow-id", b.wfID,
		"--name", string(workflows.ActionAcknowledge), "--input", `{"from":"lia@x.example","note":"all reviewed"}`)
	var res workflows.AgreementResult
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, b.c.GetWorkflow(wctx, b.wfID, "").Get(wctx, &res), "worker log:\n%s", b.workerLog())
	assert.Equal(t, workflows.PhaseCompleted, res.Phase)

	candidates := b.count(t, `SELECT count(*) FROM exitflow.agreement_candidate WHERE agreement_id = $1`, b.id)
	assert.Equal(t, len(b.openBefore), candidates, "all_open: every open enrollment of the projects is a candidate")
	assert.Equal(t, candidates, st.Counts.CandidateEnrollments)
	assert.Equal(t, candidates, st.Counts.ExitedByEngine)
	assert.Equal(t, candidates, res.Counts.ExitedByEngine)
	assert.Equal(t, candidates, b.count(t, `SELECT count(*) FROM hmis.exit x JOIN exitflow.engine_exit ee USING (exitid)
		WHERE x.datedeleted IS NULL AND ee.workflow_id = $1 AND ee.projectid = ANY ($2)`, b.wfID, b.projects),
		"the live Exit rows the engine wrote for this workflow")
	assert.Equal(t, 1, b.count(t, `SELECT count(*) FROM exitflow.exit_run WHERE workflow_id = $1 AND status = 'done'`, b.wfID),
		"one run, resumed, done")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM (SELECT enrollmentid FROM hmis.exit WHERE datedeleted IS NULL
		GROUP BY 1 HAVING count(*) > 1) d`), "no enrollment has two live exits")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM unnest($1::text[]) AS o(enrollmentid) WHERE NOT EXISTS
		(SELECT 1 FROM hmis.exit x WHERE x.enrollmentid = o.enrollmentid AND x.datedeleted IS NULL)`, b.openBefore),
		"every open member of every candidate household is exited (none half exited)")
	assert.Zero(t, b.count(t, `SELECT count(*) FROM exitflow.enrollment_state s
		JOIN (SELECT DISTINCT projectid, householdid FROM exitflow.agreement_candidate WHERE agreement_id = $1) c
		USING (projectid, householdid) WHERE s.open`, b.id), "no candidate household has an open member left")

	notices := b.count(t, `SELECT count(*) FROM exitflow.notification`)
	require.Positive(t, notices)
	assert.Equal(t, notices, b.count(t, `SELECT count(*) FROM exitflow.notification WHERE status = 'sent'`), "every notice sent")
	var box struct{ Total int }
	b.mail.Get(t, "/api/v1/messages", &box)
	assert.Equal(t, notices, box.Total, "each notice mailed once")
}
