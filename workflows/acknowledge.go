package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"
)

// acknowledgement waits for a liaison's acknowledgement, reminding every 7 days and alerting the
// HMIS staff member after the 3rd reminder, and reminding on (SPEC AG6).
func (s *agreementState) acknowledgement(ctx workflow.Context) error {
	done := func() bool { return s.status.AcknowledgedBy != "" || s.cancelled }
	for !done() {
		s.nextAck = workflow.Now(ctx).Add(ackEvery)
		s.refresh(ctx)
		ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout: ackEvery, TimerOptions: workflow.TimerOptions{Summary: "acknowledgement reminder"},
		}, done)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		s.status.Reminders++
		n := s.status.Reminders
		s.notify(ctx, "ack-reminder-"+strconv.Itoa(n), NotifyInput{
			Kind: NoticeAckReminder, To: s.ag.Liaisons, Reminder: n, ExitRunID: s.status.ExitRunID,
		})
		if n == escalateAfter {
			s.status.Escalated = true
			s.notify(ctx, "escalation", NotifyInput{
				Kind: NoticeEscalation, To: s.staff(), Reminder: n, ExitRunID: s.status.ExitRunID,
			})
			s.record(ctx, s.ag.HMISStaff, "escalated", "", map[string]any{"reminders": n})
		}
	}
	s.nextAck = timeZero
	s.refresh(ctx)
	return nil
}
