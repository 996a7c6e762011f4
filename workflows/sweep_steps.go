package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// sweepNonRetryable are the failures retrying cannot cure: they end an activity's retries.
var sweepNonRetryable = []string{ErrInvalidInput, ErrPermanent}

// sweepShortCtx is BeginSweep's and FinishSweep's options: short, retried with backoff
// (PostgreSQL restarting); attempts 0 retries until it succeeds.
func sweepShortCtx(ctx workflow.Context, summary string, attempts int32) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		Summary:             summary,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			MaximumAttempts: attempts, NonRetryableErrorTypes: sweepNonRetryable,
		},
	})
}

// sweepPageCtx is an exits page's options: long, heartbeating, retried with backoff until it
// succeeds (issue 10: PostgreSQL down or the worker killed; a page resumes the sweep's run).
func sweepPageCtx(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		Summary:             summary,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
			NonRetryableErrorTypes: sweepNonRetryable,
		},
	})
}

// sweepMailCtx is the alerts' and notices' options: heartbeating, retried with backoff until every
// message is delivered (SMTP down: each retry resumes after the last message sent, SPEC N4).
func sweepMailCtx(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		Summary:             summary,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 30 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
			NonRetryableErrorTypes: sweepNonRetryable,
		},
	})
}

// begin resolves the as-of date and claims the day's sweep; a sweep already running makes this
// one skip (it completes, doing nothing). Invalid input fails the run with ErrInvalidInput.
func (s *sweep) begin(ctx workflow.Context) error {
	in, err := s.beginInput(ctx)
	if err != nil {
		return err
	}
	var got SweepBegun
	err = workflow.ExecuteActivity(sweepShortCtx(ctx, "begin sweep", 0), ActivityBeginSweep, in).Get(ctx, &got)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrInvalidInput {
		return temporal.NewNonRetryableApplicationError(appErr.Message(), ErrInvalidInput, nil)
	}
	if err != nil {
		return err
	}
	s.p.SweepID, s.p.AsOf = got.SweepID, got.AsOf
	if got.Skipped != "" {
		s.p.Skipped = got.Skipped
		s.setStage(ctx, StageSkipped)
		return nil
	}
	s.setStage(ctx, StageExits)
	return nil
}

// beginInput is BeginSweep's input: the input's as-of date, else the schedule's nominal day in the
// CoC time zone (or the nominal time itself, for BeginSweep to read in the worker's zone).
func (s *sweep) beginInput(ctx workflow.Context) (SweepBeginInput, error) {
	in := SweepBeginInput{AsOf: s.in.AsOf, ProjectIDs: s.in.ProjectIDs, WorkflowID: s.wfID, FirstRunID: s.firstRunID}
	var loc *time.Location
	if s.in.TimeZone != "" {
		l, err := time.LoadLocation(s.in.TimeZone)
		if err != nil {
			return in, invalidInput("time_zone: unknown time zone %q", s.in.TimeZone)
		}
		loc = l
	}
	if in.AsOf != "" {
		return in, nil
	}
	nominal, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart)
	if !ok || nominal.IsZero() {
		return in, nil // started by hand: BeginSweep takes today in the worker's zone
	}
	if loc != nil {
		in.AsOf = ScheduledDay(nominal, loc)
		return in, nil
	}
	in.Scheduled = &nominal
	return in, nil
}

// exits runs the exits page by page until the run is finished; it reports true when this
// execution has done its share (PagesPerRun pages, or Temporal suggests it) and must continue as new.
func (s *sweep) exits(ctx workflow.Context) (bool, error) {
	for pages := 0; ; {
		in := SweepPageInput{
			SweepID: s.p.SweepID, AsOf: s.p.AsOf, ProjectIDs: s.in.ProjectIDs, PageHouseholds: s.pageSize,
			WorkflowID: s.wfID, RunID: s.runID,
		}
		summary := fmt.Sprintf("exits page %d (%d of %d households done)", s.p.Pages+1, s.p.HouseholdsDone, s.p.HouseholdsTotal)
		var page SweepPage
		if err := workflow.ExecuteActivity(sweepPageCtx(ctx, summary), ActivitySweepExitsPage, in).Get(ctx, &page); err != nil {
			return false, err
		}
		pages++
		s.p.Pages++
		if page.ExitRunID != 0 {
			s.p.ExitRunID = page.ExitRunID
		}
		s.p.HouseholdsDone, s.p.HouseholdsTotal = page.HouseholdsDone, page.HouseholdsTotal
		if page.Finished {
			s.setStage(ctx, StageAlerts)
			return false, nil
		}
		s.publish(ctx)
		// At least one page per execution: a suggestion that stays on cannot loop without progress.
		if pages >= s.perRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return true, nil
		}
	}
}

// stepInput is the alerts' and notices' input.
func (s *sweep) stepInput() SweepStepInput {
	return SweepStepInput{
		SweepID: s.p.SweepID, AsOf: s.p.AsOf, ProjectIDs: s.in.ProjectIDs, ExitRunID: s.p.ExitRunID,
		WorkflowID: s.wfID, RunID: s.runID,
	}
}

// alerts records the sweep's alerts and mails one digest per recipient (SPEC AL1–AL3).
func (s *sweep) alerts(ctx workflow.Context) error {
	var res SweepAlertsResult
	err := workflow.ExecuteActivity(sweepMailCtx(ctx, "alerts and digests"), ActivitySweepAlerts, s.stepInput()).Get(ctx, &res)
	if err != nil {
		return err
	}
	s.p.Alerts, s.p.AlertMessages = res.Alerts, res.Messages
	if res.Failed > 0 {
		workflow.GetLogger(ctx).Warn("alert digests refused", "sweep_id", s.p.SweepID, "failed", res.Failed)
	}
	s.setStage(ctx, StageNotices)
	return nil
}

// notices mails the exit notices to the assigned staff (SPEC N5) and the summary to HMIS staff (N3).
func (s *sweep) notices(ctx workflow.Context) error {
	var res SweepNoticesResult
	err := workflow.ExecuteActivity(sweepMailCtx(ctx, fmt.Sprintf("exit notices of run %d", s.p.ExitRunID)),
		ActivitySweepNotices, s.stepInput()).Get(ctx, &res)
	if err != nil {
		return err
	}
	s.p.ExitNotices, s.p.Summaries = res.ExitNotices, res.Summaries
	if res.Unassigned > 0 {
		workflow.GetLogger(ctx).Info("exited enrollments without assigned staff", "sweep_id", s.p.SweepID, "unassigned", res.Unassigned)
	}
	s.setStage(ctx, StageDone)
	return nil
}

// finish closes the sweep's record with the steps' counts and returns what the sweep did.
func (s *sweep) finish(ctx workflow.Context) (SweepResult, error) {
	in := SweepFinishInput{
		SweepID: s.p.SweepID, ExitRunID: s.p.ExitRunID, AlertMessages: s.p.AlertMessages,
		ExitNotices: s.p.ExitNotices, Summaries: s.p.Summaries, Executions: s.p.Executions, Pages: s.p.Pages,
	}
	var res SweepResult
	if err := workflow.ExecuteActivity(sweepShortCtx(ctx, "finish sweep", 0), ActivityFinishSweep, in).Get(ctx, &res); err != nil {
		return SweepResult{}, err
	}
	if res.Executions == 0 {
		res.Executions = s.p.Executions
	}
	if res.Pages == 0 {
		res.Pages = s.p.Pages
	}
	if res.Projects == nil {
		res.Projects = []SweepProjectCount{}
	}
	s.publish(ctx)
	return res, nil
}
