package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
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

// exitNotConfirmed is the status of `policy set` when a change needs --yes (SPEC P7): nothing changed.
const exitNotConfirmed = 3

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

// parseDays reads a --*-days flag as a whole number; the range is checked by the engine (SPEC P3).
func parsePolicyDays(flag, text string) (*int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		want := "30 or more"
		if flag == "alert-days" {
			want = "1 or more, less than the auto-exit days"
		}
		return nil, fmt.Errorf("--%s %q: not a whole number of days (want %s)", flag, text, want)
	}
	return &n, nil
}

func (a *app) policySetCmd() *cobra.Command {
	var project, organization, projectType, autoExit, alert, benchmark, actor string
	var isDefault, noAlert, off, yes bool
	var defaults []string
	c := &cobra.Command{
		Use:   "set (--project ID | --organization ID | --project-type N | --default) [values] --actor NAME [--yes]",
		Short: "Set the exit policy of a project, an organization, a project type or the CoC default",
		Long: `Sets the exit policy of one scope: exactly one of --project ID, --organization ID,
--project-type N (HUD 2.02.6) or --default. The most specific policy that exists applies as a whole
(a project policy without an alert has no alert, whatever its project type's policy says).

A scope without a policy gets one made of the values given, the rest as "nothing set": auto exit off
(unless --auto-exit-days is given), no alert, NbN benchmark last-bed-night, no exit defaults. A
scope that has a policy keeps every value not given. A change with a wrong value is refused as a
whole and changes nothing.

  --auto-exit-days N   a whole number, 30 or more
  --alert-days N       1 or more, and less than the auto-exit days of the resulting policy
  --no-alert           remove the alert
  --off                switch auto exit off at this scope (and its alert)
  --nbn-benchmark B    last-bed-night (HUD compliant, default) or last-activity (allowed, with a
                       warning: HUD measures night-by-night inactivity and exit dates by bed nights);
                       it applies to ES night-by-night projects (type 1) only
  --exit-default F=V   the value automatic exits write in Exit.csv column F (repeat for several;
                       F= removes it): Destination (HUD 3.12, default 30), DestinationSubsidyType
                       (only with Destination 435, which needs it), OtherDestination (only with, and
                       needed by, Destination 17), other integer Exit columns

Switching auto exit on is retroactive: every open household already past the window is exited by
the next run. So before a change that enables or shortens a window (or otherwise exits more
households now), set shows how many households and enrollments the projects that take their
policy from this scope would have exited today, before and after the change, and applies it only
with --yes. Other changes (a longer window, alerts, --off, exit defaults) apply at once.

Every change is recorded with --actor, the time, the scope and the old and new values (exitflow
policy history) and in the audit log. Changes apply from then on: recorded exits are never rewritten.

Exit status: 0 applied (or nothing to change), 1 refused (the reason is printed), 3 not applied
because the change needs --yes (the preview is printed; nothing changed).`,
		Example: `  exitflow policy set --project 1362 --auto-exit-days 120 --alert-days 100 --actor "Dana Reyes"
  exitflow policy set --project 1362 --auto-exit-days 120 --actor "Dana Reyes" --yes   # after reading the preview
  exitflow policy set --organization 41 --off --actor "Dana Reyes"
  exitflow policy set --project-type 1 --nbn-benchmark last-activity --actor "Dana Reyes"
  exitflow policy set --project 1362 --exit-default Destination=435 --exit-default DestinationSubsidyType=439 --actor "Dana Reyes"
  exitflow policy set --project 1362 --exit-default DestinationSubsidyType= --exit-default Destination= --actor "Dana Reyes"
  exitflow policy set --default --auto-exit-days 180 --alert-days 150 --actor "Dana Reyes" --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			ch := engine.PolicyChange{NoAlert: noAlert, Off: off, NbnBenchmark: benchmark, Actor: actor}
			var scopes []string
			for _, s := range []struct{ flag, scope, id string }{
				{"project", engine.ScopeProject, project}, {"organization", engine.ScopeOrganization, organization},
				{"project-type", engine.ScopeProjectType, projectType}, {"default", engine.ScopeDefault, ""},
			} {
				if f.Changed(s.flag) {
					scopes = append(scopes, "--"+s.flag)
					ch.Scope, ch.ScopeID = s.scope, s.id
				}
			}
			if len(scopes) != 1 {
				given := ""
				if len(scopes) > 1 {
					given = " (given: " + strings.Join(scopes, ", ") + ")"
				}
				return fmt.Errorf("give exactly one scope: --project ID, --organization ID, --project-type N or --default%s", given)
			}
			if ch.Scope == engine.ScopeDefault && !isDefault {
				return fmt.Errorf("--default=false: give another scope instead")
			}
			var err error
			if f.Changed("auto-exit-days") {
				if ch.AutoExitDays, err = parsePolicyDays("auto-exit-days", autoExit); err != nil {
					return err
				}
			}
			if f.Changed("alert-days") {
				if ch.AlertDays, err = parsePolicyDays("alert-days", alert); err != nil {
					return err
				}
			}
			for _, d := range defaults {
				field, value, ok := strings.Cut(d, "=")
				if !ok {
					return fmt.Errorf("--exit-default %q: want FIELD=VALUE (FIELD= removes the default), e.g. Destination=30", d)
				}
				ch.ExitDefaults = append(ch.ExitDefaults, engine.ExitDefault{Field: field, Value: value})
			}
			pool, conf, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			res, err := engine.SetPolicy(cmd.Context(), pool, ch, conf.Today(), yes)
			notConfirmed := errors.Is(err, engine.ErrNotConfirmed)
			if err != nil && !notConfirmed {
				return err
			}
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			for _, w := range res.Warnings {
				fmt.Fprintln(errOut, "exitflow: warning:", w)
			}
			printPolicyResult(out, res)
			if notConfirmed {
				fmt.Fprintf(errOut, "exitflow: this change enables or shortens auto exit: it would exit %s now\nexitflow: %v\n",
					polHouseholds(res.After.ExitHouseholds, res.After.ExitEnrollments), cliMessage(err))
				return exitCode(exitNotConfirmed)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&project, "project", "", "set the policy of this ProjectID")
	f.StringVar(&organization, "organization", "", "set the policy of this OrganizationID (all its projects without their own policy)")
	f.StringVar(&projectType, "project-type", "", "set the policy of this HUD project type `N` (2.02.6)")
	f.BoolVar(&isDefault, "default", false, "set the CoC default policy (projects with no project, organization or project type policy)")
	f.StringVar(&autoExit, "auto-exit-days", "", "auto exit after `N` days without activity (30 or more)")
	f.StringVar(&alert, "alert-days", "", "alert after `N` days without activity (1 or more, less than the auto-exit days)")
	f.BoolVar(&noAlert, "no-alert", false, "remove the alert")
	f.BoolVar(&off, "off", false, "switch auto exit (and its alert) off at this scope")
	f.StringVar(&benchmark, "nbn-benchmark", "", "night-by-night inactivity measured by last-bed-night (HUD) or last-activity (not HUD compliant)")
	f.StringArrayVar(&defaults, "exit-default", nil, "Exit field default `FIELD=VALUE` for automatic exits (repeat; FIELD= removes it)")
	f.StringVar(&actor, "actor", "", "who makes the change (required; recorded in the policy history)")
	f.BoolVar(&yes, "yes", false, "apply a change that enables or shortens auto exit, after its preview")
	return c
}

// households renders "2 households (3 enrollments)".
func polHouseholds(h, e int) string {
	return fmt.Sprintf("%d %s (%d %s)", h, polPlural(h, "household", "households"), e, polPlural(e, "enrollment", "enrollments"))
}

func polPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func polSigned(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// printPolicyResult prints what policy set did, or would do (SPEC P7 preview).
func printPolicyResult(w io.Writer, r engine.PolicyResult) {
	label := engine.ScopeLabel(r.Scope, r.ScopeID)
	if !r.Changed {
		fmt.Fprintf(w, "%s policy unchanged: it already is %s\n", label, r.New)
		return
	}
	fmt.Fprintf(w, "%s policy: %s\n", label, r.New)
	if r.Old == nil {
		fmt.Fprintf(w, "  before: no policy at this scope\n")
	} else {
		fmt.Fprintf(w, "  before: %s\n", r.Old)
	}
	if len(r.Projects) == 0 {
		fmt.Fprintf(w, "no project takes its policy from this scope now: nothing to exit\n")
	} else {
		names := slices.SortedFunc(slices.Values(r.Projects), engine.CompareIDs)
		more := ""
		if len(names) > 10 {
			names, more = names[:10], fmt.Sprintf(" and %d more", len(r.Projects)-10)
		}
		fmt.Fprintf(w, "preview as of %s (today), %d %s that take%s the policy from this scope (%s%s):\n", date(r.AsOf),
			len(r.Projects), polPlural(len(r.Projects), "project", "projects"), polPlural(len(r.Projects), "s", ""), strings.Join(names, ", "), more)
		fmt.Fprintf(w, "  would exit %s now; alert %s\n", polHouseholds(r.After.ExitHouseholds, r.After.ExitEnrollments),
			polHouseholds(r.After.AlertHouseholds, r.After.AlertEnrollments))
		fmt.Fprintf(w, "  before the change: exit %s; alert %s\n", polHouseholds(r.Before.ExitHouseholds, r.Before.ExitEnrollments),
			polHouseholds(r.Before.AlertHouseholds, r.Before.AlertEnrollments))
		fmt.Fprintf(w, "  difference: exit %s households (%s enrollments), alert %s households (%s enrollments)\n",
			polSigned(r.After.ExitHouseholds-r.Before.ExitHouseholds), polSigned(r.After.ExitEnrollments-r.Before.ExitEnrollments),
			polSigned(r.After.AlertHouseholds-r.Before.AlertHouseholds), polSigned(r.After.AlertEnrollments-r.Before.AlertEnrollments))
	}
	if r.Applied {
		fmt.Fprintf(w, "applied: recorded in the policy history (#%d)\n", r.HistoryID)
	}
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
	rank := []string{engine.ScopeProject, engine.ScopeOrganization, engine.ScopeProjectType, engine.ScopeDefault}
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
					_ = cw.Write([]string{e.ProjectID, e.OrganizationID, strconv.Itoa(e.ProjectType), e.Scope, e.ScopeID,
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
