package main

// The daily auto-exit sweep's Temporal Schedule (workflows.SweepScheduleID), created or brought up to
// date by exitflow setup.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// sweepCatchupWindow is how late a missed sweep still runs (the server was down at sweep time).
const sweepCatchupWindow = 24 * time.Hour

// sweepSchedule is what the sweep's schedule is made of: the daily time in the CoC time zone and
// the task queue its runs go to.
type sweepSchedule struct {
	Hour, Minute int
	TimeZone     string
	TaskQueue    string
}

// when is the schedule's time in words: "daily at 05:00 America/New_York".
func (s sweepSchedule) when() string {
	return fmt.Sprintf("daily at %02d:%02d %s", s.Hour, s.Minute, s.TimeZone)
}

// spec is the schedule's spec: every day at Hour:Minute in TimeZone.
func (s sweepSchedule) spec() client.ScheduleSpec {
	return client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			Second:  []client.ScheduleRange{{Start: 0}},
			Minute:  []client.ScheduleRange{{Start: s.Minute}},
			Hour:    []client.ScheduleRange{{Start: s.Hour}},
			Comment: "daily auto-exit sweep",
		}},
		TimeZoneName: s.TimeZone,
	}
}

// action is the schedule's action: AutoExitSweep with the CoC's time zone (the day is the run's
// nominal time there).
func (s sweepSchedule) action() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:            workflows.SweepScheduleID,
		Workflow:      workflows.AutoExitSweepWorkflow,
		TaskQueue:     s.TaskQueue,
		Args:          []any{workflows.SweepInput{TimeZone: s.TimeZone}},
		StaticSummary: "Daily auto-exit sweep (" + s.when() + ")",
	}
}

// sweepScheduleOf is the sweep's schedule as configured in c.
func sweepScheduleOf(c config.Config) (sweepSchedule, error) {
	h, m, err := config.ParseSweepTime(c.SweepTime)
	if err != nil {
		return sweepSchedule{}, err
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return sweepSchedule{}, fmt.Errorf("config: timezone %q (EXITFLOW_TIMEZONE / --timezone) is not an IANA time zone name such as America/New_York", c.Timezone)
	}
	return sweepSchedule{Hour: h, Minute: m, TimeZone: c.Timezone, TaskQueue: c.TaskQueue}, nil
}

// scheduledSweep reads back the sweep's time, zone and task queue from a described schedule; ok
// is false when it is not one sweepSchedule makes (another spec, another workflow, another policy).
func scheduledSweep(d *client.ScheduleDescription) (s sweepSchedule, ok bool) {
	sp := d.Schedule.Spec
	act, isWF := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if sp == nil || !isWF || len(sp.Calendars) != 1 || len(sp.Intervals) != 0 || len(sp.CronExpressions) != 0 {
		return s, false
	}
	cal := sp.Calendars[0]
	one := func(rs []client.ScheduleRange) (int, bool) {
		if len(rs) != 1 || (rs[0].End != 0 && rs[0].End != rs[0].Start) {
			return 0, false
		}
		return rs[0].Start, true
	}
	h, okH := one(cal.Hour)
	m, okM := one(cal.Minute)
	s = sweepSchedule{Hour: h, Minute: m, TimeZone: sp.TimeZoneName, TaskQueue: act.TaskQueue}
	ok = okH && okM && fmt.Sprint(act.Workflow) == workflows.AutoExitSweepWorkflow && act.ID == workflows.SweepScheduleID
	if p := d.Schedule.Policy; p == nil || p.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || p.CatchupWindow != sweepCatchupWindow {
		ok = false
	}
	return s, ok
}

// ensureSweepSchedule creates the sweep's schedule, or updates it when its time, zone or task
// queue differ from want; it says what it did on out ("created", "unchanged", "updated").
func ensureSweepSchedule(ctx context.Context, sc client.ScheduleClient, want sweepSchedule, out io.Writer) (string, error) {
	id := workflows.SweepScheduleID
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID:            id,
		Spec:          want.spec(),
		Action:        want.action(),
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: sweepCatchupWindow,
		Note:          "created by exitflow setup",
	})
	if err == nil {
		fmt.Fprintf(out, "schedule %s: created, %s\n", id, want.when())
		return "created", nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return "", fmt.Errorf("creating schedule %s: %w", id, err)
	}
	h := sc.GetHandle(ctx, id)
	d, err := h.Describe(ctx)
	if err != nil {
		return "", fmt.Errorf("describing schedule %s: %w", id, err)
	}
	have, ok := scheduledSweep(d)
	if ok && have == want {
		fmt.Fprintf(out, "schedule %s: unchanged, %s\n", id, want.when())
		return "unchanged", nil
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		spec := want.spec()
		s.Spec = &spec
		s.Action = want.action()
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
		s.Policy.CatchupWindow = sweepCatchupWindow
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return "", fmt.Errorf("updating schedule %s: %w", id, err)
	}
	was := "another spec"
	if have.TimeZone != "" {
		was = have.when() + " on task queue " + have.TaskQueue
	}
	fmt.Fprintf(out, "schedule %s: updated, %s on task queue %s (was %s)\n", id, want.when(), want.TaskQueue, was)
	return "updated", nil
}

// setupSweepSchedule is exitflow setup's step for the sweep's schedule.
func setupSweepSchedule(ctx context.Context, a *app, t *temporalConn, out io.Writer) error {
	c, err := a.cfg()
	if err != nil {
		// Only the sweep's settings are needed here: a bad database URL must not stop them.
		if err2 := a.v.Unmarshal(&c); err2 != nil {
			return err
		}
	}
	want, err := sweepScheduleOf(c)
	if err != nil {
		return err
	}
	want.TaskQueue = t.taskQueue
	_, err = ensureSweepSchedule(ctx, t.ScheduleClient(), want, out)
	return err
}
