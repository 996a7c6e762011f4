package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// scheduleCmd is `exitflow schedule`: the Temporal Schedules of follow-up DQMs (SPEC AG7).
func (a *app) scheduleCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "schedule",
		Short: "Temporal Schedules (follow-up DQMs dqm-<agreement_id>): list, describe, pause, unpause, trigger, delete",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.scheduleListCmd(), a.scheduleDescribeCmd(),
		a.scheduleActionCmd("pause", "Pause a schedule: no more runs until unpause", true,
			func(ctx context.Context, h client.ScheduleHandle, note string) error {
				return h.Pause(ctx, client.SchedulePauseOptions{Note: note})
			}),
		a.scheduleActionCmd("unpause", "Unpause a paused schedule", true,
			func(ctx context.Context, h client.ScheduleHandle, note string) error {
				return h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: note})
			}),
		a.scheduleActionCmd("trigger", "Run a schedule's action now, once (the follow-up DQM now)", false,
			func(ctx context.Context, h client.ScheduleHandle, _ string) error {
				return h.Trigger(ctx, client.ScheduleTriggerOptions{})
			}),
		a.scheduleActionCmd("delete", "Delete a schedule (runs it started are kept); asks no confirmation", false,
			func(ctx context.Context, h client.ScheduleHandle, _ string) error { return h.Delete(ctx) }))
	return c
}

// withSchedules runs fn with a dialled client's schedule client.
func (a *app) withSchedules(ctx context.Context, fn func(client.ScheduleClient) error) error {
	t, err := a.temporal(ctx)
	if err != nil {
		return err
	}
	defer t.Close()
	return fn(t.ScheduleClient())
}

// scheduleErr names the schedule when it does not exist.
func scheduleErr(id, verb string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("ID %s: no such schedule (see exitflow schedule list): %w", id, err)
	}
	return fmt.Errorf("%s schedule %s: %w", verb, id, err)
}

// scheduleListCmd is `exitflow schedule list`.
func (a *app) scheduleListCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "list [--format table|json]",
		Short: "List the namespace's schedules: ID, paused, next run, recent actions",
		Long: `Lists every Temporal Schedule of the namespace (follow-up DQMs are dqm-<agreement_id>): its ID,
whether it is paused, its next run and how many recent actions it took (the server keeps the last 5
in a listing; schedule describe shows more).`,
		Example: `  exitflow schedule list
  exitflow schedule list --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, 0); err != nil {
				return err
			}
			return a.withSchedules(cmd.Context(), func(sc client.ScheduleClient) error {
				it, err := sc.List(cmd.Context(), client.ScheduleListOptions{})
				if err != nil {
					return fmt.Errorf("listing schedules: %w", err)
				}
				rows, err := listSchedules(it)
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSONList(cmd.OutOrStdout(), rows)
				}
				return writeScheduleRows(cmd.OutOrStdout(), rows)
			})
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table or json")
	return c
}

// scheduleDescribeCmd is `exitflow schedule describe`.
func (a *app) scheduleDescribeCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "describe ID [--format table|json]",
		Short: "Show a schedule's spec, next action times and recent actions",
		Long: `Describes the schedule ID: its calendars or intervals and time zone, whether it is paused (and
the note), the workflow it starts, its next action times and its recent actions.`,
		Example: `  exitflow schedule describe dqm-A1
  exitflow schedule describe dqm-A1 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkListFlags(format, 0); err != nil {
				return err
			}
			return a.withSchedules(cmd.Context(), func(sc client.ScheduleClient) error {
				d, err := sc.GetHandle(cmd.Context(), args[0]).Describe(cmd.Context())
				if err != nil {
					return scheduleErr(args[0], "describing", err)
				}
				if format == "json" {
					return writeJSON(cmd.OutOrStdout(), describeSchedule(args[0], d))
				}
				writeScheduleDetail(cmd.OutOrStdout(), describeSchedule(args[0], d))
				return nil
			})
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table or json")
	return c
}

// calendarText is a calendar spec in one line: month/day-of-month hour:minute.
func calendarText(c client.ScheduleCalendarSpec) string {
	rng := func(rs []client.ScheduleRange) string {
		if len(rs) == 0 {
			return "*"
		}
		var parts []string
		for _, r := range rs {
			s := fmt.Sprint(r.Start)
			if r.End > r.Start {
				s += fmt.Sprintf("-%d", r.End)
			}
			if r.Step > 1 {
				s += fmt.Sprintf("/%d", r.Step)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ",")
	}
	text := fmt.Sprintf("month %s, day %s, at %s:%s", rng(c.Month), rng(c.DayOfMonth), rng(c.Hour), rng(c.Minute))
	if c.Comment != "" {
		text += " (" + c.Comment + ")"
	}
	return text
}

// scheduleActionCmd is one of pause, unpause, trigger and delete: an action on one schedule.
func (a *app) scheduleActionCmd(verb, short string, withNote bool, do func(context.Context, client.ScheduleHandle, string) error) *cobra.Command {
	var note string
	use := verb + " ID"
	example := "  exitflow schedule " + verb + " dqm-A1"
	if withNote {
		use += " [--note TEXT]"
		example += "\n  exitflow schedule " + verb + ` dqm-A1 --note "agency asked, Sam Ortiz"`
	}
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    short + ". ID is required: the schedule's ID as schedule list shows it.",
		Example: example,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("schedule %s needs exactly one schedule ID (see exitflow schedule list), got %d arguments", verb, len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSchedules(cmd.Context(), func(sc client.ScheduleClient) error {
				if err := do(cmd.Context(), sc.GetHandle(cmd.Context(), args[0]), note); err != nil {
					return scheduleErr(args[0], verb, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schedule %s: %s done\n", args[0], verb)
				return nil
			})
		},
	}
	if withNote {
		c.Flags().StringVar(&note, "note", "", "why (shown with the schedule in the Web UI)")
	}
	return c
}
