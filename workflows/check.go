package workflows

import (
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// check is the one rule of the signals and the updates: it returns why an action is refused, or
// "" (SPEC AG3, AG6, S2). It reads the state only, so update validators can call it.
func (s *agreementState) check(ctx workflow.Context, a Action, raw json.RawMessage) (any, string) {
	v, err := decodeSignal(a, raw)
	if err != nil {
		return nil, "malformed: " + err.Error()
	}
	if !s.validated {
		return v, "the agreement is not validated yet"
	}
	from := fromOf(v)
	switch a {
	case ActionAcknowledge, ActionReportIssue:
		if !s.isLiaison(from) {
			return v, "only a liaison of this agreement can " + string(a) // SPEC S2
		}
	default:
		if !s.isStaff(from) {
			return v, "only the agreement's HMIS staff member can " + string(a) // SPEC S2
		}
	}
	return v, s.checkPhase(ctx, a, v)
}

// checkPhase is the phase part of check.
func (s *agreementState) checkPhase(ctx workflow.Context, a Action, v any) string {
	p := s.status.Phase
	if p == PhaseCompleted || p == PhaseCancelled {
		return "the agreement is already " + string(p)
	}
	switch a {
	case ActionAcknowledge: // SPEC AG6
		if s.status.AcknowledgedBy != "" {
			return "already acknowledged by " + s.status.AcknowledgedBy
		}
		if p != PhaseAcknowledgement {
			return "the exits have not run yet (phase " + string(p) + ")"
		}
	case ActionReportIssue:
		if p == PhasePaused {
			return "the agreement is already paused"
		}
		if p != PhaseNotice && p != PhasePeriod {
			return "issues can be reported during the period only (phase " + string(p) + ")"
		}
	case ActionResume:
		if p != PhasePaused {
			return "the agreement is not paused (phase " + string(p) + ")"
		}
	case ActionExtend:
		return s.checkExtend(ctx, v.(*ExtendSignal).PeriodEnd)
	case ActionCancel:
		if p == PhaseExiting || p == PhaseFollowUp {
			return "cannot cancel while " + string(p) + " runs"
		}
	}
	return ""
}

// checkExtend checks an extension: during the period, a real date after today and after the current end.
func (s *agreementState) checkExtend(ctx workflow.Context, date string) string {
	p := s.status.Phase
	if p != PhaseNotice && p != PhasePeriod && p != PhasePaused {
		return "the period can be extended during the period only (phase " + string(p) + ")"
	}
	d, err := s.dayStart(date)
	if err != nil || d.Format(dateLayout) != date {
		return fmt.Sprintf("period_end %q is not a YYYY-MM-DD date", date)
	}
	if date <= s.today(ctx) {
		return "period_end " + date + " must be after today " + s.today(ctx)
	}
	if date <= s.ag.PeriodEnd {
		return "period_end " + date + " must be after the current end " + s.ag.PeriodEnd
	}
	return ""
}
