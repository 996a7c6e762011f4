package engine

import (
	"context"
	"fmt"
	"time"
)

// DefaultReferenceDays is the window the candidate-project report measures projects with auto
// exit off against (the P2 window of Services Only and Other projects).
const DefaultReferenceDays = 90

// ReportOptions select the candidate-project report (SPEC Q4).
type ReportOptions struct {
	AsOf     time.Time // the as-of date T (a calendar date)
	Projects []string  // ProjectIDs; empty: every project with open enrollments
	// ReferenceDays is the window that projects with auto exit off are measured against
	// (PastReference*); 0 means DefaultReferenceDays, and otherwise it is MinAutoExitDays or more.
	ReferenceDays int
}

// Validate checks the report's options once, for every caller (the CLI, activities): an as-of
// date, a reference window of 30 days or more (CheckReferenceDays) and projects that exist. It
// does not refuse an as-of date before the data starts: a database without enrollments has an
// empty report. Its errors are *InvalidError.
func (o ReportOptions) Validate(ctx context.Context, q Querier) error {
	if o.AsOf.IsZero() {
		return Invalid(FieldAsOf, nil, "an as-of date is required")
	}
	if o.ReferenceDays != 0 {
		if err := CheckReferenceDays(o.ReferenceDays); err != nil {
			return err
		}
	}
	return CheckProjects(ctx, q, o.Projects)
}

// CheckReferenceDays refuses a report's reference window shorter than MinAutoExitDays, as P3
// refuses such an auto-exit window; the error names FieldWindowDays (the CLI's --window-days).
func CheckReferenceDays(days int) error {
	if days < MinAutoExitDays {
		return Invalid(FieldWindowDays, days, "want %d or more (a shorter window is almost always a typing error)", MinAutoExitDays)
	}
	return nil
}

// ReportCounts are the open enrollments and households of a project (or a sum of projects) as of T.
type ReportCounts struct {
	OpenEnrollments int `json:"open_enrollments"`
	OpenHouseholds  int `json:"open_households"`
	// Past the project's effective auto-exit window (SPEC H2); zero where auto exit is off.
	PastWindowEnrollments int `json:"past_window_enrollments"`
	PastWindowHouseholds  int `json:"past_window_households"`
	// In the alert window (SPEC AL1).
	AlertWindowEnrollments int `json:"alert_window_enrollments"`
	AlertWindowHouseholds  int `json:"alert_window_households"`
	// Projects with auto exit off only: past the reference window (ReportOptions.ReferenceDays).
	PastReferenceEnrollments int `json:"past_reference_enrollments"`
	PastReferenceHouseholds  int `json:"past_reference_households"`
}

func (c *ReportCounts) add(o ReportCounts) {
	c.OpenEnrollments += o.OpenEnrollments
	c.OpenHouseholds += o.OpenHouseholds
	c.PastWindowEnrollments += o.PastWindowEnrollments
	c.PastWindowHouseholds += o.PastWindowHouseholds
	c.AlertWindowEnrollments += o.AlertWindowEnrollments
	c.AlertWindowHouseholds += o.AlertWindowHouseholds
	c.PastReferenceEnrollments += o.PastReferenceEnrollments
	c.PastReferenceHouseholds += o.PastReferenceHouseholds
}

// ProjectReport is one project's line of the candidate-project report.
type ProjectReport struct {
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	ProjectType      int    `json:"project_type"`
	// The effective policy (SPEC P1, P2) and the scope that gave it.
	PolicyScope  Scope  `json:"policy_scope"`
	AutoExitDays *int   `json:"auto_exit_days"` // nil: auto exit off
	AlertDays    *int   `json:"alert_days"`     // nil: no alert
	NbnBenchmark string `json:"nbn_benchmark"`
	ReportCounts
	// The oldest household last activity among the open households (SPEC H1, A1–A4), and its
	// days inactive as of T; nil without open households.
	OldestLastActivity   *time.Time `json:"oldest_last_activity"`
	OldestDaysInactive   *int       `json:"oldest_days_inactive"`
	ReferenceWindowShown bool       `json:"reference_window_shown"` // auto exit off: PastReference* apply
}

// OrganizationReport sums the projects of one organization (agency).
type OrganizationReport struct {
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
	Projects         int    `json:"projects"`
	ReportCounts
	OldestLastActivity *time.Time `json:"oldest_last_activity"`
}

// Report is the candidate-project report (SPEC Q4): per project and agency, the open enrollments,
// how many are past the window and in the alert window, and the oldest last activity.
type Report struct {
	AsOf          time.Time            `json:"-"`
	ReferenceDays int                  `json:"reference_days"`
	Projects      []ProjectReport      `json:"projects"`      // sorted by organization, then project
	Organizations []OrganizationReport `json:"organizations"` // in the same order
	Totals        ReportCounts         `json:"totals"`
}

// CandidateReport builds the candidate-project report (SPEC Q4) as of opt.AsOf: every project
// with open enrollments (or the given projects), sorted by organization name and ID, then project
// name and ID, with per-organization and overall totals. It writes nothing. It refuses the options
// that opt.Validate refuses, with its *InvalidError.
func CandidateReport(ctx context.Context, q Querier, opt ReportOptions) (*Report, error) {
	if err := opt.Validate(ctx, q); err != nil {
		return nil, err
	}
	ref := opt.ReferenceDays
	if ref == 0 {
		ref = DefaultReferenceDays
	}
	args := append(Options{AsOf: opt.AsOf, Projects: opt.Projects, Method: MethodAdmin, AllOpen: true}.args(), ref)
	rows, err := q.Query(ctx, reportSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("candidate report: %w", err)
	}
	defer rows.Close()
	rep := &Report{AsOf: opt.AsOf, ReferenceDays: ref, Projects: []ProjectReport{}, Organizations: []OrganizationReport{}}
	for rows.Next() {
		var p ProjectReport
		if err := rows.Scan(&p.ProjectID, &p.ProjectName, &p.OrganizationID, &p.OrganizationName, &p.ProjectType,
			&p.PolicyScope, &p.AutoExitDays, &p.AlertDays, &p.NbnBenchmark,
			&p.OpenEnrollments, &p.OpenHouseholds, &p.PastWindowEnrollments, &p.PastWindowHouseholds,
			&p.AlertWindowEnrollments, &p.AlertWindowHouseholds, &p.PastReferenceEnrollments, &p.PastReferenceHouseholds,
			&p.OldestLastActivity, &p.OldestDaysInactive); err != nil {
			return nil, fmt.Errorf("candidate report: %w", err)
		}
		p.ReferenceWindowShown = p.AutoExitDays == nil
		rep.Projects = append(rep.Projects, p)
		n := len(rep.Organizations)
		if n == 0 || rep.Organizations[n-1].OrganizationID != p.OrganizationID {
			rep.Organizations = append(rep.Organizations, OrganizationReport{OrganizationID: p.OrganizationID, OrganizationName: p.OrganizationName})
			n++
		}
		o := &rep.Organizations[n-1]
		o.Projects++
		o.add(p.ReportCounts)
		if p.OldestLastActivity != nil && (o.OldestLastActivity == nil || p.OldestLastActivity.Before(*o.OldestLastActivity)) {
			o.OldestLastActivity = p.OldestLastActivity
		}
		rep.Totals.add(p.ReportCounts)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("candidate report: %w", err)
	}
	return rep, nil
}
