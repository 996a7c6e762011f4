package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// runFollowUp runs FollowUpDQM with a faked nominal time (nil: none) and returns the activity's input.
func runFollowUp(t *testing.T, nominal *time.Time) FollowUpRun {
	t.Helper()
	var ts harness
	env := ts.ts.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))
	Register(env)
	var got FollowUpRun
	env.RegisterActivityWithOptions(func(_ context.Context, in FollowUpRun) (FollowUpResult, error) {
		got = in
		return FollowUpResult{ReportID: 7, AsOf: in.AsOf, Verdict: "ok", Mailed: 3}, nil
	}, activity.RegisterOptions{Name: ActivityRunFollowUpDQM})
	if nominal != nil {
		env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(scheduledStart.ValueSet(*nominal)))
	}
	in := FollowUpInput{AgreementID: "A1", ProjectIDs: []string{"P1"}, Recipients: []string{liaison, staff}, Actor: staff, TimeZone: "America/Chicago"}
	env.ExecuteWorkflow(FollowUpDQMWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res FollowUpResult
	if err := env.GetWorkflowResult(&res); err != nil || res.ReportID != 7 || res.AsOf != got.AsOf {
		t.Fatalf("result %+v %v", res, err)
	}
	if got.FollowUp.AgreementID != "A1" || got.WorkflowID == "" {
		t.Fatalf("run %+v", got)
	}
	return got
}

func TestFollowUpDQMNominalDay(t *testing.T) {
	// 03:00 UTC on July 1st is still June 30th in Chicago: the CoC's day counts.
	n := time.Date(2026, 7, 1, 3, 0, 0, 0, time.UTC)
	if got := runFollowUp(t, &n); got.AsOf != "2026-06-30" {
		t.Fatalf("as of %s", got.AsOf)
	}
	n = time.Date(2026, 6, 30, 11, 0, 0, 0, time.UTC) // 06:00 CDT
	if got := runFollowUp(t, &n); got.AsOf != "2026-06-30" {
		t.Fatalf("as of %s", got.AsOf)
	}
}

func TestFollowUpDQMWithoutSchedule(t *testing.T) {
	if got := runFollowUp(t, nil); got.AsOf != "2026-08-01" {
		t.Fatalf("as of %s", got.AsOf)
	}
}
