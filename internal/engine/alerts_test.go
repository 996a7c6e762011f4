package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var alRun = engine.AlertRun{Actor: "exitflow", WorkflowID: "alerts-daily", RunID: "r1"}

func alHouseholds(alerts []engine.Alert) []string {
	var hh []string
	for _, a := range alerts {
		hh = append(hh, a.ProjectID+"/"+a.HouseholdID)
	}
	return hh
}

func alCount(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), sql).Scan(&n))
	return n
}

// SPEC AL1: the households in the alert window get one alert each, naming when the exit will be
// recorded and the exit date it would get.
func TestAL1_AlertsNameExitOnAndExitDate(t *testing.T) {
	pool := repFixture(t, "report/coc.sql", "alerts/contacts.sql")
	alerts, err := engine.RecordAlerts(context.Background(), pool, engine.Options{AsOf: repAsOf}, alRun)
	require.NoError(t, err)
	require.Equal(t, []string{"P1/H2", "P3/H7"}, alHouseholds(alerts))
	a := alerts[0]
	assert.Equal(t, "O1", a.OrganizationID)
	assert.Equal(t, []string{"E2"}, a.EnrollmentIDs, "open members only (E3 has exited)")
	assert.Equal(t, repDay("2026-08-10"), a.LastActivityDate, "SPEC H1: the exited member's service")
	assert.Equal(t, "service", a.LastActivitySource)
	assert.Equal(t, 83, a.DaysInactive)
	assert.Equal(t, repDay("2026-11-08"), a.ExitOn, "last activity + 90 days")
	assert.Equal(t, repDay("2026-08-10"), a.ExitDate)
	b := alerts[1]
	assert.Equal(t, []string{"E11", "E12", "E8"}, b.EnrollmentIDs)
	assert.Equal(t, repDay("2026-11-09"), b.ExitOn, "last activity + 60 days (organization policy)")
	assert.Equal(t, 1, alCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'alert' AND workflow_run_id = 'r1'
		AND (details ->> 'alerts')::int = 2`), "SPEC U1")
}

// SPEC AL2: one alert per household per inactivity episode: the same episode twice (a retry, or a
// later pass) gives nothing new; new activity starts a new episode and a new alert.
func TestAL2_OneAlertPerHouseholdPerEpisode(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	ctx := context.Background()
	first, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, alRun)
	require.NoError(t, err)
	require.Len(t, first, 2)

	again, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, alRun)
	require.NoError(t, err)
	assert.Empty(t, again, "a retry never alerts twice")
	later, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repDay("2026-11-03")}, alRun)
	require.NoError(t, err)
	assert.Empty(t, later, "the same episodes two days later")
	assert.Equal(t, 2, alCount(t, pool, "SELECT count(*) FROM exitflow.alert"))

	// New (backdated) activity for H2 moves its last activity: a new episode, still in the window.
	_, err = pool.Exec(ctx, `INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
		VALUES ('S9', 'E2', 'C2', '2026-08-15', 144, 1, now(), now(), 'T')`)
	require.NoError(t, err)
	repRefresh(t, pool)
	next, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repDay("2026-11-05")}, alRun)
	require.NoError(t, err)
	require.Equal(t, []string{"P1/H2"}, alHouseholds(next))
	assert.Equal(t, repDay("2026-08-15"), next[0].LastActivityDate)
	assert.Equal(t, repDay("2026-11-13"), next[0].ExitOn)

	// Activity inside the window: the household is no longer in the alert window at all.
	_, err = pool.Exec(ctx, `INSERT INTO hmis.services (servicesid, enrollmentid, personalid, dateprovided, recordtype, typeprovided, datecreated, dateupdated, exportid)
		VALUES ('S10', 'E2', 'C2', '2026-10-30', 144, 1, now(), now(), 'T')`)
	require.NoError(t, err)
	repRefresh(t, pool)
	none, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repDay("2026-11-06")}, alRun)
	require.NoError(t, err)
	assert.Empty(t, none)
	assert.Equal(t, 3, alCount(t, pool, "SELECT count(*) FROM exitflow.alert"))
}

// SPEC AL2 under concurrency: two passes at once (a retried activity racing the first attempt)
// record each episode once, and only one of them returns it.
func TestAL2_ConcurrentPassesAlertOnce(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	var wg sync.WaitGroup
	results := make([][]engine.Alert, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = engine.RecordAlerts(context.Background(), pool, engine.Options{AsOf: repAsOf}, alRun)
		}()
	}
	wg.Wait()
	total := 0
	for i := range results {
		require.NoError(t, errs[i])
		total += len(results[i])
	}
	assert.Equal(t, 2, total)
	assert.Equal(t, 2, alCount(t, pool, "SELECT count(*) FROM exitflow.alert"))
}

// --project limits the pass; the other projects' alerts come with a later pass.
func TestAL2_ProjectsOption(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	ctx := context.Background()
	a, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf, Projects: []string{"P3"}}, alRun)
	require.NoError(t, err)
	assert.Equal(t, []string{"P3/H7"}, alHouseholds(a))
	b, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, alRun)
	require.NoError(t, err)
	assert.Equal(t, []string{"P1/H2"}, alHouseholds(b))
	_, err = engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, engine.AlertRun{})
	assert.ErrorContains(t, err, "Actor is required")
	assert.ErrorIs(t, err, engine.ErrInvalid)
}

// SPEC AL3, N5: an alert goes to the liaisons of the project's agency (exitflow.contact, role
// liaison) and to each enrollment's assigned staff: the engine's assignment table, else the
// enrollment's UserID's UserEmail. Nobody else; the recipients are kept with the alert.
func TestAL3_RecipientsResolvedBothWays(t *testing.T) {
	pool := repFixture(t, "report/coc.sql", "alerts/contacts.sql")
	alerts, err := engine.RecordAlerts(context.Background(), pool, engine.Options{AsOf: repAsOf}, alRun)
	require.NoError(t, err)
	require.Equal(t, []string{"P1/H2", "P3/H7"}, alHouseholds(alerts))

	// H2: two liaisons of O1 (not its notification contact), and E2's assignment (not its UserID U1).
	assert.Equal(t, []engine.Recipient{
		{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Name: "Leo Alpha", Email: "leo@alpha.example"},
		{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Name: "Lia Alpha", Email: "lia@alpha.example"},
		{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromAssignment, Name: "Case Manager A", Email: "cma@example.org", EnrollmentIDs: []string{"E2"}},
	}, alerts[0].Recipients)
	assert.Empty(t, alerts[0].Unassigned)

	// H7: O2's liaison; E11's two assigned staff; E8 has no assignment, so its UserID U1's email;
	// E12's user U3 has no email: unassigned.
	assert.Equal(t, []engine.Recipient{
		{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Name: "Lee Beta", Email: "lee@beta.example"},
		{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromAssignment, Name: "Case Manager B", Email: "cmb@example.org", EnrollmentIDs: []string{"E11"}},
		{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromAssignment, Name: "Case Manager C", Email: "cmc@example.org", EnrollmentIDs: []string{"E11"}},
		{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromHMISUser, Name: "Uma One", Email: "u1@example.org", EnrollmentIDs: []string{"E8"}},
	}, alerts[1].Recipients)
	assert.Equal(t, []string{"E12"}, alerts[1].Unassigned)

	assert.Equal(t, 7, alCount(t, pool, "SELECT count(*) FROM exitflow.alert_recipient"), "kept for the notifications (outbox)")
}

// SPEC AL3: one staff member assigned to several members of a household is one recipient.
func TestAL3_OneRecipientPerStaffMember(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	_, err := pool.Exec(context.Background(), `INSERT INTO exitflow.assignment (enrollmentid, staff_name, email) VALUES
		('E11', 'Uma One', 'U1@example.org'), ('E12', 'Uma One', 'u1@example.org')`)
	require.NoError(t, err)
	alerts, err := engine.RecordAlerts(context.Background(), pool, engine.Options{AsOf: repAsOf, Projects: []string{"P3"}}, alRun)
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	require.Len(t, alerts[0].Recipients, 1, "no liaisons loaded; E8 (U1 by UserID), E11 and E12 share one email")
	r := alerts[0].Recipients[0]
	assert.Equal(t, engine.RoleAssignedStaff, r.Role)
	assert.Equal(t, []string{"E11", "E12", "E8"}, r.EnrollmentIDs)
	assert.Empty(t, alerts[0].Unassigned)
}

// An alert pass for a project that is not in the data is an error, as a preview or an exit run
// for one is: a typing error would otherwise pass as "no household to alert". Nothing is recorded.
func TestAL1_AlertPassForAnUnknownProjectIsAnError(t *testing.T) {
	pool := repFixture(t, "report/coc.sql")
	ctx := context.Background()
	for _, projects := range [][]string{{"NOPE"}, {"P3", "NOPE"}} {
		alerts, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf, Projects: projects}, alRun)
		require.Error(t, err, "%v", projects)
		assert.ErrorContains(t, err, "NOPE")
		assert.ErrorContains(t, err, "no such project")
		assert.Empty(t, alerts)
	}
	assert.Zero(t, alCount(t, pool, "SELECT count(*) FROM exitflow.alert"))
	assert.Zero(t, alCount(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'alert'"))
}
