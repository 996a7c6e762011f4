package worker_test

// End to end, as HMIS staff and a liaison would drive it: the real Temporal dev server (the pinned
// CLI), the real PostgreSQL, a real SMTP server (Mailpit) and this worker. An admin agreement with
// period_end today is started and acknowledged through the Temporal CLI; then the exits, the mails,
// the DQM schedule and the completed workflow are checked, and that no history, query result,
// search attribute or log line holds a client's name, SSN or date of birth (SPEC S1, N2).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/worker"
	"github.com/exitflow/exitflow/workflows"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// syncBuffer is a log sink the worker's goroutines write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// e2e is the running stack of one test.
type e2e struct {
	srv  *testenv.DevServer
	mail *testenv.Mailpit
	c    client.Client
	log  *syncBuffer
	q    string // the task queue
	pool *pgxpool.Pool
}

// startStack starts PostgreSQL's test database, Mailpit, the dev server and the worker.
func startStack(t *testing.T) (*e2e, func(string, ...any) int) {
	t.Helper()
	pool := testdb.WithSQL(t, "testdata/e2e.sql")
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = engine.RefreshState(ctx, tx, "") // the fixture wrote the HMIS tables by hand
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	mail := testenv.StartMailpit(t, 0)
	srv := testenv.StartDevServer(t, "ExitflowAgency=Keyword", "ExitflowProjects=KeywordList",
		"ExitflowMethod=Keyword", "ExitflowPhase=Keyword")
	s := &e2e{srv: srv, mail: mail, c: srv.Client(), log: &syncBuffer{}, q: "exitflow-e2e", pool: pool}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- worker.Run(wctx, worker.Options{
			DatabaseURL: pool.Config().ConnString(), TemporalAddress: srv.Address, Namespace: "default",
			TaskQueue: s.q, Timezone: "America/New_York", SMTPHost: "127.0.0.1", SMTPPort: mail.SMTPPort,
			SMTPFrom: "exitflow@coc.example", Logger: slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
	}()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			assert.NoError(t, err, "the worker stops cleanly")
		case <-time.After(30 * time.Second):
			t.Error("the worker did not stop within 30 s")
		}
	})
	count := func(sql string, args ...any) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, sql, args...).Scan(&n))
		return n
	}
	return s, count
}

// temporal runs the Temporal CLI against the test's server, as a user would.
func (s *e2e) temporal(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.srv.CLI, append(args, "--address", s.srv.Address, "--namespace", "default")...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "temporal %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// status queries the agreement's status through the SDK.
func (s *e2e) status(t *testing.T, id string) workflows.AgreementStatus {
	t.Helper()
	v, err := s.c.QueryWorkflow(context.Background(), workflows.AgreementWorkflowID(id), "", workflows.QueryStatus)
	require.NoError(t, err)
	var st workflows.AgreementStatus
	require.NoError(t, v.Get(&st))
	return st
}

// waitPhase waits until the agreement reaches phase.
func (s *e2e) waitPhase(t *testing.T, id string, phase workflows.Phase) workflows.AgreementStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := s.status(t, id)
		if st.Phase == phase {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("agreement %s: phase %s after 60 s, want %s; worker log:\n%s", id, st.Phase, phase, s.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// SPEC AG1–AG7 end to end: an admin agreement with period_end today, started and acknowledged
// through the Temporal CLI.
func TestE2E_AdminAgreementThroughTheTemporalCLI(t *testing.T) {
	s, count := startStack(t)
	today := time.Now().In(mustLoc(t, "America/New_York")).Format(time.DateOnly)
	input := fmt.Sprintf(`{"agreement_id":"A1","organization_id":"O1","project_ids":["P1"],"method":"admin","period_end":%q,`+
		`"liaisons":["lia@harbor.example"],"hmis_staff":"sam@coc.example","dqm_every":"quarterly"}`, today)
	s.temporal(t, "workflow", "start", "--type", workflows.AgencyAgreementWorkflow, "--task-queue", s.q,
		"--workflow-id", workflows.AgreementWorkflowID("A1"), "--input", input)

	st := s.waitPhase(t, "A1", workflows.PhaseAcknowledgement)
	assert.Equal(t, 3, st.Counts.CandidateEnrollments, "H1's two members and H2's head; H3 is active")
	assert.Equal(t, 3, st.Counts.ExitedByEngine)
	assert.Equal(t, 3, count(`SELECT count(*) FROM hmis.exit WHERE datedeleted IS NULL AND enrollmentid IN ('E1','E2','E3')`))
	assert.Equal(t, 0, count(`SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'E4'`))

	// SPEC S2: from someone who is not the agreement's liaison: rejected, recorded, nothing advances.
	s.temporal(t, "workflow", "signal", "--workflow-id", workflows.AgreementWorkflowID("A1"),
		"--name", string(workflows.ActionAcknowledge), "--input", `{"from":"sam@coc.example","note":"on her behalf"}`)
	_, err := s.temporalFails(t, "workflow", "update", "execute", "--workflow-id", workflows.AgreementWorkflowID("A1"),
		"--name", workflows.UpdateName(workflows.ActionAcknowledge), "--input", `{"from":"mallory@elsewhere.example","note":"x"}`)
	require.Error(t, err, "the update from the wrong person is refused at once")
	st = s.waitRejected(t, "A1", 1)
	assert.Equal(t, workflows.PhaseAcknowledgement, st.Phase)
	assert.Equal(t, "sam@coc.example", st.Rejected[0].From)

	s.temporal(t, "workflow", "signal", "--workflow-id", workflows.AgreementWorkflowID("A1"),
		"--name", string(workflows.ActionAcknowledge), "--input", `{"from":"lia@harbor.example","note":"all reviewed"}`)
	var res workflows.AgreementResult
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, s.c.GetWorkflow(ctx, workflows.AgreementWorkflowID("A1"), "").Get(ctx, &res), "worker log:\n%s", s.log.String())
	assert.Equal(t, workflows.PhaseCompleted, res.Phase)
	assert.Equal(t, "lia@harbor.example", res.AcknowledgedBy)
	assert.Equal(t, 3, res.Counts.ExitedByEngine)

	_, err = s.c.ScheduleClient().GetHandle(ctx, workflows.DQMScheduleID("A1")).Describe(ctx)
	require.NoError(t, err, "the follow-up DQM schedule exists")
	assert.Equal(t, 1, res.Rejected)

	toLia := s.mail.Search(t, "to:lia@harbor.example")
	assert.GreaterOrEqual(t, len(toLia), 3, "the notice, the process-begins and the completion notices")
	assert.Equal(t, len(toLia), count(`SELECT count(*) FROM exitflow.notification WHERE recipient = 'lia@harbor.example' AND status = 'sent'`),
		"each message recorded and sent once")

	assertNoPersonalData(t, s, "A1")
	recordHistory(t, s, workflows.AgreementWorkflowID("A1"), "agreement-admin.json")

	// SPEC AG7, Q3: the schedule's follow-up DQM, triggered now, is stored and mailed to the liaison
	// and the HMIS staff member with its CSVs attached.
	s.temporal(t, "schedule", "trigger", "--schedule-id", workflows.DQMScheduleID("A1"))
	deadline := time.Now().Add(60 * time.Second)
	for len(s.mail.Search(t, "subject:DQM")) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no DQM report mailed within 60 s; worker log:\n%s", s.log.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, m := range s.mail.Search(t, "subject:DQM") {
		assert.Equal(t, 2, m.Attachments, "measures.csv and findings.csv")
	}
	assert.Equal(t, 1, count(`SELECT count(*) FROM exitflow.dqm_report WHERE projects = '{P1}' AND workflow_id LIKE 'dqm-A1%'`))
	var followUp string
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT workflow_id FROM exitflow.dqm_report`).Scan(&followUp))
	require.NoError(t, s.c.GetWorkflow(ctx, followUp, "").Get(ctx, nil), "the follow-up DQM workflow completes")
	recordHistory(t, s, followUp, "followup-dqm.json")
}

// temporalFails runs the Temporal CLI and returns its output and error (for refusals).
func (s *e2e) temporalFails(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(s.srv.CLI, append(args, "--address", s.srv.Address, "--namespace", "default")...).CombinedOutput()
	return string(out), err
}

// waitRejected waits until the agreement's status lists n rejected signals.
func (s *e2e) waitRejected(t *testing.T, id string, n int) workflows.AgreementStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := s.status(t, id)
		if len(st.Rejected) >= n {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("agreement %s: %d rejected signals after 30 s, want %d", id, len(st.Rejected), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// recordHistory writes the agreement's history where EXITFLOW_RECORD_HISTORY points (the
// workflows' testdata/ folder), for the replay tests that guard determinism:
//
//	EXITFLOW_RECORD_HISTORY=$PWD/workflows/testdata go test ./worker/ -run E2E
func recordHistory(t *testing.T, s *e2e, workflowID, name string) {
	t.Helper()
	dir := os.Getenv("EXITFLOW_RECORD_HISTORY")
	if dir == "" {
		return
	}
	out := s.temporal(t, "workflow", "show", "--workflow-id", workflowID, "--output", "json")
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644))
}

// assertNoPersonalData checks the agreement's history, status, search attributes and the worker's
// log for the fixture clients' names, SSNs and dates of birth (SPEC S1).
func assertNoPersonalData(t *testing.T, s *e2e, id string) {
	t.Helper()
	// The CLI's JSON carries payloads (inputs, results, signals, search attributes) base64-encoded:
	// decoded, so that the check reads what a payload holds.
	history := withPayloads(t, s.temporal(t, "workflow", "show", "--workflow-id", workflows.AgreementWorkflowID(id), "--output", "json"))
	describe := withPayloads(t, s.temporal(t, "workflow", "describe", "--workflow-id", workflows.AgreementWorkflowID(id), "--output", "json"))
	st, err := json.Marshal(s.status(t, id))
	require.NoError(t, err)
	for where, text := range map[string]string{"history": history, "describe (search attributes, memo)": describe,
		"status query": string(st), "worker log": s.log.String()} {
		for _, secret := range []string{"Marisol", "Vandermeer", "Tobiah", "Lindqvist", "Anouk", "Ferreira", "Quillon", "Abernathy",
			"912345671", "912345672", "912345673", "912345674", "1961-02-03", "2015-04-04", "1979-09-09", "1988-12-24"} {
			assert.NotContains(t, text, secret, "%s holds a client's personal data", where)
		}
	}
	assert.Contains(t, history, `"P1"`, "the history does carry IDs (the test would pass on an empty one otherwise)")
}

// payloadData is a payload's data field in the Temporal CLI's JSON output.
var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// withPayloads is the CLI's JSON followed by every payload's data, decoded.
func withPayloads(t *testing.T, out string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(out)
	n := 0
	for _, m := range payloadData.FindAllStringSubmatch(out, -1) {
		if d, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.WriteString("\n")
			b.Write(d)
			n++
		}
	}
	require.Positive(t, n, "the output has payloads to decode")
	return b.String()
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
