package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/activity"
)

// RunFollowUpDQM makes one follow-up DQM report of the agreement's projects as of the schedule's
// day and mails it to the recipients as a dqm-report: report.html inline, measures.csv and
// findings.csv attached, each under the key workflowID+"/dqm/"+recipient (SPEC AG7, Q1–Q3, N4).
// The report's ID is heartbeated: a retry mails the same report instead of making another.
func (a *Activities) RunFollowUpDQM(ctx context.Context, in workflows.FollowUpRun) (workflows.FollowUpResult, error) {
	r, err := a.followUpReport(ctx, in)
	if err != nil {
		return workflows.FollowUpResult{}, err
	}
	activity.RecordHeartbeat(ctx, r.ID)
	out := workflows.FollowUpResult{ReportID: r.ID, AsOf: r.AsOf.Format("2006-01-02"), Verdict: r.Verdict}
	msg, err := dqmMessage(r)
	if err != nil {
		return out, classify("composing the DQM report", err)
	}
	if a.Mailer == nil {
		return out, nil // no SMTP configured: the report is stored, nothing is mailed
	}
	var retry error
	for _, to := range in.FollowUp.Recipients {
		m := msg
		m.Key, m.To = in.WorkflowID+"/dqm/"+to, to
		_, err := a.Mailer.Send(ctx, a.Pool, m)
		switch {
		case err == nil:
			out.Mailed++
		case !notify.Permanent(err):
			retry = errors.Join(retry, err)
		}
	}
	if retry != nil {
		return out, fmt.Errorf("mailing DQM report %d: %w", r.ID, retry)
	}
	return out, nil
}

// followUpReport is the report a previous attempt made (its heartbeated ID), or a new one.
func (a *Activities) followUpReport(ctx context.Context, in workflows.FollowUpRun) (*dqm.Report, error) {
	var id int64
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &id) == nil && id > 0 {
		r, err := dqm.Load(ctx, a.Pool, id)
		return r, classify(fmt.Sprintf("loading DQM report %d", id), err)
	}
	asOf, err := day(in.AsOf)
	if err != nil {
		return nil, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	r, err := dqm.Run(ctx, a.Pool, dqm.Options{AsOf: asOf, Projects: in.FollowUp.ProjectIDs, Actor: in.FollowUp.Actor,
		WorkflowID: in.WorkflowID, WorkflowRunID: in.RunID, Location: a.loc()})
	return r, classify("making the DQM report", err)
}

// dqmMessage is the dqm-report message of r: the template's text, the report as its HTML part and
// the CSVs attached (IDs and counts only: SPEC N2).
func dqmMessage(r *dqm.Report) (notify.Message, error) {
	data := notify.DQMReport{ReportID: r.ID, AsOf: r.AsOf, Since: r.Since, OrganizationID: r.OrganizationID,
		ProjectIDs: r.Projects, Verdict: r.Verdict, Findings: len(r.Findings), Reasons: []notify.DQMReason{}}
	for _, re := range r.Reasons {
		data.Reasons = append(data.Reasons, notify.DQMReason{Measure: string(re.Measure), Count: re.Count})
	}
	msg, err := notify.Compose(notify.KindDQMReport, data)
	if err != nil {
		return msg, err
	}
	var html, measures, findings bytes.Buffer
	if err := dqm.WriteHTML(&html, r); err != nil {
		return msg, fmt.Errorf("writing report.html: %w", err)
	}
	if err := dqm.WriteMeasuresCSV(&measures, r); err != nil {
		return msg, fmt.Errorf("writing measures.csv: %w", err)
	}
	if err := dqm.WriteFindingsCSV(&findings, r); err != nil {
		return msg, fmt.Errorf("writing findings.csv: %w", err)
	}
	msg.HTML = html.String()
	msg.Attachments = []notify.Attachment{
		{Name: "measures.csv", ContentType: "text/csv", Content: measures.Bytes()},
		{Name: "findings.csv", ContentType: "text/csv", Content: findings.Bytes()},
	}
	return msg, nil
}
