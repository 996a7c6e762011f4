package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// timeZero is the zero time.
var timeZero time.Time

// defaultAutoExitDays is the fallback auto-exit window when validation left it empty (SPEC P2).
const defaultAutoExitDays = 90

// firstRun is the follow-up DQM's first day (SPEC AG4, AG7): auto, the end of the first auto-exit
// window after the exits; admin, one cadence after them.
func firstRun(ag Agreement, asOf string) (string, error) {
	d, err := time.Parse(dateLayout, asOf)
	if err != nil {
		return "", err
	}
	if ag.Method == MethodAuto {
		days := ag.AutoExitDays
		if days <= 0 {
			days = defaultAutoExitDays
		}
		return d.AddDate(0, 0, days).Format(dateLayout), nil
	}
	months := 3
	if cadenceOf(ag) == Monthly {
		months = 1
	}
	return d.AddDate(0, months, 0).Format(dateLayout), nil
}

// cadenceOf is the agreement's DQM cadence, quarterly by default (SPEC AG1).
func cadenceOf(ag Agreement) Cadence {
	if ag.DQMEvery == "" {
		return Quarterly
	}
	return ag.DQMEvery
}

// followUp creates the follow-up DQM schedule (SPEC AG7).
func (s *agreementState) followUp(ctx workflow.Context) error {
	s.setPhase(ctx, PhaseFollowUp)
	first, err := firstRun(s.ag, s.asOf)
	if err != nil {
		return err
	}
	in := ScheduleInput{
		ScheduleID: DQMScheduleID(s.ag.AgreementID), FirstRun: first, Cadence: cadenceOf(s.ag), TimeZone: s.ag.TimeZone,
		FollowUp: FollowUpInput{
			AgreementID: s.ag.AgreementID, ProjectIDs: s.ag.ProjectIDs, Recipients: s.everyone(),
			Actor: s.ag.HMISStaff, TimeZone: s.ag.TimeZone,
		},
	}
	var res ScheduleResult
	if err := workflow.ExecuteActivity(activityCtx(ctx, 0), ActivityCreateDQMSchedule, in).Get(ctx, &res); err != nil {
		return err
	}
	s.status.DQMScheduleID = in.ScheduleID
	s.record(ctx, s.ag.HMISStaff, "follow-up", "", map[string]any{
		"schedule_id": in.ScheduleID, "first_run": first, "cadence": string(in.Cadence), "created": res.Created,
	})
	return nil
}
