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

func (a *app) policyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "policy",
		Short: "Set and show exit policies, and their history",
		Long: `Exit policies say after how many days without activity a household is exited automatically
(auto-exit days), when an alert goes out before that (alert days), how night-by-night shelters measure
inactivity (NbN benchmark) and which Exit fields automatic exits get (exit defaults).

A policy is set for one project, an organization (agency), a project type, or as the CoC default.
The most specific policy that exists applies as a whole: project > organization > project type >
default > built-in (Services Only and Other 90 days with an alert at 80, Street Outreach 365/300,
every other project type off).`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(a.policySetCmd(), a.policyShowCmd(), a.policyHistoryCmd())
	return c
}

// writePolicyTable writes `policy show` for people: each project with its name and its
// organization's, in natural ID order (9 before 10), then, with policiesSet, the policies set at
// each scope.
func writePolicyTable(out io.Writer, eps []engine.EffectivePolicy, pols []engine.Policy, policiesSet bool) error {
	eps = slices.Clone(eps)
	slices.SortStableFunc(eps, func(a, b engine.EffectivePolicy) int { return engine.CompareIDs(a.ProjectID, b.ProjectID) })
	projects, orgs := map[string]string{}, map[string]string{}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tNAME\tORGANIZATION\tTYPE\tPOLICY FROM\tAUTO EXIT\tALERT\tNBN BENCHMARK\tEXIT DEFAULTS")
	for _, e := range eps {
		projects[e.ProjectID], orgs[e.OrganizationID] = e.ProjectName, e.OrganizationName
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", e.ProjectID, e.ProjectName, named(e.OrganizationID, e.OrganizationName),
			e.ProjectType, engine.ScopeLabel(e.Scope, e.ScopeID), polInt(e.AutoExitDays, "off"), polInt(e.AlertDays, "-"), e.NbnBenchmark, e.DefaultsString())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !policiesSet {
		return nil
	}
	fmt.Fprintln(out, "\nPolicies set (the most specific applies as a whole: project > organization > project type > default > built-in):")
	if len(pols) == 0 {
		fmt.Fprintln(out, "  none: every project follows the built-in defaults")
	}
	rank := []engine.Scope{engine.ScopeProject, engine.ScopeOrganization, engine.ScopeProjectType, engine.ScopeDefault}
	pols = slices.Clone(pols)
	slices.SortStableFunc(pols, func(a, b engine.Policy) int {
		return cmp.Or(cmp.Compare(slices.Index(rank, a.Scope), slices.Index(rank, b.Scope)), engine.CompareIDs(a.ScopeID, b.ScopeID))
	})
	for _, p := range pols {
		label := engine.ScopeLabel(p.Scope, p.ScopeID)
		switch p.Scope {
		case engine.ScopeProject:
			label = named(label, projects[p.ScopeID])
		case engine.ScopeOrganization:
			label = named(label, orgs[p.ScopeID])
		}
		fmt.Fprintf(out, "  %s: %s (set by %s)\n", label, p.PolicyValues, p.ChangedBy)
	}
	return nil
}

// named is "id (name)", or id alone when the name is not known.
func named(id, name string) string {
	if name == "" {
		return id
	}
	return id + " (" + name + ")"
}

// PolicyShowHeader is the CSV header of `exitflow policy show --format csv`.
var PolicyShowHeader = []string{"ProjectID", "OrganizationID", "ProjectType", "Scope", "ScopeID", "AutoExitDays", "AlertDays", "NbnBenchmark", "ExitDefaults"}

func polInt(p *int, none string) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(*p)
}

func (a *app) policyShowCmd() *cobra.Command {
	var projects []string
	var format string
	c := &cobra.Command{
		Use:   "show [--project ID]...",
		Short: "Show each project's effective exit policy and the scope it comes from",
		Long: `Shows, for every project (or the given ones), the exit policy in force and the scope that gave
it: project, organization, project-type, default, or built-in (SPEC P2: Services Only and Other 90
days with an alert at 80, Street Outreach 365/300, every other project type off). The table format
also lists the policies set at each scope.

A warning is printed (on stderr) for projects whose NbN benchmark is last-activity: it is not HUD
compliant.

Formats: table (for people: project and organization names, IDs of digits in numeric order, 9
before 10), csv (columns ProjectID,OrganizationID,ProjectType,Scope,ScopeID,AutoExitDays,AlertDays,
NbnBenchmark,ExitDefaults, sorted by ProjectID as text; empty days = off / no alert; ExitDefaults as
a JSON object), json ({"projects": [...], "policies": [...]}, projects in the CSV order).`,
		Example: `  exitflow policy show
  exitflow policy show --project 1362 --project 1401
  exitflow policy show --format csv > policies.csv
  exitflow policy show --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return fmt.Errorf("--format %q: want table, csv or json", format)
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			eps, err := engine.EffectivePolicies(cmd.Context(), pool, projects)
			if err != nil {
				return err
			}
			pols, err := engine.Policies(cmd.Context(), pool)
			if err != nil {
				return err
			}
			var lastActivity []string // SPEC P4
			for _, e := range eps {
				if e.NbnBenchmark == engine.BenchmarkLastActivity {
					lastActivity = append(lastActivity, e.ProjectID)
				}
			}
			if len(lastActivity) > 0 {
				slices.SortFunc(lastActivity, engine.CompareIDs)
				fmt.Fprintf(cmd.ErrOrStderr(), "exitflow: warning: %s %s: %s\n", polPlural(len(lastActivity), "project", "projects"),
					strings.Join(lastActivity, ", "), engine.NbnWarning)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				if eps == nil {
					eps = []engine.EffectivePolicy{}
				}
				if pols == nil {
					pols = []engine.Policy{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"projects": eps, "policies": pols})
			case "csv":
				cw := csv.NewWriter(out)
				_ = cw.Write(PolicyShowHeader)
				for _, e := range eps {
					d, _ := json.Marshal(e.ExitDefaults)
					_ = cw.Write([]string{e.ProjectID, e.OrganizationID, strconv.Itoa(e.ProjectType), string(e.Scope), e.ScopeID,
						polInt(e.AutoExitDays, ""), polInt(e.AlertDays, ""), e.NbnBenchmark, string(d)})
				}
				cw.Flush()
				return cw.Error()
			}
			return writePolicyTable(out, eps, pols, len(projects) == 0)
		},
	}
	c.Flags().StringArrayVar(&projects, "project", nil, "only this ProjectID (repeat for several)")
	c.Flags().StringVar(&format, "format", "table", "table, csv or json")
	return c
}

func (a *app) policyHistoryCmd() *cobra.Command {
	var format string
	var limit int
	c := &cobra.Command{
		Use:   "history",
		Short: "List every policy change: who, when, scope, old and new values (newest first)",
		Long: `Lists the recorded policy changes, newest first: when (in the CoC's time zone), who (--actor of
policy set), the scope, and the values before and after. A scope's first change has no old values.

Formats: table (for people), json (for programs; times in RFC 3339).`,
		Example: `  exitflow policy history
  exitflow policy history --limit 10
  exitflow policy history --format json`,
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
			hist, err := engine.PolicyHistory(cmd.Context(), pool, limit)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSONList(out, hist)
			}
			if len(hist) == 0 {
				fmt.Fprintln(out, "no policy changes yet: every project follows the built-in defaults")
				return nil
			}
			loc := conf.Location()
			for i, h := range hist {
				if i > 0 {
					fmt.Fprintln(out)
				}
				fmt.Fprintf(out, "#%d %s by %s: %s\n", h.ID, h.ChangedAt.In(loc).Format(time.DateTime+" MST"), h.Actor, engine.ScopeLabel(h.Scope, h.ScopeID))
				old := "no policy"
				if h.Old != nil {
					old = h.Old.String()
				}
				fmt.Fprintf(out, "  old: %s\n", old)
				if h.New != nil {
					fmt.Fprintf(out, "  new: %s\n", h.New)
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table or json")
	c.Flags().IntVar(&limit, "limit", 0, "only the `N` newest changes (0: all)")
	return c
}
