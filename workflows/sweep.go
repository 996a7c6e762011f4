package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// AutoExitSweep runs one daily auto-exit sweep (issue 11; SPEC H2, AL1–AL3, N3, N5): it claims the
// day's sweep, exits the inactive households page by page (continuing as new every PagesPerRun
// pages or when Temporal suggests it), records and mails the alerts, mails the exit notices and
// the summary, and closes the sweep's record. IDs, dates and counts only (SPEC S1).
func AutoExitSweep(ctx workflow.Context, in SweepInput) (SweepResult, error) {
	s, err := newSweep(ctx, in)
	if err != nil {
		return SweepResult{}, err
	}
	if err := s.registerQuery(ctx); err != nil {
		return SweepResult{}, err
	}
	s.publish(ctx)
	for {
		switch s.p.Stage {
		case StageBegin:
			if err := s.begin(ctx); err != nil {
				return SweepResult{}, err
			}
		case StageExits:
			more, err := s.exits(ctx)
			if err != nil {
				return SweepResult{}, err
			}
			if more {
				return SweepResult{}, s.continueAsNew(ctx)
			}
		case StageAlerts:
			if err := s.alerts(ctx); err != nil {
				return SweepResult{}, err
			}
		case StageNotices:
			if err := s.notices(ctx); err != nil {
				return SweepResult{}, err
			}
		case StageSkipped:
			return s.finished(ctx, SweepResult{SweepID: s.p.SweepID, AsOf: s.p.AsOf, Skipped: s.p.Skipped,
				Projects: []SweepProjectCount{}, Executions: s.p.Executions, Pages: s.p.Pages})
		case StageDone:
			res, err := s.finish(ctx)
			if err != nil {
				return SweepResult{}, err
			}
			return s.finished(ctx, res)
		default:
			return SweepResult{}, invalidInput("resume.stage: unknown stage %q", s.p.Stage)
		}
	}
}

// sweep is one sweep execution's state: the input, and the progress the query answers.
type sweep struct {
	in          SweepInput
	wfID, runID string
	firstRunID  string
	pageSize    int
	perRun      int
	p           SweepProgress
}

// newSweep starts the state of an execution: fresh, or where the previous execution left off.
func newSweep(ctx workflow.Context, in SweepInput) (*sweep, error) {
	info := workflow.GetInfo(ctx)
	s := &sweep{
		in: in, wfID: info.WorkflowExecution.ID, runID: info.WorkflowExecution.RunID, firstRunID: info.FirstRunID,
		pageSize: in.PageHouseholds, perRun: in.PagesPerRun,
	}
	if s.firstRunID == "" {
		s.firstRunID = s.runID // the test suite leaves it empty; begin only runs in the first execution
	}
	if s.pageSize <= 0 {
		s.pageSize = DefaultSweepPageHouseholds
	}
	if s.perRun <= 0 {
		s.perRun = DefaultSweepPagesPerRun
	}
	if in.Resume == nil {
		s.p.SweepState = SweepState{AsOf: in.AsOf, Stage: StageBegin, Executions: 1}
		return s, nil
	}
	s.p.SweepState = *in.Resume
	switch {
	case s.p.Stage == "":
		s.p.Stage = StageBegin
	case s.p.Stage == StageSkipped:
		return nil, invalidInput("resume.stage: a skipped sweep does not resume")
	case s.p.Stage != StageBegin && s.p.SweepID == 0:
		return nil, invalidInput("resume.sweep_id: missing for stage %q", s.p.Stage)
	}
	if s.p.Executions < 1 {
		s.p.Executions = 1
	}
	return s, nil
}

// registerQuery registers the progress query at the top of the run (NOTES: the UI lists it).
func (s *sweep) registerQuery(ctx workflow.Context) error {
	return workflow.SetQueryHandlerWithOptions(ctx, QueryProgress, func() (SweepProgress, error) {
		return s.p, nil
	}, workflow.QueryHandlerOptions{Description: "Stage, households done of total, exits pages, executions and counts of the sweep"})
}

// setStage moves the sweep to stage st and republishes the current details.
func (s *sweep) setStage(ctx workflow.Context, st SweepStage) {
	s.p.Stage = st
	s.publish(ctx)
}

// publish keeps the UI's current details current: IDs and counts only (SPEC S1).
func (s *sweep) publish(ctx workflow.Context) { workflow.SetCurrentDetails(ctx, s.details()) }

// details is the UI's "current details" markdown.
func (s *sweep) details() string {
	p := s.p
	var b strings.Builder
	b.WriteString("**Auto-exit sweep**")
	if p.SweepID != 0 {
		b.WriteString(fmt.Sprintf(" %d", p.SweepID))
	}
	b.WriteString(fmt.Sprintf("\n\n**Stage:** %s", p.Stage))
	if p.AsOf != "" {
		b.WriteString(fmt.Sprintf("\n\n**As of:** %s", p.AsOf))
	}
	if p.Skipped != "" {
		b.WriteString(fmt.Sprintf(" (skipped: %s)", p.Skipped))
	}
	b.WriteString(fmt.Sprintf("\n\n**Households:** %d of %d done · **pages:** %d · **executions:** %d",
		p.HouseholdsDone, p.HouseholdsTotal, p.Pages, p.Executions))
	if p.ExitRunID != 0 {
		b.WriteString(fmt.Sprintf("\n\n**Exit run:** %d", p.ExitRunID))
	}
	if p.Stage == StageNotices || p.Stage == StageDone {
		b.WriteString(fmt.Sprintf("\n\n**Alerts:** %d (%d digests) · **exit notices:** %d · **summaries:** %d",
			p.Alerts, p.AlertMessages, p.ExitNotices, p.Summaries))
	}
	return b.String()
}

// continueAsNew hands the sweep to a fresh execution with the same input and the state so far,
// once the handlers finished (NOTES).
func (s *sweep) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	next := s.in
	st := s.p.SweepState
	st.Executions++
	next.Resume = &st
	workflow.GetLogger(ctx).Info("sweep continues as new", "sweep_id", st.SweepID, "pages", st.Pages,
		"households_done", st.HouseholdsDone, "executions", st.Executions)
	return workflow.NewContinueAsNewError(ctx, AutoExitSweepWorkflow, next)
}

// finished waits for the handlers and returns the sweep's result.
func (s *sweep) finished(ctx workflow.Context, res SweepResult) (SweepResult, error) {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return SweepResult{}, err
	}
	return res, nil
}

// ScheduledDay is the sweep's day, YYYY-MM-DD, of a scheduled run whose nominal start time is
// nominal, read in the CoC time zone loc (nil: UTC). Never the workflow's or the worker's clock.
func ScheduledDay(nominal time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return nominal.In(loc).Format(dateLayout)
}

// invalidInput is a non-retryable ErrInvalidInput failure whose message names the field.
func invalidInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrInvalidInput, nil)
}
