package activities

import (
	"context"
	"errors"
	"time"

	"github.com/exitflow/exitflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// DQMHour is the hour of the day, in the CoC time zone, the follow-up DQM runs (SPEC AG7).
const DQMHour = 6

// CreateDQMSchedule creates the follow-up DQM schedule (SPEC AG7, Q3); a schedule that exists
// already is not an error (Created false), so a retry creates nothing twice.
func (a *Activities) CreateDQMSchedule(ctx context.Context, in workflows.ScheduleInput) (workflows.ScheduleResult, error) {
	out := workflows.ScheduleResult{ScheduleID: in.ScheduleID}
	if a.Temporal == nil {
		return out, temporal.NewNonRetryableApplicationError("schedule: no Temporal client configured", workflows.ErrPermanent, nil)
	}
	opt, err := a.scheduleOptions(in)
	if err != nil {
		return out, err
	}
	_, err = a.Temporal.ScheduleClient().Create(ctx, opt)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return out, nil
	}
	if err != nil {
		return out, classify("creating schedule "+in.ScheduleID, err)
	}
	out.Created = true
	return out, nil
}

// scheduleOptions is the schedule of in: 06:00 in the CoC time zone on FirstRun's day of the month,
// every 3 months (quarterly) or every month from FirstRun's month, never before FirstRun.
//
// A calendar rather than an interval: an interval drifts off 06:00 across DST and months of
// different lengths. The day is capped at 28 so that no month is skipped (a 31st would skip
// February, April, ...); overlapping runs are skipped.
func (a *Activities) scheduleOptions(in workflows.ScheduleInput) (client.ScheduleOptions, error) {
	tz := in.TimeZone
	if tz == "" {
		tz = a.loc().String()
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return client.ScheduleOptions{}, invalid("time_zone", "%q is not an IANA time zone", tz)
	}
	first, err := day(in.FirstRun)
	if err != nil {
		return client.ScheduleOptions{}, invalid("first_run", "%q is not a YYYY-MM-DD date", in.FirstRun)
	}
	step := 3
	switch in.Cadence {
	case workflows.Monthly:
		step = 1
	case workflows.Quarterly, "":
	default:
		return client.ScheduleOptions{}, invalid("cadence", "%q: want quarterly or monthly", in.Cadence)
	}
	month := int(first.Month())
	cal := client.ScheduleCalendarSpec{
		Hour:       []client.ScheduleRange{{Start: DQMHour}},
		DayOfMonth: []client.ScheduleRange{{Start: min(first.Day(), 28)}},
		Month:      []client.ScheduleRange{{Start: (month-1)%step + 1, End: 12, Step: step}},
		Comment:    "exitflow follow-up DQM (SPEC AG7)",
	}
	follow := in.FollowUp
	if follow.TimeZone == "" {
		follow.TimeZone = tz
	}
	queue := a.TaskQueue
	if queue == "" {
		queue = workflows.TaskQueue
	}
	return client.ScheduleOptions{
		ID: in.ScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{cal}, TimeZoneName: tz,
			StartAt: time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)},
		Action: &client.ScheduleWorkflowAction{ID: in.ScheduleID, Workflow: workflows.FollowUpDQMWorkflow,
			TaskQueue: queue, Args: []any{follow}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	}, nil
}
