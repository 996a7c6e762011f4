package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CheckProjects returns an error naming the ProjectIDs that are not in the database.
func CheckProjects(ctx context.Context, q Querier, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT id FROM unnest($1::text[]) AS id
		WHERE NOT EXISTS (SELECT 1 FROM hmis.project p WHERE p.projectid = id AND p.datedeleted IS NULL) ORDER BY 1`, ids)
	if err != nil {
		return fmt.Errorf("checking projects: %w", err)
	}
	var missing []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		missing = append(missing, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("--project %s: no such project (not in the imported Project.csv)", strings.Join(missing, ", "))
	}
	return nil
}

// CheckAsOf refuses an as-of date before the data starts (the earliest EntryDate).
func CheckAsOf(ctx context.Context, q Querier, asOf time.Time) error {
	var first *time.Time
	if err := q.QueryRow(ctx, "SELECT min(entrydate) FROM exitflow.enrollment_state").Scan(&first); err != nil {
		return fmt.Errorf("reading the first entry date: %w", err)
	}
	if first == nil {
		return fmt.Errorf("there are no enrollments: import your CoC's HMIS CSV export first (exitflow import PATH)")
	}
	if asOf.Before(*first) {
		return fmt.Errorf("--as-of %s is before the data starts (the earliest EntryDate is %s)", asOf.Format(time.DateOnly), first.Format(time.DateOnly))
	}
	return nil
}

// CheckAdminWindows refuses an admin preview or run for projects with auto exit off when neither a
// window nor all-open is given (SPEC AD1: the window must be known).
func CheckAdminWindows(ctx context.Context, q Querier, opt Options) error {
	if opt.Method != MethodAdmin {
		return nil
	}
	if len(opt.Projects) == 0 {
		return fmt.Errorf("administrative exits need the agreement's projects: give --project ID (one or more)")
	}
	if opt.AllOpen || opt.WindowDays > 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT projectid FROM exitflow.effective_policy
		WHERE projectid = ANY ($1) AND auto_exit_days IS NULL ORDER BY 1`, opt.Projects)
	if err != nil {
		return fmt.Errorf("reading policies: %w", err)
	}
	var off []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		off = append(off, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(off) > 0 {
		return fmt.Errorf("project %s has auto exit off, so it has no window: give --window-days N (30 or more), or --all-open for a closing project", strings.Join(off, ", "))
	}
	return nil
}
