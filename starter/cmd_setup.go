package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/temporal"
)

// setupHook is one more step of `exitflow setup`, run after the search attributes are registered.
type setupHook func(ctx context.Context, a *app, t *temporalConn, out io.Writer) error

// setupHooks are the extra steps of `exitflow setup`, in order: the daily sweep's schedule.
var setupHooks = []setupHook{setupSweepSchedule}

// searchAttributes are the search attributes exitflow keeps on agreements (SPEC AG8), by name.
func searchAttributes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKey{workflows.SearchAgency, workflows.SearchProjects,
		workflows.SearchMethod, workflows.SearchPhase} {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// setupCmd is `exitflow setup`: what a Temporal namespace needs before agreements run in it.
func (a *app) setupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "setup",
		Short: "Register exitflow's search attributes and the daily sweep's schedule in the Temporal namespace (idempotent)",
		Long: `Registers the search attributes agreements keep current, so that HMIS staff can filter them in
the Web UI and with exitflow agreement list:

  ExitflowAgency    Keyword       the agreement's OrganizationID
  ExitflowProjects  KeywordList   its ProjectIDs
  ExitflowMethod    Keyword       auto or admin
  ExitflowPhase     Keyword       validating, notice, period, paused, exiting, acknowledgement, ...

It lists the namespace's attributes first and adds only the missing ones, so running it again
changes nothing. An attribute registered with another type is an error (rename it on the cluster).

Then it creates the Temporal Schedule auto-exit-sweep: the daily auto-exit sweep (workflow
AutoExitSweep) at sweep_time (EXITFLOW_SWEEP_TIME, default 05:00) in the CoC time zone
(EXITFLOW_TIMEZONE), on the task queue (EXITFLOW_TASK_QUEUE); a sweep still running at the next
time makes that one skip (overlap skip), and a sweep missed while the server was down runs late for
up to one day (catch-up window 24h). If the schedule exists it is left alone, or updated when the
time, the time zone or the task queue changed; a pause stays as it was. It prints which it did.
make run runs setup; run it once on a real cluster, and again after changing those settings.`,
		Example: `  exitflow setup
  EXITFLOW_SWEEP_TIME=06:30 exitflow setup    # move the daily sweep to 06:30
  EXITFLOW_TEMPORAL_ADDRESS=temporal.coc.example:7233 EXITFLOW_TEMPORAL_NAMESPACE=exitflow exitflow setup`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := a.temporal(cmd.Context())
			if err != nil {
				return err
			}
			defer t.Close()
			if err := registerSearchAttributes(cmd.Context(), t, cmd.OutOrStdout()); err != nil {
				return err
			}
			for _, h := range setupHooks {
				if err := h(cmd.Context(), a, t, cmd.OutOrStdout()); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// registerSearchAttributes adds the missing search attributes and says what it did for each.
func registerSearchAttributes(ctx context.Context, t *temporalConn, out io.Writer) error {
	ops := t.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: t.namespace})
	if err != nil {
		return fmt.Errorf("listing the search attributes of namespace %s: %w", t.namespace, err)
	}
	want := searchAttributes()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	missing := map[string]enumspb.IndexedValueType{}
	for _, n := range names {
		got, ok := have.GetCustomAttributes()[n]
		switch {
		case !ok:
			missing[n] = want[n]
		case got != want[n]:
			return fmt.Errorf("search attribute %s is registered as %s in namespace %s, exitflow needs %s", n, got, t.namespace, want[n])
		default:
			fmt.Fprintf(out, "%s (%s): already registered\n", n, want[n])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: t.namespace, SearchAttributes: missing}); err != nil {
		return fmt.Errorf("registering search attributes in namespace %s: %w", t.namespace, err)
	}
	for _, n := range names {
		if v, ok := missing[n]; ok {
			fmt.Fprintf(out, "%s (%s): registered\n", n, v)
		}
	}
	return nil
}
