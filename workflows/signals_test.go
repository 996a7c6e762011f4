package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
)

// cancelPayload is a valid cancel from the HMIS staff member.
var cancelPayload = `{"from":"` + staff + `","reason":"agency closed the deal"}`

// assertCancelled checks a cancelled run: result phase, no exits, a change notice.
func assertCancelled(t *testing.T, h *harness, res AgreementResult, exits int) {
	t.Helper()
	if res.Phase != PhaseCancelled {
		t.Fatalf("phase %s", res.Phase)
	}
	if h.count(ActivityRunExits) != exits || h.count(ActivityCreateDQMSchedule) != 0 {
		t.Fatalf("calls after cancel: %s", h.joined())
	}
	if h.count("Notify:"+string(NoticeAgreementChange)) < 1 || !h.hasStep("cancelled") {
		t.Fatalf("no cancel notice/audit: %s %v", h.joined(), h.steps)
	}
	if st := h.status(); st.CancelledBy != staff || st.CancelReason == "" || st.Phase != PhaseCancelled {
		t.Fatalf("status %+v", st)
	}
}

func TestCancelDuringNotice(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.signalAt(0, ActionCancel, cancelPayload) // buffered before validation, handled in the notice phase
	res := h.run()
	assertCancelled(t, h, res, 0)
	if h.count("Notify:"+string(NoticeAgreement)) != 0 {
		t.Fatalf("notice sent after cancel: %s", h.joined())
	}
}

func TestCancelDuringPeriod(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.signalAt(5*day, ActionCancel, cancelPayload)
	h.signalAt(6*day, ActionCancel, cancelPayload) // after cancellation: rejected (drained or handled)
	res := h.run()
	assertCancelled(t, h, res, 0)
	if h.count("Notify:"+string(NoticePeriodEnding)) != 0 {
		t.Fatalf("reminder after cancel: %s", h.joined())
	}
}

func TestCancelWhilePaused(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(3*day, ActionReportIssue, `{"from":"`+liaison+`","description":"wrong project"}`)
	h.signalAt(40*day, ActionCancel, cancelPayload)
	res := h.run()
	assertCancelled(t, h, res, 0)
}

func TestCancelDuringAcknowledgement(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(35*day, ActionCancel, cancelPayload)
	res := h.run()
	assertCancelled(t, h, res, 1)
}

func TestReportIssueThenResume(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(3*day, ActionReportIssue, `{"from":"`+staff+`","description":"staff cannot report"}`)
	h.signalAt(4*day, ActionReportIssue, `{"from":"`+liaison+`","description":"wrong project"}`)
	h.signalAt(5*day, ActionResume, from(liaison)) // liaison cannot resume
	var paused AgreementStatus
	h.env.RegisterDelayedCallback(func() { paused = h.status() }, 20*day)
	h.signalAt(40*day, ActionResume, `{"from":"`+staff+`","note":"fixed"}`)
	h.ackAt(41 * day)
	res := h.run()
	if paused.Phase != PhasePaused || !paused.Paused || paused.Issue != "wrong project" {
		t.Fatalf("paused status %+v", paused)
	}
	resumeAt := t0.Add(40 * day)
	if len(h.exitsAt) != 1 || !h.exitsAt[0].Equal(resumeAt) {
		t.Fatalf("exits at %v, want at the resume %v", h.exitsAt, resumeAt)
	}
	if h.exits[0].AsOf != resumeAt.In(chicago(t)).Format(dateLayout) {
		t.Fatalf("as of %s", h.exits[0].AsOf)
	}
	if h.count("Notify:"+string(NoticePeriodEnding)) != 0 { // nothing advances while paused
		t.Fatalf("reminder while paused: %s", h.joined())
	}
	if res.Phase != PhaseCompleted || res.Rejected != 2 || !h.hasStep("paused") || !h.hasStep("resumed") {
		t.Fatalf("result %+v steps %v", res, h.steps)
	}
}

func TestResumeBeforeEnd(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(3*day, ActionReportIssue, `{"from":"`+liaison+`","description":"x"}`)
	h.signalAt(10*day, ActionResume, from(staff))
	h.ackAt(31 * day)
	h.run()
	end := at(t, "2026-04-01")
	if len(h.exitsAt) != 1 || !h.exitsAt[0].Equal(end) {
		t.Fatalf("exits at %v, want %v", h.exitsAt, end)
	}
	if h.count("Notify:"+string(NoticePeriodEnding)) != 1 {
		t.Fatalf("calls %s", h.joined())
	}
}

func TestAcknowledgeLate(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.ackAt(30*day + 23*day)
	res := h.run()
	done := h.notifyAt[NoticeCompletion][0]
	r := h.notifyAt[NoticeAckReminder]
	if len(r) != 3 || !r[0].Equal(done.Add(7*day)) || !r[1].Equal(done.Add(14*day)) || !r[2].Equal(done.Add(21*day)) {
		t.Fatalf("reminders at %v (completion %v)", r, done)
	}
	esc := h.notifyAt[NoticeEscalation]
	if len(esc) != 1 || !esc[0].Equal(r[2]) {
		t.Fatalf("escalation at %v", esc)
	}
	for _, n := range h.notifies {
		if n.Kind == NoticeEscalation && (len(n.To) != 1 || n.To[0] != staff) {
			t.Fatalf("escalation to %v", n.To)
		}
	}
	if res.Reminders != 3 || !res.Escalated || res.AcknowledgedBy != liaison || res.Phase != PhaseCompleted {
		t.Fatalf("result %+v", res)
	}
}

func TestAcknowledgeKeepsReminding(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.ackAt(30*day + 36*day)
	res := h.run()
	if res.Reminders != 5 || len(h.notifyAt[NoticeEscalation]) != 1 {
		t.Fatalf("result %+v, escalations %v", res, h.notifyAt[NoticeEscalation])
	}
}

func TestAcknowledgeOnTimeTwiceWrongPersonEarly(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.ackAt(10 * day)                                                   // before the exits ran
	h.signalAt(31*day, ActionAcknowledge, from("someone@else.example")) // not a liaison
	h.signalAt(31*day, ActionAcknowledge, from(staff))                  // staff are not liaisons
	var before AgreementStatus
	h.env.RegisterDelayedCallback(func() { before = h.status() }, 31*day+time.Hour)
	h.signalAt(32*day, ActionAcknowledge, `{"from":"SECOND@agency.example.org","note":"ok"}`)
	h.signalAt(32*day, ActionAcknowledge, from(liaison)) // twice
	res := h.run()
	if before.Phase != PhaseAcknowledgement || len(before.Rejected) != 3 {
		t.Fatalf("status before ack %+v", before)
	}
	if !strings.Contains(before.Rejected[0].Reason, "exits have not run") || before.Rejected[0].From != liaison ||
		!before.Rejected[0].At.Equal(t0.Add(10*day)) || !strings.Contains(before.Rejected[1].Reason, "only a liaison") {
		t.Fatalf("rejected %+v", before.Rejected)
	}
	st := h.status()
	if res.AcknowledgedBy != "SECOND@agency.example.org" || res.Reminders != 0 || res.Rejected != 4 ||
		!strings.Contains(st.Rejected[3].Reason, "already acknowledged") {
		t.Fatalf("result %+v rejected %+v", res, st.Rejected)
	}
	if n := strings.Count(strings.Join(h.steps, ","), "signal-rejected"); n != 4 {
		t.Fatalf("audit %v", h.steps)
	}
}

func TestMalformedSignalsRejected(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.signalAt(31*day, ActionAcknowledge, `{"from":"`+liaison+`","extra":1}`)
	h.signalAt(31*day, ActionAcknowledge, `{"from":7}`)
	h.signalAt(31*day, ActionAcknowledge, `{"note":"no from"}`)
	h.signalAt(31*day, ActionAcknowledge, `"just a string"`)
	h.signalAt(1*day, ActionReportIssue, from(liaison)) // no description
	h.signalAt(1*day, ActionExtend, from(staff))        // no period_end
	h.signalAt(1*day, ActionExtend, `{"from":"`+staff+`","period_end":"2026-02-30"}`)
	h.ackAt(32 * day)
	res := h.run()
	st := h.status()
	if res.Rejected != 7 || res.AcknowledgedBy != liaison {
		t.Fatalf("result %+v rejected %+v", res, st.Rejected)
	}
	want := []string{"description is required", "period_end is required", "not a YYYY-MM-DD", "unknown field", "wrong type", "from is required", "malformed"}
	for i, w := range want {
		if !strings.Contains(st.Rejected[i].Reason, w) {
			t.Errorf("rejected[%d] = %q, want %q", i, st.Rejected[i].Reason, w)
		}
	}
	if st.Rejected[3].From != liaison {
		t.Errorf("from of a malformed signal: %q", st.Rejected[3].From)
	}
}

func TestNotifyFailureDoesNotStop(t *testing.T) {
	h := newHarness(t, MethodAuto)
	h.notifyFn = func(in NotifyInput) (NotifyResult, error) {
		return NotifyResult{Failed: len(in.To)}, nil // SMTP down: each recipient failed
	}
	h.ackAt(32 * day)
	res := h.run()
	st := h.status()
	if res.Phase != PhaseCompleted || st.NotifyFailures == 0 || h.count(ActivityCreateDQMSchedule) != 1 {
		t.Fatalf("result %+v status %+v", res, st)
	}
}

func TestNotifyErrorDoesNotStop(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	h.notifyFn = func(in NotifyInput) (NotifyResult, error) {
		return NotifyResult{}, errNotify
	}
	h.ackAt(32 * day)
	res := h.run()
	if st := h.status(); res.Phase != PhaseCompleted || st.NotifyFailures < 4 {
		t.Fatalf("result %+v failures %d", res, st.NotifyFailures)
	}
}

func TestUpdates(t *testing.T) {
	h := newHarness(t, MethodAdmin)
	type outcome struct {
		rejected error
		result   SignalResult
	}
	got := map[string]*outcome{}
	update := func(id string, d time.Duration, a Action, payload string) {
		o := &outcome{}
		got[id] = o
		h.env.RegisterDelayedCallback(func() {
			h.env.UpdateWorkflow(UpdateName(a), id, &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { o.rejected = err },
				OnComplete: func(v any, err error) {
					if r, ok := v.(SignalResult); ok {
						o.result = r
					}
				},
			}, json.RawMessage(payload))
		}, d)
	}
	update("early", 10*day, ActionAcknowledge, from(liaison))
	update("wrong", 31*day, ActionAcknowledge, from(staff))
	update("extend", 5*day, ActionExtend, `{"from":"`+staff+`","period_end":"2026-04-05"}`)
	update("ack", 36*day, ActionAcknowledge, from(liaison))
	res := h.run()
	for _, id := range []string{"early", "wrong"} {
		if got[id].rejected == nil || !strings.Contains(got[id].rejected.Error(), ErrInvalidInput) {
			t.Errorf("%s: want rejection, got %+v", id, got[id])
		}
	}
	for _, id := range []string{"extend", "ack"} {
		if got[id].rejected != nil || !got[id].result.Accepted {
			t.Errorf("%s: want accepted, got %+v", id, got[id])
		}
	}
	if res.AcknowledgedBy != liaison || h.exits[0].AsOf != "2026-04-05" || res.Rejected != 0 {
		t.Fatalf("result %+v exits %+v", res, h.exits)
	}
}
