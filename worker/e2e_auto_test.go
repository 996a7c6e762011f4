package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC AG4, P7: an auto agreement switches the agreed policy on for its project, recorded as the
// agreement's confirmation, and the first auto-exit pass exits the inactive households at once;
// then the liaison acknowledges and the DQM schedule's first run is at the end of the first window.
func TestE2E_AutoAgreementSwitchesThePolicyOnAndExits(t *testing.T) {
	s, count := startStack(t)
	today := time.Now().In(mustLoc(t, "America/New_York"))
	input := fmt.Sprintf(`{"agreement_id":"AU1","organization_id":"O1","project_ids":["P1"],"method":"auto","period_end":%q,`+
		`"liaisons":["lia@harbor.example"],"hmis_staff":"sam@coc.example","auto_exit_days":90,"alert_days":80,"dqm_every":"monthly"}`,
		today.Format(time.DateOnly))
	s.temporal(t, "workflow", "start", "--type", workflows.AgencyAgreementWorkflow, "--task-queue", s.q,
		"--workflow-id", workflows.AgreementWorkflowID("AU1"), "--input", input)

	st := s.waitPhase(t, "AU1", workflows.PhaseAcknowledgement)
	assert.Equal(t, 3, st.Counts.ExitedByEngine, "H1 and H2, inactive since January; H3 had a service last week")
	assert.Equal(t, 3, count(`SELECT count(*) FROM exitflow.engine_exit WHERE workflow_id = $1`, workflows.AgreementWorkflowID("AU1")))
	assert.Equal(t, 1, count(`SELECT count(*) FROM exitflow.policy WHERE scope = 'project' AND scope_id = 'P1' AND auto_exit_days = 90 AND alert_days = 80`),
		"the agreed policy is on for the project")
	s.temporal(t, "workflow", "signal", "--workflow-id", workflows.AgreementWorkflowID("AU1"),
		"--name", string(workflows.ActionAcknowledge), "--input", `{"from":"lia@harbor.example","note":""}`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res workflows.AgreementResult
	require.NoError(t, s.c.GetWorkflow(ctx, workflows.AgreementWorkflowID("AU1"), "").Get(ctx, &res), "worker log:\n%s", s.log.String())
	assert.Equal(t, workflows.PhaseCompleted, res.Phase)
	d, err := s.c.ScheduleClient().GetHandle(ctx, workflows.DQMScheduleID("AU1")).Describe(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, d.Info.NextActionTimes)
	first := d.Info.NextActionTimes[0].In(mustLoc(t, "America/New_York"))
	windowEnd := today.AddDate(0, 0, 90)
	assert.WithinDuration(t, time.Date(windowEnd.Year(), windowEnd.Month(), windowEnd.Day(), 6, 0, 0, 0, first.Location()), first, 72*time.Hour,
		"the first follow-up DQM at the end of the first auto-exit window (06:00; the day capped at the 28th)")
	assertNoPersonalData(t, s, "AU1")
	recordHistory(t, s, workflows.AgreementWorkflowID("AU1"), "agreement-auto.json")
}

// SPEC AG3: HMIS staff cancel an agreement during its period; nothing is exited.
func TestE2E_CancelDuringThePeriod(t *testing.T) {
	s, count := startStack(t)
	end := time.Now().In(mustLoc(t, "America/New_York")).AddDate(0, 0, 30).Format(time.DateOnly)
	input := fmt.Sprintf(`{"agreement_id":"C1","organization_id":"O1","project_ids":["P1"],"method":"admin","period_end":%q,`+
		`"liaisons":["lia@harbor.example"],"hmis_staff":"sam@coc.example"}`, end)
	s.temporal(t, "workflow", "start", "--type", workflows.AgencyAgreementWorkflow, "--task-queue", s.q,
		"--workflow-id", workflows.AgreementWorkflowID("C1"), "--input", input)
	s.waitPhase(t, "C1", workflows.PhasePeriod)
	s.temporal(t, "workflow", "update", "execute", "--workflow-id", workflows.AgreementWorkflowID("C1"),
		"--name", workflows.UpdateName(workflows.ActionCancel), "--input", `{"from":"sam@coc.example","reason":"project stays open"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res workflows.AgreementResult
	require.NoError(t, s.c.GetWorkflow(ctx, workflows.AgreementWorkflowID("C1"), "").Get(ctx, &res), "worker log:\n%s", s.log.String())
	assert.Equal(t, workflows.PhaseCancelled, res.Phase)
	assert.Equal(t, 0, count(`SELECT count(*) FROM hmis.exit`), "nothing exited")
	_, err := s.c.ScheduleClient().GetHandle(ctx, workflows.DQMScheduleID("C1")).Describe(ctx)
	assert.Error(t, err, "no follow-up schedule for a cancelled agreement")
	recordHistory(t, s, workflows.AgreementWorkflowID("C1"), "agreement-cancel.json")
}
