package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// agreementCmd is `exitflow agreement`: agency agreements on Temporal (SPEC AG1–AG8).
func (a *app) agreementCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "agreement",
		Short: "Agency agreements on Temporal: start, signal, status, list (SPEC AG1–AG8)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.agreementStartCmd(), a.agreementSignalCmd(), a.agreementStatusCmd(), a.agreementListCmd())
	return c
}

// agreementFlags are agreement start's flags: one per AgreementInput field, or --file.
type agreementFlags struct {
	file string
	in   workflows.AgreementInput
	// method and dqm are read as strings, then checked.
	method, dqm string
}

// inputFlags maps each AgreementInput JSON field to its flag.
var inputFlags = map[string]string{
	"agreement_id": "--agreement-id", "organization_id": "--organization", "project_ids": "--project",
	"method": "--method", "period_days": "--period-days", "period_end": "--period-end", "liaisons": "--liaison",
	"hmis_staff": "--hmis-staff", "auto_exit_days": "--auto-exit-days", "alert_days": "--alert-days",
	"window_days": "--window-days", "all_open": "--all-open", "dqm_every": "--dqm-every",
}

// agreementStartCmd is `exitflow agreement start`.
func (a *app) agreementStartCmd() *cobra.Command {
	o := &agreementFlags{}
	c := &cobra.Command{
		Use:   "start (--file INPUT.json | --agreement-id ID --organization ID --project ID... --method auto|admin ...)",
		Short: "Start an agency agreement workflow (AgencyAgreement) on the task queue",
		Long: `Starts the AgencyAgreement workflow with workflow ID agreement-<agreement_id> on the configured
task queue (EXITFLOW_TASK_QUEUE). The input is one JSON object, the same the Web UI's Start Workflow
form and the Temporal CLI take: from --file (strict: an unknown or missing field is refused, naming
the file and the field) or from the flags, one per field.

Either --period-days or --period-end gives the agreed period. For method auto, --auto-exit-days and
--alert-days default to SPEC P2; for admin, --window-days defaults to each project's auto-exit
window, else 90, and --all-open exits every open enrollment (a closing project).

One agreement runs per ID: a second start with the same --agreement-id is refused, naming the
existing workflow run and its status. The worker validates the input against the database (a
workflow with a bad field fails at once, naming it): watch it with exitflow agreement status.`,
		Example: `  exitflow agreement start --file agreement.json
  exitflow agreement start --agreement-id A1 --organization 3 --project 6 --method auto --period-days 30 \
    --liaison dana.reyes@agency.example --hmis-staff sam.ortiz@coc.example
  exitflow agreement start --agreement-id A2 --organization 3 --project 6 --project 10 --method admin \
    --period-end 2027-01-31 --window-days 60 --liaison dana.reyes@agency.example --hmis-staff sam.ortiz@coc.example --dqm-every monthly`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.input(cmd)
			if err != nil {
				return err
			}
			return a.startAgreement(cmd.Context(), in, cmd.OutOrStdout())
		},
	}
	o.add(c)
	return c
}

// add adds the flags to c.
func (o *agreementFlags) add(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.file, "file", "", "read the input from this JSON `FILE` (one object; refused with any other input flag)")
	f.StringVar(&o.in.AgreementID, "agreement-id", "", "the agreement's `ID` (workflow ID agreement-ID)")
	f.StringVar(&o.in.OrganizationID, "organization", "", "the agency's OrganizationID")
	f.StringArrayVar(&o.in.ProjectIDs, "project", nil, "a ProjectID of the agency (repeat for more)")
	f.StringVar(&o.method, "method", "", "how the rest is exited: auto or admin")
	f.IntVar(&o.in.PeriodDays, "period-days", 0, "the agreed period in `DAYS` from today")
	f.StringVar(&o.in.PeriodEnd, "period-end", "", "the agreed period's last `DATE` (YYYY-MM-DD, CoC time zone)")
	f.StringArrayVar(&o.in.Liaisons, "liaison", nil, "the `EMAIL` of a liaison contact of the agency (repeat for more)")
	f.StringVar(&o.in.HMISStaff, "hmis-staff", "", "the `EMAIL` of the hmis-staff contact in charge")
	f.IntVar(&o.in.AutoExitDays, "auto-exit-days", 0, "auto: the auto-exit window in `DAYS` (default SPEC P2)")
	f.IntVar(&o.in.AlertDays, "alert-days", 0, "auto: the alert threshold in `DAYS` (default SPEC P2)")
	f.IntVar(&o.in.WindowDays, "window-days", 0, "admin: exit enrollments inactive this many `DAYS` (default each project's window, else 90)")
	f.BoolVar(&o.in.AllOpen, "all-open", false, "admin: exit every open enrollment (a closing project)")
	f.StringVar(&o.dqm, "dqm-every", "", "the follow-up DQM's cadence: quarterly (default) or monthly")
}

// input is the agreement input the flags or the file give.
func (o *agreementFlags) input(cmd *cobra.Command) (workflows.AgreementInput, error) {
	if o.file != "" {
		var given []string
		for _, fl := range inputFlags {
			if cmd.Flags().Changed(strings.TrimPrefix(fl, "--")) {
				given = append(given, fl)
			}
		}
		if len(given) > 0 {
			return workflows.AgreementInput{}, fmt.Errorf("--file and %s: give the input either in the file or as flags", strings.Join(given, ", "))
		}
		return readAgreementFile(o.file)
	}
	in := o.in
	in.Method, in.DQMEvery = workflows.Method(o.method), workflows.Cadence(o.dqm)
	return in, checkAgreementInput(in, func(field string) string { return inputFlags[field] })
}

// readAgreementFile reads and checks the input in file.
func readAgreementFile(file string) (workflows.AgreementInput, error) {
	var in workflows.AgreementInput
	f, err := os.Open(file)
	if err != nil {
		return in, fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	if err := decodeStrict(f, file, &in); err != nil {
		return in, err
	}
	return in, checkAgreementInput(in, func(field string) string { return file + ": field " + field })
}

// checkAgreementInput checks what can be checked without the database; name says how a field is
// named to the user (a flag, or the file's field).
func checkAgreementInput(in workflows.AgreementInput, name func(field string) string) error {
	for _, req := range []struct{ field, val string }{{"agreement_id", in.AgreementID}, {"organization_id", in.OrganizationID}, {"hmis_staff", in.HMISStaff}} {
		if strings.TrimSpace(req.val) == "" {
			return fmt.Errorf("%s is required", name(req.field))
		}
	}
	switch {
	case len(in.ProjectIDs) == 0:
		return fmt.Errorf("%s is required: at least one ProjectID of the agency", name("project_ids"))
	case len(in.Liaisons) == 0:
		return fmt.Errorf("%s is required: at least one liaison e-mail", name("liaisons"))
	case in.Method != workflows.MethodAuto && in.Method != workflows.MethodAdmin:
		return fmt.Errorf("%s %q: want auto or admin", name("method"), in.Method)
	case in.DQMEvery != "" && in.DQMEvery != workflows.Quarterly && in.DQMEvery != workflows.Monthly:
		return fmt.Errorf("%s %q: want quarterly or monthly", name("dqm_every"), in.DQMEvery)
	case (in.PeriodDays == 0) == (in.PeriodEnd == ""):
		return fmt.Errorf("give exactly one of %s and %s", name("period_days"), name("period_end"))
	case in.PeriodDays < 0:
		return fmt.Errorf("%s %d: want a number of days > 0", name("period_days"), in.PeriodDays)
	}
	if in.PeriodEnd != "" {
		if _, err := parseDateFlag("period-end", in.PeriodEnd); err != nil {
			return fmt.Errorf("%s %q: want a date YYYY-MM-DD: %w", name("period_end"), in.PeriodEnd, err)
		}
	}
	for _, d := range []struct {
		field string
		v     int
	}{{"auto_exit_days", in.AutoExitDays}, {"alert_days", in.AlertDays}, {"window_days", in.WindowDays}} {
		if d.v < 0 {
			return fmt.Errorf("%s %d: want a number of days > 0", name(d.field), d.v)
		}
	}
	return nil
}

// startOptions are the start options of an agreement: one run per ID, search attributes set.
func startOptions(in workflows.AgreementInput, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                                       workflows.AgreementWorkflowID(in.AgreementID),
		TaskQueue:                                taskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary: fmt.Sprintf("Agreement %s: organization %s, projects %s, method %s",
			in.AgreementID, in.OrganizationID, strings.Join(in.ProjectIDs, ", "), in.Method),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchAgency.ValueSet(in.OrganizationID),
			workflows.SearchProjects.ValueSet(in.ProjectIDs),
			workflows.SearchMethod.ValueSet(string(in.Method)),
			workflows.SearchPhase.ValueSet(string(workflows.PhaseValidating)),
		),
	}
}

// startAgreement starts the workflow and prints its IDs and where to watch it.
func (a *app) startAgreement(ctx context.Context, in workflows.AgreementInput, out io.Writer) error {
	t, err := a.temporal(ctx)
	if err != nil {
		return err
	}
	defer t.Close()
	opts := startOptions(in, t.taskQueue)
	run, err := t.ExecuteWorkflow(ctx, opts, workflows.AgencyAgreementWorkflow, in)
	var dup *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &dup):
		status := enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
		if d, derr := t.DescribeWorkflow(ctx, opts.ID, dup.RunId); derr == nil && d.RawResponse != nil {
			status = d.RawResponse.GetWorkflowExecutionInfo().GetStatus()
		}
		return duplicateStartError(in.AgreementID, opts.ID, dup.RunId, status)
	case err != nil && strings.Contains(err.Error(), "Exitflow"):
		return fmt.Errorf("starting %s: %w (are the search attributes registered? run exitflow setup)", opts.ID, err)
	case err != nil:
		return fmt.Errorf("starting %s: %w", opts.ID, err)
	}
	fmt.Fprintf(out, "started agreement %s\n  workflow ID  %s\n  run ID       %s\n  task queue   %s\n",
		in.AgreementID, run.GetID(), run.GetRunID(), t.taskQueue)
	if u := t.webUI(run.GetID()); u != "" {
		fmt.Fprintf(out, "  Web UI       %s (make run's dev server)\n", u)
	}
	fmt.Fprintf(out, "watch it with: exitflow agreement status %s\n", in.AgreementID)
	return nil
}

// duplicateStartError is the refusal of a second start of agreement id, naming the existing run.
func duplicateStartError(id, workflowID, runID string, status enumspb.WorkflowExecutionStatus) error {
	s := "unknown status"
	if status != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
		s = "status " + status.String()
	}
	return fmt.Errorf("--agreement-id %s: agreement %s was already started as workflow %s (run %s, %s); one agreement per ID: choose another --agreement-id",
		id, id, workflowID, runID, s)
}

// agreementWorkflowID is the workflow ID of arg: an agreement ID, or already its workflow ID.
func agreementWorkflowID(arg string) string {
	if strings.HasPrefix(arg, "agreement-") {
		return arg
	}
	return workflows.AgreementWorkflowID(arg)
}
