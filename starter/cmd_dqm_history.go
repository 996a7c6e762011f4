package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/spf13/cobra"
)

func (a *app) dqmHistoryCmd() *cobra.Command {
	var project, format string
	var limit int
	c := &cobra.Command{
		Use:   "history [--project ID] [--limit N] [--format table|json]",
		Short: "List the stored DQM reports, newest first, with their verdicts",
		Long: `Lists the follow-up DQM reports exitflow dqm run stored, newest first: ID, as-of date, period,
scope, verdict (with the reasons), findings and who made it. --project ID keeps the reports that
cover that project; --limit N shows the N newest (default 20; 0: all).`,
		Example: `  exitflow dqm history
  exitflow dqm history --project 1362 --limit 5
  exitflow dqm history --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, limit); err != nil {
				return err
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			list, err := dqm.History(cmd.Context(), pool, project, limit)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONList(cmd.OutOrStdout(), list)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAS OF\tPERIOD\tSCOPE\tVERDICT\tFINDINGS\tACTOR")
			for _, s := range list {
				fmt.Fprintf(tw, "%d\t%s\t%s to %s\t%s\t%s\t%d\t%s\n", s.ID, date(s.AsOf), date(s.Since.AddDate(0, 0, 1)), date(s.AsOf),
					dqmScope(s), verdictText(s), s.Findings, s.Actor)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&project, "project", "", "only the reports that cover this `ProjectID`")
	c.Flags().IntVar(&limit, "limit", 20, "only the `N` newest reports (0: all)")
	c.Flags().StringVar(&format, "format", "table", "table or json")
	return c
}

// dqmScope names what a report covered.
func dqmScope(s dqm.Summary) string {
	switch {
	case s.WholeCoC:
		return fmt.Sprintf("whole CoC (%d projects)", len(s.Projects))
	case s.OrganizationID != "":
		return fmt.Sprintf("organization %s (%d projects)", s.OrganizationID, len(s.Projects))
	case len(s.Projects) <= 3:
		return "project " + strings.Join(s.Projects, ", ")
	}
	return fmt.Sprintf("%d projects", len(s.Projects))
}

// verdictText is the verdict with its reasons' measures.
func verdictText(s dqm.Summary) string {
	if len(s.Reasons) == 0 {
		return s.Verdict
	}
	var r []string
	for _, x := range s.Reasons {
		r = append(r, fmt.Sprintf("%s %d", x.Measure, x.Count))
	}
	return s.Verdict + ": " + strings.Join(r, ", ")
}

func (a *app) dqmShowCmd() *cobra.Command {
	var out, format string
	var force bool
	c := &cobra.Command{
		Use:   "show REPORT_ID --out DIR",
		Short: "Write a stored DQM report again as report.html, measures.csv and findings.csv",
		Long: `Writes the stored DQM report REPORT_ID (from exitflow dqm history) into DIR again, as exitflow
dqm run wrote it: report.html, measures.csv and findings.csv, with each project compared with its
report before this one. DIR must be empty or new, or --force replaces the report files in it.`,
		Example: `  exitflow dqm show 12 --out dqm-12
  exitflow dqm show 12 --out dqm-12 --force --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("REPORT_ID %q: not a report ID (exitflow dqm history lists them)", args[0])
			}
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			r, err := dqm.Load(cmd.Context(), pool, id)
			if err != nil {
				return err
			}
			if err := checkOutDir(out, force); err != nil {
				return err
			}
			if err := writeReport(out, r); err != nil {
				return err
			}
			return printReport(cmd.OutOrStdout(), r, out, format)
		},
	}
	c.Flags().StringVar(&out, "out", "", "the folder to write the report into (required)")
	c.Flags().StringVar(&format, "format", "table", "what to print: table or json")
	c.Flags().BoolVar(&force, "force", false, "write into a folder that already holds files")
	return c
}

// dqmReportJSON is a report as --format json prints it (IDs and counts only).
type dqmReportJSON struct {
	ID       int64               `json:"id"`
	AsOf     string              `json:"as_of"`
	Since    string              `json:"since"`
	Projects []string            `json:"projects"`
	Verdict  string              `json:"verdict"`
	Reasons  []dqm.Reason        `json:"reasons"`
	Total    map[string]*float64 `json:"total"`
	Findings int                 `json:"findings"`
	Out      string              `json:"out,omitempty"`
}

// dqmJSON is r for --format json.
func dqmJSON(r *dqm.Report, dir string) dqmReportJSON {
	j := dqmReportJSON{ID: r.ID, AsOf: date(r.AsOf), Since: date(r.Since), Projects: r.Projects, Verdict: r.Verdict,
		Reasons: r.Reasons, Total: map[string]*float64{}, Findings: len(r.Findings), Out: dir}
	if j.Reasons == nil {
		j.Reasons = []dqm.Reason{}
	}
	for _, m := range r.Total {
		var v *float64
		if m.Value.Valid {
			n := m.Value.N
			v = &n
		}
		j.Total[string(m.Measure)] = v
	}
	return j
}
