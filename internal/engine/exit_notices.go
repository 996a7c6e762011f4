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
// enrollment. unassigned counts the exited enrollments with neither. It collects EachExitNotice.
func ExitNotices(ctx context.Context, q Querier, runID int64) (staff []StaffExits, unassigned int, err error) {
	unassigned, err = EachExitNotice(ctx, q, runID, func(s StaffExits) error {
		staff = append(staff, s)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return staff, unassigned, nil
}

// EachExitNotice calls fn with each staff member's exit notice of run runID, as ExitNotices lists
// them (SPEC N5), as soon as their lines are read: memory holds one staff member's lines at a time.
//
// fn runs while the query is open (it may use q only if q is a pool); an error of fn ends the
// pass and is returned as is. unassigned counts the exited enrollments nobody is told of.
func EachExitNotice(ctx context.Context, q Querier, runID int64, fn func(StaffExits) error) (unassigned int, err error) {
	rows, err := q.Query(ctx, exitNoticesSQL, runID)
	if err != nil {
		return 0, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
	}
	defer rows.Close()
	var cur StaffExits
	have := false
	for rows.Next() {
		var email, name, source *string
		var l ExitNoticeLine
		if err := rows.Scan(&email, &name, &source, &l.ProjectID, &l.HouseholdID, &l.EnrollmentID, &l.PersonalID, &l.ExitDate); err != nil {
			return unassigned, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
		}
		if email == nil {
			unassigned++
			continue
		}
		if have && !strings.EqualFold(cur.Email, *email) {
			if err := fn(cur); err != nil {
				return unassigned, err
			}
			have = false
		}
		if !have {
			cur, have = StaffExits{Email: *email, Name: *name, Source: *source}, true
		}
		cur.Exits = append(cur.Exits, l)
	}
	if err := rows.Err(); err != nil {
		return unassigned, fmt.Errorf("listing the exit notices of run %d: %w", runID, err)
	}
	if have {
		return unassigned, fn(cur)
	}
	return unassigned, nil
}
