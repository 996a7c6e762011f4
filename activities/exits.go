package activities

import (
	"context"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/activity"
)

// RunExits runs the agreement's exits (SPEC AG4): auto switches the agreed policy on for each
// project, as the agreement's P7 confirmation (the engine records it with its preview counts),
// then runs the first auto-exit pass; admin runs administrative exits as the HMIS staff member
// (AD1–AD2). The run's key is the workflow ID and "/exits", so a retry resumes it (SPEC H2).
func (a *Activities) RunExits(ctx context.Context, in workflows.ExitsInput) (workflows.ExitsResult, error) {
	ag := in.Agreement
	asOf, err := day(in.AsOf)
	if err != nil {
		return workflows.ExitsResult{}, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	var out workflows.ExitsResult
	opt := engine.Options{AsOf: asOf, Projects: ag.ProjectIDs, Method: engine.MethodAuto}
	if ag.Method == workflows.MethodAuto {
		if out.PolicyChanged, err = a.switchOn(ctx, ag, asOf); err != nil {
			return out, err
		}
	} else {
		opt.Method, opt.WindowDays, opt.AllOpen = engine.MethodAdmin, ag.WindowDays, ag.AllOpen
	}
	res, err := engine.WriteExits(ctx, a.Pool, engine.RunOptions{
		Options: opt, Actor: ag.HMISStaff, WorkflowID: in.WorkflowID, WorkflowRunID: in.RunID,
		Key: in.WorkflowID + "/exits", Location: a.loc(), // a busy exits lock is retried with backoff
		BatchHouseholds: a.BatchHouseholds,
		Progress:        func(done, total int) { activity.RecordHeartbeat(ctx, done, total) },
	})
	if err != nil {
		return out, classify("running the exits", err)
	}
	out.ExitRunID, out.Households, out.Enrollments = res.RunID, res.Households, res.Enrollments
	return out, nil
}

// switchOn sets the agreed windows as each project's policy, confirmed (SPEC AG4, P7); on a retry
// the projects already have them and nothing changes.
func (a *Activities) switchOn(ctx context.Context, ag workflows.Agreement, asOf time.Time) (bool, error) {
	changed := false
	for _, p := range ag.ProjectIDs {
		auto, alert := ag.AutoExitDays, ag.AlertDays
		res, err := engine.SetPolicy(ctx, a.Pool, engine.PolicyChange{
			Scope: engine.ScopeProject, ScopeID: p, AutoExitDays: &auto, AlertDays: &alert, Actor: ag.HMISStaff,
		}, asOf, true)
		if err != nil {
			return changed, classify("switching auto exit on for project "+p, err)
		}
		changed = changed || res.Changed
		activity.RecordHeartbeat(ctx, "policy", p)
	}
	return changed, nil
}
