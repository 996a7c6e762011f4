package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// TestExitsRetried: RunExits failing twice (PostgreSQL down) is retried; the exits run once in the end.
func TestExitsRetried(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	attempts := 0
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in ExitsInput) (ExitsResult, error) {
		attempts++
		if attempts < 3 {
			return ExitsResult{}, errors.New("connection refused")
		}
		if activity.GetInfo(ctx).Attempt != 3 {
			t.Errorf("attempt %d", activity.GetInfo(ctx).Attempt)
		}
		return ExitsResult{ExitRunID: 9}, nil
	}, activity.RegisterOptions{Name: ActivityRunExits})
	h.ackAt(32 * day)
	res := h.run()
	if attempts != 3 || res.Phase != PhaseCompleted || h.status().ExitRunID != 9 {
		t.Fatalf("attempts %d result %+v", attempts, res)
	}
}

// TestExitsNonRetryableFails: a refused exits run (bad input) fails the agreement instead of looping.
func TestExitsNonRetryableFails(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.env.RegisterActivityWithOptions(func(context.Context, ExitsInput) (ExitsResult, error) {
		return ExitsResult{}, temporal.NewNonRetryableApplicationError("window_days: must be positive", ErrInvalidInput, nil)
	}, activity.RegisterOptions{Name: ActivityRunExits})
	h.env.ExecuteWorkflow(AgencyAgreementWorkflow, h.ag.AgreementInput)
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput {
		t.Fatalf("error %v", err)
	}
}

// TestStatusDuringPeriod: the status query shows the phase, the deadline, the next reminder and the counts (SPEC AG8).
func TestStatusDuringPeriod(t *testing.T) {
	h := newHarness(t, MethodAuto)
	var mid AgreementStatus
	h.env.RegisterDelayedCallback(func() { mid = h.status() }, 2*day)
	h.ackAt(32 * day)
	h.run()
	if mid.Phase != PhasePeriod || mid.NextDeadline == nil || !mid.NextDeadline.Equal(at(t, "2026-04-01")) ||
		mid.NextReminder == nil || !mid.NextReminder.Equal(at(t, "2026-03-25")) || mid.Counts.CandidateEnrollments != 10 {
		t.Fatalf("status during the period %+v", mid)
	}
}
