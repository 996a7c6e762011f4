package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// signalFlags are agreement signal's flags.
type signalFlags struct {
	json       string
	signalOnly bool
	timeout    time.Duration
}

// agreementSignalCmd is `exitflow agreement signal`.
func (a *app) agreementSignalCmd() *cobra.Command {
	o := &signalFlags{}
	c := &cobra.Command{
		Use:   "signal ID ACTION --json '{...}' [--signal-only]",
		Short: "Acknowledge, report an issue, resume, extend or cancel an agreement",
		Long: `Sends ACTION to the agreement ID (its agreement ID, or its workflow ID agreement-ID). Actions and
their JSON objects ("from" is the sender's e-mail):

  acknowledge    {"from","note"}                  a liaison, after the exits
  report-issue   {"from","description"}           a liaison: pauses the agreement until resume
  resume         {"from","note"}                  HMIS staff
  extend         {"from","period_end","reason"}   HMIS staff, during the period (YYYY-MM-DD)
  cancel         {"from","reason"}                HMIS staff, before completion

The JSON is checked strictly first (an unknown, missing or mistyped field is refused, naming it).
Then the Workflow Update ACTION-now is sent and its answer printed: accepted, or the reason it was
rejected (exit status 1). If no worker answers within --timeout, or with --signal-only, the signal
ACTION is sent instead: it is delivered, and checked when a worker runs (see agreement status).`,
		Example: `  exitflow agreement signal A1 acknowledge --json '{"from":"dana.reyes@agency.example","note":"checked the list"}'
  exitflow agreement signal A1 report-issue --json '{"from":"dana.reyes@agency.example","description":"3 clients still served"}'
  exitflow agreement signal A1 extend --json '{"from":"sam.ortiz@coc.example","period_end":"2027-02-15","reason":"agency asked"}'
  exitflow agreement signal agreement-A1 cancel --signal-only --json '{"from":"sam.ortiz@coc.example","reason":"project stays open"}'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			action, payload, err := signalPayload(args[1], o.json)
			if err != nil {
				return err
			}
			return a.signalAgreement(cmd.Context(), agreementWorkflowID(args[0]), action, payload, o, cmd.OutOrStdout())
		},
	}
	c.Flags().StringVar(&o.json, "json", "", "the action's JSON `OBJECT` (required)")
	c.Flags().BoolVar(&o.signalOnly, "signal-only", false, "send the signal without waiting for a worker's answer")
	c.Flags().DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for a worker to answer the update")
	return c
}

// signalPayload checks action and decodes text strictly into the action's payload struct.
func signalPayload(action, text string) (workflows.Action, any, error) {
	act := workflows.Action(action)
	payload := workflows.SignalPayloads(act)
	if payload == nil {
		names := make([]string, len(workflows.Actions))
		for i, x := range workflows.Actions {
			names[i] = string(x)
		}
		return act, nil, fmt.Errorf("ACTION %q: want one of %s", action, strings.Join(names, ", "))
	}
	if strings.TrimSpace(text) == "" {
		return act, nil, fmt.Errorf("--json is required: the %s object with fields %s", action, fieldList(payload))
	}
	if err := decodeStrict(strings.NewReader(text), "--json", payload); err != nil {
		return act, nil, err
	}
	return act, payload, nil
}

// signalAgreement sends the update (or the signal) and says what became of it.
func (a *app) signalAgreement(ctx context.Context, wid string, action workflows.Action, payload any, o *signalFlags, out io.Writer) error {
	t, err := a.temporal(ctx)
	if err != nil {
		return err
	}
	defer t.Close()
	if !o.signalOnly {
		done, err := updateAgreement(ctx, t, wid, action, payload, o.timeout, out)
		if done || err != nil {
			return err
		}
		fmt.Fprintf(out, "no worker answered within %s: sending the signal instead\n", o.timeout)
	}
	if err := t.SignalWorkflow(ctx, wid, "", string(action), payload); err != nil {
		return notFound(wid, fmt.Errorf("signalling %s %s: %w", wid, action, err))
	}
	fmt.Fprintf(out, "signal %s delivered to %s, not yet checked: a worker checks it (rejections show in exitflow agreement status)\n", action, wid)
	return nil
}

// updateAgreement sends the update ACTION-now; done is false when no worker answered in time.
func updateAgreement(ctx context.Context, t *temporalConn, wid string, action workflows.Action, payload any, timeout time.Duration, out io.Writer) (done bool, err error) {
	uctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	h, err := t.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateName: workflows.UpdateName(action), Args: []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.SignalResult
	if err == nil {
		err = h.Get(uctx, &res)
	}
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr):
		fmt.Fprintf(out, "%s rejected: %s\n", action, appErr.Message())
		return true, exitCode(1)
	case err != nil && uctx.Err() != nil && ctx.Err() == nil:
		return false, nil
	case err != nil:
		return true, notFound(wid, fmt.Errorf("update %s of %s: %w", workflows.UpdateName(action), wid, err))
	case !res.Accepted:
		fmt.Fprintf(out, "%s rejected: %s\n", action, res.Message)
		return true, exitCode(1)
	}
	fmt.Fprintf(out, "%s accepted (phase %s)", action, res.Phase)
	if res.Message != "" && res.Message != fmt.Sprint(action)+" accepted" {
		fmt.Fprintf(out, ": %s", res.Message)
	}
	fmt.Fprintln(out)
	return true, nil
}

// notFound names the workflow when err says there is none, else returns err.
func notFound(wid string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("ID %s: no such agreement workflow (or it is closed): %w", wid, err)
	}
	return err
}
