package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"
)

// scheduleRow is one schedule as `schedule list` prints it (its --format json too).
type scheduleRow struct {
	ID            string     `json:"id"`
	Paused        bool       `json:"paused"`
	Workflow      string     `json:"workflow,omitempty"`
	NextRun       *time.Time `json:"next_run"`
	RecentActions int        `json:"recent_actions"`
}

// scheduleDetail is one schedule as `schedule describe` prints it (its --format json too).
type scheduleDetail struct {
	ID              string           `json:"id"`
	TimeZone        string           `json:"time_zone"`
	Calendars       []string         `json:"calendars"`
	Intervals       []string         `json:"intervals"`
	Crons           []string         `json:"cron_expressions"`
	Paused          bool             `json:"paused"`
	Note            string           `json:"note"`
	Workflow        string           `json:"workflow"`
	TaskQueue       string           `json:"task_queue"`
	Actions         int              `json:"actions_taken"`
	Missed          int              `json:"actions_missed_catchup_window"`
	Skipped         int              `json:"actions_skipped_overlap"`
	NextActionTimes []time.Time      `json:"next_action_times"`
	RecentActions   []scheduleAction `json:"recent_actions"`
}

// scheduleAction is one action a schedule took.
type scheduleAction struct {
	ScheduledFor time.Time `json:"scheduled_for"`
	RanAt        time.Time `json:"ran_at"`
	WorkflowID   string    `json:"workflow_id"`
}

// listSchedules reads every listed schedule into rows.
func listSchedules(it client.ScheduleListIterator) ([]scheduleRow, error) {
	var rows []scheduleRow
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("listing schedules: %w", err)
		}
		r := scheduleRow{ID: e.ID, Paused: e.Paused, Workflow: e.WorkflowType.Name, RecentActions: len(e.RecentActions)}
		if len(e.NextActionTimes) > 0 {
			r.NextRun = &e.NextActionTimes[0]
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// writeScheduleRows prints rows as a table.
func writeScheduleRows(out io.Writer, rows []scheduleRow) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(out, "no schedules")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPAUSED\tNEXT RUN\tRECENT ACTIONS")
	for _, r := range rows {
		next := "-"
		if r.NextRun != nil {
			next = r.NextRun.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%t\t%s\t%d\n", r.ID, r.Paused, next, r.RecentActions)
	}
	return tw.Flush()
}

// describeSchedule turns d into a scheduleDetail.
func describeSchedule(id string, d *client.ScheduleDescription) scheduleDetail {
	v := scheduleDetail{ID: id, TimeZone: "UTC", Calendars: []string{}, Intervals: []string{}, Crons: []string{},
		Actions: d.Info.NumActions, Missed: d.Info.NumActionsMissedCatchupWindow, Skipped: d.Info.NumActionsSkippedOverlap,
		NextActionTimes: d.Info.NextActionTimes, RecentActions: []scheduleAction{}}
	if s := d.Schedule.Spec; s != nil {
		if s.TimeZoneName != "" {
			v.TimeZone = s.TimeZoneName
		}
		for _, c := range s.Calendars {
			v.Calendars = append(v.Calendars, calendarText(c))
		}
		for _, i := range s.Intervals {
			v.Intervals = append(v.Intervals, fmt.Sprintf("%s (offset %s)", i.Every, i.Offset))
		}
		v.Crons = append(v.Crons, s.CronExpressions...)
	}
	if st := d.Schedule.State; st != nil {
		v.Paused, v.Note = st.Paused, st.Note
	}
	if w, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok {
		v.Workflow, v.TaskQueue = fmt.Sprint(w.Workflow), w.TaskQueue
	}
	if v.NextActionTimes == nil {
		v.NextActionTimes = []time.Time{}
	}
	for _, r := range d.Info.RecentActions {
		a := scheduleAction{ScheduledFor: r.ScheduleTime, RanAt: r.ActualTime}
		if r.StartWorkflowResult != nil {
			a.WorkflowID = r.StartWorkflowResult.WorkflowID
		}
		v.RecentActions = append(v.RecentActions, a)
	}
	return v
}

// writeScheduleDetail prints v as text.
func writeScheduleDetail(out io.Writer, v scheduleDetail) {
	fmt.Fprintf(out, "schedule  %s\n", v.ID)
	fmt.Fprintf(out, "time zone %s\n", v.TimeZone)
	for _, c := range v.Calendars {
		fmt.Fprintf(out, "calendar  %s\n", c)
	}
	for _, i := range v.Intervals {
		fmt.Fprintf(out, "every     %s\n", i)
	}
	for _, c := range v.Crons {
		fmt.Fprintf(out, "cron      %s\n", c)
	}
	fmt.Fprintf(out, "paused    %t", v.Paused)
	if v.Note != "" {
		fmt.Fprintf(out, " (%s)", v.Note)
	}
	fmt.Fprintln(out)
	if v.Workflow != "" {
		fmt.Fprintf(out, "starts    workflow %s on task queue %s\n", v.Workflow, v.TaskQueue)
	}
	fmt.Fprintf(out, "actions   %d taken, %d missed the catch-up window, %d skipped (overlap)\n", v.Actions, v.Missed, v.Skipped)
	fmt.Fprintln(out, "next action times:")
	for _, t := range v.NextActionTimes {
		fmt.Fprintf(out, "  %s\n", t.Format(time.RFC3339))
	}
	fmt.Fprintln(out, "recent actions:")
	for _, r := range v.RecentActions {
		fmt.Fprintf(out, "  %s (ran %s) %s\n", r.ScheduledFor.Format(time.RFC3339), r.RanAt.Format(time.RFC3339), r.WorkflowID)
	}
}
