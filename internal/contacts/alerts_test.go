package contacts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC AL3, N5: the contacts and assignments loaded here are who the engine's alerts go to: the
// liaisons of the project's agency (not its notification contacts, not HMIS staff) and the
// enrollments' assigned staff, over the engine's alert fixture (H2 of P1, agency O1, is in the
// alert window as of 2026-11-01).
func TestAL3_AlertsGoToTheLiaisonsAndAssignedStaffLoadedHere(t *testing.T) {
	ctx := context.Background()
	pool := testdb.WithSQL(t, "../engine/testdata/report/coc.sql")
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = engine.RefreshState(ctx, tx, "")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))

	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "O1", Email: "Lia@Alpha.example", Name: "Lia Alpha", Actor: "Sam Ortiz"},
		{Role: contacts.RoleNotification, OrganizationID: "O1", Email: "nora@alpha.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleHMISStaff, Email: "sam@coc.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleLiaison, OrganizationID: "O2", Email: "lee@beta.example", Actor: "Sam Ortiz"},
	} {
		_, err := contacts.Add(ctx, pool, c)
		require.NoError(t, err)
	}
	_, err = contacts.ImportAssignments(ctx, pool, strings.NewReader("EnrollmentID,StaffEmail\nE2,CMA@example.org\n"), "a.csv", "Sam Ortiz")
	require.NoError(t, err)

	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	alerts, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: asOf, Projects: []string{"P1"}}, engine.AlertRun{Actor: "exitflow"})
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	assert.Equal(t, "H2", alerts[0].HouseholdID)
	assert.Equal(t, []engine.Recipient{
		{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Name: "Lia Alpha", Email: "lia@alpha.example"},
		{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromAssignment, Name: "", Email: "cma@example.org", EnrollmentIDs: []string{"E2"}},
	}, alerts[0].Recipients)
}
