package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("checking projects: %w", err)
	}
	if len(missing) > 0 {
		return Invalid(FieldProjectID, strings.Join(missing, ", "), "no such project (not in the imported Project.csv)")
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
		return &NotFoundError{"there are no enrollments: import the CoC's HMIS CSV export first"}
	}
	if asOf.Before(*first) {
		return Invalid(FieldAsOf, asOf.Format(time.DateOnly), "is before the data starts (the earliest EntryDate is %s)", first.Format(time.DateOnly))
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
		return Invalid(FieldMethod, MethodAdmin, "administrative exits need the agreement's projects: give {ProjectID} ID (one or more)")
	}
	if opt.AllOpen || opt.WindowDays > 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT projectid FROM exitflow.effective_policy
		WHERE projectid = ANY ($1) AND auto_exit_days IS NULL ORDER BY 1`, opt.Projects)
	if err != nil {
		return fmt.Errorf("reading policies: %w", err)
	}
	off, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("reading policies: %w", err)
	}
	if len(off) > 0 {
		return Invalid(FieldProjectID, strings.Join(off, ", "), "has auto exit off, so it has no window: give {WindowDays} N (30 or more), or {AllOpen} for a closing project")
	}
	return nil
}

// Validate checks preview and run options once, for every caller (the CLI, activities): the
// method, the admin window (SPEC AD1; 30 days or more, as P3), the projects and the as-of date
// against the database. Its errors are *InvalidError.
func (o Options) Validate(ctx context.Context, q Querier) error {
	if o.Method != "" && o.Method != MethodAuto && o.Method != MethodAdmin {
		return Invalid(FieldMethod, strconv.Quote(string(o.Method)), "want auto or admin")
	}
	if o.AsOf.IsZero() {
		return Invalid(FieldAsOf, nil, "an as-of date is required")
	}
	if o.Method != MethodAdmin && (o.WindowDays != 0 || o.AllOpen) {
		return Conflict(FieldWindowDays, nil, FieldAllOpen, nil, "are for {Method} admin")
	}
	if o.WindowDays != 0 && o.WindowDays < MinAutoExitDays {
		return Invalid(FieldWindowDays, o.WindowDays, "want %d or more (a shorter window is almost always a typing error)", MinAutoExitDays)
	}
	if err := CheckProjects(ctx, q, o.Projects); err != nil {
		return err
	}
	if err := CheckAsOf(ctx, q, o.AsOf); err != nil {
		return err
	}
	return CheckAdminWindows(ctx, q, o)
}
