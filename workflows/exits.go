package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// exitsCtx is RunExits' options: long, heartbeating, retried with backoff until it succeeds
// (issue 10: PostgreSQL down or the worker killed during the exits; the activity is idempotent).
func exitsCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		Summary:             "exits",
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
			NonRetryableErrorTypes: []string{ErrInvalidInput},
		},
	})
}

// exits tells the liaisons the process begins, runs the exits and sends the completion notice (SPEC AG4–AG5).
func (s *agreementState) exits(ctx workflow.Context) error {
	s.setPhase(ctx, PhaseExiting)
	s.notify(ctx, "process-begins", NotifyInput{Kind: NoticeProcessBegins, To: s.ag.Liaisons, Deadline: s.ag.PeriodEnd})
	if err := s.counts(ctx); err != nil {
		return err
	}
	s.asOf = s.ag.PeriodEnd
	if today := s.today(ctx); today > s.asOf {
		s.asOf = today // the period ran late (a pause): the exits are as of the day they run
	}
	var res ExitsResult
	err := workflow.ExecuteActivity(exitsCtx(ctx), ActivityRunExits, ExitsInput{
		Agreement: s.ag, AsOf: s.asOf, WorkflowID: s.wfID, RunID: s.runID,
	}).Get(ctx, &res)
	if err != nil {
		return err
	}
	s.status.ExitRunID = res.ExitRunID
	if err := s.counts(ctx); err != nil {
		return err
	}
	s.exitsDone = true
	d := countDetails(s.status.Counts)
	d["exit_run_id"], d["as_of"], d["policy_changed"] = res.ExitRunID, s.asOf, res.PolicyChanged
	s.record(ctx, s.ag.HMISStaff, "exits", "", d)
	s.setPhase(ctx, PhaseAcknowledgement)
	s.notify(ctx, "completion", NotifyInput{Kind: NoticeCompletion, To: s.ag.Liaisons, ExitRunID: res.ExitRunID})
	return nil
}

// counts refreshes what became of the candidates.
func (s *agreementState) counts(ctx workflow.Context) error {
	var c Counts
	err := workflow.ExecuteActivity(activityCtx(ctx, 0), ActivityAgreementCounts,
		CountsInput{AgreementID: s.ag.AgreementID}).Get(ctx, &c)
	if err != nil {
		return err
	}
	s.status.Counts = c
	s.refresh(ctx)
	return nil
}
