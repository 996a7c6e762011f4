package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// period waits out the agreed period as a durable timer, with the reminder 7 days before its end
// (SPEC AG3). The period ends at 00:00 of PeriodEnd's day in the CoC time zone, so a period_end of
// today starts the exits at once. While paused nothing advances: no reminder, no exits; on resume
// whatever fell due meanwhile happens at once.
func (s *agreementState) period(ctx workflow.Context) error {
	if !s.status.Paused {
		s.setPhase(ctx, PhasePeriod)
	}
	s.start = workflow.Now(ctx)
	if s.reminderAt().Before(s.start) {
		s.reminded = true // a period shorter than the lead: the notice said it all
	}
	for !s.cancelled {
		if s.status.Paused {
			s.refresh(ctx)
			if err := workflow.Await(ctx, func() bool { return !s.status.Paused || s.cancelled }); err != nil {
				return err
			}
			continue
		}
		now := workflow.Now(ctx)
		if !now.Before(s.end) {
			return nil
		}
		if !s.reminded && !now.Before(s.reminderAt()) {
			s.reminded = true
			s.notify(ctx, "period-ending-"+s.ag.PeriodEnd, NotifyInput{
				Kind: NoticePeriodEnding, To: s.ag.Liaisons, Deadline: s.ag.PeriodEnd,
			})
			s.record(ctx, s.ag.HMISStaff, "period-ending-reminder", "", map[string]any{"period_end": s.ag.PeriodEnd})
			continue
		}
		next, summary := s.end, "period end "+s.ag.PeriodEnd
		if !s.reminded {
			next, summary = s.reminderAt(), "period-ending reminder"
		}
		ver := s.version
		s.refresh(ctx)
		_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: next.Sub(now), TimerOptions: workflow.TimerOptions{Summary: summary},
		}, func() bool { return s.version != ver })
		if err != nil {
			return err
		}
	}
	return nil
}
