package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"
)

// sweepNamespace registers a namespace of the test's own (the sweep's schedule ID and the one
// running sweep are per namespace) and returns a client of it and the CLI's environment for it.
func sweepNamespace(t *testing.T, srv *testsuite.DevServer) (client.Client, []string) {
	t.Helper()
	ns := fmt.Sprintf("sweep-%d", time.Now().UnixNano())
	_, err := srv.Client().WorkflowService().RegisterNamespace(context.Background(), &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	require.NoError(t, err)
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: ns,
		Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	// The CLI's database is unreachable: sweep run leaves --project to the sweep's first step.
	env := append(temporalEnv(srv, ns), "EXITFLOW_TIMEZONE=America/New_York", "EXITFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:1/none")
	return c, env
}

// cliReady runs the CLI until it succeeds (a new namespace takes a moment to reach the frontend).
func cliReady(t *testing.T, env []string, args ...string) string {
	t.Helper()
	var out, errOut string
	var code int
	require.Eventually(t, func() bool {
		out, errOut, code = cli(t, env, args...)
		return code == 0
	}, 20*time.Second, 500*time.Millisecond, "%v", args)
	_ = errOut
	return out
}

// nyToday is today in America/New_York, as the CLI sees it.
func nyToday(t *testing.T) time.Time {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	y, m, d := time.Now().In(ny).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func describeSweepSchedule(t *testing.T, c client.Client) *client.ScheduleDescription {
	t.Helper()
	d, err := c.ScheduleClient().GetHandle(context.Background(), workflows.SweepScheduleID).Describe(context.Background())
	require.NoError(t, err)
	return d
}

func TestSweepSetupCreatesTheScheduleIdempotentlyAndUpdatesIt(t *testing.T) {
	srv := startDevServer(t)
	c, env := sweepNamespace(t, srv)
	out := cliReady(t, env, "setup")
	assert.Contains(t, out, "schedule auto-exit-sweep: created, daily at 05:00 America/New_York\n")

	d := describeSweepSchedule(t, c)
	require.NotNil(t, d.Schedule.Spec)
	assert.Equal(t, "America/New_York", d.Schedule.Spec.TimeZoneName)
	require.Len(t, d.Schedule.Spec.Calendars, 1)
	cal := d.Schedule.Spec.Calendars[0]
	require.Len(t, cal.Hour, 1)
	require.Len(t, cal.Minute, 1)
	assert.Equal(t, 5, cal.Hour[0].Start)
	assert.Equal(t, 0, cal.Minute[0].Start)
	require.NotNil(t, d.Schedule.Policy)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, d.Schedule.Policy.Overlap)
	assert.Equal(t, 24*time.Hour, d.Schedule.Policy.CatchupWindow)
	act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok, "%T", d.Schedule.Action)
	assert.Equal(t, workflows.SweepScheduleID, act.ID)
	assert.Equal(t, workflows.AutoExitSweepWorkflow, fmt.Sprint(act.Workflow))
	assert.Equal(t, "exitflow-test", act.TaskQueue)
	require.Len(t, act.Args, 1)
	var in workflows.SweepInput
	p, ok := act.Args[0].(*commonpb.Payload)
	require.True(t, ok, "%T", act.Args[0])
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &in))
	assert.Equal(t, workflows.SweepInput{TimeZone: "America/New_York"}, in)
	require.NotEmpty(t, d.Info.NextActionTimes)
	ny, _ := time.LoadLocation("America/New_York")
	next := d.Info.NextActionTimes[0].In(ny)
	assert.Equal(t, [2]int{5, 0}, [2]int{next.Hour(), next.Minute()}, "the next sweep is at 05:00 New York time")

	// The CLI's own view of it.
	out, errOut, code := cli(t, env, "schedule", "describe", workflows.SweepScheduleID)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "time zone America/New_York")
	assert.Contains(t, out, "starts    workflow AutoExitSweep on task queue exitflow-test")

	out, errOut, code = cli(t, env, "setup")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "schedule auto-exit-sweep: unchanged, daily at 05:00 America/New_York\n")

	// A pause survives an update; the new time replaces the old.
	_, errOut, code = cli(t, env, "schedule", "pause", workflows.SweepScheduleID, "--note", "holiday")
	require.Equal(t, 0, code, errOut)
	out, errOut, code = cli(t, append(env, "EXITFLOW_SWEEP_TIME=06:30"), "setup")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "schedule auto-exit-sweep: updated, daily at 06:30 America/New_York on task queue exitflow-test (was daily at 05:00 America/New_York on task queue exitflow-test)")
	d = describeSweepSchedule(t, c)
	cal = d.Schedule.Spec.Calendars[0]
	assert.Equal(t, 6, cal.Hour[0].Start)
	assert.Equal(t, 30, cal.Minute[0].Start)
	assert.True(t, d.Schedule.State.Paused, "still paused")
	assert.Equal(t, "holiday", d.Schedule.State.Note)
	out, errOut, code = cli(t, append(env, "EXITFLOW_SWEEP_TIME=06:30"), "setup")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "schedule auto-exit-sweep: unchanged, daily at 06:30 America/New_York")

	// Another zone or task queue is an update too.
	out, errOut, code = cli(t, append(env, "EXITFLOW_SWEEP_TIME=06:30", "EXITFLOW_TIMEZONE=America/Chicago", "EXITFLOW_TASK_QUEUE=coc"), "setup")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "schedule auto-exit-sweep: updated, daily at 06:30 America/Chicago on task queue coc")
	d = describeSweepSchedule(t, c)
	assert.Equal(t, "America/Chicago", d.Schedule.Spec.TimeZoneName)
	act = d.Schedule.Action.(*client.ScheduleWorkflowAction)
	assert.Equal(t, "coc", act.TaskQueue)
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(act.Args[0].(*commonpb.Payload), &in))
	assert.Equal(t, "America/Chicago", in.TimeZone)

	_, errOut, code = cli(t, append(env, "EXITFLOW_SWEEP_TIME=25:00"), "setup")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `sweep_time "25:00" (EXITFLOW_SWEEP_TIME / --sweep-time) must be a local time of day HH:MM`)
}

func TestSweepRunRefusesBadAsOfAndFormatBeforeDialling(t *testing.T) {
	// No Temporal server: the flags are checked first.
	env := []string{"EXITFLOW_TEMPORAL_ADDRESS=127.0.0.1:1", "EXITFLOW_TIMEZONE=America/New_York"}
	today := nyToday(t)
	tomorrow := today.AddDate(0, 0, 1).Format(time.DateOnly)
	_, errOut, code := cli(t, env, "sweep", "run", "--as-of", tomorrow)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--as-of "+tomorrow+" is after today ("+today.Format(time.DateOnly)+" in America/New_York)")
	_, errOut, code = cli(t, env, "sweep", "run", "--as-of", "2026-02-30")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--as-of "2026-02-30": not a calendar date (February 2026 has 28 days)`)
	_, errOut, code = cli(t, env, "sweep", "run", "--as-of", "12/01/2026")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--as-of "12/01/2026": not a date (want YYYY-MM-DD)`)
	_, errOut, code = cli(t, env, "sweep", "run", "--wait", "--format", "yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--format "yaml": want table or json`)
	_, errOut, code = cli(t, env, "sweep", "history", "--limit", "-1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--limit -1: want 0 (all) or more")
}

// workflowInput is the input of workflow id's first run, read from its history.
func workflowInput(t *testing.T, c client.Client, id string) workflows.SweepInput {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	require.True(t, it.HasNext())
	e, err := it.Next()
	require.NoError(t, err)
	a := e.GetWorkflowExecutionStartedEventAttributes()
	require.NotNil(t, a)
	assert.Equal(t, workflows.AutoExitSweepWorkflow, a.GetWorkflowType().GetName())
	var in workflows.SweepInput
	require.Len(t, a.GetInput().GetPayloads(), 1)
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(a.GetInput().GetPayloads()[0], &in))
	return in
}

func TestSweepRunStartsTheSweepThenRefusesASecond(t *testing.T) {
	srv := startDevServer(t)
	c, env := sweepNamespace(t, srv)
	yesterday := nyToday(t).AddDate(0, 0, -1).Format(time.DateOnly)
	out := cliReady(t, env, "sweep", "run", "--as-of", yesterday, "--project", "6", "--project", "10")
	m := regexp.MustCompile(`workflow ID  (auto-exit-sweep-manual-\S+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	id := m[1]
	assert.Regexp(t, `run ID\s+\S+`, out)
	assert.Contains(t, out, "task queue   exitflow-test")
	assert.Contains(t, out, "/workflows/"+id)
	assert.Contains(t, out, "started sweep as of "+yesterday+" (projects 6, 10)")

	d, err := c.DescribeWorkflow(context.Background(), id, "")
	require.NoError(t, err)
	info := d.RawResponse.GetWorkflowExecutionInfo()
	assert.Equal(t, workflows.AutoExitSweepWorkflow, info.GetType().GetName())
	assert.Equal(t, "exitflow-test", info.GetTaskQueue())
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, info.GetStatus())
	assert.Equal(t, workflows.SweepInput{AsOf: yesterday, TimeZone: "America/New_York", ProjectIDs: []string{"6", "10"}},
		workflowInput(t, c, id))

	// A second is refused while the first runs (visibility is eventually consistent: poll).
	var errOut string
	var code int
	assert.Eventually(t, func() bool {
		_, errOut, code = cli(t, env, "sweep", "run")
		return code == 1 && strings.Contains(errOut, "another sweep is running: workflow "+id)
	}, 10*time.Second, 300*time.Millisecond, errOut)
	require.NoError(t, c.TerminateWorkflow(context.Background(), id, "", "test done"))
}

func TestSweepRunDefaultsToTodayAndRefusesWhileAnotherRuns(t *testing.T) {
	srv := startDevServer(t)
	c, env := sweepNamespace(t, srv)
	// A sweep nobody works on: the schedule's, say, started directly.
	other := "auto-exit-sweep-2026-12-01T10:00:00Z"
	cliReady(t, env, "config", "show")
	var run client.WorkflowRun
	require.Eventually(t, func() bool {
		var err error
		run, err = c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: other, TaskQueue: "nobody-polls"},
			workflows.AutoExitSweepWorkflow, workflows.SweepInput{TimeZone: "America/New_York"})
		return err == nil
	}, 20*time.Second, 500*time.Millisecond)
	t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), other, "", "test done") })
	var errOut string
	var code int
	assert.Eventually(t, func() bool {
		_, errOut, code = cli(t, env, "sweep", "run", "--wait")
		return code == 1 && strings.Contains(errOut, "another sweep is running: workflow "+other+" (run "+run.GetRunID()+")")
	}, 10*time.Second, 300*time.Millisecond, errOut)
	require.NoError(t, c.TerminateWorkflow(context.Background(), other, "", "test done"))

	// Once it is over, a sweep starts, as of today in the CoC time zone.
	var out string
	assert.Eventually(t, func() bool {
		out, errOut, code = cli(t, env, "sweep", "run")
		return code == 0
	}, 10*time.Second, 300*time.Millisecond, errOut)
	m := regexp.MustCompile(`workflow ID  (auto-exit-sweep-manual-\S+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Equal(t, workflows.SweepInput{AsOf: nyToday(t).Format(time.DateOnly), TimeZone: "America/New_York"}, workflowInput(t, c, m[1]))
	assert.Contains(t, out, "started sweep as of "+nyToday(t).Format(time.DateOnly)+" (every project with auto exit on)")
	require.NoError(t, c.TerminateWorkflow(context.Background(), m[1], "", "test done"))
}

func TestSweepResultAndProgressText(t *testing.T) {
	var b strings.Builder
	require.NoError(t, writeSweepResult(&b, workflows.SweepResult{SweepID: 3, AsOf: "2026-12-01", ExitRunID: 9, Households: 12,
		Enrollments: 20, Alerts: 4, AlertMessages: 2, ExitNotices: 5, Summaries: 1, Executions: 1, Pages: 1,
		Projects: []workflows.SweepProjectCount{{ProjectID: "6", Households: 12, Enrollments: 20, Alerts: 1}, {ProjectID: "10", Alerts: 3}}}))
	out := b.String()
	assert.Contains(t, out, "sweep 3 as of 2026-12-01: done")
	assert.Contains(t, out, "exit run     9")
	assert.Contains(t, out, "8 sent: 2 alert digests, 5 exit notices, 1 summaries")
	assert.Regexp(t, `PROJECT\s+HOUSEHOLDS\s+ENROLLMENTS\s+ALERTS\n6\s+12\s+20\s+1\n10\s+0\s+0\s+3\n`, out)
	b.Reset()
	require.NoError(t, writeSweepResult(&b, workflows.SweepResult{Skipped: "sweep auto-exit-sweep-x is running"}))
	assert.Equal(t, "skipped: sweep auto-exit-sweep-x is running\n", b.String())
	p := workflows.SweepProgress{SweepState: workflows.SweepState{Stage: workflows.StageExits, HouseholdsDone: 1200, HouseholdsTotal: 5000}}
	assert.Equal(t, "exits 1200/5000 households", progressText(p))
}

func TestSweepHistoryListsTheKeptSweepsNewestFirst(t *testing.T) {
	url := testdb.Empty(t) + "_sw"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url, "EXITFLOW_TIMEZONE=America/New_York"}
	_, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)
	out, errOut, code := cli(t, env, "sweep", "history")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "no sweeps yet")
	out, errOut, code = cli(t, env, "sweep", "history", "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "[]\n", out)

	exitsPsql(t, env, `INSERT INTO exitflow.sweep_run (workflow_id, first_run_id, as_of, actor, status, skip_reason, started_at, finished_at,
		households, enrollments, alerts, alert_messages, exit_notices, summaries, executions, pages, per_project) VALUES
		('auto-exit-sweep-2026-11-30T10:00:00Z', 'r1', '2026-11-30', 'exitflow', 'done', NULL, '2026-11-30 10:00:00Z', '2026-11-30 10:02:00Z',
		 12, 20, 4, 2, 5, 1, 1, 1, '[{"project_id":"6","households":12,"enrollments":20,"alerts":4}]'),
		('auto-exit-sweep-manual-x', 'r2', '2026-12-01', 'exitflow', 'skipped', 'sweep auto-exit-sweep-y was running',
		 '2026-12-01 15:00:00Z', '2026-12-01 15:00:01Z', 0, 0, 0, 0, 0, 0, 1, 0, '[]')`)
	out, errOut, code = cli(t, env, "sweep", "history")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `ID\s+AS OF\s+STATUS\s+STARTED\s+FINISHED\s+HOUSEHOLDS\s+ENROLLMENTS\s+ALERTS\s+MESSAGES\s+WORKFLOW\n`, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^2\s+2026-12-01\s+skipped \(sweep auto-exit-sweep-y was running\)\s+2026-12-01 10:00\s+2026-12-01 10:00\s+0\s+0\s+0\s+0\s+auto-exit-sweep-manual-x$`, lines[1])
	assert.Regexp(t, `^1\s+2026-11-30\s+done\s+2026-11-30 05:00\s+2026-11-30 05:02\s+12\s+20\s+4\s+8\s+auto-exit-sweep-2026-11-30T10:00:00Z$`, lines[2])
	out, errOut, code = cli(t, env, "sweep", "history", "--limit", "1", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var list []struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		WorkflowID string `json:"workflow_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list), out)
	require.Len(t, list, 1)
	assert.Equal(t, int64(2), list[0].ID)
	assert.Equal(t, "skipped", list[0].Status)
}

func TestSweepRunChecksTheProjectsInTheDatabase(t *testing.T) {
	env := append(exitsCoC(t), "EXITFLOW_TEMPORAL_ADDRESS=127.0.0.1:1")
	_, errOut, code := cli(t, env, "sweep", "run", "--project", "NOPE")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--project NOPE: no such project")
}

// fakeSweep stands in for AutoExitSweep: it answers the progress query and returns a result,
// skips (project "skip") or fails (project "fail").
func fakeSweep(ctx workflow.Context, in workflows.SweepInput) (workflows.SweepResult, error) {
	p := workflows.SweepProgress{SweepState: workflows.SweepState{Stage: workflows.StageExits, HouseholdsDone: 1, HouseholdsTotal: 2}}
	if err := workflow.SetQueryHandler(ctx, workflows.QueryProgress, func() (workflows.SweepProgress, error) { return p, nil }); err != nil {
		return workflows.SweepResult{}, err
	}
	_ = workflow.Sleep(ctx, 1500*time.Millisecond)
	switch {
	case slices.Contains(in.ProjectIDs, "skip"):
		return workflows.SweepResult{AsOf: in.AsOf, Skipped: "sweep auto-exit-sweep-other was running"}, nil
	case slices.Contains(in.ProjectIDs, "fail"):
		return workflows.SweepResult{}, temporal.NewNonRetryableApplicationError("project_ids: no such project fail", "invalid", nil)
	}
	return workflows.SweepResult{SweepID: 7, AsOf: in.AsOf, ExitRunID: 3, Households: 2, Enrollments: 3, Alerts: 1,
		AlertMessages: 1, ExitNotices: 2, Summaries: 1, Executions: 1, Pages: 1,
		Projects: []workflows.SweepProjectCount{{ProjectID: "6", Households: 2, Enrollments: 3, Alerts: 1}}}, nil
}

func TestSweepRunWaitPrintsTheResultSkipsAndFailures(t *testing.T) {
	srv := startDevServer(t)
	c, env := sweepNamespace(t, srv)
	w := worker.New(c, "exitflow-test", worker.Options{})
	w.RegisterWorkflowWithOptions(fakeSweep, workflow.RegisterOptions{Name: workflows.AutoExitSweepWorkflow})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	out := cliReady(t, env, "sweep", "run", "--wait")
	today := nyToday(t).Format(time.DateOnly)
	assert.Contains(t, out, "workflow ID  auto-exit-sweep-manual-")
	assert.Contains(t, out, "sweep 7 as of "+today+": done")
	assert.Contains(t, out, "exited       2 households, 3 enrollments")
	assert.Contains(t, out, "4 sent: 1 alert digests, 2 exit notices, 1 summaries")
	assert.Regexp(t, `PROJECT\s+HOUSEHOLDS\s+ENROLLMENTS\s+ALERTS\n6\s+2\s+3\s+1\n`, out)

	// json: stdout is the SweepResult alone (waiting for the previous sweep to be listed as closed).
	var errOut string
	var code int
	assert.Eventually(t, func() bool {
		out, errOut, code = cli(t, env, "sweep", "run", "--wait", "--format", "json")
		return code == 0
	}, 10*time.Second, 300*time.Millisecond, errOut)
	var res workflows.SweepResult
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.Equal(t, int64(7), res.SweepID)
	assert.Contains(t, errOut, "workflow ID  auto-exit-sweep-manual-")

	assert.Eventually(t, func() bool {
		out, errOut, code = cli(t, env, "sweep", "run", "--wait", "--project", "skip")
		return !strings.Contains(errOut, "another sweep is running")
	}, 10*time.Second, 300*time.Millisecond, errOut)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "skipped: sweep auto-exit-sweep-other was running\n")

	assert.Eventually(t, func() bool {
		out, errOut, code = cli(t, env, "sweep", "run", "--wait", "--project", "fail")
		return !strings.Contains(errOut, "another sweep is running")
	}, 10*time.Second, 300*time.Millisecond, errOut)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `exitflow: sweep auto-exit-sweep-manual-\S+ failed: .*project_ids: no such project fail`, errOut)
}
