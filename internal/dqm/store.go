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

// save stores the report, its measures, projects and findings (SPEC Q3) and audits it (SPEC U1).
func save(ctx context.Context, tx pgx.Tx, r *Report, opt Options) error {
	var org *string
	if r.OrganizationID != "" {
		org = &r.OrganizationID
	}
	var prev *int64
	if r.PreviousID != 0 {
		prev = &r.PreviousID
	}
	sorted := slices.Sorted(slices.Values(r.Projects))
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.dqm_report (as_of, since, projects, organizationid, whole_coc, previous_id,
			verdict, reasons, actor, workflow_id, workflow_run_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), nullif($11, '')) RETURNING id, created_at`,
		r.AsOf, r.Since, sorted, org, r.WholeCoC, prev, r.Verdict, r.Reasons, r.Actor, opt.WorkflowID, opt.WorkflowRunID).Scan(&r.ID, &r.CreatedAt); err != nil {
		return err
	}
	var measures, projects, findings [][]any
	for _, p := range r.ProjectReports {
		measures = appendMeasures(measures, r.ID, p.ProjectID, p.Measures)
		projects = append(projects, []any{r.ID, p.ProjectID, p.OrganizationID, p.ProjectType, p.AutoExitDays, p.AlertDays, p.Buckets[:]})
	}
	measures = appendMeasures(measures, r.ID, "", r.Total)
	for i, f := range r.Findings {
		findings = append(findings, []any{r.ID, i + 1, string(f.Finding), f.ProjectID, f.HouseholdID, f.EnrollmentID, f.PersonalID, f.Date, f.Detail})
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"dqm_measure", []string{"report_id", "projectid", "measure", "value"}, measures},
		{"dqm_project", []string{"report_id", "projectid", "organizationid", "projecttype", "auto_exit_days", "alert_days", "buckets"}, projects},
		{"dqm_finding", []string{"report_id", "seq", "finding", "projectid", "householdid", "enrollmentid", "personalid", "date", "detail"}, findings},
	} {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"exitflow", c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("%s: %w", c.table, err)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO exitflow.audit (actor, action, reason, workflow_id, workflow_run_id, details)
		VALUES ($1, 'dqm', $2, nullif($3, ''), nullif($4, ''), $5)`, r.Actor, "follow-up DQM (SPEC Q1–Q3): "+r.Verdict,
		opt.WorkflowID, opt.WorkflowRunID, map[string]any{"report_id": r.ID, "as_of": r.AsOf.Format(time.DateOnly),
			"since": r.Since.Format(time.DateOnly), "projects": len(r.Projects), "findings": len(r.Findings)})
	return err
}

func appendMeasures(out [][]any, id int64, project string, ms []MeasureRow) [][]any {
	for _, m := range ms {
		var v any
		if m.Value.Valid {
			v = m.Value.N
		}
		out = append(out, []any{id, project, string(m.Measure), v})
	}
	return out
}

// previousValues are, per project, the measures of its latest report as of an earlier date (any
// report that covered it), and for the total ("") those of the previous report of the same projects.
// Only reports made before the report itself count (before: its ID; 0 for a report being made), so
// that a stored report reads back as it was made.
func previousValues(ctx context.Context, q engine.Querier, projects []string, asOf time.Time, previousID, before int64) (map[string]map[Measure]Value, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (m.projectid, m.measure) m.projectid, m.measure, m.value::float8
		FROM exitflow.dqm_measure m JOIN exitflow.dqm_report r ON r.id = m.report_id
		WHERE (m.projectid = ANY ($1) AND r.as_of < $2 AND ($4 = 0 OR r.id < $4)) OR (m.projectid = '' AND r.id = $3)
		ORDER BY m.projectid, m.measure, r.as_of DESC, r.id DESC`, projects, asOf, previousID, before)
	if err != nil {
		return nil, fmt.Errorf("reading the previous reports: %w", err)
	}
	out := map[string]map[Measure]Value{}
	var p, m string
	var v *float64
	_, err = pgx.ForEachRow(rows, []any{&p, &m, &v}, func() error {
		if out[p] == nil {
			out[p] = map[Measure]Value{}
		}
		if v != nil {
			out[p][Measure(m)] = Value{N: *v, Valid: true}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the previous reports: %w", err)
	}
	return out, nil
}

// Summary is one stored report as the history lists it.
type Summary struct {
	ID             int64     `json:"id"`
	AsOf           time.Time `json:"as_of"`
	Since          time.Time `json:"since"`
	Projects       []string  `json:"projects"`
	OrganizationID string    `json:"organization_id,omitempty"`
	WholeCoC       bool      `json:"whole_coc"`
	Verdict        string    `json:"verdict"`
	Reasons        []Reason  `json:"reasons"`
	Findings       int       `json:"findings"`
	Actor          string    `json:"actor"`
	CreatedAt      time.Time `json:"created_at"`
}

// History lists the stored reports, newest first, that cover project ("" : all), at most limit (0: all).
func History(ctx context.Context, q engine.Querier, project string, limit int) ([]Summary, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.as_of, r.since, r.projects, coalesce(r.organizationid, ''), r.whole_coc, r.verdict, r.reasons,
			(SELECT count(*) FROM exitflow.dqm_finding f WHERE f.report_id = r.id), r.actor, r.created_at
		FROM exitflow.dqm_report r WHERE $1 = '' OR $1 = ANY (r.projects)
		ORDER BY r.as_of DESC, r.id DESC LIMIT $2`, project, lim)
	if err != nil {
		return nil, fmt.Errorf("reading the DQM history: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Summary, error) {
		var s Summary
		err := row.Scan(&s.ID, &s.AsOf, &s.Since, &s.Projects, &s.OrganizationID, &s.WholeCoC, &s.Verdict, &s.Reasons,
			&s.Findings, &s.Actor, &s.CreatedAt)
		slices.SortFunc(s.Projects, engine.CompareIDs)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the DQM history: %w", err)
	}
	return out, nil
}

// Load reads a stored report whole, as Run returned it.
func Load(ctx context.Context, q engine.Querier, id int64) (*Report, error) {
	r := &Report{ID: id}
	var org string
	var prev *int64
	err := q.QueryRow(ctx, `SELECT as_of, since, projects, coalesce(organizationid, ''), whole_coc, previous_id, verdict, reasons, actor, created_at
		FROM exitflow.dqm_report WHERE id = $1`, id).Scan(&r.AsOf, &r.Since, &r.Projects, &org, &r.WholeCoC, &prev,
		&r.Verdict, &r.Reasons, &r.Actor, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &engine.NotFoundError{Msg: fmt.Sprintf("DQM report %d does not exist", id)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading DQM report %d: %w", id, err)
	}
	r.OrganizationID = org
	if prev != nil {
		r.PreviousID = *prev
	}
	slices.SortFunc(r.Projects, engine.CompareIDs)
	if err := loadProjects(ctx, q, r); err != nil {
		return nil, err
	}
	return r, loadFindings(ctx, q, r)
}

// loadProjects reads the report's projects and measures; the previous values are read again
// from the reports before it, as when it was made.
func loadProjects(ctx context.Context, q engine.Querier, r *Report) error {
	rows, err := q.Query(ctx, `SELECT d.projectid, coalesce(p.projectname, ''), d.organizationid, coalesce(o.organizationname, ''),
			coalesce(d.projecttype, 0), d.auto_exit_days, d.alert_days, d.buckets
		FROM exitflow.dqm_project d
		LEFT JOIN hmis.project p ON p.projectid = d.projectid
		LEFT JOIN hmis.organization o ON o.organizationid = d.organizationid
		WHERE d.report_id = $1`, r.ID)
	if err != nil {
		return fmt.Errorf("reading DQM report %d: %w", r.ID, err)
	}
	prs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ProjectReport, error) {
		var p ProjectReport
		var b []int32
		err := row.Scan(&p.ProjectID, &p.ProjectName, &p.OrganizationID, &p.OrganizationName, &p.ProjectType, &p.AutoExitDays, &p.AlertDays, &b)
		for i := 0; i < len(b) && i < 6; i++ {
			p.Buckets[i] = int(b[i])
		}
		return p, err
	})
	if err != nil {
		return fmt.Errorf("reading DQM report %d: %w", r.ID, err)
	}
	values, err := storedValues(ctx, q, r.ID)
	if err != nil {
		return err
	}
	prev, err := previousValues(ctx, q, r.Projects, r.AsOf, r.PreviousID, r.ID)
	if err != nil {
		return err
	}
	for i := range prs {
		prs[i].Measures = measureRows(values[prs[i].ProjectID], prev[prs[i].ProjectID])
	}
	slices.SortFunc(prs, func(a, b ProjectReport) int { return engine.CompareIDs(a.ProjectID, b.ProjectID) })
	r.ProjectReports, r.Total = prs, measureRows(values[""], prev[""])
	return nil
}

// storedValues are a report's measures by project ("": the total).
func storedValues(ctx context.Context, q engine.Querier, id int64) (map[string]counts, error) {
	rows, err := q.Query(ctx, `SELECT projectid, measure, value::float8 FROM exitflow.dqm_measure WHERE report_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("reading DQM report %d: %w", id, err)
	}
	out := map[string]counts{}
	var p, m string
	var v *float64
	_, err = pgx.ForEachRow(rows, []any{&p, &m, &v}, func() error {
		if out[p] == nil {
			out[p] = counts{}
		}
		if v != nil {
			out[p][Measure(m)] = Value{N: *v, Valid: true}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading DQM report %d: %w", id, err)
	}
	return out, nil
}

// loadFindings reads the report's findings in their stored order.
func loadFindings(ctx context.Context, q engine.Querier, r *Report) error {
	rows, err := q.Query(ctx, `SELECT finding, projectid, householdid, enrollmentid, personalid, date, detail
		FROM exitflow.dqm_finding WHERE report_id = $1 ORDER BY seq`, r.ID)
	if err != nil {
		return fmt.Errorf("reading DQM report %d: %w", r.ID, err)
	}
	r.Findings, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Finding, error) {
		var f Finding
		var kind string
		err := row.Scan(&kind, &f.ProjectID, &f.HouseholdID, &f.EnrollmentID, &f.PersonalID, &f.Date, &f.Detail)
		f.Finding = Measure(strings.TrimSpace(kind))
		return f, err
	})
	if err != nil {
		return fmt.Errorf("reading DQM report %d: %w", r.ID, err)
	}
	return nil
}
