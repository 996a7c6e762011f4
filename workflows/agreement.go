package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// AgencyAgreement runs one agency agreement from notice to follow-up (SPEC AG1–AG8).
func AgencyAgreement(ctx workflow.Context, in AgreementInput) (AgreementResult, error) {
	s := newState(ctx, in)
	chans, err := s.registerHandlers(ctx)
	if err != nil {
		return AgreementResult{}, err
	}
	s.refresh(ctx)
	if err := s.validate(ctx, in); err != nil {
		return AgreementResult{}, err
	}
	workflow.Go(ctx, func(ctx workflow.Context) { s.listen(ctx, chans) })
	if err := s.run(ctx); err != nil {
		return AgreementResult{}, err
	}
	s.drain(ctx, chans)
	if err := workflow.Await(ctx, func() bool { return s.inflight == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return AgreementResult{}, err
	}
	return s.result(), nil
}

// run goes through the phases; a cancel stops it at the next step (SPEC AG3).
func (s *agreementState) run(ctx workflow.Context) error {
	steps := []func(workflow.Context) error{s.notice, s.period, s.exits, s.acknowledgement, s.followUp}
	for _, step := range steps {
		if s.cancelled {
			return nil
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	if s.cancelled {
		return nil
	}
	s.setPhase(ctx, PhaseCompleted)
	s.record(ctx, s.ag.HMISStaff, "completed", "", countDetails(s.status.Counts))
	return nil
}

// validate checks the input against the database (SPEC AG1); refused input fails the run at once
// with a non-retryable error naming the field.
func (s *agreementState) validate(ctx workflow.Context, in AgreementInput) error {
	var ag Agreement
	err := workflow.ExecuteActivity(activityCtx(ctx, 10), ActivityValidateAgreement,
		ValidateInput{Input: in, WorkflowID: s.wfID}).Get(ctx, &ag)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrInvalidInput {
		return temporal.NewNonRetryableApplicationError(appErr.Message(), ErrInvalidInput, nil)
	}
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(ag.TimeZone)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("time_zone: unknown time zone "+ag.TimeZone, ErrInvalidInput, nil)
	}
	s.ag, s.loc = ag, loc
	if err := s.setEnd(ag.PeriodEnd); err != nil {
		return temporal.NewNonRetryableApplicationError("period_end: not a YYYY-MM-DD date", ErrInvalidInput, nil)
	}
	s.validated = true
	s.status.Method = ag.Method
	err = workflow.UpsertTypedSearchAttributes(ctx, // SPEC AG8
		SearchAgency.ValueSet(ag.OrganizationID), SearchProjects.ValueSet(ag.ProjectIDs),
		SearchMethod.ValueSet(string(ag.Method)), SearchPhase.ValueSet(string(s.status.Phase)))
	if err != nil {
		return err
	}
	s.record(ctx, ag.HMISStaff, "started", "", map[string]any{"period_end": ag.PeriodEnd, "method": string(ag.Method)})
	return nil
}

// notice snapshots the candidates and tells the liaisons (SPEC AG2).
func (s *agreementState) notice(ctx workflow.Context) error {
	s.setPhase(ctx, PhaseNotice)
	var snap SnapshotResult
	err := workflow.ExecuteActivity(activityCtx(ctx, 0), ActivitySnapshotCandidates,
		SnapshotInput{Agreement: s.ag, WorkflowID: s.wfID, RunID: s.runID}).Get(ctx, &snap)
	if err != nil {
		return err
	}
	c := &s.status.Counts
	c.CandidateEnrollments, c.CandidateHouseholds, c.StillOpen = snap.Enrollments, snap.Households, snap.Enrollments
	s.record(ctx, s.ag.HMISStaff, "snapshot", "", countDetails(*c))
	if s.cancelled {
		return nil
	}
	s.notify(ctx, "notice", NotifyInput{Kind: NoticeAgreement, To: s.ag.Liaisons, Deadline: s.ag.PeriodEnd})
	s.record(ctx, s.ag.HMISStaff, "notice", "", map[string]any{"period_end": s.ag.PeriodEnd})
	return nil
}

// countDetails is the audit details of counts (IDs and counts only, SPEC S1).
func countDetails(c Counts) map[string]any {
	return map[string]any{
		"candidate_enrollments": c.CandidateEnrollments, "candidate_households": c.CandidateHouseholds,
		"exited_by_agency": c.ExitedByAgency, "exited_by_engine": c.ExitedByEngine, "still_open": c.StillOpen,
	}
}
