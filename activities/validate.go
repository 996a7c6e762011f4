package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
)

// ValidateAgreement checks an agreement's input against the database, fills in its defaults,
// records it in exitflow.agreement and returns it (SPEC AG1). Each refusal is a non-retryable
// InvalidInput error naming the JSON field.
func (a *Activities) ValidateAgreement(ctx context.Context, in workflows.ValidateInput) (workflows.Agreement, error) {
	ag := workflows.Agreement{AgreementInput: in.Input, Today: a.today().Format("2006-01-02"), TimeZone: a.loc().String()}
	p := &ag.AgreementInput
	if err := checkShape(p); err != nil {
		return ag, err
	}
	types, err := a.checkProjects(ctx, p)
	if err != nil {
		return ag, err
	}
	if err := a.checkContacts(ctx, p); err != nil {
		return ag, err
	}
	if ag.PeriodEnd, err = a.periodEnd(p); err != nil {
		return ag, err
	}
	p.PeriodEnd = ag.PeriodEnd
	if err := a.checkWindows(ctx, p, types); err != nil {
		return ag, err
	}
	end, _ := day(ag.PeriodEnd)
	err = engine.RecordAgreement(ctx, a.Pool, engine.Agreement{
		AgreementID: p.AgreementID, WorkflowID: in.WorkflowID, OrganizationID: p.OrganizationID,
		Projects: p.ProjectIDs, Method: engine.Method(p.Method), PeriodEnd: end, HMISStaff: p.HMISStaff, Liaisons: p.Liaisons,
	})
	return ag, classify("recording the agreement", err)
}

// checkShape checks what needs no database: IDs given, method and cadence known (SPEC AG1).
func checkShape(p *workflows.AgreementInput) error {
	p.AgreementID, p.OrganizationID = strings.TrimSpace(p.AgreementID), strings.TrimSpace(p.OrganizationID)
	switch {
	case p.AgreementID == "" || strings.ContainsAny(p.AgreementID, " \t\r\n/"):
		return invalid("agreement_id", "is required: one word without blanks or slashes")
	case p.OrganizationID == "":
		return invalid("organization_id", "is required")
	case len(p.ProjectIDs) == 0:
		return invalid("project_ids", "is required: at least one project of the organization")
	}
	switch p.Method {
	case workflows.MethodAuto, workflows.MethodAdmin:
	default:
		return invalid("method", "%q: want auto or admin", p.Method)
	}
	switch p.DQMEvery {
	case "":
		p.DQMEvery = workflows.Quarterly // SPEC AG1
	case workflows.Quarterly, workflows.Monthly:
	default:
		return invalid("dqm_every", "%q: want quarterly or monthly", p.DQMEvery)
	}
	return nil
}

// checkProjects checks the organization and that each project is one of its live projects; it
// sorts the projects and returns their types.
func (a *Activities) checkProjects(ctx context.Context, p *workflows.AgreementInput) ([]int, error) {
	ok, err := engine.OrganizationExists(ctx, a.Pool, p.OrganizationID)
	if err != nil {
		return nil, classify("checking the organization", err)
	}
	if !ok {
		return nil, invalid("organization_id", "no organization %s", p.OrganizationID)
	}
	projects, err := engine.AgreementProjects(ctx, a.Pool, p.ProjectIDs)
	if err != nil {
		return nil, classify("checking the projects", err)
	}
	var types []int
	for i, id := range p.ProjectIDs {
		field := fmt.Sprintf("project_ids[%d]", i)
		pr, ok := projects[id]
		switch {
		case strings.TrimSpace(id) == "":
			return nil, invalid(field, "is empty")
		case slices.Index(p.ProjectIDs, id) != i:
			return nil, invalid(field, "project %s is listed twice", id)
		case !ok:
			return nil, invalid(field, "no project %s", id)
		case pr.OrganizationID != p.OrganizationID:
			return nil, invalid(field, "project %s belongs to organization %s, not %s", id, pr.OrganizationID, p.OrganizationID)
		}
		types = append(types, pr.ProjectType)
	}
	p.ProjectIDs = slices.Clone(p.ProjectIDs)
	slices.SortFunc(p.ProjectIDs, engine.CompareIDs)
	if p.Method == workflows.MethodAdmin && p.WindowDays == 0 && !p.AllOpen {
		for _, pr := range projects {
			if pr.AutoExitDays == nil { // AD1: a project with auto exit off has no window of its own
				p.WindowDays = engine.DefaultAdminWindowDays
			}
		}
	}
	return types, nil
}

// checkContacts checks that each liaison is a liaison contact of the organization and that the
// HMIS staff member is an hmis-staff contact; addresses are kept normalized.
func (a *Activities) checkContacts(ctx context.Context, p *workflows.AgreementInput) error {
	if len(p.Liaisons) == 0 {
		return invalid("liaisons", "is required: at least one liaison contact of organization %s", p.OrganizationID)
	}
	var out []string
	for i, l := range p.Liaisons {
		field := fmt.Sprintf("liaisons[%d]", i)
		e, err := contacts.NormalEmail(l)
		if err != nil {
			return invalid(field, "%q is not an email address", l)
		}
		ok, err := contacts.IsLiaison(ctx, a.Pool, p.OrganizationID, e)
		if err != nil {
			return classify("checking "+field, err)
		}
		if !ok {
			return invalid(field, "%s is not a liaison contact of organization %s", e, p.OrganizationID)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	p.Liaisons = out
	e, err := contacts.NormalEmail(p.HMISStaff)
	if err != nil {
		return invalid("hmis_staff", "%q is not an email address", p.HMISStaff)
	}
	ok, err := contacts.IsHMISStaff(ctx, a.Pool, e)
	if err != nil {
		return classify("checking hmis_staff", err)
	}
	if !ok {
		return invalid("hmis_staff", "%s is not an hmis-staff contact", e)
	}
	p.HMISStaff = e
	return nil
}

// periodEnd resolves the agreed period: exactly one of period_days and period_end, ending today
// or later in the CoC time zone (SPEC AG1).
func (a *Activities) periodEnd(p *workflows.AgreementInput) (string, error) {
	today := a.today()
	switch {
	case p.PeriodDays != 0 && p.PeriodEnd != "":
		return "", invalid("period_days", "give period_days or period_end, not both")
	case p.PeriodDays == 0 && p.PeriodEnd == "":
		return "", invalid("period_end", "give period_days or period_end (YYYY-MM-DD)")
	case p.PeriodDays < 0:
		return "", invalid("period_days", "%d: must be 1 or more", p.PeriodDays)
	case p.PeriodDays > 0:
		return today.AddDate(0, 0, p.PeriodDays).Format("2006-01-02"), nil
	}
	end, err := day(strings.TrimSpace(p.PeriodEnd))
	if err != nil {
		return "", invalid("period_end", "%q is not a YYYY-MM-DD date", p.PeriodEnd)
	}
	if end.Before(today) { // today is allowed: the exits run at once (SPEC AG4)
		return "", invalid("period_end", "%s is in the past (today is %s in %s)", end.Format("2006-01-02"),
			today.Format("2006-01-02"), a.loc())
	}
	return end.Format("2006-01-02"), nil
}

// checkWindows checks the windows of the method and fills in the auto defaults (SPEC P2, P3, AD1).
func (a *Activities) checkWindows(_ context.Context, p *workflows.AgreementInput, types []int) error {
	if p.Method == workflows.MethodAdmin {
		switch {
		case p.AutoExitDays != 0:
			return invalid("auto_exit_days", "only with method auto")
		case p.AlertDays != 0:
			return invalid("alert_days", "only with method auto")
		case p.WindowDays < 0:
			return invalid("window_days", "%d: must be 1 or more", p.WindowDays)
		case p.WindowDays > 0 && p.AllOpen:
			return invalid("all_open", "give window_days or all_open, not both")
		}
		return nil
	}
	switch {
	case p.WindowDays != 0:
		return invalid("window_days", "only with method admin")
	case p.AllOpen:
		return invalid("all_open", "only with method admin")
	case p.AutoExitDays < 0:
		return invalid("auto_exit_days", "%d: must be positive", p.AutoExitDays)
	case p.AlertDays < 0:
		return invalid("alert_days", "%d: must be positive", p.AlertDays)
	}
	defExit, defAlert := engine.DefaultAgreementWindows(types)
	if p.AutoExitDays == 0 {
		p.AutoExitDays = defExit
	}
	if p.AlertDays == 0 {
		p.AlertDays = min(defAlert, p.AutoExitDays-1)
	}
	return classify("checking the windows", engine.CheckAgreementWindows(p.AutoExitDays, p.AlertDays))
}
