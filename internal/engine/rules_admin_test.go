package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
)

// ---------------------------------------------------------------------------------------------
// AD: administrative exits (fixture admin: PX ES entry/exit, auto exit off; PY SSO, built-in 90/80;
// PZ ES entry/exit, not in the agreement)

func rulesEnrollments(rows []engine.Row) string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.EnrollmentID)
	}
	return strings.Join(ids, " ")
}

func TestAD1_AdminScope(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "admin")
	ctx := context.Background()
	cases := []struct {
		name string
		opt  engine.Options
		want string
	}{
		// --window-days 90: HX2 (121 days), HX6 (150; X6b already exited), HX9 (112); not X1 (60).
		{"window 90", engine.Options{Projects: []string{"PX"}, WindowDays: 90}, "X2a X2b X6a X9a X9b"},
		// --window-days 60: X1 is exactly 60 days inactive.
		{"window 60", engine.Options{Projects: []string{"PX"}, WindowDays: 60}, "X1 X2a X2b X6a X9a X9b"},
		// --all-open: every open enrollment entered by T, active or not (X3, X4, X5, HX8 too).
		{"all open", engine.Options{Projects: []string{"PX"}, AllOpen: true}, "X1 X2a X2b X3 X4 X5 X6a X8a X8b X9a X9b"},
		// No window given: past the project's own auto-exit window (SSO built-in 90 days):
		// Y1 (102) and Y3 (exactly 90); Y2 (85, in the alert window) is not an admin exit.
		{"project window", engine.Options{Projects: []string{"PY"}}, "Y1 Y3"},
		// PX has auto exit off: without a window there is nothing to exit (and the CLI refuses).
		{"no window", engine.Options{Projects: []string{"PX"}}, ""},
		// Projects outside the agreement are untouched; PZ added, its household is in.
		{"two projects", engine.Options{Projects: []string{"PX", "PZ"}, WindowDays: 90}, "X2a X2b X6a X9a X9b Z1"},
	}
	for _, c := range cases {
		c.opt.Method = engine.MethodAdmin
		rows := rulesCandidates(t, pool, c.opt)
		if got := rulesEnrollments(rows); got != c.want {
			t.Errorf("AD1 %s: got [%s], want [%s]", c.name, got, c.want)
		}
		for _, r := range rows {
			if r.Action != engine.ActionExit || r.Reason != "Administrative exit" || !r.ExitOn.Equal(rulesAsOf) {
				t.Errorf("AD1 %s: %s: action %q reason %q exit on %s", c.name, r.EnrollmentID, r.Action, r.Reason, r.ExitOn.Format(time.DateOnly))
			}
		}
	}
	if err := engine.CheckAdminWindows(ctx, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}}); err == nil {
		t.Errorf("AD1: an admin run of PX (auto exit off) without a window must be refused")
	}
	// The auto method ignores PX (auto exit off) and alerts on Y2.
	rulesSame(t, "AD1 auto", rulesCandidates(t, pool, engine.Options{Projects: []string{"PX", "PY"}}),
		rulesExit("PY/HY1/Y1", "2024-03-20", "service", "2024-03-20"),
		rulesWant(rulesAsOf, "alert", "PY/HY2/Y2", "2024-04-06", "service", "2024-07-05", "2024-04-06"),
		rulesExit("PY/HY3/Y3", "2024-04-01", "service", "2024-04-01"))
}

func TestAD2_AdminHouseholdRuleDatesReason(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "admin")
	rows := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}, WindowDays: 30})
	// H1–H3: HX8 (X8b active 06-20) stays; HX6 exits X6a only; D1/D3: HX9's exit date is the HoH's
	// service 03-10, the child's entry date, so 03-11; destination 30, no subsidy.
	rulesSame(t, "AD2", rows,
		rulesExit("PX/HX1/X1", "2024-05-01", "service", "2024-05-01"),
		rulesExit("PX/HX2/X2a", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PX/HX2/X2b", "2024-03-01", "service", "2024-03-01"),
		rulesExit("PX/HX6/X6a", "2024-02-01", "service", "2024-02-01"),
		rulesExit("PX/HX9/X9a", "2024-03-10", "service", "2024-03-11"),
		rulesExit("PX/HX9/X9b", "2024-03-10", "service", "2024-03-11"))
	for _, r := range rows {
		if r.Reason != "Administrative exit" {
			t.Errorf("AD2: %s: reason %q, want exactly \"Administrative exit\"", r.EnrollmentID, r.Reason)
		}
	}
	all := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, Projects: []string{"PX"}, AllOpen: true})
	rulesSame(t, "AD2 all-open households", rulesOnly(all, "X3", "X8a", "X8b"),
		rulesExit("PX/HX3/X3", "2024-06-25", "service", "2024-06-25"),
		rulesExit("PX/HX8/X8a", "2024-06-20", "service", "2024-06-20"),
		rulesExit("PX/HX8/X8b", "2024-06-20", "service", "2024-06-20"))
}
