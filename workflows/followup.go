package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// scheduledStart is the search attribute holding a scheduled run's nominal time (NOTES).
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// FollowUpDQM runs one follow-up DQM of an agreement's projects as of the schedule's nominal day
// (SPEC AG7, Q1–Q3).
func FollowUpDQM(ctx workflow.Context, in FollowUpInput) (FollowUpResult, error) {
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return FollowUpResult{}, temporal.NewNonRetryableApplicationError("time_zone: unknown time zone "+in.TimeZone, ErrInvalidInput, nil)
	}
	nominal, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart)
	if !ok {
		nominal = workflow.Now(ctx) // started by hand, not by the schedule
	}
	info := workflow.GetInfo(ctx)
	run := FollowUpRun{
		FollowUp: in, AsOf: nominal.In(loc).Format(dateLayout),
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
	}
	var res FollowUpResult
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
			MaximumAttempts: 20, NonRetryableErrorTypes: []string{ErrInvalidInput},
		},
	}), ActivityRunFollowUpDQM, run).Get(ctx, &res)
	return res, err
}
