package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

// sweepHistoryCmd is `exitflow sweep history`.
func (a *app) sweepHistoryCmd() *cobra.Command {
	var format string
	var limit int
	c := &cobra.Command{
		Use:   "history [--limit N] [--format table|json]",
		Short: "List the past auto-exit sweeps, newest first, with what each did",
		Long: `Lists the sweeps kept in PostgreSQL (exitflow.sweep_run), newest first: ID, as-of date, status
(running, done, skipped, abandoned), when it started and finished, households and enrollments
exited, households alerted, messages sent (alert digests + exit notices + summaries) and its
workflow ID. --limit N shows the N newest (default 20; 0: all); --format json gives every field,
the counts per project included.`,
		Example: `  exitflow sweep history
  exitflow sweep history --limit 5
  exitflow sweep history --limit 0 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, limit); err != nil {
				return err
			}
			pool, conf, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			list, err := engine.SweepHistory(cmd.Context(), pool, limit)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONList(cmd.OutOrStdout(), list)
			}
			if len(list) == 0 {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), "no sweeps yet (the schedule auto-exit-sweep runs one daily; exitflow sweep run starts one now)")
				return err
			}
			loc := conf.Location()
			stamp := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAS OF\tSTATUS\tSTARTED\tFINISHED\tHOUSEHOLDS\tENROLLMENTS\tALERTS\tMESSAGES\tWORKFLOW")
			for _, s := range list {
				finished := "-"
				if s.FinishedAt != nil {
					finished = stamp(*s.FinishedAt)
				}
				status := string(s.Status)
				if s.SkipReason != "" {
					status += " (" + s.SkipReason + ")"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", s.ID, date(s.AsOf), status, stamp(s.StartedAt), finished,
					s.Households, s.Enrollments, s.Alerts, s.AlertMessages+s.ExitNotices+s.Summaries, s.WorkflowID)
			}
			return tw.Flush()
		},
	}
	c.Flags().IntVar(&limit, "limit", 20, "only the `N` newest sweeps (0: all)")
	c.Flags().StringVar(&format, "format", "table", "table or json")
	return c
}
