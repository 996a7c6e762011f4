package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// sweepStart is the sweep tests' start: 2026-12-02 10:00 UTC (05:00 in New York).
var sweepStart = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// sweepHarness runs one sweep execution against recording activity stubs registered by name.
type sweepHarness struct {
	t   *testing.T
	ts  testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	mu      sync.Mutex
	calls   []string
	begins  []SweepBeginInput
	pages   []SweepPageInput
	steps   []SweepStepInput
	finish  []SweepFinishInput
	total   int     // households the exits pages go through
	done    int     // households done so far (the pages' cursor, kept across executions by the test)
	pageErr []error // errors the next page attempts return, in order

	begun    SweepBegun
	beginErr error
	alerts   SweepAlertsResult
	notices  SweepNoticesResult
}

// newSweepHarness builds a harness whose sweep 7 goes through total households.
func newSweepHarness(t *testing.T, total int) *sweepHarness {
	h := &sweepHarness{t: t, total: total}
	h.begun = SweepBegun{SweepID: 7, AsOf: "2026-12-02"}
	h.alerts = SweepAlertsResult{Alerts: 5, Messages: 2}
	h.notices = SweepNoticesResult{ExitNotices: 3, Summaries: 1}
	h.env = h.ts.NewTestWorkflowEnvironment()
	h.env.SetStartTime(sweepStart)
	Register(h.env)
	h.registerStubs()
	return h
}

// call records an activity call.
func (h *sweepHarness) call(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, name)
}

// count is how many calls were named name.
func (h *sweepHarness) count(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.calls {
		if c == name {
			n++
		}
	}
	return n
}

// registerStubs registers the sweep's activities by name: the exits pages advance by
// PageHouseholds until total.
func (h *sweepHarness) registerStubs() {
	reg := func(fn any, name string) { h.env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in SweepBeginInput) (SweepBegun, error) {
		h.call(ActivityBeginSweep)
		h.mu.Lock()
		h.begins = append(h.begins, in)
		h.mu.Unlock()
		return h.begun, h.beginErr
	}, ActivityBeginSweep)
	reg(func(_ context.Context, in SweepPageInput) (SweepPage, error) {
		h.call(ActivitySweepExitsPage)
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.pageErr) > 0 {
			err := h.pageErr[0]
			h.pageErr = h.pageErr[1:]
			return SweepPage{}, err
		}
		h.pages = append(h.pages, in)
		h.done = min(h.total, h.done+in.PageHouseholds)
		return SweepPage{ExitRunID: 42, HouseholdsDone: h.done, HouseholdsTotal: h.total,
			Households: h.done / 2, Enrollments: h.done, Finished: h.done >= h.total}, nil
	}, ActivitySweepExitsPage)
	reg(func(_ context.Context, in SweepStepInput) (SweepAlertsResult, error) {
		h.call(ActivitySweepAlerts)
		h.mu.Lock()
		h.steps = append(h.steps, in)
		h.mu.Unlock()
		return h.alerts, nil
	}, ActivitySweepAlerts)
	reg(func(_ context.Context, in SweepStepInput) (SweepNoticesResult, error) {
		h.call(ActivitySweepNotices)
		h.mu.Lock()
		h.steps = append(h.steps, in)
		h.mu.Unlock()
		return h.notices, nil
	}, ActivitySweepNotices)
	reg(func(_ context.Context, in SweepFinishInput) (SweepResult, error) {
		h.call(ActivityFinishSweep)
		h.mu.Lock()
		h.finish = append(h.finish, in)
		h.mu.Unlock()
		return SweepResult{SweepID: in.SweepID, AsOf: "2026-12-02", ExitRunID: in.ExitRunID, Households: 5, Enrollments: 10,
			Alerts: 5, AlertMessages: in.AlertMessages, ExitNotices: in.ExitNotices, Summaries: in.Summaries,
			Projects: []SweepProjectCount{{ProjectID: "P1", Households: 5, Enrollments: 10, Alerts: 5}}}, nil
	}, ActivityFinishSweep)
}

// execute runs one execution of the sweep.
func (h *sweepHarness) execute(in SweepInput) {
	h.t.Helper()
	h.env.ExecuteWorkflow(AutoExitSweepWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
}

// run runs the sweep and returns its result; it fails the test on a workflow error.
func (h *sweepHarness) run(in SweepInput) SweepResult {
	h.t.Helper()
	h.execute(in)
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var res SweepResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatal(err)
	}
	return res
}

// continued is the input of the next execution, from the execution's ContinueAsNewError.
func (h *sweepHarness) continued() SweepInput {
	h.t.Helper()
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		h.t.Fatalf("want a continue-as-new, got %v", err)
	}
	if can.WorkflowType == nil || can.WorkflowType.Name != AutoExitSweepWorkflow {
		h.t.Fatalf("continued as %+v", can.WorkflowType)
	}
	var next SweepInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		h.t.Fatal(err)
	}
	if next.Resume == nil {
		h.t.Fatal("continued without Resume")
	}
	return next
}

// progress queries the sweep's progress.
func (h *sweepHarness) progress() SweepProgress {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(QueryProgress)
	if err != nil {
		h.t.Fatalf("query: %v", err)
	}
	var p SweepProgress
	if err := v.Get(&p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// joined is the calls joined with " > ".
func (h *sweepHarness) joined() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.calls, " > ")
}

// TestSweepPaging: 10 households, 3 per page: four pages, then alerts, notices and finish.
func TestSweepPaging(t *testing.T) {
	h := newSweepHarness(t, 10)
	res := h.run(SweepInput{AsOf: "2026-12-01", ProjectIDs: []string{"P1"}, PageHouseholds: 3})
	want := "BeginSweep > SweepExitsPage > SweepExitsPage > SweepExitsPage > SweepExitsPage > SweepAlerts > SweepNotices > FinishSweep"
	if got := h.joined(); got != want {
		t.Fatalf("calls\n got %s\nwant %s", got, want)
	}
	if res.Pages != 4 || res.Executions != 1 || res.SweepID != 7 || res.ExitRunID != 42 || res.Households != 5 ||
		res.AlertMessages != 2 || res.ExitNotices != 3 || res.Summaries != 1 || len(res.Projects) != 1 {
		t.Fatalf("result %+v", res)
	}
	b := h.begins[0]
	if b.AsOf != "2026-12-01" || b.Scheduled != nil || b.WorkflowID == "" || b.FirstRunID == "" || len(b.ProjectIDs) != 1 {
		t.Fatalf("begin %+v", b)
	}
	for _, p := range h.pages {
		if p.SweepID != 7 || p.AsOf != "2026-12-02" || p.PageHouseholds != 3 || p.RunID == "" || len(p.ProjectIDs) != 1 {
			t.Fatalf("page %+v", p)
		}
	}
	if n := h.steps[1]; n.ExitRunID != 42 || n.SweepID != 7 || n.AsOf != "2026-12-02" {
		t.Fatalf("notices %+v", n)
	}
	if f := h.finish[0]; f != (SweepFinishInput{SweepID: 7, ExitRunID: 42, AlertMessages: 2, ExitNotices: 3, Summaries: 1, Executions: 1, Pages: 4}) {
		t.Fatalf("finish %+v", f)
	}
}

// TestSweepDefaultPageSize: no PageHouseholds asks for DefaultSweepPageHouseholds per page.
func TestSweepDefaultPageSize(t *testing.T) {
	h := newSweepHarness(t, 2500)
	res := h.run(SweepInput{})
	if res.Pages != 2 || h.pages[0].PageHouseholds != DefaultSweepPageHouseholds {
		t.Fatalf("result %+v pages %+v", res, h.pages)
	}
	if b := h.begins[0]; b.AsOf != "" || b.Scheduled != nil {
		t.Fatalf("started by hand: begin %+v", b) // BeginSweep takes today in the worker's zone
	}
}

// TestSweepContinueAsNew: two pages per execution, five pages: the first execution continues as
// new carrying its state; the next ones resume without BeginSweep and the last one finishes.
func TestSweepContinueAsNew(t *testing.T) {
	in := SweepInput{AsOf: "2026-12-01", PageHouseholds: 2, PagesPerRun: 2}
	h := newSweepHarness(t, 10)
	h.execute(in)
	next := h.continued()
	want := SweepState{SweepID: 7, AsOf: "2026-12-02", Stage: StageExits, ExitRunID: 42, HouseholdsDone: 4, HouseholdsTotal: 10, Pages: 2, Executions: 2}
	if *next.Resume != want {
		t.Fatalf("resume\n got %+v\nwant %+v", *next.Resume, want)
	}
	if next.AsOf != in.AsOf || next.PageHouseholds != 2 || next.PagesPerRun != 2 {
		t.Fatalf("next input %+v", next)
	}
	if h.count(ActivitySweepAlerts) != 0 || h.count(ActivityFinishSweep) != 0 {
		t.Fatalf("calls %s", h.joined())
	}

	// The second and third executions, as the server would start them from the first one's input.
	done := h.done
	for exec := 2; ; exec++ {
		h2 := newSweepHarness(t, 10)
		h2.done = done
		h2.execute(next)
		if h2.count(ActivityBeginSweep) != 0 {
			t.Fatalf("execution %d called BeginSweep again: %s", exec, h2.joined())
		}
		done = h2.done
		if err := h2.env.GetWorkflowError(); err != nil {
			next = h2.continued()
			if next.Resume.Executions != exec+1 || next.Resume.Pages != 2*exec {
				t.Fatalf("execution %d resume %+v", exec, *next.Resume)
			}
			continue
		}
		var res SweepResult
		if err := h2.env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		if exec != 3 || res.Pages != 5 || res.Executions != 3 || h2.finish[0].Pages != 5 || h2.finish[0].Executions != 3 {
			t.Fatalf("execution %d result %+v finish %+v", exec, res, h2.finish)
		}
		if got := h2.joined(); got != "SweepExitsPage > SweepAlerts > SweepNotices > FinishSweep" {
			t.Fatalf("last execution's calls %s", got)
		}
		if h2.pages[0].SweepID != 7 || h2.pages[0].AsOf != "2026-12-02" {
			t.Fatalf("resumed page %+v", h2.pages[0])
		}
		break
	}
}

// TestSweepResumeAtAlerts: a resume past the exits goes straight to the alerts.
func TestSweepResumeAtAlerts(t *testing.T) {
	h := newSweepHarness(t, 10)
	res := h.run(SweepInput{Resume: &SweepState{SweepID: 7, AsOf: "2026-12-02", Stage: StageAlerts, ExitRunID: 42, Pages: 4, Executions: 2}})
	if got := h.joined(); got != "SweepAlerts > SweepNotices > FinishSweep" || res.Pages != 4 || res.Executions != 2 {
		t.Fatalf("calls %s result %+v", got, res)
	}
}

// TestSweepContinueAsNewSuggested: Temporal's suggestion continues as new after the page in hand.
func TestSweepContinueAsNewSuggested(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.env.SetContinueAsNewSuggested(true)
	h.execute(SweepInput{PageHouseholds: 3})
	next := h.continued()
	if next.Resume.Pages != 1 || next.Resume.HouseholdsDone != 3 || next.Resume.Executions != 2 || next.Resume.Stage != StageExits {
		t.Fatalf("resume %+v", *next.Resume)
	}
	if h.count(ActivitySweepExitsPage) != 1 {
		t.Fatalf("calls %s", h.joined())
	}
}

// TestSweepProgressQuery: the progress query mid-run (during the third page; each takes 30 s of
// the test clock) shows the stage and households done of total; at the end, the counts.
func TestSweepProgressQuery(t *testing.T) {
	h := newSweepHarness(t, 10)
	var mid SweepProgress
	h.env.OnActivity(ActivitySweepExitsPage, mock.Anything, mock.Anything).
		After(30 * time.Second).Return(func(_ context.Context, in SweepPageInput) (SweepPage, error) {
		h.call(ActivitySweepExitsPage)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.done = min(h.total, h.done+in.PageHouseholds)
		return SweepPage{ExitRunID: 42, HouseholdsDone: h.done, HouseholdsTotal: h.total, Finished: h.done >= h.total}, nil
	})
	h.env.RegisterDelayedCallback(func() { mid = h.progress() }, 75*time.Second)
	h.run(SweepInput{PageHouseholds: 3})
	if mid.Stage != StageExits || mid.HouseholdsDone != 6 || mid.HouseholdsTotal != 10 || mid.Pages != 2 ||
		mid.SweepID != 7 || mid.AsOf != "2026-12-02" || mid.ExitRunID != 42 || mid.Executions != 1 {
		t.Fatalf("progress mid-run %+v", mid)
	}
	end := h.progress()
	if end.Stage != StageDone || end.HouseholdsDone != 10 || end.Pages != 4 || end.Alerts != 5 || end.AlertMessages != 2 ||
		end.ExitNotices != 3 || end.Summaries != 1 {
		t.Fatalf("progress at the end %+v", end)
	}
}

// TestSweepSkipped: another sweep is running: this one completes with Skipped and does nothing.
func TestSweepSkipped(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.begun = SweepBegun{SweepID: 6, AsOf: "2026-12-02", Skipped: "auto-exit-sweep-2026-12-01T10:00:00Z"}
	res := h.run(SweepInput{})
	if res.Skipped != h.begun.Skipped || res.SweepID != 6 || res.AsOf != "2026-12-02" {
		t.Fatalf("result %+v", res)
	}
	if got := h.joined(); got != "BeginSweep" {
		t.Fatalf("calls %s", got)
	}
	if p := h.progress(); p.Stage != StageSkipped || p.Skipped != h.begun.Skipped {
		t.Fatalf("progress %+v", p)
	}
}

// TestSweepInvalidAsOf: BeginSweep refusing the as-of date fails the sweep with ErrInvalidInput, at once.
func TestSweepInvalidAsOf(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.beginErr = temporal.NewNonRetryableApplicationError("as_of: 2027-01-01 is in the future", ErrInvalidInput, nil)
	h.execute(SweepInput{AsOf: "2027-01-01"})
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !strings.Contains(appErr.Message(), "as_of") {
		t.Fatalf("error %v", err)
	}
	if got := h.joined(); got != "BeginSweep" {
		t.Fatalf("calls %s", got)
	}
}

// TestSweepBadTimeZone: an unknown time zone fails the sweep before BeginSweep.
func TestSweepBadTimeZone(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.execute(SweepInput{TimeZone: "America/Nowhere"})
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !strings.Contains(appErr.Message(), "time_zone") {
		t.Fatalf("error %v", err)
	}
	if h.count(ActivityBeginSweep) != 0 {
		t.Fatalf("calls %s", h.joined())
	}
}

// TestSweepPageRetried: a page failing once (PostgreSQL down) is retried; the exits run once in the end.
func TestSweepPageRetried(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.pageErr = []error{errors.New("connection refused")}
	res := h.run(SweepInput{PageHouseholds: 5})
	if h.count(ActivitySweepExitsPage) != 3 || len(h.pages) != 2 || res.Pages != 2 || h.done != 10 {
		t.Fatalf("calls %s pages %d result %+v", h.joined(), len(h.pages), res)
	}
}

// TestSweepPagePermanentFails: a page refused for good (ErrPermanent) fails the sweep instead of looping.
func TestSweepPagePermanentFails(t *testing.T) {
	h := newSweepHarness(t, 10)
	h.pageErr = []error{temporal.NewNonRetryableApplicationError("run edited by hand", ErrPermanent, nil)}
	h.execute(SweepInput{PageHouseholds: 5})
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != ErrPermanent {
		t.Fatalf("error %v", err)
	}
	if h.count(ActivitySweepExitsPage) != 1 || h.count(ActivitySweepAlerts) != 0 {
		t.Fatalf("calls %s", h.joined())
	}
}

// TestSweepAlertsRetriedUntilDelivered: SMTP down for a while: the alerts step keeps retrying with
// backoff up to 10 minutes apart (the test suite caps unlimited attempts at 10: nine failures here).
func TestSweepAlertsRetriedUntilDelivered(t *testing.T) {
	h := newSweepHarness(t, 3)
	var at []time.Time
	h.env.RegisterActivityWithOptions(func(ctx context.Context, _ SweepStepInput) (SweepAlertsResult, error) {
		at = append(at, h.env.Now())
		if len(at) < 10 {
			return SweepAlertsResult{}, errors.New("smtp: connection refused")
		}
		return SweepAlertsResult{Alerts: 1, Messages: 1}, nil
	}, activity.RegisterOptions{Name: ActivitySweepAlerts})
	res := h.run(SweepInput{PageHouseholds: 5})
	if len(at) != 10 || res.AlertMessages != 1 || h.count(ActivitySweepNotices) != 1 {
		t.Fatalf("attempts %d result %+v", len(at), res)
	}
	if first, last := at[1].Sub(at[0]), at[9].Sub(at[8]); first != 30*time.Second || last != 10*time.Minute {
		t.Fatalf("backoff: first %v, last %v", first, last)
	}
}

// TestSweepDetails: the current details carry the stage, the counts and the as-of date only.
func TestSweepDetails(t *testing.T) {
	s := &sweep{p: SweepProgress{SweepState: SweepState{SweepID: 7, AsOf: "2026-12-02", Stage: StageExits, HouseholdsDone: 6, HouseholdsTotal: 10, Pages: 2, Executions: 1}}}
	d := s.details()
	for _, want := range []string{"**Stage:** exits", "6 of 10", "2026-12-02", "sweep** 7"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}

// TestSweepPayloadFields pins the JSON fields of the sweep's input and progress: IDs, dates and
// counts only (SPEC S1).
func TestSweepPayloadFields(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{SweepInput{AsOf: "x", TimeZone: "x", ProjectIDs: []string{"P"}, PageHouseholds: 1, PagesPerRun: 1, Resume: &SweepState{}},
			"as_of page_households pages_per_run project_ids resume time_zone"},
		{SweepProgress{Skipped: "x"}, "alert_messages alerts as_of executions exit_notices exit_run_id households_done households_total pages skipped stage summaries sweep_id"},
	}
	for _, c := range cases {
		want := strings.Fields(c.want)
		slices.Sort(want)
		if got := keys(t, c.v); !slices.Equal(got, want) {
			t.Errorf("%T fields\n got %v\nwant %v", c.v, got, want)
		}
	}
}
