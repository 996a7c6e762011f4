package activities

import (
	"context"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
)

// RecordStep records an agreement step or a rejected signal in the audit log (SPEC U1). A retry
// may record it twice: the audit is a log, and a doubled line says nothing false.
func (a *Activities) RecordStep(ctx context.Context, in workflows.StepInput) error {
	d := map[string]any{"agreement_id": in.AgreementID}
	for k, v := range in.Details {
		d[k] = v
	}
	err := engine.RecordAgreementStep(ctx, a.Pool, in.Actor, in.Step, in.Reason, in.WorkflowID, in.RunID, d)
	return classify("recording step "+in.Step, err)
}
