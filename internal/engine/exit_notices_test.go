package engine_test

// Exit notices: the engine's exits of a run told to each enrollment's assigned staff (SPEC N5, N2).

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC N5: each exited enrollment's assigned staff (exitflow.assignment) wins over its UserID's
// User.csv email; one notice per staff member by email, lines by project, household and
// enrollment; an enrollment with neither is counted as unassigned. Undone exits are not told.
func TestN5_ExitNoticesGroupedByStaff(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, staff_name, email) VALUES ('NA1', 'Case Manager B', 'cmb@example.org')`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE hmis.enrollment SET userid = 'U9' WHERE enrollmentid = 'NB1'`) // a user not in User.csv
	require.NoError(t, err)
	run := exRun(t, pool, engine.RunOptions{})
	_, err = pool.Exec(ctx, `UPDATE exitflow.exit_run_candidate SET undone_at = now(), undone_by = 'x', undo_reason = 'test'
		WHERE run_id = $1 AND enrollmentid = 'NO1'`, run.RunID)
	require.NoError(t, err)

	staff, unassigned, err := engine.ExitNotices(ctx, pool, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, 1, unassigned, "NB1")
	require.Len(t, staff, 2)
	cm, cmb := staff[0], staff[1]
	assert.Equal(t, "cm@example.org", cm.Email)
	assert.Equal(t, "Case Manager", cm.Name)
	assert.Equal(t, engine.RecipientFromHMISUser, cm.Source)
	assert.Equal(t, "cmb@example.org", cmb.Email)
	assert.Equal(t, engine.RecipientFromAssignment, cmb.Source)
	require.Len(t, cmb.Exits, 1)
	assert.Equal(t, engine.ExitNoticeLine{ProjectID: "PS", HouseholdID: "HA", EnrollmentID: "NA1", PersonalID: "CA1",
		ExitDate: exExits(t, pool)["NA1"].ExitDate}, cmb.Exits[0])

	var got []string
	for _, l := range cm.Exits {
		got = append(got, l.ProjectID+"/"+l.HouseholdID+"/"+l.EnrollmentID)
	}
	assert.NotContains(t, got, "PO/HO/NO1", "undone")
	assert.NotContains(t, got, "PS/HB/NB1", "unassigned")
	assert.NotContains(t, got, "PS/HA/NA1", "assigned to someone else")
	assert.Contains(t, got, "PS/HA/NA2")
	assert.IsNonDecreasing(t, got)
	assert.Equal(t, run.Enrollments-3, len(got))
}
