package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// fakeAgreement stands in for the real workflow: its acknowledge-now update accepts the liaison
// dana.reyes@agency.example only, and its status query reports the phase and the acknowledgement.
func fakeAgreement(ctx workflow.Context, in workflows.AgreementInput) error {
	st := workflows.AgreementStatus{AgreementID: in.AgreementID, Phase: workflows.PhaseAcknowledgement, Method: in.Method, PeriodEnd: "2027-01-31"}
	if err := workflow.SetQueryHandler(ctx, workflows.QueryStatus, func() (workflows.AgreementStatus, error) { return st, nil }); err != nil {
		return err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, workflows.UpdateName(workflows.ActionAcknowledge),
		func(ctx workflow.Context, s workflows.AcknowledgeSignal) (workflows.SignalResult, error) {
			st.AcknowledgedBy = s.From
			return workflows.SignalResult{Accepted: true, Phase: st.Phase, Message: "acknowledged"}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(s workflows.AcknowledgeSignal) error {
			if s.From != "dana.reyes@agency.example" {
				return temporal.NewApplicationError(fmt.Sprintf("from: %s is not a liaison of organization %s", s.From, in.OrganizationID), workflows.ErrInvalidInput)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

func TestAgreementSignalThroughTheUpdateAndStatus(t *testing.T) {
	srv := startDevServer(t)
	queue := fmt.Sprintf("exitflow-update-%d", time.Now().UnixNano())
	w := worker.New(srv.Client(), queue, worker.Options{})
	w.RegisterWorkflowWithOptions(fakeAgreement, workflow.RegisterOptions{Name: workflows.AgencyAgreementWorkflow})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	env := append(temporalEnv(srv, "default"), "EXITFLOW_TASK_QUEUE="+queue)
	id := fmt.Sprintf("U%d", time.Now().UnixNano())
	_, errOut, code := cli(t, env, "agreement", "start", "--agreement-id", id, "--organization", "3", "--project", "6",
		"--method", "admin", "--period-end", "2027-01-31", "--liaison", "dana.reyes@agency.example", "--hmis-staff", "sam.ortiz@coc.example")
	require.Equal(t, 0, code, errOut)

	out, errOut, code := cli(t, env, "agreement", "signal", id, "acknowledge", "--json", `{"from":"sam.ortiz@coc.example","note":"x"}`)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "acknowledge rejected: from: sam.ortiz@coc.example is not a liaison of organization 3")
	out, errOut, code = cli(t, env, "agreement", "signal", id, "acknowledge", "--json", `{"from":"dana.reyes@agency.example","note":"ok"}`)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "acknowledge accepted (phase acknowledgement): acknowledged")

	out, errOut, code = cli(t, env, "agreement", "status", id)
	require.Equal(t, 0, code, errOut)
	for _, s := range []string{`phase\s+acknowledgement\n`, `method\s+admin\n`, `period end\s+2027-01-31\n`, `acknowledged\s+dana.reyes@agency.example\n`, `rejected signals\s+0\n`} {
		assert.Regexp(t, s, out)
	}
	out, errOut, code = cli(t, env, "agreement", "status", id, "--format", "json")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.Contains(out, `"phase": "acknowledgement"`), out)
	_, errOut, code = cli(t, env, "agreement", "status", id, "--format", "xml")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--format "xml": want table or json`)
}
