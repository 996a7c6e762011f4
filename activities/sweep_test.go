package activities_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exitflow/exitflow/activities"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// sweepRun begins sweep wfID as of the fixture's day and writes its exits page by page.
func sweepRun(t *testing.T, e *testsuite.TestActivityEnvironment, wfID string) (workflows.SweepBegun, workflows.SweepPage, int) {
	t.Helper()
	v, err := e.ExecuteActivity(workflows.ActivityBeginSweep, workflows.SweepBeginInput{AsOf: "2026-11-01", WorkflowID: wfID, FirstRunID: "r1"})
	require.NoError(t, err)
	var b workflows.SweepBegun
	require.NoError(t, v.Get(&b))
	var p workflows.SweepPage
	pages := 0
	for !p.Finished {
		v, err := e.ExecuteActivity(workflows.ActivitySweepExitsPage, workflows.SweepPageInput{SweepID: b.SweepID, AsOf: b.AsOf,
			PageHouseholds: 1, WorkflowID: wfID, RunID: "r1"})
		require.NoError(t, err)
		require.NoError(t, v.Get(&p))
		pages++
		require.Less(t, pages, 100, "the pages end")
	}
	return b, p, pages
}

// SPEC H2, AL1–AL3, N3–N5: a sweep's steps, each run twice as a retry would: the exits page by
// page, one alert digest per recipient, the summary to the HMIS staff member, each mailed once.
func TestActivitiesSweepStepsMailOncePerRecipient(t *testing.T) {
	pool, a := fixture(t)
	a.BatchHouseholds = 1
	mp := testenv.StartMailpit(t, 0)
	a.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, From: "exitflow@coc.example"}
	e := env(a)
	b, p, pages := sweepRun(t, e, "auto-exit-sweep-t1")
	assert.Equal(t, "2026-11-01", b.AsOf)
	assert.Empty(t, b.Skipped)
	require.Positive(t, p.Enrollments)
	assert.Equal(t, p.HouseholdsTotal, p.HouseholdsDone)
	assert.Greater(t, pages, 1, "one household a page: several pages")

	step := workflows.SweepStepInput{SweepID: b.SweepID, AsOf: b.AsOf, ExitRunID: p.ExitRunID, WorkflowID: "auto-exit-sweep-t1", RunID: "r1"}
	var alerts workflows.SweepAlertsResult
	var notices workflows.SweepNoticesResult
	for range 2 {
		v, err := e.ExecuteActivity(workflows.ActivitySweepAlerts, step)
		require.NoError(t, err)
		require.NoError(t, v.Get(&alerts))
		v, err = e.ExecuteActivity(workflows.ActivitySweepNotices, step)
		require.NoError(t, err)
		require.NoError(t, v.Get(&notices))
	}
	require.Positive(t, alerts.Alerts, "the fixture has households in the alert window")
	assert.Equal(t, 1, notices.Summaries, "one summary, to sam@coc.example")
	var digests, recipients, total int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE kind = 'auto-alert'),
		count(DISTINCT recipient) FILTER (WHERE kind = 'auto-alert'), count(*) FROM exitflow.notification`).Scan(&digests, &recipients, &total))
	assert.Equal(t, alerts.Messages, digests)
	assert.Equal(t, recipients, digests, "one digest per recipient")
	var box struct{ Total int }
	mp.Get(t, "/api/v1/messages", &box)
	assert.Equal(t, total, box.Total, "the retries mailed nothing twice")
	assert.Len(t, mp.Search(t, `to:sam@coc.example subject:"Auto-exit sweep of 2026-11-01"`), 1)

	v, err := e.ExecuteActivity(workflows.ActivityFinishSweep, workflows.SweepFinishInput{SweepID: b.SweepID, ExitRunID: p.ExitRunID,
		AlertMessages: alerts.Messages, ExitNotices: notices.ExitNotices, Summaries: notices.Summaries, Executions: 1, Pages: pages})
	require.NoError(t, err)
	var res workflows.SweepResult
	require.NoError(t, v.Get(&res))
	assert.Equal(t, p.Enrollments, res.Enrollments)
	assert.Equal(t, alerts.Alerts, res.Alerts)
	assert.NotEmpty(t, res.Projects)

	// A second sweep of the day while this one's record is done: it begins, and finds nothing to exit.
	b2, p2, _ := sweepRun(t, e, "auto-exit-sweep-t2")
	assert.Empty(t, b2.Skipped)
	assert.Zero(t, p2.Enrollments, "a second sweep exits nothing")
}

// The mail steps resume from their last heartbeat: with the SMTP server down, a first attempt
// fails (retryable); an attempt whose heartbeat says every message was handled sends nothing and
// succeeds with the heartbeat's counts.
func TestActivitiesSweepMailResumesFromItsHeartbeat(t *testing.T) {
	pool, a := fixture(t)
	a.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: testenv.FreePort(t), From: "exitflow@coc.example"}
	up := &activities.Activities{Pool: a.Pool, Location: a.Location, Now: a.Now}
	b, p, _ := sweepRun(t, env(up), "auto-exit-sweep-t3")
	step := workflows.SweepStepInput{SweepID: b.SweepID, AsOf: b.AsOf, ExitRunID: p.ExitRunID, WorkflowID: "auto-exit-sweep-t3", RunID: "r1"}

	_, err := env(a).ExecuteActivity(workflows.ActivitySweepAlerts, step)
	require.Error(t, err, "SMTP down")
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		assert.False(t, app.NonRetryable(), "SMTP down is retried: %v", err)
	}
	attempts := func() int {
		var n int
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT coalesce(sum(attempts), 0) FROM exitflow.notification`).Scan(&n))
		return n
	}
	var n int // the digests: one per recipient of the alerts
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(DISTINCT lower(email)) FROM exitflow.alert_recipient`).Scan(&n))
	require.Greater(t, n, 1)
	before := attempts()
	type cursor struct {
		Next   int `json:"next"`
		Sent   int `json:"sent"`
		Failed int `json:"failed"`
	}
	e := env(a)
	e.SetHeartbeatDetails(cursor{Next: n, Sent: n})
	v, err := e.ExecuteActivity(workflows.ActivitySweepAlerts, step)
	require.NoError(t, err, "nothing left to send after the heartbeat's cursor")
	var res workflows.SweepAlertsResult
	require.NoError(t, v.Get(&res))
	assert.Equal(t, n, res.Messages, "the heartbeat's counts")
	assert.Equal(t, before, attempts(), "no delivery was tried")

	e = env(a)
	e.SetHeartbeatDetails(cursor{Next: n + 1000, Sent: 7})
	_, err = e.ExecuteActivity(workflows.ActivitySweepAlerts, step)
	require.Error(t, err, "a cursor past the end is not trusted: the digests are sent from the start")
}
