package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

// previewExitRun is `exits run` without --yes: it prints what the new run would write, writes
// nothing, and returns status exitNotConfirmed when there is something to exit (as policy set
// does); with nothing to exit the status is 0.
func previewExitRun(cmd *cobra.Command, q engine.Querier, opt engine.RunOptions, asJSON bool) error {
	p, err := engine.PreviewRun(cmd.Context(), q, opt.Options, opt.Location)
	if err != nil {
		return err
	}
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			engine.RunPreview
			Written bool `json:"written"`
		}{RunPreview: p}); err != nil {
			return err
		}
	} else {
		printRunPreview(out, p)
	}
	if p.Enrollments == 0 {
		if !asJSON {
			fmt.Fprintln(out, "nothing to write: no exit run was started")
		}
		return nil
	}
	fmt.Fprintf(errOut, "exitflow: this run writes real HMIS exits: it would exit %s now\n", polHouseholds(p.Households, p.Enrollments))
	fmt.Fprintln(errOut, "exitflow: nothing written; run again with --yes to write them")
	return exitCode(exitNotConfirmed)
}

// printRunPreview prints a run's preview for people: the total, then each project.
func printRunPreview(w io.Writer, p engine.RunPreview) {
	if p.Enrollments == 0 {
		fmt.Fprintf(w, "exit run preview as of %s (%s): no household to exit\n", date(p.AsOf), p.Method)
		return
	}
	fmt.Fprintf(w, "exit run preview as of %s (%s): would exit %s in %d %s:\n", date(p.AsOf), p.Method,
		polHouseholds(p.Households, p.Enrollments), len(p.Projects), polPlural(len(p.Projects), "project", "projects"))
	for _, pe := range p.Projects {
		fmt.Fprintf(w, "  project %s: %s\n", named(pe.ProjectID, pe.ProjectName), polHouseholds(pe.Households, pe.Enrollments))
	}
}
