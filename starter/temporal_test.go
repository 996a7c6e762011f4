package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"google.golang.org/protobuf/types/known/durationpb"
)

// One dev server for the package's tests: it starts in about 2 s, the pinned CLI build (first time
// only) takes minutes.
var devServer struct {
	once sync.Once
	srv  *testsuite.DevServer
	err  error
}

// pinnedTemporalCLI is the path of the pinned Temporal CLI, built by scripts/temporal-cli.sh when
// it is missing (minutes, the first time), as make run builds it.
func pinnedTemporalCLI() (string, error) {
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^TEMPORAL_CLI_VERSION\s*:?=\s*(\S+)`).FindSubmatch(mk)
	if m == nil {
		return "", fmt.Errorf("the Makefile pins no TEMPORAL_CLI_VERSION")
	}
	cmd := exec.Command("../scripts/temporal-cli.sh")
	cmd.Env = append(os.Environ(), "TEMPORAL_CLI_VERSION="+string(m[1]))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/temporal-cli.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// startDevServer is the package's dev server (free ports, exitflow's search attributes registered,
// a second namespace for exitflow setup), started on first use and stopped by the process's end.
func startDevServer(t *testing.T) *testsuite.DevServer {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Temporal dev server")
	}
	devServer.once.Do(func() {
		path, err := pinnedTemporalCLI()
		if err != nil {
			devServer.err = err
			return
		}
		args := []string{"--namespace", "exitflow-setup"}
		for name, typ := range searchAttributes() {
			args = append(args, "--search-attribute", fmt.Sprintf("%s=%s", name, typ))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		devServer.srv, devServer.err = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath: path, ExtraArgs: args, LogLevel: "error", Stdout: io.Discard,
			ClientOptions: &client.Options{Namespace: "default"},
		})
	})
	require.NoError(t, devServer.err, "starting the Temporal dev server")
	return devServer.srv
}

// stopDevServer stops the package's dev server, if a test started it (TestMain calls it).
func stopDevServer() {
	if devServer.srv != nil {
		_ = devServer.srv.Stop()
	}
}

// temporalEnv points the CLI at the dev server.
func temporalEnv(srv *testsuite.DevServer, namespace string) []string {
	return []string{"EXITFLOW_TEMPORAL_ADDRESS=" + srv.FrontendHostPort(), "EXITFLOW_TEMPORAL_NAMESPACE=" + namespace,
		"EXITFLOW_TASK_QUEUE=exitflow-test"}
}

func TestSetupIsIdempotent(t *testing.T) {
	srv := startDevServer(t)
	// A namespace registered now has none of the attributes the server was started with.
	ns := fmt.Sprintf("setup-%d", time.Now().UnixNano())
	_, err := srv.Client().WorkflowService().RegisterNamespace(context.Background(), &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)})
	require.NoError(t, err)
	env := temporalEnv(srv, ns)
	var out, errOut string
	var code int
	assert.Eventually(t, func() bool { // the new namespace reaches the frontend's cache
		out, errOut, code = cli(t, env, "setup")
		return code == 0
	}, 20*time.Second, 500*time.Millisecond, errOut)
	assert.Equal(t, 4, strings.Count(out, ": registered"), out)
	for name := range searchAttributes() {
		assert.Regexp(t, name+` \(\w+\): registered`, out)
	}
	out, errOut, code = cli(t, env, "setup")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 4, strings.Count(out, "already registered"), out)

	// The namespace the server registered them in: nothing to do.
	out, errOut, code = cli(t, temporalEnv(srv, "exitflow-setup"), "setup")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 4, strings.Count(out, "already registered"), out)
}

func TestAgreementStartDuplicateSignalOnlyAndList(t *testing.T) {
	srv := startDevServer(t)
	env := temporalEnv(srv, "default")
	id := fmt.Sprintf("T%d", time.Now().UnixNano())
	start := []string{"agreement", "start", "--agreement-id", id, "--organization", "3", "--project", "5",
		"--method", "auto", "--period-days", "30", "--liaison", "dana.reyes@agency.example", "--hmis-staff", "sam.ortiz@coc.example"}
	out, errOut, code := cli(t, env, start...)
	require.Equal(t, 0, code, errOut)
	wid := workflows.AgreementWorkflowID(id)
	assert.Contains(t, out, "workflow ID  "+wid)
	run := regexp.MustCompile(`run ID\s+(\S+)`).FindStringSubmatch(out)
	require.NotNil(t, run, out)
	assert.Contains(t, out, "/namespaces/default/workflows/"+wid)

	_, errOut, code = cli(t, env, start...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "was already started as workflow "+wid+" (run "+run[1]+", status Running)")

	out, errOut, code = cli(t, env, "agreement", "signal", id, "acknowledge", "--signal-only", "--json", `{"from":"dana.reyes@agency.example","note":"ok"}`)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "signal acknowledge delivered to "+wid+", not yet checked")
	out, errOut, code = cli(t, env, "agreement", "signal", wid, "report-issue", "--timeout", "1s", "--json", `{"from":"dana.reyes@agency.example","description":"x"}`)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "no worker answered within 1s: sending the signal instead")
	assert.Contains(t, out, "delivered")
	it := srv.Client().GetWorkflowHistory(context.Background(), wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var signals []string
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		if a := e.GetWorkflowExecutionSignaledEventAttributes(); a != nil {
			signals = append(signals, a.GetSignalName())
		}
	}
	assert.Equal(t, []string{"acknowledge", "report-issue"}, signals)

	_, errOut, code = cli(t, env, "agreement", "status", id, "--timeout", "1s")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ID "+wid+": no worker answered the status query within 1s: start one with make run")
	_, errOut, code = cli(t, env, "agreement", "signal", "nope", "cancel", "--signal-only", "--json", `{"from":"s@coc.example","reason":"x"}`)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ID agreement-nope: no such agreement workflow")

	// Visibility is eventually consistent: poll briefly.
	assert.Eventually(t, func() bool {
		out, _, code = cli(t, env, "agreement", "list", "--phase", "validating")
		return code == 0 && strings.Contains(out, wid)
	}, 10*time.Second, 200*time.Millisecond, out)
	assert.Regexp(t, wid+`\s+Running\s+validating\s+3\s+auto\s+`, out)
	out, errOut, code = cli(t, env, "agreement", "list", "--phase", "completed", "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, wid)
	_, errOut, code = cli(t, env, "agreement", "list", "--phase", "done")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--phase "done": want one of validating`)
}

func TestScheduleCommands(t *testing.T) {
	srv := startDevServer(t)
	env := temporalEnv(srv, "default")
	id := fmt.Sprintf("dqm-T%d", time.Now().UnixNano())
	_, err := srv.Client().ScheduleClient().Create(context.Background(), client.ScheduleOptions{
		ID: id,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: 6}},
			DayOfMonth: []client.ScheduleRange{{Start: 1}}, Month: []client.ScheduleRange{{Start: 1, End: 12, Step: 3}}}},
			TimeZoneName: "America/New_York"},
		Action: &client.ScheduleWorkflowAction{ID: "followup-" + id, Workflow: workflows.FollowUpDQMWorkflow,
			TaskQueue: "exitflow-test", Args: []any{workflows.FollowUpInput{AgreementID: "T"}}},
	})
	require.NoError(t, err)

	assert.Eventually(t, func() bool {
		out, _, code := cli(t, env, "schedule", "list")
		return code == 0 && regexp.MustCompile(id+`\s+false\s+\d{4}-`).MatchString(out)
	}, 10*time.Second, 200*time.Millisecond)
	out, errOut, code := cli(t, env, "schedule", "describe", id)
	require.Equal(t, 0, code, errOut)
	for _, s := range []string{"time zone America/New_York", "calendar  month 1-12/3, day 1, at 6:0", "paused    false",
		"starts    workflow FollowUpDQM on task queue exitflow-test", "next action times:", "recent actions:"} {
		assert.Contains(t, out, s)
	}
	out, errOut, code = cli(t, env, "schedule", "describe", id, "--format", "json")
	require.Equal(t, 0, code, errOut)
	var d struct {
		ID        string      `json:"id"`
		TimeZone  string      `json:"time_zone"`
		Calendars []string    `json:"calendars"`
		Workflow  string      `json:"workflow"`
		Next      []time.Time `json:"next_action_times"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	assert.Equal(t, id, d.ID)
	assert.Equal(t, "America/New_York", d.TimeZone)
	assert.Equal(t, []string{"month 1-12/3, day 1, at 6:0"}, d.Calendars)
	assert.Equal(t, workflows.FollowUpDQMWorkflow, d.Workflow)
	require.NotEmpty(t, d.Next)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	assert.Equal(t, 1, d.Next[0].In(ny).Day(), "the next run is on the 1st")
	out, errOut, code = cli(t, env, "schedule", "list", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var rows []struct {
		ID       string     `json:"id"`
		Paused   bool       `json:"paused"`
		Workflow string     `json:"workflow"`
		NextRun  *time.Time `json:"next_run"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows), out)
	require.Len(t, rows, 1, out)
	assert.Equal(t, id, rows[0].ID)
	assert.Equal(t, workflows.FollowUpDQMWorkflow, rows[0].Workflow)
	assert.NotNil(t, rows[0].NextRun)
	_, errOut, code = cli(t, env, "schedule", "list", "--format", "yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--format "yaml": want table or json`)
	out, errOut, code = cli(t, env, "schedule", "pause", id, "--note", "agency asked")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "pause done")
	out, _, _ = cli(t, env, "schedule", "describe", id)
	assert.Contains(t, out, "paused    true (agency asked)")
	_, errOut, code = cli(t, env, "schedule", "unpause", id)
	require.Equal(t, 0, code, errOut)
	out, _, _ = cli(t, env, "schedule", "describe", id)
	assert.Contains(t, out, "paused    false")
	_, errOut, code = cli(t, env, "schedule", "trigger", id)
	require.Equal(t, 0, code, errOut)
	assert.Eventually(t, func() bool {
		out, _, _ = cli(t, env, "schedule", "describe", id)
		return strings.Contains(out, "1 taken")
	}, 10*time.Second, 200*time.Millisecond, out)
	_, errOut, code = cli(t, env, "schedule", "delete", id)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(t, env, "schedule", "describe", id)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "ID "+id+": no such schedule")
	_, errOut, code = cli(t, env, "schedule", "delete")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "schedule delete needs exactly one schedule ID")
}
