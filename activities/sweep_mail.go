package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// SweepAlerts records the sweep's alerts (SPEC AL1–AL2: once per household and inactivity
// episode) and mails one digest per recipient (AL3, N5) listing all their households, never one
// message per enrollment. Keyed by the sweep, a retry gets the same alerts and digests back and
// sends only what was not sent (N4); it resumes after the digests its last heartbeat counted.
func (a *Activities) SweepAlerts(ctx context.Context, in workflows.SweepStepInput) (workflows.SweepAlertsResult, error) {
	var res workflows.SweepAlertsResult
	asOf, err := day(in.AsOf)
	if err != nil {
		return res, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	alerts, err := engine.RecordAlerts(ctx, a.Pool, engine.Options{AsOf: asOf, Projects: in.ProjectIDs}, engine.AlertRun{
		Actor: workflows.SweepActor, WorkflowID: in.WorkflowID, RunID: in.RunID, Key: sweepKey(in.SweepID, "alerts"), Location: a.loc(),
	})
	if err != nil {
		return res, classify("recording the sweep's alerts", err)
	}
	res.Alerts = len(alerts)
	digests := notify.AlertDigests(asOf, alerts)
	msgs := make([]notify.Message, 0, len(digests))
	for _, d := range digests {
		m, err := notify.Compose(notify.KindAutoAlert, d.Data)
		if err != nil {
			return res, classify("composing an alert digest", err)
		}
		m.Key, m.To = sweepKey(in.SweepID, "alert/"+d.To), d.To
		msgs = append(msgs, m)
	}
	res.Messages, res.Failed, err = a.sendAll(ctx, msgs)
	return res, err
}

// SweepNotices mails each exited enrollment's assigned staff one message listing their
// enrollments (SPEC N5; the assignment table, else the enrollment's UserID in User.csv), and the
// HMIS staff the sweep's summary: counts per project (SPEC N3). Idempotent like SweepAlerts.
func (a *Activities) SweepNotices(ctx context.Context, in workflows.SweepStepInput) (workflows.SweepNoticesResult, error) {
	var res workflows.SweepNoticesResult
	asOf, err := day(in.AsOf)
	if err != nil {
		return res, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	var msgs []notify.Message
	if in.ExitRunID != 0 {
		staff, unassigned, err := engine.ExitNotices(ctx, a.Pool, in.ExitRunID)
		if err != nil {
			return res, classify("reading the sweep's exits", err)
		}
		res.Unassigned = unassigned
		for _, s := range staff {
			data := notify.AutoExitDone{RunID: in.ExitRunID, AsOf: asOf}
			for _, l := range s.Exits {
				data.Exits = append(data.Exits, notify.ExitLine{ProjectID: l.ProjectID, HouseholdID: l.HouseholdID,
					EnrollmentID: l.EnrollmentID, PersonalID: l.PersonalID, ExitDate: l.ExitDate})
			}
			m, err := notify.Compose(notify.KindAutoExitDone, data)
			if err != nil {
				return res, classify("composing an exit notice", err)
			}
			m.Key, m.To = sweepKey(in.SweepID, "exit-notice/"+s.Email), s.Email
			msgs = append(msgs, m)
		}
	}
	res.ExitNotices = len(msgs)
	summaries, err := a.sweepSummaries(ctx, in, asOf, res)
	if err != nil {
		return res, err
	}
	res.Summaries = len(summaries)
	_, _, err = a.sendAll(ctx, append(msgs, summaries...))
	return res, err
}

// sendAll sends msgs in order, from the index the last attempt's heartbeat reached: sent counts
// the messages delivered (now or before), failed those refused for good (a 5xx: retrying cannot
// help). A delivery that may pass later (SMTP down) stops the pass with a retryable error, so
// that Temporal retries it with backoff from that message on (SPEC N4: each is sent once).
func (a *Activities) sendAll(ctx context.Context, msgs []notify.Message) (sent, failed int, err error) {
	if len(msgs) > 0 && a.Mailer == nil {
		return 0, 0, temporal.NewNonRetryableApplicationError("no mailer configured", workflows.ErrPermanent, nil)
	}
	from := 0
	if activity.HasHeartbeatDetails(ctx) {
		var at sendCursor
		if activity.GetHeartbeatDetails(ctx, &at) == nil && at.Next <= len(msgs) {
			from, sent, failed = at.Next, at.Sent, at.Failed
		}
	}
	for i := from; i < len(msgs); i++ {
		_, err := a.Mailer.Send(ctx, a.Pool, msgs[i])
		switch {
		case err == nil:
			sent++
		case notify.Permanent(err):
			failed++
		default:
			return sent, failed, fmt.Errorf("%s to %s not delivered (retried from it): %w", msgs[i].Kind, msgs[i].To, err)
		}
		activity.RecordHeartbeat(ctx, sendCursor{Next: i + 1, Sent: sent, Failed: failed})
	}
	return sent, failed, nil
}

// sendCursor is sendAll's heartbeat: the next message to send and the counts so far.
type sendCursor struct {
	Next   int `json:"next"`
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// sweepSummaries are the sweep's summary messages, one per HMIS staff contact.
func (a *Activities) sweepSummaries(ctx context.Context, in workflows.SweepStepInput, asOf time.Time, res workflows.SweepNoticesResult) ([]notify.Message, error) {
	staff, err := contacts.HMISStaff(ctx, a.Pool)
	if err != nil || len(staff) == 0 {
		return nil, classify("reading the HMIS staff contacts", err)
	}
	counts, err := engine.SweepCounts(ctx, a.Pool, in.SweepID, in.ExitRunID)
	if err != nil {
		return nil, classify("counting the sweep's exits and alerts", err)
	}
	data := notify.SweepSummary{SweepID: in.SweepID, AsOf: asOf, ExitRunID: in.ExitRunID,
		ExitNotices: res.ExitNotices, Unassigned: res.Unassigned, Projects: []notify.SweepSummaryProject{}}
	for _, c := range counts {
		data.Projects = append(data.Projects, notify.SweepSummaryProject{ProjectID: c.ProjectID,
			Households: c.Households, Enrollments: c.Enrollments, Alerts: c.Alerts})
		data.Households += c.Households
		data.Enrollments += c.Enrollments
		data.Alerts += c.Alerts
	}
	var msgs []notify.Message
	for _, s := range staff {
		m, err := notify.Compose(notify.KindSweepSummary, data)
		if err != nil {
			return nil, classify("composing the sweep summary", err)
		}
		m.Key, m.To = sweepKey(in.SweepID, "summary/"+s.Email), s.Email
		msgs = append(msgs, m)
	}
	return msgs, nil
}
