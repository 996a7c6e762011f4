package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"
)

// apply performs an accepted action: the state changes at once, the notices and audit follow in
// the background (SPEC AG3, AG6).
func (s *agreementState) apply(ctx workflow.Context, a Action, v any) {
	s.version++
	switch p := v.(type) {
	case *AcknowledgeSignal:
		s.status.AcknowledgedBy = p.From
		s.status.AcknowledgedAt = timePtr(workflow.Now(ctx))
		s.refresh(ctx)
		s.background(ctx, func(ctx workflow.Context) { s.record(ctx, p.From, "acknowledged", p.Note, nil) })
	case *ReportIssueSignal:
		s.status.Paused, s.status.Issue = true, p.Description
		s.setPhase(ctx, PhasePaused)
		s.changed(ctx, p.From, "paused", p.Description, "")
	case *ResumeSignal:
		s.status.Paused, s.status.Issue = false, ""
		s.setPhase(ctx, PhasePeriod)
		s.changed(ctx, p.From, "resumed", p.Note, "")
	case *ExtendSignal:
		old := s.ag.PeriodEnd
		if err := s.setEnd(p.PeriodEnd); err != nil { // check parsed it already
			return
		}
		s.refresh(ctx)
		s.changed(ctx, p.From, "extended", p.Reason, old)
	case *CancelSignal:
		s.cancelled = true
		s.status.CancelledBy, s.status.CancelReason = p.From, p.Reason
		s.status.Paused = false
		s.setPhase(ctx, PhaseCancelled)
		s.changed(ctx, p.From, "cancelled", p.Reason, "")
	}
}

// changed audits a change of the agreement and tells the liaisons and the HMIS staff member (SPEC N3).
func (s *agreementState) changed(ctx workflow.Context, actor, step, note, oldEnd string) {
	n := s.version
	s.background(ctx, func(ctx workflow.Context) {
		details := map[string]any{"period_end": s.ag.PeriodEnd}
		if oldEnd != "" {
			details["previous_period_end"] = oldEnd
		}
		s.record(ctx, actor, step, note, details)
		s.notify(ctx, "change-"+strconv.Itoa(n)+"-"+step, NotifyInput{
			Kind: NoticeAgreementChange, To: s.everyone(), Note: step + ": " + note, Deadline: s.ag.PeriodEnd,
		})
	})
}
