package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// dateLayout is the YYYY-MM-DD layout of every date in the payloads.
const dateLayout = "2006-01-02"

// reminderLead is how long before the period's end the reminder goes out (SPEC AG3).
const reminderLead = 7 * 24 * time.Hour

// ackEvery is the acknowledgement reminder interval; escalateAfter reminders alert HMIS staff (SPEC AG6).
const (
	ackEvery      = 7 * 24 * time.Hour
	escalateAfter = 3
)

// agreementState is one agreement run's mutable state, shared by the main flow and the handlers.
type agreementState struct {
	wfID, runID string
	ag          Agreement
	loc         *time.Location
	validated   bool
	status      AgreementStatus
	start       time.Time // when the period started (after the notice)
	end         time.Time // 00:00 of PeriodEnd's day in the CoC time zone
	reminded    bool      // the period-ending reminder went out for the current end
	exitsDone   bool
	cancelled   bool
	asOf        string    // the exits' as-of date
	nextAck     time.Time // the next acknowledgement reminder
	version     int       // bumped by every accepted action, wakes the waits
	inflight    int       // signal side effects still running
}

// newState starts the state of a run.
func newState(ctx workflow.Context, in AgreementInput) *agreementState {
	info := workflow.GetInfo(ctx)
	return &agreementState{
		wfID:  info.WorkflowExecution.ID,
		runID: info.WorkflowExecution.RunID,
		status: AgreementStatus{
			AgreementID: in.AgreementID, Phase: PhaseValidating, Method: in.Method,
			Rejected: []RejectedSignal{},
		},
	}
}

// today is the CoC-local date now.
func (s *agreementState) today(ctx workflow.Context) string {
	return workflow.Now(ctx).In(s.loc).Format(dateLayout)
}

// dayStart is 00:00 of a YYYY-MM-DD date in the CoC time zone.
func (s *agreementState) dayStart(date string) (time.Time, error) {
	return time.ParseInLocation(dateLayout, date, s.loc)
}

// setEnd moves the period's end (SPEC AG3): the period ends at the start of PeriodEnd's day.
func (s *agreementState) setEnd(date string) error {
	end, err := s.dayStart(date)
	if err != nil {
		return err
	}
	s.end = end
	s.ag.PeriodEnd = date
	s.status.PeriodEnd = date
	s.reminded = false
	return nil
}

// reminderAt is when the period-ending reminder is due.
func (s *agreementState) reminderAt() time.Time { return s.end.Add(-reminderLead) }

// isLiaison reports whether email is one of the agreement's liaisons (SPEC S2, case-insensitive).
func (s *agreementState) isLiaison(email string) bool {
	for _, l := range s.ag.Liaisons {
		if strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(email)) {
			return true
		}
	}
	return false
}

// isStaff reports whether email is the agreement's HMIS staff member (SPEC S2, case-insensitive).
func (s *agreementState) isStaff(email string) bool {
	return s.ag.HMISStaff != "" && strings.EqualFold(strings.TrimSpace(s.ag.HMISStaff), strings.TrimSpace(email))
}

// result is the agreement's summary (SPEC AG7: counts only).
func (s *agreementState) result() AgreementResult {
	return AgreementResult{
		AgreementID: s.status.AgreementID, Phase: s.status.Phase, Counts: s.status.Counts,
		Reminders: s.status.Reminders, Escalated: s.status.Escalated, Rejected: len(s.status.Rejected),
		DQMScheduleID: s.status.DQMScheduleID, AcknowledgedBy: s.status.AcknowledgedBy,
	}
}

// details is the UI's "current details" markdown (SPEC AG8).
func (s *agreementState) details() string {
	st := s.status
	var b strings.Builder
	b.WriteString(fmt.Sprintf("**Agreement** %s (%s)\n\n**Phase:** %s", st.AgreementID, st.Method, st.Phase))
	if st.Paused {
		b.WriteString(" (paused: waiting for HMIS staff to resume)")
	}
	if st.PeriodEnd != "" {
		b.WriteString(fmt.Sprintf("\n\n**Period end:** %s", st.PeriodEnd))
	}
	if st.NextDeadline != nil {
		b.WriteString(fmt.Sprintf("\n\n**Next deadline:** %s", st.NextDeadline.In(s.zone()).Format(time.RFC3339)))
	}
	if st.NextReminder != nil {
		b.WriteString(fmt.Sprintf("\n\n**Next reminder:** %s", st.NextReminder.In(s.zone()).Format(time.RFC3339)))
	}
	c := st.Counts
	b.WriteString(fmt.Sprintf("\n\n**Counts:** %d candidate enrollments (%d households), %d exited by the agency, %d by the engine, %d still open",
		c.CandidateEnrollments, c.CandidateHouseholds, c.ExitedByAgency, c.ExitedByEngine, c.StillOpen))
	b.WriteString(fmt.Sprintf("\n\n**Reminders:** %d · **rejected signals:** %d · **notify failures:** %d",
		st.Reminders, len(st.Rejected), st.NotifyFailures))
	return b.String()
}

// zone is the CoC time zone, UTC before validation.
func (s *agreementState) zone() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// timePtr returns a pointer to a copy of t.
func timePtr(t time.Time) *time.Time { return &t }
