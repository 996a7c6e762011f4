package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// sweepCmd is `exitflow sweep`: the daily auto-exit sweep (AutoExitSweep) by hand, and its history.
func (a *app) sweepCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sweep",
		Short: "The daily auto-exit sweep (AutoExitSweep, schedule auto-exit-sweep): run it now, list past sweeps",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.sweepRunCmd(), a.sweepHistoryCmd())
	return c
}

// sweepRunFlags are sweep run's flags.
type sweepRunFlags struct {
	asOf     string
	projects []string
	wait     bool
	format   string
}

// runningSweepQuery lists the open sweeps (the schedule's and the ones started by hand).
const runningSweepQuery = "WorkflowType = '" + workflows.AutoExitSweepWorkflow + "' AND ExecutionStatus = 'Running'"

// sweepRunCmd is `exitflow sweep run`.
func (a *app) sweepRunCmd() *cobra.Command {
	o := &sweepRunFlags{}
	c := &cobra.Command{
		Use:   "run [--as-of DATE] [--project ID]... [--wait [--format table|json]]",
		Short: "Start the auto-exit sweep now (what the schedule does every day), optionally wait for its result",
		Long: `Starts the AutoExitSweep workflow now, on the configured task queue (EXITFLOW_TASK_QUEUE), with
workflow ID auto-exit-sweep-manual-<UTC time>: the same sweep the schedule auto-exit-sweep starts
every day. It exits the households inactive past their project's auto-exit window (SPEC H2),
records and mails the alerts (AL1–AL3), sends the exit notices to assigned staff and the summary to
HMIS staff. A worker must poll the task queue (make run starts one).

--as-of DATE (YYYY-MM-DD) is the sweep's day, by default today in the CoC time zone
(EXITFLOW_TIMEZONE); a day after today is refused. --project ID (repeat for more) sweeps only those
projects (each must exist); by default every project whose policy has auto exit on.

One sweep runs at a time: while another AutoExitSweep runs (the schedule's or one started by hand)
this is refused, naming it.

Without --wait it prints the workflow ID, the run ID and the Web UI link, and returns. With --wait
it waits for the result, showing the sweep's progress on a terminal (the progress query, every
second), then prints what it did: exits, alerts, messages, and a table per project (--format json:
the SweepResult). A skipped sweep prints "skipped: <reason>" and exits with status 1, as does a
failed one (with its error).`,
		Example: `  exitflow sweep run
  exitflow sweep run --wait
  exitflow sweep run --as-of 2026-11-30 --project 6 --project 10 --wait --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.sweepRun(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := c.Flags()
	f.StringVar(&o.asOf, "as-of", "", "the sweep's `DATE` (YYYY-MM-DD; default today in the CoC time zone; not after today)")
	f.StringArrayVar(&o.projects, "project", nil, "sweep only this `ProjectID` (repeat for more; default every project with auto exit on)")
	f.BoolVar(&o.wait, "wait", false, "wait for the sweep's result, showing its progress on a terminal")
	f.StringVar(&o.format, "format", "table", "the result's format with --wait: table or json")
	return c
}

// sweepInput checks the flags and makes the sweep's input.
func (a *app) sweepInput(ctx context.Context, o *sweepRunFlags, errw io.Writer) (workflows.SweepInput, error) {
	var in workflows.SweepInput
	if err := checkListFlags(o.format, 0); err != nil {
		return in, err
	}
	c, err := a.cfg()
	if err != nil {
		return in, err
	}
	today := c.Today()
	asOf := today
	if o.asOf != "" {
		if asOf, err = parseDateFlag("as-of", o.asOf); err != nil {
			return in, err
		}
		if asOf.After(today) {
			return in, fmt.Errorf("--as-of %s is after today (%s in %s): a sweep exits as of today or a past day",
				date(asOf), date(today), c.Timezone)
		}
	}
	var projects []string
	for _, p := range o.projects {
		p = strings.TrimSpace(p)
		if p == "" {
			return in, fmt.Errorf("--project: empty ProjectID")
		}
		projects = append(projects, p)
	}
	if len(projects) > 0 {
		// Cheap when the database is there; otherwise the sweep's first step refuses unknown projects.
		pool, err := openStore(ctx, c.DatabaseURL)
		if err != nil {
			fmt.Fprintf(errw, "note: --project not checked here (%v): the sweep's first step checks it\n", err)
		} else {
			err := engine.CheckProjects(ctx, pool, projects)
			pool.Close()
			if err != nil {
				return in, err
			}
		}
	}
	return workflows.SweepInput{AsOf: date(asOf), TimeZone: c.Timezone, ProjectIDs: projects}, nil
}

// runningSweeps are the open AutoExitSweep executions ("ID (run R)").
func runningSweeps(ctx context.Context, t *temporalConn, databaseURL string) ([]string, error) {
	resp, err := t.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: t.namespace, Query: runningSweepQuery, PageSize: 10})
	if err != nil {
		return nil, fmt.Errorf("listing running sweeps (%s): %w", runningSweepQuery, err)
	}
	mailing := mailingSweeps(ctx, databaseURL)
	var out []string
	for _, e := range resp.GetExecutions() {
		if id := e.GetExecution().GetWorkflowId(); !mailing[id] {
			out = append(out, fmt.Sprintf("%s (run %s)", id, e.GetExecution().GetRunId()))
		}
	}
	return out, nil
}

// mailingSweeps are the workflow IDs of the sweeps whose exits are done and which are only
// mailing: they do not hold back a new sweep. Without the database, none (the check is stricter).
func mailingSweeps(ctx context.Context, databaseURL string) map[string]bool {
	ids := map[string]bool{}
	pool, err := openStore(ctx, databaseURL)
	if err != nil {
		return ids
	}
	defer pool.Close()
	list, _ := engine.MailingSweeps(ctx, pool)
	for _, id := range list {
		ids[id] = true
	}
	return ids
}

// sweepRun is `exitflow sweep run`.
func (a *app) sweepRun(ctx context.Context, o *sweepRunFlags, out, errw io.Writer) error {
	in, err := a.sweepInput(ctx, o, errw)
	if err != nil {
		return err
	}
	t, err := a.temporal(ctx)
	if err != nil {
		return err
	}
	defer t.Close()
	c, err := a.cfg()
	if err != nil {
		return err
	}
	running, err := runningSweeps(ctx, t, c.DatabaseURL)
	if err != nil {
		return err
	}
	if len(running) > 0 {
		return fmt.Errorf("another sweep is running: workflow %s; one sweep runs at a time: wait for it to finish (exitflow sweep history, or the Web UI)",
			strings.Join(running, ", workflow "))
	}
	now := time.Now()
	scope := "every project with auto exit on"
	if len(in.ProjectIDs) > 0 {
		scope = "projects " + strings.Join(in.ProjectIDs, ", ")
	}
	opts := client.StartWorkflowOptions{
		ID:                                       workflows.SweepWorkflowID(now),
		TaskQueue:                                t.taskQueue,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            fmt.Sprintf("Auto-exit sweep as of %s (%s), started by hand", in.AsOf, scope),
	}
	run, err := t.ExecuteWorkflow(ctx, opts, workflows.AutoExitSweepWorkflow, in)
	if err != nil {
		return fmt.Errorf("starting sweep %s: %w", opts.ID, err)
	}
	info := out
	if o.wait && o.format == "json" {
		info = errw // stdout is the SweepResult alone
	}
	fmt.Fprintf(info, "started sweep as of %s (%s)\n  workflow ID  %s\n  run ID       %s\n  task queue   %s\n",
		in.AsOf, scope, run.GetID(), run.GetRunID(), t.taskQueue)
	if u := t.webUI(run.GetID()); u != "" {
		fmt.Fprintf(info, "  Web UI       %s (make run's dev server)\n", u)
	}
	if !o.wait {
		fmt.Fprintf(info, "watch it with: temporal workflow query -w %s --name %s; its result: exitflow sweep history\n",
			run.GetID(), workflows.QueryProgress)
		return nil
	}
	res, err := waitSweep(ctx, t, run, errw)
	if err != nil {
		return fmt.Errorf("sweep %s failed: %w", run.GetID(), err)
	}
	if o.format == "json" {
		if err := writeJSON(out, res); err != nil {
			return err
		}
	} else if err := writeSweepResult(out, res); err != nil {
		return err
	}
	if res.Skipped != "" {
		if o.format == "json" {
			fmt.Fprintf(errw, "skipped: %s\n", res.Skipped)
		}
		return exitCode(1)
	}
	return nil
}

// waitSweep waits for run's result, drawing its progress on errw if errw is a terminal.
func waitSweep(ctx context.Context, t *temporalConn, run client.WorkflowRun, errw io.Writer) (workflows.SweepResult, error) {
	var res workflows.SweepResult
	done := make(chan error, 1)
	go func() { done <- run.Get(ctx, &res) }()
	tty := isTerminal(errw)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	drawn := false
	for {
		select {
		case err := <-done:
			if drawn {
				fmt.Fprint(errw, "\r\033[K")
			}
			return res, err
		case <-tick.C:
			if !tty {
				continue
			}
			if line, ok := sweepProgressLine(ctx, t, run.GetID()); ok {
				fmt.Fprintf(errw, "\r\033[K%s", line)
				drawn = true
			}
		}
	}
}

// sweepProgressLine asks the sweep for its progress (a worker must answer within 2 s).
func sweepProgressLine(ctx context.Context, t *temporalConn, id string) (string, bool) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, err := t.QueryWorkflow(qctx, id, "", workflows.QueryProgress)
	if err != nil {
		return "", false
	}
	var p workflows.SweepProgress
	if err := v.Get(&p); err != nil {
		return "", false
	}
	return progressText(p), true
}

// progressText is a sweep's progress in one line.
func progressText(p workflows.SweepProgress) string {
	switch p.Stage {
	case workflows.StageExits:
		return fmt.Sprintf("exits %d/%d households", p.HouseholdsDone, p.HouseholdsTotal)
	case workflows.StageAlerts:
		return fmt.Sprintf("alerts (%d households exited)", p.HouseholdsDone)
	case workflows.StageNotices:
		return fmt.Sprintf("notices (%d households exited, %d alerts)", p.HouseholdsDone, p.Alerts)
	case workflows.StageSkipped:
		return "skipped: " + p.Skipped
	case "":
		return "starting"
	default:
		return string(p.Stage)
	}
}

// writeSweepResult prints a sweep's result: totals, then a table per project.
func writeSweepResult(out io.Writer, r workflows.SweepResult) error {
	if r.Skipped != "" {
		_, err := fmt.Fprintf(out, "skipped: %s\n", r.Skipped)
		return err
	}
	fmt.Fprintf(out, "sweep %d as of %s: done\n", r.SweepID, r.AsOf)
	if r.ExitRunID != 0 {
		fmt.Fprintf(out, "  exit run     %d\n", r.ExitRunID)
	} else {
		fmt.Fprintf(out, "  exit run     none\n")
	}
	fmt.Fprintf(out, "  exited       %d households, %d enrollments\n", r.Households, r.Enrollments)
	fmt.Fprintf(out, "  alerts       %d households\n", r.Alerts)
	fmt.Fprintf(out, "  messages     %d sent: %d alert digests, %d exit notices, %d summaries\n",
		r.AlertMessages+r.ExitNotices+r.Summaries, r.AlertMessages, r.ExitNotices, r.Summaries)
	fmt.Fprintf(out, "  executions   %d (%d exits pages)\n", r.Executions, r.Pages)
	if len(r.Projects) == 0 {
		_, err := fmt.Fprintln(out, "no project had an exit or an alert")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tHOUSEHOLDS\tENROLLMENTS\tALERTS")
	for _, p := range r.Projects {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", p.ProjectID, p.Households, p.Enrollments, p.Alerts)
	}
	return tw.Flush()
}
