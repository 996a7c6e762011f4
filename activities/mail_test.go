package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/workflows"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"
)

func TestActivitiesNotifySendsOnceWithIDsOnly(t *testing.T) {
	pool, a := fixture(t)
	mp := testenv.StartMailpit(t, 0)
	a.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, From: "exitflow@coc.example"}
	e := env(a)
	ag, snap := agreement(t, e, valid())
	in := workflows.NotifyInput{Key: "agreement-A1/notice", Kind: workflows.NoticeAgreement, To: []string{"lia@one.example", "sam@coc.example"}, Agreement: ag}
	for range 2 { // the retry sends nothing again (SPEC N4)
		v, err := e.ExecuteActivity(workflows.ActivityNotify, in)
		require.NoError(t, err)
		var res workflows.NotifyResult
		require.NoError(t, v.Get(&res))
		assert.Equal(t, workflows.NotifyResult{Sent: 2}, res)
	}
	msgs := mp.Search(t, "to:lia@one.example")
	require.Len(t, msgs, 1)
	got := mp.Message(t, msgs[0].ID)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM exitflow.agreement_candidate ac
		WHERE ac.agreement_id = 'A1' AND strpos($1, ac.enrollmentid) > 0`, got.Text).Scan(&n))
	assert.Equal(t, snap.Enrollments, n, "the notice lists the candidates' IDs")

	exits(t, e, ag)
	v, err := e.ExecuteActivity(workflows.ActivityNotify, workflows.NotifyInput{Key: "agreement-A1/completion", Kind: workflows.NoticeCompletion,
		To: []string{"lia@one.example"}, Agreement: ag})
	require.NoError(t, err)
	var res workflows.NotifyResult
	require.NoError(t, v.Get(&res))
	assert.Equal(t, 1, res.Sent)

	v, err = e.ExecuteActivity(workflows.ActivityNotify, workflows.NotifyInput{Key: "agreement-A1/change-2-extended", Kind: workflows.NoticeAgreementChange,
		To: []string{"lia@one.example", "sam@coc.example"}, Agreement: ag, Note: "extended: the agency asked for two more weeks", Deadline: "2027-01-15"})
	require.NoError(t, err)
	require.NoError(t, v.Get(&res))
	assert.Equal(t, workflows.NotifyResult{Sent: 2}, res)
	msgs = mp.Search(t, `to:sam@coc.example subject:"Agreement A1: the period is extended to 2027-01-15"`)
	require.Len(t, msgs, 1)
	got = mp.Message(t, msgs[0].ID)
	assert.Contains(t, got.Text, "The period of agency agreement A1 (organization ")
	assert.Contains(t, got.Text, "has been extended: it now ends on 2027-01-15.")
	assert.Contains(t, strings.ReplaceAll(got.Text, "\r\n", "\n"), "The reason, as given:\n\n  the agency asked for two more weeks\n")
	var kind, change, note string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT kind, about->>'change', about->>'note' FROM exitflow.notification
		WHERE idempotency_key = 'agreement-A1/change-2-extended/sam@coc.example' AND status = 'sent'`).Scan(&kind, &change, &note))
	assert.Equal(t, []string{"agreement-change", "extended", "the agency asked for two more weeks"}, []string{kind, change, note})

	_, err = e.ExecuteActivity(workflows.ActivityNotify, workflows.NotifyInput{Key: "agreement-A1/change-3-renamed", Kind: workflows.NoticeAgreementChange,
		To: []string{"lia@one.example"}, Agreement: ag, Note: "renamed: no such change"})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	assert.True(t, app.NonRetryable(), "an unknown change is refused, not retried")
}

func TestActivitiesNotifySMTPDownIsRetryable(t *testing.T) {
	_, a := fixture(t)
	a.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: testenv.FreePort(t), From: "exitflow@coc.example"}
	e := env(a)
	ag, _ := agreement(t, e, valid())
	_, err := e.ExecuteActivity(workflows.ActivityNotify, workflows.NotifyInput{Key: "agreement-A1/notice", Kind: workflows.NoticeAgreement,
		To: []string{"lia@one.example"}, Agreement: ag})
	require.Error(t, err)
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		assert.False(t, app.NonRetryable(), "%v", err)
	}
}

func TestActivitiesFollowUpDQMMailsTheReport(t *testing.T) {
	_, a := fixture(t)
	mp := testenv.StartMailpit(t, 0)
	a.Mailer = &notify.Mailer{Host: "127.0.0.1", Port: mp.SMTPPort, From: "exitflow@coc.example"}
	e := env(a)
	v, err := e.ExecuteActivity(workflows.ActivityRunFollowUpDQM, workflows.FollowUpRun{
		FollowUp: workflows.FollowUpInput{AgreementID: "A1", ProjectIDs: []string{"PS", "PO"}, Recipients: []string{"lia@one.example", "sam@coc.example"},
			Actor: "sam@coc.example"}, AsOf: "2026-11-01", WorkflowID: "dqm-A1-2026-11-01T11:00:00Z", RunID: "r1"})
	require.NoError(t, err)
	var res workflows.FollowUpResult
	require.NoError(t, v.Get(&res))
	assert.Positive(t, res.ReportID)
	assert.Equal(t, 2, res.Mailed)
	assert.Equal(t, "2026-11-01", res.AsOf)
	msgs := mp.Search(t, "to:sam@coc.example")
	require.Len(t, msgs, 1)
	got := mp.Message(t, msgs[0].ID)
	var names []string
	for _, at := range got.Attachments {
		names = append(names, at.FileName)
	}
	assert.ElementsMatch(t, []string{"measures.csv", "findings.csv"}, names)
	assert.True(t, strings.Contains(got.HTML, "PS"), "report.html is the HTML part")
}

func TestActivitiesCreateDQMSchedule(t *testing.T) {
	_, a := fixture(t)
	c, sc := &mocks.Client{}, &mocks.ScheduleClient{}
	c.On("ScheduleClient").Return(sc)
	var got client.ScheduleOptions
	sc.On("Create", mock.Anything, mock.Anything).Run(func(args mock.Arguments) { got = args.Get(1).(client.ScheduleOptions) }).
		Return(&mocks.ScheduleHandle{}, nil).Once()
	sc.On("Create", mock.Anything, mock.Anything).Return(nil, temporal.ErrScheduleAlreadyRunning).Once()
	a.Temporal, a.TaskQueue = c, "q1"
	e := env(a)
	in := workflows.ScheduleInput{ScheduleID: "dqm-A1", FirstRun: "2026-11-30", Cadence: workflows.Quarterly, TimeZone: "America/New_York",
		FollowUp: workflows.FollowUpInput{AgreementID: "A1", ProjectIDs: []string{"PS"}}}
	for _, created := range []bool{true, false} {
		v, err := e.ExecuteActivity(workflows.ActivityCreateDQMSchedule, in)
		require.NoError(t, err)
		var res workflows.ScheduleResult
		require.NoError(t, v.Get(&res))
		assert.Equal(t, workflows.ScheduleResult{ScheduleID: "dqm-A1", Created: created}, res)
	}
	require.Len(t, got.Spec.Calendars, 1)
	cal := got.Spec.Calendars[0]
	assert.Equal(t, []client.ScheduleRange{{Start: 6}}, cal.Hour)
	assert.Equal(t, []client.ScheduleRange{{Start: 28}}, cal.DayOfMonth, "capped: no month is skipped")
	assert.Equal(t, []client.ScheduleRange{{Start: 2, End: 12, Step: 3}}, cal.Month, "Nov, Feb, May, Aug")
	assert.Equal(t, "America/New_York", got.Spec.TimeZoneName)
	act := got.Action.(*client.ScheduleWorkflowAction)
	assert.Equal(t, workflows.FollowUpDQMWorkflow, act.Workflow)
	assert.Equal(t, "q1", act.TaskQueue)
	assert.Equal(t, "America/New_York", act.Args[0].(workflows.FollowUpInput).TimeZone)

	_, err := e.ExecuteActivity(workflows.ActivityCreateDQMSchedule, workflows.ScheduleInput{ScheduleID: "x", FirstRun: "soon"})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	assert.Equal(t, workflows.ErrInvalidInput, app.Type())
}
