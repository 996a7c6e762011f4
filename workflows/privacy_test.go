package workflows

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// keys is the sorted top-level JSON keys of v.
func keys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestPayloadFields pins the JSON fields of the workflow's input, result and status: IDs, dates,
// emails of staff and counts only (SPEC S1).
func TestPayloadFields(t *testing.T) {
	now := time.Now()
	full := AgreementStatus{
		PeriodEnd: "x", NextReminder: &now, NextDeadline: &now, Issue: "x", AcknowledgedBy: "x", AcknowledgedAt: &now,
		DQMScheduleID: "x", CancelledBy: "x", CancelReason: "x", SnapshotID: 1, ExitRunID: 1,
		Rejected: []RejectedSignal{{From: "x", Action: ActionCancel, Reason: "r", At: now, Raw: json.RawMessage(`{"n":1}`)}},
	}
	in := AgreementInput{PeriodDays: 1, PeriodEnd: "x", AutoExitDays: 1, AlertDays: 1, WindowDays: 1, AllOpen: true, DQMEvery: Monthly}
	cases := []struct {
		v    any
		want string
	}{
		{in, "agreement_id alert_days all_open auto_exit_days dqm_every hmis_staff liaisons method organization_id period_days period_end project_ids window_days"},
		{AgreementResult{DQMScheduleID: "x", AcknowledgedBy: "x"}, "acknowledged_by agreement_id counts dqm_schedule_id escalated phase rejected_signals reminders"},
		{full, "acknowledged_at acknowledged_by agreement_id cancel_reason cancelled_by counts dqm_schedule_id escalated issue method next_deadline next_reminder notify_failures paused period_end phase rejected reminders snapshot_id exit_run_id"},
		{Counts{}, "candidate_enrollments candidate_households exited_by_agency exited_by_engine still_open"},
		{full.Rejected[0], "action at from reason"},
		{FollowUpInput{TimeZone: "x"}, "actor agreement_id project_ids recipients time_zone"},
	}
	for _, c := range cases {
		want := strings.Fields(c.want)
		slices.Sort(want)
		if got := keys(t, c.v); !slices.Equal(got, want) {
			t.Errorf("%T fields\n got %v\nwant %v", c.v, got, want)
		}
	}
	b, _ := json.Marshal(full)
	for _, bad := range []string{"name", "ssn", "dob", "birth", "first", "last", "gender", "race", `"n":1`} {
		if strings.Contains(strings.ToLower(string(b)), bad) {
			t.Errorf("status JSON contains %q: %s", bad, b)
		}
	}
}
