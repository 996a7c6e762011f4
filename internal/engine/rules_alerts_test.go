package engine_test

import (
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
)

// ---------------------------------------------------------------------------------------------
// AL: alerts (fixture alerts: PA SSO 30/20, PB SSO 30/no alert under a project-type policy with
// an alert, PC ES entry/exit 30/20)

func TestAL1_AlertWindow(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "alerts")
	rulesPolicy(t, pool, "project", "PA", 30, 20, "", "")
	rulesPolicy(t, pool, "project", "PB", 30, 0, "", "")
	rulesPolicy(t, pool, "project-type", "6", 60, 10, "", "") // P1: PB's own policy (no alert) applies as a whole
	rulesPolicy(t, pool, "project", "PC", 30, 20, "", "")
	alert := func(where, la, source, on, exit string) string {
		return rulesWant(rulesAsOf, "alert", where, la, source, on, exit)
	}
	rows := rulesCandidates(t, pool, engine.Options{})
	// A19 (19 days) and B25 (PB has no alert) are not listed. ExitOn of an alert = last activity + 30.
	rulesSame(t, "AL1", rows,
		alert("PA/HA20/A20", "2024-06-10", "service", "2024-07-10", "2024-06-10"), // exactly alert days
		alert("PA/HA29/A29", "2024-06-01", "service", "2024-07-01", "2024-06-01"), // one day before the exit
		alert("PA/HA2M/A2Ma", "2024-06-05", "service", "2024-07-05", "2024-06-05"),
		alert("PA/HA2M/A2Mb", "2024-06-05", "service", "2024-07-05", "2024-06-05"),
		rulesExit("PA/HA30/A30", "2024-05-31", "service", "2024-05-31"), // exactly auto-exit days: exit, not alert
		rulesExit("PB/HB40/B40", "2024-05-21", "service", "2024-05-21"),
		alert("PC/HC25/C25", "2024-06-05", "entry", "2024-07-05", "2024-06-06")) // the exit date it would get (D3)
	for _, r := range rows {
		if r.Reason == "" || r.Reason == engine.AdminReason {
			t.Errorf("AL1: %s: reason %q", r.EnrollmentID, r.Reason)
		}
	}
}
