package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ExitNoticeLine is one exited enrollment in an exit notice (IDs and the exit date only: SPEC N2).
type ExitNoticeLine struct {
	ProjectID    string    `json:"project_id"`
	HouseholdID  string    `json:"household_id"`
	EnrollmentID string    `json:"enrollment_id"`
	PersonalID   string    `json:"personal_id"`
	ExitDate     time.Time `json:"exit_date"`
}

// StaffExits is one staff member's exit notice: the exits of the enrollments assigned to them.
type StaffExits struct {
	Email  string
	Name   string
	Source string // RecipientFromAssignment or RecipientFromHMISUser
	Exits  []ExitNoticeLine
}

// exitNoticesSQL lists exit run $1's live exits with the staff told of each (sql/exit_notices.sql).
var exitNoticesSQL = assembled("exit_notices", "exit_notices", vars{
	"natural_order": naturalOrderSQL("d.projectid", "d.householdid", "d.enrollmentid"),
})

// ExitNotices returns, for the live engine exits of run runID (SPEC N5), one StaffExits per staff
// member (by lower-case email, ordered by it): each enrollment's assigned staff from
// exitflow.assignment, else the email of its UserID in User.csv; lines by project, household and
// enrollment. unassigned counts the exited enrollments with neither.
func ExitNotices(ctx context.Context, q Querier, runID int64) (staff []StaffExits, unassigned int, err error) {
	rows, err := q.Query(ctx, exitNoticesSQL, runID)
	if err != nil {
		return nil, 0, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var email, name, source *string
		var l ExitNoticeLine
		if err := rows.Scan(&email, &name, &source, &l.ProjectID, &l.HouseholdID, &l.EnrollmentID, &l.PersonalID, &l.ExitDate); err != nil {
			return nil, 0, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
		}
		if email == nil {
			unassigned++
			continue
		}
		if n := len(staff); n == 0 || !strings.EqualFold(staff[n-1].Email, *email) {
			staff = append(staff, StaffExits{Email: *email, Name: *name, Source: *source})
		}
		staff[len(staff)-1].Exits = append(staff[len(staff)-1].Exits, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
	}
	return staff, unassigned, nil
}
