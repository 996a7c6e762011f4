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
// The digests are streamed recipient by recipient (by email): memory holds one recipient's alerts.
func (a *Activities) SweepAlerts(ctx context.Context, in workflows.SweepStepInput) (workflows.SweepAlertsResult, error) {
	var res workflows.SweepAlertsResult
	asOf, err := day(in.AsOf)
	if err != nil {
		return res, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	alerts, err := engine.RecordAlerts(ctx, a.Pool, engine.Options{AsOf: asOf, Projects: in.ProjectIDs}, engine.AlertRun{
		Actor: workflows.SweepActor, WorkflowID: in.WorkflowID, RunID: in.RunID, Key: sweepKey(in.SweepID, "alerts"), Location: a.loc(),
		IDsOnly: true,
	})
	if err != nil {
		return res, classify("recording the sweep's alerts", err)
	}
	res.Alerts = len(alerts)
	ids := make([]int64, len(alerts))
	for i, al := range alerts {
		ids[i] = al.ID
	}
	res.Messages, res.Failed, err = a.sendStream(ctx, func(s *mailStream) error {
		var sendErr error // the stream's own error, already wrapped: not the engine's
		err := engine.EachAlertRecipient(ctx, a.Pool, ids, func(_ string, mine []engine.Alert) error {
			for _, d := range notify.AlertDigests(asOf, mine) { // AL3: this recipient's one digest
				if sendErr = s.emit(func() (notify.Message, error) { return alertDigest(in.SweepID, d) }); sendErr != nil {
					return sendErr
				}
			}
			return nil
		})
		if sendErr != nil {
			return sendErr
		}
		return classify("reading the sweep's alert recipients", err)
	})
	return res, err
}

// alertDigest is recipient d's digest message, keyed by the sweep and the email (SPEC N4).
func alertDigest(sweepID int64, d notify.AlertDigest) (notify.Message, error) {
	m, err := notify.Compose(notify.KindAutoAlert, d.Data)
	if err != nil {
		return m, classify("composing an alert digest", err)
	}
	m.Key, m.To = sweepKey(sweepID, "alert/"+d.To), d.To
	return m, nil
}

// SweepNotices mails each exited enrollment's assigned staff one message listing their
// enrollments (SPEC N5; the assignment table, else the enrollment's UserID in User.csv), and the
// HMIS staff the sweep's summary: counts per project (SPEC N3). Idempotent like SweepAlerts; the
// notices are streamed staff member by staff member (by email), then the summaries.
func (a *Activities) SweepNotices(ctx context.Context, in workflows.SweepStepInput) (workflows.SweepNoticesResult, error) {
	var res workflows.SweepNoticesResult
	asOf, err := day(in.AsOf)
	if err != nil {
		return res, invalid("as_of", "%q is not a YYYY-MM-DD date", in.AsOf)
	}
	_, _, err = a.sendStream(ctx, func(s *mailStream) error {
		res = workflows.SweepNoticesResult{}
		if in.ExitRunID != 0 {
			var sendErr error // the stream's own error, already wrapped: not the engine's
			unassigned, err := engine.EachExitNotice(ctx, a.Pool, in.ExitRunID, func(st engine.StaffExits) error {
				res.ExitNotices++
				sendErr = s.emit(func() (notify.Message, error) { return exitNotice(in, asOf, st) })
				return sendErr
			})
			if sendErr != nil {
				return sendErr
			}
			if err != nil {
				return classify("reading the sweep's exits", err)
			}
			res.Unassigned = unassigned
		}
		var err error
		res.Summaries, err = a.sweepSummaries(ctx, s, in, asOf, res)
		return err
	})
	return res, err
}

// exitNotice is staff member st's exit notice (SPEC N5), keyed by the sweep and the email (N4).
func exitNotice(in workflows.SweepStepInput, asOf time.Time, st engine.StaffExits) (notify.Message, error) {
	data := notify.AutoExitDone{RunID: in.ExitRunID, AsOf: asOf}
	for _, l := range st.Exits {
		data.Exits = append(data.Exits, notify.ExitLine{ProjectID: l.ProjectID, HouseholdID: l.HouseholdID,
			EnrollmentID: l.EnrollmentID, PersonalID: l.PersonalID, ExitDate: l.ExitDate})
	}
	m, err := notify.Compose(notify.KindAutoExitDone, data)
	if err != nil {
		return m, classify("composing an exit notice", err)
	}
	m.Key, m.To = sweepKey(in.SweepID, "exit-notice/"+st.Email), st.Email
	return m, nil
}

// mailStream sends a step's messages one at a time in their order (SPEC N4): it counts each
// message and skips, without composing or sending them, the first from (those the last attempt's
// heartbeat counted as handled).
type mailStream struct {
	a                        *Activities
	ctx                      context.Context
	from, next, sent, failed int
}

// sendStream runs produce, which emits a step's messages in order through the stream, from the
// message the last attempt's heartbeat reached: sent counts the messages delivered (now or
// before), failed those refused for good (a 5xx: retrying cannot help). A delivery that may pass
// later (SMTP down) stops the pass with a retryable error, so that Temporal retries it with
// backoff from that message on (SPEC N4: each is sent once). A cursor past the messages produce
// emits is not trusted: produce runs again, sending from the first message.
func (a *Activities) sendStream(ctx context.Context, produce func(*mailStream) error) (sent, failed int, err error) {
	s := &mailStream{a: a, ctx: ctx}
	if activity.HasHeartbeatDetails(ctx) {
		var at sendCursor
		if activity.GetHeartbeatDetails(ctx, &at) == nil {
			s.from, s.sent, s.failed = at.Next, at.Sent, at.Failed
		}
	}
	if err := produce(s); err != nil {
		return s.sent, s.failed, err
	}
	if s.next < s.from { // more messages were counted than there are: start from 0
		s = &mailStream{a: a, ctx: ctx}
		if err := produce(s); err != nil {
			return s.sent, s.failed, err
		}
	}
	return s.sent, s.failed, nil
}

// emit counts the next message and, unless the heartbeat's cursor is past it, composes it with
// compose, sends it and records the cursor after it in a heartbeat.
func (s *mailStream) emit(compose func() (notify.Message, error)) error {
	if s.a.Mailer == nil {
		return temporal.NewNonRetryableApplicationError("no mailer configured", workflows.ErrPermanent, nil)
	}
	i := s.next
	s.next++
	if i < s.from {
		return nil
	}
	m, err := compose()
	if err != nil {
		return err
	}
	_, err = s.a.Mailer.Send(s.ctx, s.a.Pool, m)
	switch {
	case err == nil:
		s.sent++
	case notify.Permanent(err):
		s.failed++
	default:
		return fmt.Errorf("%s to %s not delivered (retried from it): %w", m.Kind, m.To, err)
	}
	activity.RecordHeartbeat(s.ctx, sendCursor{Next: i + 1, Sent: s.sent, Failed: s.failed})
	return nil
}

// sendCursor is sendStream's heartbeat: the next message to send and the counts so far.
type sendCursor struct {
	Next   int `json:"next"`
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// sweepSummaries emits the sweep's summary messages, one per HMIS staff contact (SPEC N3), and
// returns how many there are.
func (a *Activities) sweepSummaries(ctx context.Context, s *mailStream, in workflows.SweepStepInput, asOf time.Time, res workflows.SweepNoticesResult) (int, error) {
	staff, err := contacts.HMISStaff(ctx, a.Pool)
	if err != nil || len(staff) == 0 {
		return 0, classify("reading the HMIS staff contacts", err)
	}
	counts, err := engine.SweepCounts(ctx, a.Pool, in.SweepID, in.ExitRunID)
	if err != nil {
		return 0, classify("counting the sweep's exits and alerts", err)
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
	for _, st := range staff {
		err := s.emit(func() (notify.Message, error) {
			m, err := notify.Compose(notify.KindSweepSummary, data)
			if err != nil {
				return m, classify("composing the sweep summary", err)
			}
			m.Key, m.To = sweepKey(in.SweepID, "summary/"+st.Email), st.Email
			return m, nil
		})
		if err != nil {
			return 0, err
		}
	}
	return len(staff), nil
}
