package activities

import (
	"context"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/activity"
)

// RecordStep records an agreement step or a rejected signal in the audit log (SPEC U1), once: its
// key is the workflow run and the activity's ID, which every retry of the activity shares.
func (a *Activities) RecordStep(ctx context.Context, in workflows.StepInput) error {
	d := map[string]any{"agreement_id": in.AgreementID}
	for k, v := range in.Details {
		d[k] = v
	}
	info := activity.GetInfo(ctx)
	key := info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID
	err := engine.RecordAgreementStep(ctx, a.Pool, in.Actor, in.Step, in.Reason, in.WorkflowID, in.RunID, key, d)
	return classify("recording step "+in.Step, err)
}
