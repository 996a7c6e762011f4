package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// activityCtx is the options of the short activities: retried with backoff, bounded.
func activityCtx(ctx workflow.Context, attempts int32) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			MaximumAttempts: attempts, NonRetryableErrorTypes: []string{ErrInvalidInput},
		},
	})
}

// setPhase moves the agreement to phase p, keeping ExitflowPhase and the current details current (SPEC AG8).
func (s *agreementState) setPhase(ctx workflow.Context, p Phase) {
	if s.cancelled && p != PhaseCancelled {
		return // a cancel wins over the main flow's next step (SPEC AG3)
	}
	s.status.Phase = p
	s.refresh(ctx)
	if s.validated {
		if err := workflow.UpsertTypedSearchAttributes(ctx, SearchPhase.ValueSet(string(p))); err != nil {
			workflow.GetLogger(ctx).Warn("upsert phase failed", "phase", p, "error", err)
		}
	}
}

// refresh recomputes the next deadline and reminder and republishes the current details.
func (s *agreementState) refresh(ctx workflow.Context) {
	st := &s.status
	st.NextDeadline, st.NextReminder = nil, nil
	switch st.Phase {
	case PhaseNotice, PhasePeriod, PhasePaused:
		if !s.end.IsZero() {
			st.NextDeadline = timePtr(s.end)
			if !s.reminded && s.reminderAt().After(workflow.Now(ctx)) {
				st.NextReminder = timePtr(s.reminderAt())
			}
		}
	case PhaseAcknowledgement:
		if !s.nextAck.IsZero() {
			st.NextReminder = timePtr(s.nextAck)
		}
	}
	workflow.SetCurrentDetails(ctx, s.details())
}

// record writes an audit step (SPEC U1); an audit failure after its retries is logged, not fatal.
func (s *agreementState) record(ctx workflow.Context, actor, step, reason string, details map[string]any) {
	in := StepInput{
		AgreementID: s.status.AgreementID, WorkflowID: s.wfID, RunID: s.runID,
		Actor: actor, Step: step, Reason: reason, Details: details,
	}
	err := workflow.ExecuteActivity(activityCtx(ctx, 10), ActivityRecordStep, in).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("record step failed", "step", step, "error", err)
	}
}

// notify sends one kind of notice; a failure is counted in NotifyFailures and never stops the
// agreement (issue 10: SMTP down, the agreement goes on).
func (s *agreementState) notify(ctx workflow.Context, step string, in NotifyInput) {
	in.Key = s.wfID + "/" + step
	in.Agreement = s.ag
	if in.Counts == (Counts{}) {
		in.Counts = s.status.Counts
	}
	var res NotifyResult
	err := workflow.ExecuteActivity(activityCtx(ctx, 8), ActivityNotify, in).Get(ctx, &res)
	switch {
	case err != nil:
		s.status.NotifyFailures += max(1, len(in.To))
		workflow.GetLogger(ctx).Error("notify failed", "step", step, "error", err)
	case res.Failed > 0:
		s.status.NotifyFailures += res.Failed
	}
	s.refresh(ctx)
}

// staff is the HMIS staff member as a recipient list.
func (s *agreementState) staff() []string { return []string{s.ag.HMISStaff} }

// everyone is the liaisons and the HMIS staff member.
func (s *agreementState) everyone() []string {
	return append(append([]string{}, s.ag.Liaisons...), s.ag.HMISStaff)
}
