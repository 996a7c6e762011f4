package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// ackAt acknowledges from the liaison at d after the start.
func (h *harness) ackAt(d time.Duration) { h.signalAt(d, ActionAcknowledge, from(liaison)) }

func TestAutoHappyPath(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.ackAt(32 * day)
	res := h.run()

	want := "ValidateAgreement > SnapshotCandidates > Notify:agreement-notice > Notify:period-ending-reminder > " +
		"Notify:process-begins > AgreementCounts > RunExits > AgreementCounts > Notify:completion > CreateDQMSchedule"
	if got := h.joined(); got != want {
		t.Fatalf("calls\n got %s\nwant %s", got, want)
	}
	end := at(t, "2026-04-01")
	if len(h.exitsAt) != 1 || h.exitsAt[0].Before(end) || h.exitsAt[0].After(end.Add(time.Minute)) {
		t.Fatalf("exits at %v, want at %v", h.exitsAt, end)
	}
	if h.exits[0].AsOf != "2026-04-01" {
		t.Fatalf("as of %s", h.exits[0].AsOf)
	}
	if r := h.notifyAt[NoticePeriodEnding]; len(r) != 1 || !r[0].Equal(end.Add(-7*day)) {
		t.Fatalf("reminder at %v, want %v", r, end.Add(-7*day))
	}
	s := h.schedules[0]
	if s.ScheduleID != "dqm-A1" || s.FirstRun != "2026-06-30" || s.Cadence != Quarterly || s.TimeZone != "America/Chicago" ||
		s.FollowUp.TimeZone != "America/Chicago" || len(s.FollowUp.Recipients) != 3 || s.FollowUp.Actor != staff {
		t.Fatalf("schedule %+v", s)
	}
	wantCounts := Counts{CandidateEnrollments: 10, CandidateHouseholds: 7, ExitedByAgency: 4, ExitedByEngine: 6}
	if res.Phase != PhaseCompleted || res.Counts != wantCounts || res.AcknowledgedBy != liaison ||
		res.DQMScheduleID != "dqm-A1" || res.Reminders != 0 || res.Rejected != 0 {
		t.Fatalf("result %+v", res)
	}
	for _, step := range []string{"started", "snapshot", "notice", "period-ending-reminder", "exits", "acknowledged", "follow-up", "completed"} {
		if !h.hasStep(step) {
			t.Errorf("no audit step %q in %v", step, h.steps)
		}
	}
	if st := h.status(); st.Phase != PhaseCompleted || st.ExitRunID != 42 {
		t.Fatalf("status %+v", st)
	}
}

func TestAdminHappyPath(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.ag.DQMEvery = Monthly
	h.ackAt(31 * day)
	res := h.run()
	if h.count(ActivityRunExits) != 1 || h.exits[0].Agreement.Method != MethodAdmin {
		t.Fatalf("exits %+v", h.exits)
	}
	if s := h.schedules[0]; s.FirstRun != "2026-05-01" || s.Cadence != Monthly {
		t.Fatalf("schedule %+v", s)
	}
	if res.Phase != PhaseCompleted || res.Counts.ExitedByEngine != 6 {
		t.Fatalf("result %+v", res)
	}
}

func TestFirstRun(t *testing.T) {
	cases := []struct {
		m    Method
		c    Cadence
		days int
		want string
	}{
		{MethodAuto, Quarterly, 90, "2026-06-30"},
		{MethodAuto, Monthly, 30, "2026-05-01"},
		{MethodAdmin, Quarterly, 0, "2026-07-01"},
		{MethodAdmin, "", 0, "2026-07-01"},
		{MethodAdmin, Monthly, 0, "2026-05-01"},
	}
	for _, c := range cases {
		ag := Agreement{AgreementInput: AgreementInput{Method: c.m, DQMEvery: c.c, AutoExitDays: c.days}}
		got, err := firstRun(ag, "2026-04-01")
		if err != nil || got != c.want {
			t.Errorf("%s %s %d: %s %v, want %s", c.m, c.c, c.days, got, err, c.want)
		}
	}
}

func TestAgencyExitsEverything(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	all := Counts{CandidateEnrollments: 10, CandidateHouseholds: 7, ExitedByAgency: 10}
	h.countsFn = func(int) Counts { return all }
	h.exitRes = ExitsResult{ExitRunID: 43}
	h.ackAt(31 * day)
	res := h.run()
	if res.Counts != all || res.Counts.ExitedByEngine != 0 || res.Counts.StillOpen != 0 {
		t.Fatalf("result %+v", res)
	}
	var completion NotifyInput
	for _, n := range h.notifies {
		if n.Kind == NoticeCompletion {
			completion = n
		}
	}
	if completion.Counts != all {
		t.Fatalf("completion notice counts %+v", completion.Counts)
	}
}

func TestExtend(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(10*day, ActionExtend, `{"from":"STAFF@coc.example.org","period_end":"2026-04-15","reason":"more time"}`)
	h.signalAt(11*day, ActionExtend, `{"from":"`+staff+`","period_end":"2026-03-01","reason":"past"}`)
	h.signalAt(11*day, ActionExtend, `{"from":"`+liaison+`","period_end":"2026-05-01"}`)
	h.signalAt(12*day, ActionExtend, `{"from":"`+staff+`","period_end":"2026-04-10"}`) // before the current end
	h.ackAt(45 * day)
	res := h.run()
	end := at(t, "2026-04-15")
	if len(h.exitsAt) != 1 || h.exitsAt[0].Before(end) || h.exits[0].AsOf != "2026-04-15" {
		t.Fatalf("exits at %v as of %+v, want at %v", h.exitsAt, h.exits, end)
	}
	if r := h.notifyAt[NoticePeriodEnding]; len(r) != 1 || !r[0].Equal(end.Add(-7*day)) {
		t.Fatalf("reminders %v", r)
	}
	if h.count("Notify:"+string(NoticeAgreementChange)) != 1 || !h.hasStep("extended") {
		t.Fatalf("calls %s steps %v", h.joined(), h.steps)
	}
	if res.Rejected != 3 {
		t.Fatalf("rejected %d, want 3: %+v", res.Rejected, h.status().Rejected)
	}
}

func TestExtendAfterPeriodRejected(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(31*day, ActionExtend, `{"from":"`+staff+`","period_end":"2026-12-01"}`)
	h.ackAt(32 * day)
	res := h.run()
	st := h.status()
	if res.Rejected != 1 || !strings.Contains(st.Rejected[0].Reason, "during the period") || st.PeriodEnd != "2026-04-01" {
		t.Fatalf("status %+v", st)
	}
}

func TestInvalidInputFails(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.validateErr = temporal.NewNonRetryableApplicationError("project_ids: P9 is not a project of ORG1", ErrInvalidInput, nil)
	h.env.ExecuteWorkflow(AgencyAgreementWorkflow, h.ag.AgreementInput)
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrInvalidInput || !appErr.NonRetryable() ||
		!strings.Contains(appErr.Error(), "project_ids") {
		t.Fatalf("error %v", err)
	}
	if h.count(ActivityValidateAgreement) != 1 || h.count(ActivitySnapshotCandidates) != 0 {
		t.Fatalf("calls %s", h.joined())
	}
}

func TestBadTimeZoneFails(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.ag.TimeZone = "Mars/Olympus"
	h.env.ExecuteWorkflow(AgencyAgreementWorkflow, h.ag.AgreementInput)
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || !strings.Contains(appErr.Error(), "time_zone") {
		t.Fatalf("error %v", err)
	}
}
