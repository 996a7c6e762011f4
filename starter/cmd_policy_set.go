package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// exitNotConfirmed is the status of `policy set` when a change needs --yes (SPEC P7): nothing changed.
const exitNotConfirmed = 3

// parsePolicyDays reads a --*-days flag as a whole number; the range is checked by the engine (SPEC P3).
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

// policySetFlags are the flags of policy set.
type policySetFlags struct {
	project, organization, projectType string
	autoExit, alert, benchmark, actor  string
	isDefault, noAlert, off, yes       bool
	defaults                           []string
}

// policySetCmd is policy set: its help and flags.
func (a *app) policySetCmd() *cobra.Command {
	o := &policySetFlags{}
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
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), a, cmd) },
	}
	f := c.Flags()
	f.StringVar(&o.project, "project", "", "set the policy of this ProjectID")
	f.StringVar(&o.organization, "organization", "", "set the policy of this OrganizationID (all its projects without their own policy)")
	f.StringVar(&o.projectType, "project-type", "", "set the policy of this HUD project type `N` (2.02.6)")
	f.BoolVar(&o.isDefault, "default", false, "set the CoC default policy (projects with no project, organization or project type policy)")
	f.StringVar(&o.autoExit, "auto-exit-days", "", "auto exit after `N` days without activity (30 or more)")
	f.StringVar(&o.alert, "alert-days", "", "alert after `N` days without activity (1 or more, less than the auto-exit days)")
	f.BoolVar(&o.noAlert, "no-alert", false, "remove the alert")
	f.BoolVar(&o.off, "off", false, "switch auto exit (and its alert) off at this scope")
	f.StringVar(&o.benchmark, "nbn-benchmark", "", "night-by-night inactivity measured by last-bed-night (HUD) or last-activity (not HUD compliant)")
	f.StringArrayVar(&o.defaults, "exit-default", nil, "Exit field default `FIELD=VALUE` for automatic exits (repeat; FIELD= removes it)")
	f.StringVar(&o.actor, "actor", "", "who makes the change (required; recorded in the policy history)")
	f.BoolVar(&o.yes, "yes", false, "apply a change that enables or shortens auto exit, after its preview")
	return c
}

// run applies the change, or prints its preview and exits with status 3 when it needs --yes.
func (o *policySetFlags) run(ctx context.Context, a *app, cmd *cobra.Command) error {
	ch, err := o.change(cmd.Flags())
	if err != nil {
		return err
	}
	pool, conf, err := a.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := engine.SetPolicy(ctx, pool, ch, conf.Today(), o.yes)
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
}

// change is the engine's policy change the flags ask for; f tells which flags were given.
func (o *policySetFlags) change(f *pflag.FlagSet) (engine.PolicyChange, error) {
	ch := engine.PolicyChange{NoAlert: o.noAlert, Off: o.off, NbnBenchmark: o.benchmark, Actor: o.actor}
	var err error
	if ch.Scope, ch.ScopeID, err = o.scope(f); err != nil {
		return ch, err
	}
	if f.Changed("auto-exit-days") {
		if ch.AutoExitDays, err = parsePolicyDays("auto-exit-days", o.autoExit); err != nil {
			return ch, err
		}
	}
	if f.Changed("alert-days") {
		if ch.AlertDays, err = parsePolicyDays("alert-days", o.alert); err != nil {
			return ch, err
		}
	}
	if ch.ExitDefaults, err = parseExitDefaults(o.defaults); err != nil {
		return ch, err
	}
	return ch, nil
}

// scope is the one scope flag given, as the engine's scope and its ID.
func (o *policySetFlags) scope(f *pflag.FlagSet) (scope engine.Scope, id string, err error) {
	var given []string
	for _, s := range []struct {
		flag  string
		scope engine.Scope
		id    string
	}{
		{"project", engine.ScopeProject, o.project}, {"organization", engine.ScopeOrganization, o.organization},
		{"project-type", engine.ScopeProjectType, o.projectType}, {"default", engine.ScopeDefault, ""},
	} {
		if f.Changed(s.flag) {
			given = append(given, "--"+s.flag)
			scope, id = s.scope, s.id
		}
	}
	if len(given) != 1 {
		list := ""
		if len(given) > 1 {
			list = " (given: " + strings.Join(given, ", ") + ")"
		}
		return "", "", fmt.Errorf("give exactly one scope: --project ID, --organization ID, --project-type N or --default%s", list)
	}
	if scope == engine.ScopeDefault && !o.isDefault {
		return "", "", fmt.Errorf("--default=false: give another scope instead")
	}
	return scope, id, nil
}

// parseExitDefaults reads the --exit-default FIELD=VALUE flags (FIELD= removes the default);
// the fields and values are checked by the engine (SPEC P5).
func parseExitDefaults(flags []string) ([]engine.ExitDefault, error) {
	var defaults []engine.ExitDefault
	for _, d := range flags {
		field, value, ok := strings.Cut(d, "=")
		if !ok {
			return nil, fmt.Errorf("--exit-default %q: want FIELD=VALUE (FIELD= removes the default), e.g. Destination=30", d)
		}
		defaults = append(defaults, engine.ExitDefault{Field: field, Value: value})
	}
	return defaults, nil
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
