package workflows

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// t0 is the tests' start: 2026-03-02 09:00 in Chicago.
var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

const (
	liaison = "liaison@agency.example.org"
	staff   = "staff@coc.example.org"
	day     = 24 * time.Hour
)

// harness runs one agreement against recording activity stubs.
type harness struct {
	t   *testing.T
	ts  testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	mu        sync.Mutex
	calls     []string // activity names in order; Notify as "Notify:kind"
	steps     []string // RecordStep steps in order
	notifies  []NotifyInput
	notifyAt  map[NoticeKind][]time.Time
	exits     []ExitsInput
	exitsAt   []time.Time
	schedules []ScheduleInput
	countN    int

	ag          Agreement
	validateErr error
	snap        SnapshotResult
	exitRes     ExitsResult
	countsFn    func(n int) Counts
	notifyFn    func(in NotifyInput) (NotifyResult, error)
}

// newHarness builds a harness for method m with the period ending 2026-04-01 in Chicago.
func newHarness(t *testing.T, m Method) *harness {
	h := &harness{t: t, notifyAt: map[NoticeKind][]time.Time{}}
	h.ag = Agreement{
		AgreementInput: AgreementInput{
			AgreementID: "A1", OrganizationID: "ORG1", ProjectIDs: []string{"P1", "P2"}, Method: m,
			Liaisons: []string{liaison, "second@agency.example.org"}, HMISStaff: staff,
			AutoExitDays: 90, AlertDays: 80, WindowDays: 90, DQMEvery: Quarterly,
		},
		Today: "2026-03-02", PeriodEnd: "2026-04-01", TimeZone: "America/Chicago",
	}
	h.snap = SnapshotResult{Enrollments: 10, Households: 7}
	h.exitRes = ExitsResult{ExitRunID: 42, Households: 4, Enrollments: 6}
	h.countsFn = func(n int) Counts {
		if n == 1 {
			return Counts{CandidateEnrollments: 10, CandidateHouseholds: 7, ExitedByAgency: 4, StillOpen: 6}
		}
		return Counts{CandidateEnrollments: 10, CandidateHouseholds: 7, ExitedByAgency: 4, ExitedByEngine: 6}
	}
	h.notifyFn = func(in NotifyInput) (NotifyResult, error) { return NotifyResult{Sent: len(in.To)}, nil }
	h.env = h.ts.NewTestWorkflowEnvironment()
	h.env.SetStartTime(t0)
	Register(h.env)
	h.registerStubs()
	return h
}

// call records an activity call.
func (h *harness) call(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, name)
}

// registerStubs registers every activity by name as a recording stub.
func (h *harness) registerStubs() {
	reg := func(fn any, name string) { h.env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in ValidateInput) (Agreement, error) {
		h.call(ActivityValidateAgreement)
		return h.ag, h.validateErr
	}, ActivityValidateAgreement)
	reg(func(_ context.Context, _ SnapshotInput) (SnapshotResult, error) {
		h.call(ActivitySnapshotCandidates)
		return h.snap, nil
	}, ActivitySnapshotCandidates)
	reg(func(_ context.Context, _ CountsInput) (Counts, error) {
		h.call(ActivityAgreementCounts)
		h.mu.Lock()
		h.countN++
		n := h.countN
		h.mu.Unlock()
		return h.countsFn(n), nil
	}, ActivityAgreementCounts)
	reg(func(_ context.Context, in ExitsInput) (ExitsResult, error) {
		h.call(ActivityRunExits)
		h.mu.Lock()
		h.exits, h.exitsAt = append(h.exits, in), append(h.exitsAt, h.env.Now())
		h.mu.Unlock()
		return h.exitRes, nil
	}, ActivityRunExits)
	reg(func(_ context.Context, in NotifyInput) (NotifyResult, error) {
		h.call(ActivityNotify + ":" + string(in.Kind))
		h.mu.Lock()
		h.notifies = append(h.notifies, in)
		h.notifyAt[in.Kind] = append(h.notifyAt[in.Kind], h.env.Now())
		h.mu.Unlock()
		return h.notifyFn(in)
	}, ActivityNotify)
	reg(func(_ context.Context, in StepInput) error {
		h.mu.Lock()
		h.steps = append(h.steps, in.Step)
		h.mu.Unlock()
		return nil
	}, ActivityRecordStep)
	reg(func(_ context.Context, in ScheduleInput) (ScheduleResult, error) {
		h.call(ActivityCreateDQMSchedule)
		h.mu.Lock()
		h.schedules = append(h.schedules, in)
		h.mu.Unlock()
		return ScheduleResult{ScheduleID: in.ScheduleID, Created: true}, nil
	}, ActivityCreateDQMSchedule)
}

// signalAt sends action with the raw JSON payload at d after the start.
func (h *harness) signalAt(d time.Duration, a Action, payload string) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(string(a), json.RawMessage(payload)) }, d)
}

// from is a payload with only "from".
func from(email string) string { return `{"from":"` + email + `"}` }

// run starts the agreement and returns its result; it fails the test on a workflow error.
func (h *harness) run() AgreementResult {
	h.t.Helper()
	h.env.ExecuteWorkflow(AgencyAgreementWorkflow, h.ag.AgreementInput)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var res AgreementResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatal(err)
	}
	return res
}

// status queries the status.
func (h *harness) status() AgreementStatus {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(QueryStatus)
	if err != nil {
		h.t.Fatalf("query: %v", err)
	}
	var st AgreementStatus
	if err := v.Get(&st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// count is how many calls were named name.
func (h *harness) count(name string) int {
	n := 0
	for _, c := range h.calls {
		if c == name {
			n++
		}
	}
	return n
}

// hasStep reports whether the audit log got step.
func (h *harness) hasStep(step string) bool {
	for _, s := range h.steps {
		if s == step {
			return true
		}
	}
	return false
}

// chicago is the tests' CoC time zone.
func chicago(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is 00:00 of date in Chicago.
func at(t *testing.T, date string) time.Time {
	d, err := time.ParseInLocation(dateLayout, date, chicago(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// joined is the calls joined with " > ".
func (h *harness) joined() string { return strings.Join(h.calls, " > ") }

// errNotify is a notification activity's failure.
var errNotify = temporal.NewNonRetryableApplicationError("smtp: connection refused", "SMTPDown", nil)
