package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
)

// The daily auto-exit sweep's activities (issue 11): begin (claim the one running sweep), the
// exits page by page, and finish; the mail steps are in sweep_mail.go.

// BeginSweep fixes the sweep's as-of date (the input's; else the schedule's nominal time, else
// today, both in the CoC time zone), validates it and the projects, and claims the one running
// sweep (SPEC H2; issue 11). A sweep that finds another one running is skipped; a retry gets the
// same sweep back.
func (a *Activities) BeginSweep(ctx context.Context, in workflows.SweepBeginInput) (workflows.SweepBegun, error) {
	asOf := a.today()
	switch {
	case in.AsOf != "":
		d, err := day(in.AsOf)
		if err != nil {
			return workflows.SweepBegun{}, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
		}
		asOf = d
	case in.Scheduled != nil:
		d, err := day(workflows.ScheduledDay(*in.Scheduled, a.loc()))
		if err != nil {
			return workflows.SweepBegun{}, err
		}
		asOf = d
	}
	sw, err := engine.BeginSweep(ctx, a.Pool, engine.SweepClaim{
		WorkflowID: in.WorkflowID, FirstRunID: in.FirstRunID, AsOf: asOf, Projects: in.ProjectIDs,
		Actor: workflows.SweepActor, Location: a.loc(),
	}, a.workflowRunning)
	if err != nil {
		return workflows.SweepBegun{}, classify("beginning the sweep", err)
	}
	out := workflows.SweepBegun{SweepID: sw.ID, AsOf: sw.AsOf.Format(time.DateOnly)}
	if sw.Status == engine.SweepSkipped {
		out.Skipped = sw.SkipReason
	}
	return out, nil
}

// workflowRunning tells whether the workflow wfID's latest run is still running: the claim of a
// sweep whose workflow was terminated is abandoned, not waited for.
func (a *Activities) workflowRunning(ctx context.Context, wfID string) (bool, error) {
	if a.Temporal == nil {
		return true, nil // no client to ask: never take another sweep's claim
	}
	d, err := a.Temporal.DescribeWorkflow(ctx, wfID, "")
	if _, ok := errors.AsType[*serviceerror.NotFound](err); ok {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("asking Temporal about workflow %s: %w", wfID, err)
	}
	return d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// SweepExitsPage writes one page of the sweep's exits: the engine's auto-exit run keyed by the
// sweep, resumed after its last committed batch, stopped after about PageHouseholds households
// (SPEC H2, H3, D1–D4, F1–F3). The run's snapshot, taken by the first page, fixes the candidates
// and the policy values every exit records, however the policies change during the sweep.
func (a *Activities) SweepExitsPage(ctx context.Context, in workflows.SweepPageInput) (workflows.SweepPage, error) {
	asOf, err := day(in.AsOf)
	if err != nil {
		return workflows.SweepPage{}, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	beat, stop := heartbeating(ctx, 20*time.Second) // also while the first page lists the run
	defer stop()
	res, err := engine.WriteExits(ctx, a.Pool, engine.RunOptions{
		Options: engine.Options{AsOf: asOf, Projects: in.ProjectIDs, Method: engine.MethodAuto},
		Actor:   workflows.SweepActor, WorkflowID: in.WorkflowID, WorkflowRunID: in.RunID,
		Key: sweepKey(in.SweepID, "exits"), Location: a.loc(), BatchHouseholds: a.BatchHouseholds,
		MaxHouseholds: in.PageHouseholds, Writers: engine.DefaultWriters, // as the CLI writes: the sweep adds no time to the exits
		Progress: beat,
	})
	if err != nil {
		return workflows.SweepPage{}, classify("writing the sweep's exits", err)
	}
	if res.Status == engine.StatusDone { // the next sweep need not wait for this one's mail
		if err := engine.SweepExitsDone(ctx, a.Pool, in.SweepID); err != nil {
			return workflows.SweepPage{}, classify("recording the sweep's exits done", err)
		}
	}
	return workflows.SweepPage{
		ExitRunID: res.RunID, HouseholdsDone: res.ProcessedHouseholds, HouseholdsTotal: res.CandidateHouseholds,
		Households: res.Households, Enrollments: res.Enrollments, Finished: res.Status == engine.StatusDone,
	}, nil
}

// FinishSweep closes the sweep's record: its counts per project, kept for exitflow sweep history.
func (a *Activities) FinishSweep(ctx context.Context, in workflows.SweepFinishInput) (workflows.SweepResult, error) {
	sw, err := engine.FinishSweep(ctx, a.Pool, in.SweepID, engine.SweepFinish{
		ExitRunID: in.ExitRunID, AlertMessages: in.AlertMessages, ExitNotices: in.ExitNotices,
		Summaries: in.Summaries, Executions: in.Executions, Pages: in.Pages,
	})
	if err != nil {
		return workflows.SweepResult{}, classify("finishing the sweep", err)
	}
	return sweepResult(sw), nil
}

// sweepResult is the workflow's view of a kept sweep.
func sweepResult(sw engine.Sweep) workflows.SweepResult {
	r := workflows.SweepResult{
		SweepID: sw.ID, AsOf: sw.AsOf.Format(time.DateOnly), Households: sw.Households, Enrollments: sw.Enrollments,
		Alerts: sw.Alerts, AlertMessages: sw.AlertMessages, ExitNotices: sw.ExitNotices, Summaries: sw.Summaries,
		Executions: sw.Executions, Pages: sw.Pages, Projects: []workflows.SweepProjectCount{},
	}
	if sw.ExitRunID != nil {
		r.ExitRunID = *sw.ExitRunID
	}
	for _, p := range sw.PerProject {
		r.Projects = append(r.Projects, workflows.SweepProjectCount{
			ProjectID: p.ProjectID, Households: p.Households, Enrollments: p.Enrollments, Alerts: p.Alerts})
	}
	return r
}

// sweepKey is the idempotency key of one step of sweep id: its exit run, alerts, messages.
func sweepKey(id int64, step string) string { return fmt.Sprintf("sweep-%d/%s", id, step) }

// heartbeating heartbeats every interval until stop, with the last progress beat was given, so
// that a long step without progress (the first page's snapshot of a large CoC) is not taken for a
// dead worker; beat records progress at once.
func heartbeating(ctx context.Context, every time.Duration) (beat func(done, total int), stop func()) {
	var mu sync.Mutex
	last := [2]int{}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				mu.Lock()
				activity.RecordHeartbeat(ctx, last[0], last[1])
				mu.Unlock()
			}
		}
	}()
	beat = func(d, total int) {
		mu.Lock()
		defer mu.Unlock()
		last = [2]int{d, total}
		activity.RecordHeartbeat(ctx, d, total)
	}
	return beat, func() { close(done) }
}
