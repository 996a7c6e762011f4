package workflows

import (
	_ "time/tzdata" // workflow code calls time.LoadLocation: same zones on every worker host (NOTES)

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers exitflow's workflows under their names on a worker.
func Register(w worker.Registry) {
	w.RegisterWorkflowWithOptions(AgencyAgreement, workflow.RegisterOptions{Name: AgencyAgreementWorkflow})
	w.RegisterWorkflowWithOptions(FollowUpDQM, workflow.RegisterOptions{Name: FollowUpDQMWorkflow})
	w.RegisterWorkflowWithOptions(AutoExitSweep, workflow.RegisterOptions{Name: AutoExitSweepWorkflow})
}
