package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
)

// agreementStatusCmd is `exitflow agreement status`.
func (a *app) agreementStatusCmd() *cobra.Command {
	var format string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "status ID [--format table|json]",
		Short: "Show an agreement's status: phase, period end, next reminder, counts, acknowledgement",
		Long: `Asks the running agreement ID (its agreement ID, or its workflow ID agreement-ID) for its status
query: the phase, the period's end, the next reminder or escalation, the candidates and what became
of them, the acknowledgement and the signals it rejected (who, what, why, when). Counts only: the
enrollment IDs stay in PostgreSQL. A query needs a running worker (make run starts one).`,
		Example: `  exitflow agreement status A1
  exitflow agreement status agreement-A1 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkListFlags(format, 0); err != nil {
				return err
			}
			st, err := a.agreementStatus(cmd.Context(), agreementWorkflowID(args[0]), timeout)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			writeStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table or json")
	c.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for a worker to answer")
	return c
}

// agreementStatus queries the status of workflow wid.
func (a *app) agreementStatus(ctx context.Context, wid string, timeout time.Duration) (workflows.AgreementStatus, error) {
	var st workflows.AgreementStatus
	t, err := a.temporal(ctx)
	if err != nil {
		return st, err
	}
	defer t.Close()
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := t.QueryWorkflow(qctx, wid, "", workflows.QueryStatus)
	if err != nil && qctx.Err() != nil && ctx.Err() == nil {
		return st, fmt.Errorf("ID %s: no worker answered the status query within %s: start one with make run", wid, timeout)
	}
	if err != nil {
		return st, notFound(wid, fmt.Errorf("querying %s: %w", wid, err))
	}
	if err := v.Get(&st); err != nil {
		return st, fmt.Errorf("reading the status of %s: %w", wid, err)
	}
	return st, nil
}

// writeStatus prints st as label/value lines, then the rejected signals.
func writeStatus(out io.Writer, st workflows.AgreementStatus) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	c := st.Counts
	row("agreement", st.AgreementID)
	row("phase", string(st.Phase))
	row("method", string(st.Method))
	row("period end", st.PeriodEnd)
	row("next reminder", ts(st.NextReminder))
	row("next deadline", ts(st.NextDeadline))
	row("candidates", fmt.Sprintf("%d enrollments, %d households", c.CandidateEnrollments, c.CandidateHouseholds))
	row("exited", fmt.Sprintf("%d by the agency, %d by the engine, %d still open", c.ExitedByAgency, c.ExitedByEngine, c.StillOpen))
	row("issue", st.Issue)
	ack := "not yet"
	if st.AcknowledgedBy != "" {
		ack = st.AcknowledgedBy
		if st.AcknowledgedAt != nil {
			ack += " at " + ts(st.AcknowledgedAt)
		}
	}
	row("acknowledged", ack)
	row("reminders", fmt.Sprintf("%d (escalated: %t)", st.Reminders, st.Escalated))
	row("notify failures", fmt.Sprint(st.NotifyFailures))
	row("DQM schedule", st.DQMScheduleID)
	if st.CancelledBy != "" {
		row("cancelled", st.CancelledBy+": "+st.CancelReason)
	}
	row("rejected signals", fmt.Sprint(len(st.Rejected)))
	tw.Flush()
	for _, r := range st.Rejected {
		fmt.Fprintf(out, "  %s  %s from %s: %s\n", r.At.Format(time.RFC3339), r.Action, r.From, r.Reason)
	}
}

// agreementRow is one line of agreement list.
type agreementRow struct {
	WorkflowID string    `json:"workflow_id"`
	Status     string    `json:"status"`
	Phase      string    `json:"phase"`
	Agency     string    `json:"agency"`
	Projects   []string  `json:"projects"`
	Method     string    `json:"method"`
	StartTime  time.Time `json:"start_time"`
}

// agreementListCmd is `exitflow agreement list`.
func (a *app) agreementListCmd() *cobra.Command {
	var phase, format string
	c := &cobra.Command{
		Use:   "list [--phase PHASE] [--format table|json]",
		Short: "List agreement workflows with their status, phase, agency and method",
		Long: `Lists the AgencyAgreement workflows of the namespace, newest first, from Temporal's visibility
store (the search attributes exitflow setup registers): workflow ID, execution status, phase
(ExitflowPhase), agency (ExitflowAgency), method and start time. --phase keeps one phase:
validating, notice, period, paused, exiting, acknowledgement, follow-up, completed or cancelled.
The same filter in the Web UI: WorkflowType = 'AgencyAgreement' AND ExitflowPhase = 'period'.`,
		Example: `  exitflow agreement list
  exitflow agreement list --phase acknowledgement --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, 0); err != nil {
				return err
			}
			q, err := agreementQuery(phase)
			if err != nil {
				return err
			}
			rows, err := a.listAgreements(cmd.Context(), q)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONList(cmd.OutOrStdout(), rows)
			}
			return writeAgreementRows(cmd.OutOrStdout(), rows)
		},
	}
	c.Flags().StringVar(&phase, "phase", "", "only agreements in this `PHASE`")
	c.Flags().StringVar(&format, "format", "table", "table or json")
	return c
}

// phases are the agreement phases, for --phase.
var phases = []workflows.Phase{workflows.PhaseValidating, workflows.PhaseNotice, workflows.PhasePeriod,
	workflows.PhasePaused, workflows.PhaseExiting, workflows.PhaseAcknowledgement, workflows.PhaseFollowUp,
	workflows.PhaseCompleted, workflows.PhaseCancelled}

// agreementQuery is the visibility query of agreement list.
func agreementQuery(phase string) (string, error) {
	q := fmt.Sprintf("WorkflowType = '%s'", workflows.AgencyAgreementWorkflow)
	if phase == "" {
		return q, nil
	}
	names := make([]string, len(phases))
	for i, p := range phases {
		names[i] = string(p)
		if string(p) == phase {
			return q + fmt.Sprintf(" AND %s = '%s'", workflows.SearchPhase.GetName(), phase), nil
		}
	}
	return "", fmt.Errorf("--phase %q: want one of %s", phase, strings.Join(names, ", "))
}

// listAgreements reads every workflow the query matches.
func (a *app) listAgreements(ctx context.Context, query string) ([]agreementRow, error) {
	t, err := a.temporal(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	var rows []agreementRow
	var token []byte
	for {
		resp, err := t.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: t.namespace, Query: query, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing agreements (%s): %w", query, err)
		}
		for _, e := range resp.GetExecutions() {
			sa := e.GetSearchAttributes()
			rows = append(rows, agreementRow{
				WorkflowID: e.GetExecution().GetWorkflowId(), Status: e.GetStatus().String(),
				Phase: saString(sa, workflows.SearchPhase.GetName()), Agency: saString(sa, workflows.SearchAgency.GetName()),
				Projects: saStrings(sa, workflows.SearchProjects.GetName()), Method: saString(sa, workflows.SearchMethod.GetName()),
				StartTime: e.GetStartTime().AsTime(),
			})
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return rows, nil
		}
	}
}

// saString is a Keyword search attribute's value ("" if unset).
func saString(sa *commonpb.SearchAttributes, name string) string {
	var s string
	if p := sa.GetIndexedFields()[name]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}

// saStrings is a KeywordList search attribute's values.
func saStrings(sa *commonpb.SearchAttributes, name string) []string {
	var s []string
	if p := sa.GetIndexedFields()[name]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}

// writeAgreementRows prints the agreements as a table.
func writeAgreementRows(out io.Writer, rows []agreementRow) error {
	if len(rows) == 0 {
		fmt.Fprintln(out, "no agreements")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tSTATUS\tPHASE\tAGENCY\tMETHOD\tSTARTED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.Status, r.Phase, r.Agency, r.Method, r.StartTime.Format(time.RFC3339))
	}
	return tw.Flush()
}
