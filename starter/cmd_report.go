package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

func (a *app) reportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Reports for HMIS staff (writes nothing)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.reportCandidatesCmd())
	return c
}

// ReportCandidatesHeader is the CSV contract of `exitflow report candidates --format csv`.
var ReportCandidatesHeader = []string{"ProjectID", "ProjectName", "OrganizationID", "OrganizationName", "ProjectType",
	"PolicyScope", "AutoExitDays", "AlertDays", "NbnBenchmark", "OpenEnrollments", "OpenHouseholds",
	"PastWindowEnrollments", "PastWindowHouseholds", "AlertWindowEnrollments", "AlertWindowHouseholds",
	"PastReferenceEnrollments", "PastReferenceHouseholds", "OldestLastActivity", "OldestDaysInactive"}

func (a *app) reportCandidatesCmd() *cobra.Command {
	var asOfText, format string
	var projects []string
	var window int
	c := &cobra.Command{
		Use:   "candidates",
		Short: "Which projects and agencies need exits: open, past the window, in the alert window (SPEC Q4)",
		Long: `Lists, as of a date, every project with open enrollments (or the projects given with --project),
by agency (organization) then project, with its effective exit policy and:

  open          open enrollments and households
  past window   open enrollments (households) whose household is past the project's auto-exit
                window: what the next auto-exit pass would exit
  alert window  open enrollments (households) in the alert window
  past ref.     projects with auto exit off only: open enrollments (households) with no activity
                for --window-days days (default 90), to size an agency agreement
  oldest        the oldest household last activity and its days inactive

Last activity is the household's (every member's, open or exited), by the same rules and the
same query as exitflow preview: the counts match what preview lists. HMIS staff use the report to
decide where to start agency agreements. Nothing is written.

Formats: table (for people, with totals per agency and in all), csv (one row per project, the
columns below, no totals; a value that does not apply to the project's policy is empty),
json (for programs, with totals).
CSV columns: ProjectID,ProjectName,OrganizationID,OrganizationName,ProjectType,PolicyScope,
AutoExitDays,AlertDays,NbnBenchmark,OpenEnrollments,OpenHouseholds,PastWindowEnrollments,
PastWindowHouseholds,AlertWindowEnrollments,AlertWindowHouseholds,PastReferenceEnrollments,
PastReferenceHouseholds,OldestLastActivity,OldestDaysInactive`,
		Example: `  exitflow report candidates
  exitflow report candidates --as-of 2026-11-01 --format csv > candidates.csv
  exitflow report candidates --window-days 180          # auto exit off: measure against 180 days
  exitflow report candidates --project 1362 --project 1401 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return fmt.Errorf("--format %q: want table, csv or json", format)
			}
			// The engine's rule, before connecting; 0 too, which the engine reads as its default
			// but here was typed (the flag defaults to 90).
			if err := engine.CheckReferenceDays(window); err != nil {
				return err
			}
			asOf, err := a.asOf(asOfText)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			pool, _, err := a.pool(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			// CandidateReport checks the projects (ReportOptions.Validate). A date before the data
			// starts is refused here only: the engine reports an empty database as empty.
			if err := engine.CheckAsOf(ctx, pool, asOf); err != nil {
				return err
			}
			rep, err := engine.CandidateReport(ctx, pool, engine.ReportOptions{AsOf: asOf, Projects: projects, ReferenceDays: window})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch format {
			case "csv":
				return writeReportCSV(out, rep)
			case "json":
				return writeReportJSON(out, rep)
			}
			return writeReportTable(out, rep)
		},
	}
	f := c.Flags()
	f.StringVar(&asOfText, "as-of", "", "as-of date `YYYY-MM-DD` (default today in the CoC time zone)")
	f.StringArrayVar(&projects, "project", nil, "only this ProjectID (repeat for several); listed even without open enrollments")
	f.StringVar(&format, "format", "table", "table, csv or json")
	f.IntVar(&window, "window-days", engine.DefaultReferenceDays, "reference window for projects with auto exit off: days without activity counted as past it")
	return c
}

func reportInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func reportDate(p *time.Time) string {
	if p == nil {
		return ""
	}
	return p.Format(time.DateOnly)
}

// reportFields is one project's CSV row: counts that do not apply to its policy are empty.
func reportFields(p engine.ProjectReport) []string {
	on, alert := p.AutoExitDays != nil, p.AutoExitDays != nil && p.AlertDays != nil
	n := func(v int, applies bool) string {
		if !applies {
			return ""
		}
		return strconv.Itoa(v)
	}
	return []string{p.ProjectID, p.ProjectName, p.OrganizationID, p.OrganizationName, strconv.Itoa(p.ProjectType),
		string(p.PolicyScope), reportInt(p.AutoExitDays), reportInt(p.AlertDays), p.NbnBenchmark,
		strconv.Itoa(p.OpenEnrollments), strconv.Itoa(p.OpenHouseholds),
		n(p.PastWindowEnrollments, on), n(p.PastWindowHouseholds, on),
		n(p.AlertWindowEnrollments, alert), n(p.AlertWindowHouseholds, alert),
		n(p.PastReferenceEnrollments, !on), n(p.PastReferenceHouseholds, !on),
		reportDate(p.OldestLastActivity), reportInt(p.OldestDaysInactive)}
}

func writeReportCSV(out io.Writer, rep *engine.Report) error {
	w := csv.NewWriter(out)
	_ = w.Write(ReportCandidatesHeader)
	for _, p := range rep.Projects {
		_ = w.Write(reportFields(p))
	}
	w.Flush()
	return w.Error()
}

func writeReportJSON(out io.Writer, rep *engine.Report) error {
	doc := struct {
		AsOf string `json:"as_of"`
		*engine.Report
	}{rep.AsOf.Format(time.DateOnly), rep}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// counts shows enrollments (households), or "-" where it does not apply.
func counts(enr, hh int, applies bool) string {
	if !applies {
		return "-"
	}
	return fmt.Sprintf("%d (%d)", enr, hh)
}

func policyText(p engine.ProjectReport) string {
	if p.AutoExitDays == nil {
		return string(p.PolicyScope) + ": off"
	}
	s := fmt.Sprintf("%s: %d", p.PolicyScope, *p.AutoExitDays)
	if p.AlertDays != nil {
		s += fmt.Sprintf("/%d", *p.AlertDays)
	}
	return s
}

// reportTableOrder sorts copies of the report's organizations and projects for people: as the
// report is (by name, then ID), but with IDs compared by engine.CompareIDs (9 before 10).
func reportTableOrder(rep *engine.Report) ([]engine.OrganizationReport, []engine.ProjectReport) {
	orgs, projects := slices.Clone(rep.Organizations), slices.Clone(rep.Projects)
	slices.SortStableFunc(orgs, func(a, b engine.OrganizationReport) int {
		return cmp.Or(strings.Compare(a.OrganizationName, b.OrganizationName), engine.CompareIDs(a.OrganizationID, b.OrganizationID))
	})
	slices.SortStableFunc(projects, func(a, b engine.ProjectReport) int {
		return cmp.Or(strings.Compare(a.OrganizationName, b.OrganizationName), engine.CompareIDs(a.OrganizationID, b.OrganizationID),
			strings.Compare(a.ProjectName, b.ProjectName), engine.CompareIDs(a.ProjectID, b.ProjectID))
	})
	return orgs, projects
}

func writeReportTable(out io.Writer, rep *engine.Report) error {
	fmt.Fprintf(out, "Candidate projects as of %s: enrollments (households); policy = scope: auto-exit/alert days;\n"+
		"projects with auto exit off are measured against a %d-day reference window.\n",
		rep.AsOf.Format(time.DateOnly), rep.ReferenceDays)
	if len(rep.Projects) == 0 {
		_, err := fmt.Fprintln(out, "\nNo open enrollments.")
		return err
	}
	orgs, projects := reportTableOrder(rep)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	pi := 0
	for _, o := range orgs {
		fmt.Fprintf(tw, "\nAgency %s: %s\n", o.OrganizationID, o.OrganizationName) // no tab: each agency aligns its own columns
		row("project", "name", "type", "policy", "open", "past window", "alert window", fmt.Sprintf("past %d days", rep.ReferenceDays), "oldest activity")
		for ; pi < len(projects) && projects[pi].OrganizationID == o.OrganizationID; pi++ {
			p := projects[pi]
			on := p.AutoExitDays != nil
			oldest := "-"
			if p.OldestLastActivity != nil {
				oldest = fmt.Sprintf("%s (%d days)", reportDate(p.OldestLastActivity), *p.OldestDaysInactive)
			}
			row(p.ProjectID, p.ProjectName, strconv.Itoa(p.ProjectType), policyText(p),
				counts(p.OpenEnrollments, p.OpenHouseholds, true),
				counts(p.PastWindowEnrollments, p.PastWindowHouseholds, on),
				counts(p.AlertWindowEnrollments, p.AlertWindowHouseholds, on && p.AlertDays != nil),
				counts(p.PastReferenceEnrollments, p.PastReferenceHouseholds, !on), oldest)
		}
		row("", fmt.Sprintf("agency total, %d projects", o.Projects), "", "",
			counts(o.OpenEnrollments, o.OpenHouseholds, true),
			counts(o.PastWindowEnrollments, o.PastWindowHouseholds, true),
			counts(o.AlertWindowEnrollments, o.AlertWindowHouseholds, true),
			counts(o.PastReferenceEnrollments, o.PastReferenceHouseholds, true), reportDate(o.OldestLastActivity))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	t := rep.Totals
	_, err := fmt.Fprintf(out, "\nTotal: %d projects of %d agencies: open %d enrollments (%d households); past the window %d (%d); "+
		"in the alert window %d (%d); auto exit off, past %d days %d (%d)\n",
		len(rep.Projects), len(rep.Organizations), t.OpenEnrollments, t.OpenHouseholds, t.PastWindowEnrollments, t.PastWindowHouseholds,
		t.AlertWindowEnrollments, t.AlertWindowHouseholds, rep.ReferenceDays, t.PastReferenceEnrollments, t.PastReferenceHouseholds)
	return err
}
