package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

// auditCmd is `exitflow audit`: the audit log (SPEC U1), newest first.
func (a *app) auditCmd() *cobra.Command {
	var format, actor, action string
	var limit int
	c := &cobra.Command{
		Use:   "audit [--limit N] [--actor A] [--action K] [--format table|json]",
		Short: "Show the audit log: every exit run, undo, alert pass and policy change (newest first)",
		Long: `Shows exitflow.audit (SPEC U1), newest first: each entry's ID, time (in the CoC's time zone),
actor, action, reason, the Temporal workflow and run that did it (none from the CLI), and its
details: IDs and counts only, never a client's personal data.

Actions: ` + strings.Join(engine.AuditActions, ", ") + `. An exit run has an entry when it starts
and when it is done (or failed, or resumed); an undo, an alert pass and a policy change one each.

--actor A keeps the entries of one actor (the --actor of the command that did it; case does not
matter), --action K those of one action. --limit N shows the N newest (default 20; 0: all).

Formats: table (for people), json (for programs; times in RFC 3339, details as JSON objects).`,
		Example: `  exitflow audit
  exitflow audit --actor "Dana Lee" --limit 50
  exitflow audit --action undo
  exitflow audit --action policy-change --format json`,
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
			entries, err := engine.Audit(cmd.Context(), pool, engine.AuditFilter{Limit: limit, Actor: actor, Action: action})
			var unknown *engine.UnknownActionError
			if errors.As(err, &unknown) {
				return fmt.Errorf("--action %q: not an audit action; the known ones are %s", action, strings.Join(engine.AuditActions, ", "))
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSONList(out, entries)
			}
			return writeAuditTable(out, entries, conf.Location())
		},
	}
	f := c.Flags()
	f.StringVar(&format, "format", "table", "table or json")
	f.IntVar(&limit, "limit", 20, "only the `N` newest entries (0: all)")
	f.StringVar(&actor, "actor", "", "only the entries of this actor (case does not matter)")
	f.StringVar(&action, "action", "", "only the entries of this action: "+strings.Join(engine.AuditActions, ", "))
	return c
}

// writeAuditTable writes audit entries for people, one line each.
func writeAuditTable(out io.Writer, entries []engine.AuditEntry, loc *time.Location) error {
	if len(entries) == 0 {
		_, err := fmt.Fprintln(out, "no audit entries")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tACTOR\tACTION\tREASON\tWORKFLOW\tDETAILS")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.In(loc).Format(time.DateTime), e.Actor, e.Action,
			dash(e.Reason), workflowLabel(e.WorkflowID, e.WorkflowRunID), string(e.Details))
	}
	return tw.Flush()
}
