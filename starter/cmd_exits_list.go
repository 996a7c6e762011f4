package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

func (a *app) exitsListCmd() *cobra.Command {
	var format string
	var limit int
	c := &cobra.Command{
		Use:   "list [--limit N] [--format table|json]",
		Short: "List exit runs and undos, newest first, with their IDs, counts and status",
		Long: `Lists the exit runs and the undos, newest first: ID, kind, method, as-of date, projects, actor,
Temporal workflow and run, households and enrollments written (a run) or undone (an undo), status,
and when each started and finished (in the CoC's time zone).

ID is the exit run's ID for a run: the one exitflow exits undo --run ID and exitflow exits run --run
ID (resume) take. An undo has no run ID: its ID is that of its entry in the audit log, shown as
"audit N" (exitflow audit).

Status of a run: running (being written now), interrupted (recorded as running, but no process is
writing it: it crashed or was stopped; resume it with exitflow exits run --run ID), failed (resume it
the same way), done; "undone" is added once exitflow exits undo --run undid it. An undo is one
transaction: done. Projects: those a run was limited to with --project (all: every project); an
undo of a run shows the run's, an undo of a household or an enrollment its project.

Formats: table (for people), json (for programs; times in RFC 3339).`,
		Example: `  exitflow exits list
  exitflow exits list --limit 5
  exitflow exits list --limit 0 --format json    # every run and undo`,
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
			runs, err := engine.ListRuns(cmd.Context(), pool, limit)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSONList(out, runs)
			}
			return writeRunsTable(out, runs, conf.Location())
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table or json")
	c.Flags().IntVar(&limit, "limit", 20, "only the `N` newest runs and undos (0: all)")
	return c
}

// writeRunsTable writes exits list for people.
func writeRunsTable(out io.Writer, runs []engine.ListedRun, loc *time.Location) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(out, "no exit runs or undos yet")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tMETHOD\tAS OF\tPROJECTS\tACTOR\tWORKFLOW\tHOUSEHOLDS\tENROLLMENTS\tSTATUS\tSTARTED\tFINISHED")
	for _, r := range runs {
		kind := r.Kind
		if r.Kind == engine.KindUndo && r.Undid != "" {
			kind += " " + r.Undid
		}
		asOf := "-"
		if r.AsOf != nil {
			asOf = r.AsOf.Format(time.DateOnly)
		}
		status := r.Status
		if r.UndoneAt != nil {
			status += ", undone"
		}
		id := strconv.FormatInt(r.ID, 10)
		if r.Kind == engine.KindUndo {
			id = "audit " + id // not a run ID: the undo's entry in exitflow audit
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", id, kind, dash(r.Method), asOf,
			listProjects(r), r.Actor, workflowLabel(r.WorkflowID, r.WorkflowRunID), r.Households, r.Enrollments, status,
			listTime(&r.StartedAt, loc), listTime(r.FinishedAt, loc))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out, "undo a run with: exitflow exits undo --run ID --actor NAME; resume an interrupted or failed run with: exitflow exits run --run ID --actor NAME")
	return err
}

// listProjects is a row's projects, at most five of them: "all" for a run over every project.
func listProjects(r engine.ListedRun) string {
	switch {
	case len(r.Projects) == 0 && (r.Kind == engine.KindRun || strings.HasPrefix(r.Undid, "run ")):
		return "all"
	case len(r.Projects) == 0:
		return "-"
	case len(r.Projects) > 5:
		return strings.Join(r.Projects[:5], ",") + " +" + strconv.Itoa(len(r.Projects)-5) + " more"
	}
	return strings.Join(r.Projects, ",")
}

// workflowLabel is "workflow/run", or "-" for what was not run by a workflow (the CLI).
func workflowLabel(id, run string) string {
	switch {
	case id == "":
		return "-"
	case run == "":
		return id
	}
	return id + "/" + run
}

// listTime is t in loc to the minute, "-" for none.
func listTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// dash is s, or "-" when it is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
