package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/temporal"
)

// AckReminders is how many acknowledgement reminders go out before the HMIS staff member is
// alerted (SPEC AG6).
const AckReminders = 3

// Notify sends one kind of message to each recipient, each under its own idempotency key
// (Key + "/" + recipient), so that a retry sends nothing twice (SPEC N4). Every outcome is
// recorded on the notification rows first. Then: if a delivery may pass later (SMTP down, a 4xx)
// it returns a retryable error, and Temporal retries the whole activity with backoff, re-sending
// only what was not sent; if the only failures are refusals for good (a 5xx: unknown recipient),
// retrying cannot help and it returns NotifyResult with Failed counting them, and no error.
func (a *Activities) Notify(ctx context.Context, in workflows.NotifyInput) (workflows.NotifyResult, error) {
	var res workflows.NotifyResult
	if a.Mailer == nil {
		return res, temporal.NewNonRetryableApplicationError("notify: no mailer configured", workflows.ErrPermanent, nil)
	}
	msg, err := a.compose(ctx, in)
	if err != nil {
		return res, err
	}
	var retry error
	for _, to := range in.To {
		m := msg
		m.Key, m.To = in.Key+"/"+to, to
		_, err := a.Mailer.Send(ctx, a.Pool, m)
		switch {
		case err == nil:
			res.Sent++
		case notify.Permanent(err):
			res.Failed++
		default:
			res.Failed++
			retry = errors.Join(retry, err)
		}
	}
	if retry != nil {
		return res, fmt.Errorf("%s: %d of %d messages not delivered (retried): %w", in.Kind, res.Failed, len(in.To), retry)
	}
	return res, nil
}

// compose builds the message of in.Kind from its template: IDs, counts and dates only (SPEC N2).
func (a *Activities) compose(ctx context.Context, in workflows.NotifyInput) (notify.Message, error) {
	data, err := a.noticeData(ctx, in)
	if err != nil {
		return notify.Message{}, err
	}
	msg, err := notify.Compose(notify.Kind(in.Kind), data)
	return msg, classify("composing the "+string(in.Kind)+" message", err)
}

// noticeData is the template data of an agreement notice, with the candidates' IDs read from
// PostgreSQL (the workflows carry counts only: SPEC S1).
func (a *Activities) noticeData(ctx context.Context, in workflows.NotifyInput) (any, error) {
	ag := in.Agreement
	window := ag.WindowDays
	if ag.Method == workflows.MethodAuto {
		window = ag.AutoExitDays
	}
	deadline := ag.PeriodEnd
	if in.Deadline != "" {
		deadline = in.Deadline
	}
	when, _ := day(deadline)
	if when.IsZero() {
		when = a.today()
	}
	method := string(ag.Method)
	switch in.Kind {
	case workflows.NoticeAgreement, workflows.NoticePeriodEnding, workflows.NoticeProcessBegins:
		ids, err := engine.AgreementCandidateIDs(ctx, a.Pool, ag.AgreementID, in.Kind != workflows.NoticeAgreement)
		if err != nil {
			return nil, classify("listing the candidates", err)
		}
		switch in.Kind {
		case workflows.NoticeAgreement:
			return notify.AgreementNotice{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID, ProjectIDs: ag.ProjectIDs,
				Method: method, WindowDays: window, PeriodEnds: when, EnrollmentIDs: ids}, nil
		case workflows.NoticePeriodEnding:
			return notify.PeriodEndingReminder{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID, ProjectIDs: ag.ProjectIDs,
				Method: method, PeriodEnds: when, EnrollmentIDs: ids}, nil
		}
		return notify.ProcessBegins{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID, ProjectIDs: ag.ProjectIDs,
			Method: method, WindowDays: window, EnrollmentIDs: ids}, nil
	case workflows.NoticeCompletion:
		ids, runs, err := engine.WorkflowExits(ctx, a.Pool, workflows.AgreementWorkflowID(ag.AgreementID))
		if err != nil {
			return nil, classify("listing the exits", err)
		}
		return notify.Completion{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID, ProjectIDs: ag.ProjectIDs,
			Method: method, ExitedByAgency: in.Counts.ExitedByAgency, EnrollmentIDs: ids, RunIDs: runs}, nil
	case workflows.NoticeAckReminder:
		return notify.AcknowledgementReminder{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID,
			CompletedOn: when, Reminder: in.Reminder, Reminders: AckReminders}, nil
	case workflows.NoticeEscalation:
		return notify.Escalation{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID,
			CompletedOn: when, Reminders: max(in.Reminder, AckReminders)}, nil
	case workflows.NoticeAgreementChange:
		change, note, ok := agreementChange(in.Note)
		if !ok {
			return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: note %q does not begin with extended:, paused:, resumed: or cancelled:", in.Kind, in.Note),
				workflows.ErrPermanent, nil)
		}
		return notify.AgreementChange{AgreementID: ag.AgreementID, OrganizationID: ag.OrganizationID, ProjectIDs: ag.ProjectIDs,
			Change: change, Note: note, PeriodEnds: when}, nil
	}
	// dqm-report is RunFollowUpDQM's to send (with its report); any other kind is unknown:
	// refused, not retried.
	return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("kind %q: Notify sends no such notification kind", in.Kind),
		workflows.ErrPermanent, nil)
}

// agreementChange reads an agreement-change's note, "<change>: <staff's text>" (the workflow's
// step, then the reason or issue given with it), into the change and the text.
func agreementChange(note string) (change, text string, ok bool) {
	change, text, _ = strings.Cut(note, ":")
	change = strings.TrimSpace(change)
	switch change {
	case notify.ChangeExtended, notify.ChangePaused, notify.ChangeResumed, notify.ChangeCancelled:
		return change, strings.TrimSpace(text), true
	}
	return "", "", false
}
