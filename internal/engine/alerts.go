package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Recipient roles and where a recipient came from (SPEC AL3, N5).
const (
	RoleLiaison       = "liaison"        // the project's agency liaison (exitflow.contact)
	RoleAssignedStaff = "assigned-staff" // an enrollment's assigned staff

	RecipientFromContact    = "contact"    // exitflow.contact, role liaison
	RecipientFromAssignment = "assignment" // exitflow.assignment (the engine's own table)
	RecipientFromHMISUser   = "hmis-user"  // the enrollment's UserID → hmis."user".UserEmail
)

// Recipient is one person an alert goes to. Names and emails are staff's, never clients'.
type Recipient struct {
	Role          string   `json:"role"`   // RoleLiaison or RoleAssignedStaff
	Source        string   `json:"source"` // RecipientFrom…
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	EnrollmentIDs []string `json:"enrollment_ids,omitempty"` // assigned staff: whose alert it is
}

// Alert is one household's alert for one inactivity episode (SPEC AL1, AL2). IDs only (SPEC N2).
type Alert struct {
	ID                 int64       `json:"id"`
	ProjectID          string      `json:"project_id"`
	OrganizationID     string      `json:"organization_id"`
	HouseholdID        string      `json:"household_id"`
	EnrollmentIDs      []string    `json:"enrollment_ids"` // the household's open enrollments
	LastActivityDate   time.Time   `json:"last_activity_date"`
	LastActivitySource string      `json:"last_activity_source"`
	DaysInactive       int         `json:"days_inactive"`
	ExitOn             time.Time   `json:"exit_on"`   // AL1: when the exit will be recorded if nothing happens
	ExitDate           time.Time   `json:"exit_date"` // AL1: the exit date it would get
	CreatedAt          time.Time   `json:"created_at"`
	Recipients         []Recipient `json:"recipients"` // liaisons first, then assigned staff, by email
	// Unassigned are the enrollments for which no staff email was found (no assignment row and no
	// UserEmail for their UserID): nobody is told about them but the liaisons.
	Unassigned []string `json:"unassigned,omitempty"`
}

// AlertRun names who or what records alerts (SPEC U1).
type AlertRun struct {
	Actor      string // the engine's actor name, e.g. "exitflow" or an HMIS staff member
	WorkflowID string
	RunID      string
	// Key is an idempotency key (a workflow: its ID and the step): a second pass with it records
	// nothing and returns the alerts the first one created; it must give the same AsOf and Projects.
	Key string
	// Location is the CoC's time zone, for "today": an alert pass as of a later date is refused
	// (nil: UTC).
	Location *time.Location
	// IDsOnly makes RecordAlerts return the alerts with only their ID set (sorted), without
	// loading them: a caller that streams their recipients (EachAlertRecipient, SPEC AL3) keeps
	// no more than one recipient's alerts in memory.
	IDsOnly bool
}

// RecordAlerts records, as of opt.AsOf and for opt.Projects (empty: every project; one that is not
// in the data is an error, as in a preview or an exit run), one alert per household in the alert
// window (SPEC AL1) and returns only the alerts it created now, each with its recipients (SPEC
// AL3). An inactivity episode that already has an alert gets no second one (SPEC AL2), so a retry,
// or a second pass the same or a later day, returns nothing new; new activity starts a new episode
// and so a new alert. A pass with run.Key returns, when repeated, the alerts its first call
// created. opt.Method is ignored (alerts follow the inactivity policy). The alerts, their
// recipients and an audit row (SPEC U1) are written in one transaction; sending them is the
// notifications' job (exitflow.alert_recipient is their outbox).
func RecordAlerts(ctx context.Context, db TxBeginner, opt Options, run AlertRun) ([]Alert, error) {
	if strings.TrimSpace(run.Actor) == "" {
		return nil, Invalid(FieldActor, nil, "is required: who records the alerts")
	}
	opt.Method, opt.WindowDays, opt.AllOpen = MethodAuto, 0, false
	keyOpt := keyOptions{FieldAsOf: dateText(opt.AsOf), FieldProjectID: projectsText(opt.Projects)}
	var alerts []Alert
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var ids []int64
		if run.Key != "" {
			found, err := lookupKey(ctx, tx, keyedAlert, run.Key, keyOpt, &ids)
			if err != nil {
				return err
			}
			if found {
				alerts, err = loadOrIDs(ctx, tx, ids, run.IDsOnly)
				return err
			}
		}
		var err error
		if alerts, ids, err = recordAlerts(ctx, tx, opt, run); err != nil || run.Key == "" {
			return err
		}
		return saveKey(ctx, tx, keyedAlert, run.Key, run.Actor, keyOpt, ids)
	})
	if err != nil {
		return nil, fmt.Errorf("recording alerts: %w", err)
	}
	return alerts, nil
}

// recordAlerts inserts the new alerts and their recipients, and audits them (SPEC U1).
func recordAlerts(ctx context.Context, tx pgx.Tx, opt Options, run AlertRun) ([]Alert, []int64, error) {
	if err := checkAlertOptions(ctx, tx, opt, run.Location); err != nil {
		return nil, nil, err
	}
	rows, err := tx.Query(ctx, insertAlertsSQL, append(opt.args(), run.Actor, run.WorkflowID, run.RunID)...)
	if err != nil {
		return nil, nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return nil, ids, err
	}
	if _, err := tx.Exec(ctx, alertRecipientsSQL, ids); err != nil {
		return nil, nil, fmt.Errorf("resolving alert recipients: %w", err)
	}
	alerts, err := loadOrIDs(ctx, tx, ids, run.IDsOnly)
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(ids)
	// SPEC U1: the action, with actor, reason and the workflow/run; IDs and counts only.
	err = writeAudit(ctx, tx, run.Actor, "alert", "households in the alert window (SPEC AL1)", run.WorkflowID, run.RunID,
		map[string]any{"as_of": opt.AsOf.Format(time.DateOnly), "alerts": len(ids), "alert_ids": ids})
	return alerts, ids, err
}

// checkAlertOptions refuses what a preview and an exit run refuse: no as-of date, one before the
// data starts or after today (an alert ahead of time would stand for an episode that has not
// happened, and AL2 would then hold back the real one), an unknown project.
func checkAlertOptions(ctx context.Context, q Querier, opt Options, loc *time.Location) error {
	if opt.AsOf.IsZero() {
		return Invalid(FieldAsOf, nil, "an as-of date is required")
	}
	today := hmisNow(loc).Format(time.DateOnly)
	if asOf := opt.AsOf.Format(time.DateOnly); asOf > today {
		return Invalid(FieldAsOf, asOf, "is in the future (today is %s): alerts are never recorded ahead of time", today)
	}
	if err := CheckProjects(ctx, q, opt.Projects); err != nil {
		return err
	}
	return CheckAsOf(ctx, q, opt.AsOf)
}

// loadOrIDs is loadAlerts, or with idsOnly the alerts with only their ID set, by ID.
func loadOrIDs(ctx context.Context, q Querier, ids []int64, idsOnly bool) ([]Alert, error) {
	if !idsOnly {
		return loadAlerts(ctx, q, ids)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	alerts := make([]Alert, len(sorted))
	for i, id := range sorted {
		alerts[i].ID = id
	}
	return alerts, nil
}

// loadAlerts reads the alerts ids with their recipients, by project and household.
func loadAlerts(ctx context.Context, q Querier, ids []int64) ([]Alert, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT id, projectid, organizationid, householdid, enrollmentids, last_activity_date,
			last_activity_source, days_inactive, exit_on, exit_date, created_at
		FROM exitflow.alert WHERE id = ANY ($1) ORDER BY projectid COLLATE "C", householdid COLLATE "C"`, ids)
	if err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	alerts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var a Alert
		err := r.Scan(&a.ID, &a.ProjectID, &a.OrganizationID, &a.HouseholdID, &a.EnrollmentIDs, &a.LastActivityDate,
			&a.LastActivitySource, &a.DaysInactive, &a.ExitOn, &a.ExitDate, &a.CreatedAt)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	byID := make(map[int64]*Alert, len(alerts))
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
	}
	rows, err = q.Query(ctx, `SELECT alert_id, role, source, name, email, enrollmentids
		FROM exitflow.alert_recipient WHERE alert_id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("reading alert recipients: %w", err)
	}
	var rec Recipient
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &rec.Role, &rec.Source, &rec.Name, &rec.Email, &rec.EnrollmentIDs}, func() error {
		r := rec
		if r.Role == RoleLiaison {
			r.EnrollmentIDs = nil
		} else {
			slices.Sort(r.EnrollmentIDs)
		}
		byID[id].Recipients = append(byID[id].Recipients, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("reading alert recipients: %w", err)
	}
	for i := range alerts {
		alerts[i].sortRecipients()
	}
	return alerts, nil
}

// sortRecipients orders the recipients (liaisons first, then by email) and lists the
// enrollments that no assigned staff member is told about.
func (a *Alert) sortRecipients() {
	slices.SortFunc(a.Recipients, func(x, y Recipient) int {
		if x.Role != y.Role {
			return strings.Compare(roleOrder(x.Role), roleOrder(y.Role))
		}
		return strings.Compare(strings.ToLower(x.Email), strings.ToLower(y.Email))
	})
	reached := map[string]bool{}
	for _, r := range a.Recipients {
		for _, e := range r.EnrollmentIDs {
			reached[e] = true
		}
	}
	a.Unassigned = nil
	for _, e := range a.EnrollmentIDs {
		if !reached[e] {
			a.Unassigned = append(a.Unassigned, e)
		}
	}
}

func roleOrder(role string) string {
	if role == RoleLiaison {
		return "0"
	}
	return "1" + role
}
