package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Agreement is one agency agreement as exitflow.agreement keeps it (SPEC AG1).
type Agreement struct {
	AgreementID    string
	WorkflowID     string
	OrganizationID string
	Projects       []string
	Method         Method
	PeriodEnd      time.Time
	HMISStaff      string
	Liaisons       []string
}

// The statuses of an agreement row.
const (
	AgreementValidated   = "validated"   // recorded by the first step; candidates not yet snapshotted
	AgreementSnapshotted = "snapshotted" // AG2: its candidates are in exitflow.agreement_candidate
)

// AgreementSnapshot selects the candidates to snapshot for an agreement (SPEC AG2).
type AgreementSnapshot struct {
	AgreementID string
	Options     // the candidates query's options: as of the notice, the agreement's projects
}

// AgreementCounts are what became of an agreement's candidates (counts only: SPEC S1).
type AgreementCounts struct {
	Candidates     int `json:"candidates"`
	Households     int `json:"households"`
	ExitedByPeople int `json:"exited_by_people"` // a live Exit the engine did not write
	ExitedByEngine int `json:"exited_by_engine"` // Exit rows the engine wrote for the agreement's workflow
	StillOpen      int `json:"still_open"`
}

// RecordAgreement records a validated agreement; a retry (the row is still only validated) updates
// it, and an agreement whose candidates are snapshotted is kept as it is (SPEC AG2).
func RecordAgreement(ctx context.Context, q Querier, a Agreement) error {
	if a.AgreementID == "" {
		return Invalid(FieldKey, nil, "is required: the agreement ID")
	}
	_, err := q.Exec(ctx, `INSERT INTO exitflow.agreement AS g (agreement_id, workflow_id, organizationid, projects,
		method, period_end, hmis_staff, liaisons, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (agreement_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
			organizationid = EXCLUDED.organizationid, projects = EXCLUDED.projects, method = EXCLUDED.method,
			period_end = EXCLUDED.period_end, hmis_staff = EXCLUDED.hmis_staff, liaisons = EXCLUDED.liaisons
		WHERE g.status = $9`,
		a.AgreementID, a.WorkflowID, a.OrganizationID, a.Projects, string(a.Method), a.PeriodEnd,
		a.HMISStaff, a.Liaisons, AgreementValidated)
	if err != nil {
		return fmt.Errorf("recording agreement %s: %w", a.AgreementID, err)
	}
	return nil
}

// SnapshotAgreement records the agreement's candidates (the exit rows of the candidates query for
// s.Options) once: a second call finds the agreement snapshotted and returns its counts unchanged.
func SnapshotAgreement(ctx context.Context, pool *pgxpool.Pool, s AgreementSnapshot) (AgreementCounts, error) {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM exitflow.agreement WHERE agreement_id = $1 FOR UPDATE`,
			s.AgreementID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return &NotFoundError{Msg: fmt.Sprintf("no agreement %s: record it first", s.AgreementID)}
		}
		if err != nil || status != AgreementValidated {
			return err // snapshotted already: AG2 happens once
		}
		if _, err := tx.Exec(ctx, agreementSnapshotSQL, append(s.Options.args(), s.AgreementID)...); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE exitflow.agreement SET status = $2 WHERE agreement_id = $1`,
			s.AgreementID, AgreementSnapshotted)
		return err
	})
	if err != nil {
		return AgreementCounts{}, fmt.Errorf("snapshotting the candidates of agreement %s: %w", s.AgreementID, err)
	}
	return CountAgreement(ctx, pool, s.AgreementID)
}

// CountAgreement counts what became of agreement id's candidates so far (SPEC AG5, AG8).
func CountAgreement(ctx context.Context, q Querier, id string) (AgreementCounts, error) {
	var c AgreementCounts
	var found bool
	err := q.QueryRow(ctx, agreementCountsSQL, id).Scan(&c.Candidates, &c.Households, &c.ExitedByPeople,
		&c.ExitedByEngine, &c.StillOpen, &found)
	if err != nil {
		return AgreementCounts{}, fmt.Errorf("counting the candidates of agreement %s: %w", id, err)
	}
	if !found {
		return AgreementCounts{}, &NotFoundError{Msg: fmt.Sprintf("no agreement %s", id)}
	}
	return c, nil
}

// AgreementCandidateIDs lists agreement id's candidate EnrollmentIDs in CompareIDs order; open
// only keeps those without a live Exit (the notices list IDs only: SPEC AG2, S1).
func AgreementCandidateIDs(ctx context.Context, q Querier, id string, open bool) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT ac.enrollmentid FROM exitflow.agreement_candidate ac
		WHERE ac.agreement_id = $1 AND (NOT $2 OR NOT EXISTS (SELECT 1 FROM hmis.exit e
			WHERE e.enrollmentid = ac.enrollmentid AND e.datedeleted IS NULL))`, id, open)
	if err != nil {
		return nil, fmt.Errorf("listing the candidates of agreement %s: %w", id, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("listing the candidates of agreement %s: %w", id, err)
	}
	slices.SortFunc(ids, CompareIDs)
	return ids, nil
}

// WorkflowExits lists the EnrollmentIDs and exit runs of the Exit rows the engine wrote for
// workflowID (not undone), for a completion notice (SPEC AG5).
func WorkflowExits(ctx context.Context, q Querier, workflowID string) (ids []string, runs []int64, err error) {
	rows, err := q.Query(ctx, `SELECT enrollmentid, run_id FROM exitflow.engine_exit
		WHERE workflow_id = $1 AND undone_at IS NULL`, workflowID)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the exits of workflow %s: %w", workflowID, err)
	}
	seen := map[int64]bool{}
	var id string
	var run int64
	_, err = pgx.ForEachRow(rows, []any{&id, &run}, func() error {
		ids = append(ids, id)
		if !seen[run] {
			seen[run] = true
			runs = append(runs, run)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the exits of workflow %s: %w", workflowID, err)
	}
	slices.SortFunc(ids, CompareIDs)
	slices.Sort(runs)
	return ids, runs, nil
}

// RecordAgreementStep records an agreement step or a refused signal in the audit log (SPEC U1);
// details hold IDs and counts only.
func RecordAgreementStep(ctx context.Context, q Querier, actor, step, reason, wfID, wfRunID, key string, details map[string]any) error {
	if actor == "" {
		actor = "exitflow"
	}
	if details == nil {
		details = map[string]any{}
	}
	if key == "" {
		return writeAudit(ctx, q, actor, "agreement-"+step, reason, wfID, wfRunID, details)
	}
	details["step_key"] = key // a retry finds its row: audited once (migration 00016)
	_, err := q.Exec(ctx, `INSERT INTO exitflow.audit (actor, action, reason, workflow_id, workflow_run_id, details)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT ((details ->> 'step_key')) WHERE details ? 'step_key' DO NOTHING`,
		actor, "agreement-"+step, nullText(reason), nullText(wfID), nullText(wfRunID), details)
	if err != nil {
		return fmt.Errorf("recording the audit: %w", err)
	}
	return nil
}

// OrganizationExists reports whether org is a live organization of the imported data.
func OrganizationExists(ctx context.Context, q Querier, org string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hmis.organization
		WHERE organizationid = $1 AND datedeleted IS NULL)`, org).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("looking up organization %s: %w", org, err)
	}
	return ok, nil
}

// AgreementProject is one live project an agreement may name: its organization and policy.
type AgreementProject struct {
	OrganizationID string
	ProjectType    int
	AutoExitDays   *int // the effective policy's (SPEC P1): nil, auto exit off
}

// AgreementProjects returns the live projects among ids (unknown ones are left out).
func AgreementProjects(ctx context.Context, q Querier, ids []string) (map[string]AgreementProject, error) {
	rows, err := q.Query(ctx, `SELECT e.projectid, e.organizationid, e.projecttype, e.auto_exit_days
		FROM exitflow.effective_policy e JOIN hmis.project p ON p.projectid = e.projectid AND p.datedeleted IS NULL
		WHERE e.projectid = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("reading projects: %w", err)
	}
	out := map[string]AgreementProject{}
	var id string
	var p AgreementProject
	_, err = pgx.ForEachRow(rows, []any{&id, &p.OrganizationID, &p.ProjectType, &p.AutoExitDays}, func() error {
		out[id] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading projects: %w", err)
	}
	return out, nil
}

// DefaultAdminWindowDays is an administrative agreement's window when a project has auto exit
// off and none is given (SPEC AD1).
const DefaultAdminWindowDays = 90

// DefaultAgreementWindows are an auto agreement's windows when none are given: the longest P2
// built-in window of the projects' types (no project is exited sooner than P2 would), else
// SPEC P2's Services Only values, 90 and 80 days.
func DefaultAgreementWindows(projectTypes []int) (autoExit, alert int) {
	autoExit, alert = 90, 80
	for _, t := range projectTypes {
		if t == 4 { // P2: Street Outreach 365/300 (00003_engine.sql's built-in row)
			autoExit, alert = 365, 300
		}
	}
	return autoExit, alert
}

// CheckAgreementWindows refuses agreed windows that SPEC P3 would refuse in a policy.
func CheckAgreementWindows(autoExit, alert int) error {
	if autoExit < MinAutoExitDays {
		return Invalid(FieldAutoExitDays, autoExit, "must be %d or more (a shorter window is almost always a typing error that would mass-exit a project)", MinAutoExitDays)
	}
	if alert < 1 || alert >= autoExit {
		return Invalid(FieldAlertDays, alert, "must be 1 or more and less than the auto-exit days (%d)", autoExit)
	}
	return nil
}
