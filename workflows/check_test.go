package workflows

import (
	"strings"
	"testing"
)

// TestCheckPhase covers the phase rules the workflow tests cannot reach (the run is over by then).
func TestCheckPhase(t *testing.T) {
	cases := []struct {
		phase Phase
		a     Action
		ack   string
		want  string // "" = accepted
	}{
		{PhaseCompleted, ActionCancel, "", "already completed"},
		{PhaseCancelled, ActionCancel, "", "already cancelled"},
		{PhaseCompleted, ActionAcknowledge, "x", "already completed"},
		{PhaseFollowUp, ActionCancel, "", "cannot cancel"},
		{PhaseExiting, ActionCancel, "", "cannot cancel"},
		{PhaseAcknowledgement, ActionCancel, "", ""},
		{PhasePaused, ActionCancel, "", ""},
		{PhaseNotice, ActionCancel, "", ""},
		{PhaseFollowUp, ActionAcknowledge, "a@b", "already acknowledged"},
		{PhaseExiting, ActionAcknowledge, "", "exits have not run"},
		{PhaseAcknowledgement, ActionAcknowledge, "", ""},
		{PhaseAcknowledgement, ActionReportIssue, "", "during the period only"},
		{PhasePaused, ActionReportIssue, "", "already paused"},
		{PhasePeriod, ActionResume, "", "not paused"},
		{PhasePaused, ActionResume, "", ""},
	}
	for _, c := range cases {
		s := &agreementState{status: AgreementStatus{Phase: c.phase, AcknowledgedBy: c.ack}}
		got := s.checkPhase(nil, c.a, SignalPayloads(c.a))
		if (c.want == "" && got != "") || (c.want != "" && !strings.Contains(got, c.want)) {
			t.Errorf("%s in %s: %q, want %q", c.a, c.phase, got, c.want)
		}
	}
}
