package dqm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
)

// DefaultPeriodDays is the period of a first report, when no earlier report of the same projects
// exists and no Since is given: the days up to the as-of date.
const DefaultPeriodDays = 30

// Options select a DQM report: its scope (projects, an organization, or the whole CoC), its as-of
// date and its period, and who makes it (SPEC U1).
type Options struct {
	AsOf           time.Time
	Since          time.Time // the period is (Since, AsOf]; zero: since the previous report of the same projects
	Projects       []string  // ProjectIDs; with OrganizationID empty and no projects: the whole CoC
	OrganizationID string    // every project of this organization
	Actor          string
	WorkflowID     string
	WorkflowRunID  string
	Location       *time.Location // the CoC's time zone, for "today" (nil: UTC)
}

// check refuses bad options before anything is read or written; its errors are engine.InvalidError.
func (o Options) check(ctx context.Context, q engine.Querier) error {
	if strings.TrimSpace(o.Actor) == "" {
		return engine.Invalid(engine.FieldActor, nil, "is required: who makes the report")
	}
	if o.AsOf.IsZero() {
		return engine.Invalid(engine.FieldAsOf, nil, "an as-of date is required")
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	if today := time.Now().In(loc).Format(time.DateOnly); o.AsOf.Format(time.DateOnly) > today {
		return engine.Invalid(engine.FieldAsOf, o.AsOf.Format(time.DateOnly), "is in the future (today is %s)", today)
	}
	if len(o.Projects) > 0 && o.OrganizationID != "" {
		return engine.Conflict(engine.FieldProjectID, nil, engine.FieldOrganizationID, o.OrganizationID, "give projects or an organization, not both")
	}
	seen := map[string]bool{}
	for _, p := range o.Projects {
		if seen[p] {
			return engine.Invalid(engine.FieldProjectID, p, "is given twice")
		}
		seen[p] = true
	}
	if !o.Since.IsZero() && !o.Since.Before(o.AsOf) {
		return engine.Conflict(engine.FieldSince, o.Since.Format(time.DateOnly), engine.FieldAsOf, o.AsOf.Format(time.DateOnly),
			"the period must start before the as-of date")
	}
	if err := engine.CheckProjects(ctx, q, o.Projects); err != nil {
		return err
	}
	if o.OrganizationID != "" {
		var ok bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hmis.organization WHERE organizationid = $1 AND datedeleted IS NULL)`,
			o.OrganizationID).Scan(&ok); err != nil {
			return fmt.Errorf("checking the organization: %w", err)
		}
		if !ok {
			return engine.Invalid(engine.FieldOrganizationID, o.OrganizationID, "no such organization (not in the imported Organization.csv)")
		}
	}
	return engine.CheckAsOf(ctx, q, o.AsOf)
}

// projects are the ProjectIDs the options cover, in text order: those given, the organization's,
// or every project of the CoC.
func (o Options) projects(ctx context.Context, q engine.Querier) ([]string, error) {
	if len(o.Projects) > 0 {
		return slices.Sorted(slices.Values(o.Projects)), nil
	}
	rows, err := q.Query(ctx, `SELECT projectid FROM hmis.project
		WHERE datedeleted IS NULL AND ($1 = '' OR organizationid = $1) ORDER BY projectid COLLATE "C"`, o.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("listing the projects: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing the projects: %w", err)
	}
	if len(ids) == 0 {
		return nil, &engine.NotFoundError{Msg: "no project to report on: the organization has none, or nothing is imported"}
	}
	return ids, nil
}

// previous is the latest report of exactly these projects as of a date before asOf (0 if none).
func previous(ctx context.Context, q engine.Querier, projects []string, asOf time.Time) (id int64, prevAsOf time.Time, err error) {
	err = q.QueryRow(ctx, `SELECT id, as_of FROM exitflow.dqm_report WHERE projects = $1 AND as_of < $2
		ORDER BY as_of DESC, id DESC LIMIT 1`, projects, asOf).Scan(&id, &prevAsOf)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("finding the previous report: %w", err)
	}
	return id, prevAsOf, nil
}
