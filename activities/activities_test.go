package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/activities"
	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/workflows"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// The engine's exits fixture (as of 2026-11-01): organization O1 with projects PS (Services Only),
// PO (Street Outreach) and PN (NbN shelter, auto exit off); plus organization O2 with project PX.
var asOf = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// fixture is a migrated database holding the fixture and its contacts, and the activities on it.
func fixture(t *testing.T) (*pgxpool.Pool, *activities.Activities) {
	t.Helper()
	ctx := context.Background()
	_, pool := testdb.New(t)
	_, err := importer.Run(ctx, pool, "../internal/engine/testdata/exits", importer.Options{})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO hmis.organization (organizationid, organizationname, datecreated, dateupdated, exportid)
		VALUES ('O2', 'Agency Two', now(), now(), 'EX1');
		INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, exportid)
		VALUES ('PX', 'O2', 'Other', '2020-01-01', 6, now(), now(), 'EX1')`)
	require.NoError(t, err)
	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "O1", Name: "Lia", Email: "lia@one.example", Actor: "t"},
		{Role: contacts.RoleLiaison, OrganizationID: "O2", Name: "Lou", Email: "lou@two.example", Actor: "t"},
		{Role: contacts.RoleHMISStaff, Name: "Sam", Email: "sam@coc.example", Actor: "t"},
	} {
		_, err := contacts.Add(ctx, pool, c)
		require.NoError(t, err)
	}
	return pool, &activities.Activities{Pool: pool, Location: time.UTC, Now: func() time.Time { return asOf }}
}

// env is a test activity environment with a's activities registered.
func env(a *activities.Activities) *testsuite.TestActivityEnvironment {
	var s testsuite.WorkflowTestSuite
	e := s.NewTestActivityEnvironment()
	activities.RegisterActivities(e, a)
	return e
}

// valid is an admin agreement of O1's projects PS and PO that ends on the fixture's day.
func valid() workflows.AgreementInput {
	return workflows.AgreementInput{AgreementID: "A1", OrganizationID: "O1", ProjectIDs: []string{"PS", "PO"},
		Method: workflows.MethodAdmin, PeriodEnd: "2026-11-01", Liaisons: []string{"Lia@One.example"}, HMISStaff: "sam@coc.example"}
}

// validate runs ValidateAgreement through the activity environment.
func validate(t *testing.T, e *testsuite.TestActivityEnvironment, in workflows.AgreementInput) (workflows.Agreement, error) {
	t.Helper()
	v, err := e.ExecuteActivity(workflows.ActivityValidateAgreement, workflows.ValidateInput{Input: in, WorkflowID: workflows.AgreementWorkflowID(in.AgreementID)})
	var ag workflows.Agreement
	if err == nil {
		require.NoError(t, v.Get(&ag))
	}
	return ag, err
}

func TestActivitiesValidateAgreementDefaults(t *testing.T) {
	pool, a := fixture(t)
	e := env(a)
	ag, err := validate(t, e, valid())
	require.NoError(t, err)
	assert.Equal(t, []string{"PO", "PS"}, ag.ProjectIDs)
	assert.Equal(t, []string{"lia@one.example"}, ag.Liaisons)
	assert.Equal(t, "2026-11-01", ag.PeriodEnd)
	assert.Equal(t, "2026-11-01", ag.Today)
	assert.Equal(t, workflows.Quarterly, ag.DQMEvery)
	assert.Zero(t, ag.WindowDays, "every project has an auto-exit window: each one's is used (AD1)")

	auto := valid()
	auto.AgreementID, auto.Method, auto.PeriodEnd, auto.PeriodDays = "A2", workflows.MethodAuto, "", 30
	ag, err = validate(t, e, auto)
	require.NoError(t, err)
	assert.Equal(t, "2026-12-01", ag.PeriodEnd)
	assert.Equal(t, 365, ag.AutoExitDays, "P2: the longest built-in window of the projects (Street Outreach)")
	assert.Equal(t, 300, ag.AlertDays)

	shelter := valid()
	shelter.AgreementID, shelter.ProjectIDs = "A3", []string{"PN"}
	ag, err = validate(t, e, shelter)
	require.NoError(t, err)
	assert.Equal(t, 90, ag.WindowDays, "auto exit off: the default admin window")

	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM exitflow.agreement`).Scan(&n))
	assert.Equal(t, 3, n)
}

func TestActivitiesValidateAgreementNamesTheField(t *testing.T) {
	_, a := fixture(t)
	e := env(a)
	for _, tc := range []struct {
		want string
		edit func(*workflows.AgreementInput)
	}{
		{"agreement_id: ", func(in *workflows.AgreementInput) { in.AgreementID = "" }},
		{"organization_id: no organization O9", func(in *workflows.AgreementInput) { in.OrganizationID = "O9" }},
		{"project_ids[1]: no project P99", func(in *workflows.AgreementInput) { in.ProjectIDs = []string{"PS", "P99"} }},
		{"project_ids[1]: project PX belongs to organization O2, not O1", func(in *workflows.AgreementInput) { in.ProjectIDs = []string{"PS", "PX"} }},
		{"project_ids[1]: project PS is listed twice", func(in *workflows.AgreementInput) { in.ProjectIDs = []string{"PS", "PS"} }},
		{"liaisons[0]: lou@two.example is not a liaison contact of organization O1", func(in *workflows.AgreementInput) { in.Liaisons = []string{"lou@two.example"} }},
		{"liaisons[1]: ", func(in *workflows.AgreementInput) { in.Liaisons = []string{"lia@one.example", "not an address"} }},
		{"liaisons: ", func(in *workflows.AgreementInput) { in.Liaisons = nil }},
		{"hmis_staff: lia@one.example is not an hmis-staff contact", func(in *workflows.AgreementInput) { in.HMISStaff = "lia@one.example" }},
		{"period_end: \"2026-13-01\" is not a YYYY-MM-DD date", func(in *workflows.AgreementInput) { in.PeriodEnd = "2026-13-01" }},
		{"period_end: 2026-10-31 is in the past", func(in *workflows.AgreementInput) { in.PeriodEnd = "2026-10-31" }},
		{"period_days: give period_days or period_end, not both", func(in *workflows.AgreementInput) { in.PeriodDays = 5 }},
		{"period_end: give period_days or period_end", func(in *workflows.AgreementInput) { in.PeriodEnd = "" }},
		{"period_days: -3: must be 1 or more", func(in *workflows.AgreementInput) { in.PeriodEnd, in.PeriodDays = "", -3 }},
		{"method: \"manual\": want auto or admin", func(in *workflows.AgreementInput) { in.Method = "manual" }},
		{"dqm_every: \"weekly\": want quarterly or monthly", func(in *workflows.AgreementInput) { in.DQMEvery = "weekly" }},
		{"auto_exit_days: only with method auto", func(in *workflows.AgreementInput) { in.AutoExitDays = 120 }},
		{"all_open: give window_days or all_open, not both", func(in *workflows.AgreementInput) { in.WindowDays, in.AllOpen = 60, true }},
		{"window_days: only with method admin", func(in *workflows.AgreementInput) { in.Method, in.WindowDays = workflows.MethodAuto, 60 }},
		{"alert_days", func(in *workflows.AgreementInput) {
			in.Method, in.AutoExitDays, in.AlertDays = workflows.MethodAuto, 60, 60
		}},
		{"auto_exit_days", func(in *workflows.AgreementInput) { in.Method, in.AutoExitDays = workflows.MethodAuto, 10 }},
	} {
		t.Run(tc.want, func(t *testing.T) {
			in := valid()
			tc.edit(&in)
			_, err := validate(t, e, in)
			require.Error(t, err)
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app), "%v", err)
			assert.Equal(t, workflows.ErrInvalidInput, app.Type())
			assert.True(t, app.NonRetryable())
			assert.True(t, strings.HasPrefix(app.Message(), tc.want) || strings.Contains(app.Message(), tc.want+" "),
				"message %q, want it to name %q", app.Message(), tc.want)
		})
	}
}

// agreement validates and snapshots agreement in, and returns it.
func agreement(t *testing.T, e *testsuite.TestActivityEnvironment, in workflows.AgreementInput) (workflows.Agreement, workflows.SnapshotResult) {
	t.Helper()
	ag, err := validate(t, e, in)
	require.NoError(t, err)
	v, err := e.ExecuteActivity(workflows.ActivitySnapshotCandidates, workflows.SnapshotInput{Agreement: ag, WorkflowID: workflows.AgreementWorkflowID(ag.AgreementID), RunID: "r1"})
	require.NoError(t, err)
	var snap workflows.SnapshotResult
	require.NoError(t, v.Get(&snap))
	return ag, snap
}

// countsOf runs AgreementCounts.
func countsOf(t *testing.T, e *testsuite.TestActivityEnvironment, id string) workflows.Counts {
	t.Helper()
	v, err := e.ExecuteActivity(workflows.ActivityAgreementCounts, workflows.CountsInput{AgreementID: id})
	require.NoError(t, err)
	var c workflows.Counts
	require.NoError(t, v.Get(&c))
	return c
}

func TestActivitiesSnapshotIsIdempotent(t *testing.T) {
	_, a := fixture(t)
	e := env(a)
	ag, first := agreement(t, e, valid())
	require.Positive(t, first.Enrollments)
	v, err := e.ExecuteActivity(workflows.ActivitySnapshotCandidates, workflows.SnapshotInput{Agreement: ag, WorkflowID: "agreement-A1", RunID: "r2"})
	require.NoError(t, err)
	var again workflows.SnapshotResult
	require.NoError(t, v.Get(&again))
	assert.Equal(t, first, again)
	c := countsOf(t, e, "A1")
	assert.Equal(t, workflows.Counts{CandidateEnrollments: first.Enrollments, CandidateHouseholds: first.Households, StillOpen: first.Enrollments}, c)

	_, err = e.ExecuteActivity(workflows.ActivityAgreementCounts, workflows.CountsInput{AgreementID: "nope"})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	assert.True(t, app.NonRetryable())
}

// exits runs RunExits for ag.
func exits(t *testing.T, e *testsuite.TestActivityEnvironment, ag workflows.Agreement) workflows.ExitsResult {
	t.Helper()
	v, err := e.ExecuteActivity(workflows.ActivityRunExits, workflows.ExitsInput{Agreement: ag, AsOf: ag.PeriodEnd,
		WorkflowID: workflows.AgreementWorkflowID(ag.AgreementID), RunID: "r1"})
	require.NoError(t, err)
	var res workflows.ExitsResult
	require.NoError(t, v.Get(&res))
	return res
}

func TestActivitiesAdminExitsAreIdempotentOnRetry(t *testing.T) {
	pool, a := fixture(t)
	e := env(a)
	ag, snap := agreement(t, e, valid())
	first := exits(t, e, ag)
	require.Positive(t, first.Enrollments)
	again := exits(t, e, ag) // a retry after the first attempt's result was lost
	assert.Equal(t, first, again)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM exitflow.engine_exit WHERE workflow_id = 'agreement-A1'`).Scan(&n))
	assert.Equal(t, first.Enrollments, n, "the exits were written once")
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM exitflow.exit_run WHERE actor = 'sam@coc.example' AND method = 'admin'`).Scan(&n))
	assert.Equal(t, 1, n, "one run, as the HMIS staff member (AD2)")
	c := countsOf(t, e, "A1")
	assert.Equal(t, snap.Enrollments, c.CandidateEnrollments)
	assert.Equal(t, first.Enrollments, c.ExitedByEngine)
	assert.Equal(t, c.CandidateEnrollments, c.ExitedByAgency+c.ExitedByEngine+c.StillOpen)
}

func TestActivitiesAutoExitsSwitchThePolicyOnOnce(t *testing.T) {
	pool, a := fixture(t)
	e := env(a)
	in := valid()
	in.Method, in.ProjectIDs, in.AutoExitDays, in.AlertDays = workflows.MethodAuto, []string{"PN"}, 60, 50
	ag, _ := agreement(t, e, in)
	first := exits(t, e, ag)
	assert.True(t, first.PolicyChanged)
	again := exits(t, e, ag)
	assert.False(t, again.PolicyChanged, "the retry finds the policy on")
	assert.Equal(t, first.ExitRunID, again.ExitRunID)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM exitflow.policy_history WHERE scope_id = 'PN'`).Scan(&n))
	assert.Equal(t, 1, n, "one confirmed change (P7)")
}

func TestActivitiesRecordStep(t *testing.T) {
	pool, a := fixture(t)
	e := env(a)
	_, err := e.ExecuteActivity(workflows.ActivityRecordStep, workflows.StepInput{AgreementID: "A1", WorkflowID: "agreement-A1",
		RunID: "r1", Actor: "sam@coc.example", Step: "extended", Reason: "agency asked", Details: map[string]any{"period_end": "2026-12-01"}})
	require.NoError(t, err)
	var details string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT details::text FROM exitflow.audit WHERE action = 'agreement-extended'`).Scan(&details))
	assert.Contains(t, details, `"agreement_id": "A1"`)
	assert.Contains(t, details, `"step_key": "`, "keyed by the workflow run and the activity ID, which a retry shares")
}

func TestActivitiesNotifyWithoutMailerIsPermanent(t *testing.T) {
	_, a := fixture(t)
	e := env(a)
	_, err := e.ExecuteActivity(workflows.ActivityNotify, workflows.NotifyInput{Key: "agreement-A1/notice", Kind: workflows.NoticeAgreement,
		To: []string{"lia@one.example"}})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	assert.True(t, app.NonRetryable())
}
