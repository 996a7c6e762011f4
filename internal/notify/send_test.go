package notify_test

// SPEC N1, N4: every message is recorded before it is sent, and a retry never sends it twice.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const from = "exitflow@coc.example.org"

// mailerAt is a Mailer for the SMTP server on 127.0.0.1:port.
func mailerAt(port int) *notify.Mailer {
	return &notify.Mailer{Host: "127.0.0.1", Port: port, From: from, Timeout: 5 * time.Second}
}

// reportHTML, measuresCSV and findingsCSV stand for a DQM report's files.
const (
	reportHTML  = "<!DOCTYPE html>\n<html><body><h1>DQM report 7</h1><p>needs attention</p></body></html>\n"
	measuresCSV = "ProjectID,OrganizationID,Measure,Value,Previous,Change\n1362,41,open_enrollments,12,14,better\n"
	findingsCSV = "Finding,ProjectID,HouseholdID,EnrollmentID,PersonalID,Date,Detail\npast_window,1362,H9,E19,C19,2026-08-01,\n"
)

// dqmMessage is a DQM report as the follow-up DQM mails it: report.html inline, the CSVs attached.
func dqmMessage(t *testing.T, key, to string) notify.Message {
	t.Helper()
	m, err := notify.Compose(notify.KindDQMReport, notify.DQMReport{ReportID: 7, AsOf: day(2026, 11, 1), Since: day(2026, 8, 1),
		OrganizationID: "41", ProjectIDs: []string{"1362", "1401"}, Verdict: "needs attention",
		Reasons: []notify.DQMReason{{Measure: "open_past_window", Count: 3}}, Findings: 1})
	require.NoError(t, err)
	m.Key, m.To, m.HTML = key, to, reportHTML
	m.Attachments = []notify.Attachment{{Name: "measures.csv", Content: []byte(measuresCSV)}, {Name: "findings.csv", Content: []byte(findingsCSV)}}
	return m
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// stored reads a notification's status, attempts and last error from the table.
func stored(t *testing.T, pool *pgxpool.Pool, id int64) (status string, attempts int, lastError string) {
	t.Helper()
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT status, attempts, last_error FROM exitflow.notification WHERE id = $1`, id).
		Scan(&status, &attempts, &lastError))
	return
}

func TestSendDeliversBothPartsAttachmentsAndMessageID(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()

	rec, err := mailerAt(mp.SMTPPort).Send(ctx, pool, dqmMessage(t, "dqm-schedule-1362/report-7/liaison@agency.example.org", " Liaison@Agency.example.org "))
	require.NoError(t, err)
	assert.True(t, rec.Delivered)
	assert.Equal(t, notify.StatusSent, rec.Status)
	assert.Equal(t, "liaison@agency.example.org", rec.To, "stored trimmed and lower-cased")
	assert.Equal(t, notify.MessageID("dqm-schedule-1362/report-7/liaison@agency.example.org", from), rec.MessageID)
	assert.JSONEq(t, `{"report_id": 7, "as_of": "2026-11-01T00:00:00Z", "since": "2026-08-01T00:00:00Z", "organization_id": "41",
		"project_ids": ["1362", "1401"], "verdict": "needs attention", "reasons": [{"measure": "open_past_window", "count": 3}], "findings": 1}`, string(rec.About))
	status, attempts, lastError := stored(t, pool, rec.ID)
	assert.Equal(t, []any{"sent", 1, ""}, []any{status, attempts, lastError})

	list := mp.Search(t, "to:liaison@agency.example.org")
	require.Len(t, list, 1)
	got := mp.Message(t, list[0].ID)
	assert.Equal(t, rec.MessageID, got.MessageID)
	assert.Equal(t, "DQM report 7 as of 2026-11-01: needs attention", got.Subject)
	assert.Equal(t, from, got.From.Address)
	assert.Contains(t, strings.ReplaceAll(got.Text, "\r\n", "\n"), "Verdict: needs attention\n  - open_past_window: 3")
	assert.Contains(t, got.HTML, "<h1>DQM report 7</h1>", "report.html is the HTML part")
	require.Len(t, got.Attachments, 2)
	for i, want := range []struct{ name, content string }{{"measures.csv", measuresCSV}, {"findings.csv", findingsCSV}} {
		a := got.Attachments[i]
		assert.Equal(t, want.name, a.FileName)
		assert.True(t, strings.HasPrefix(a.ContentType, "text/csv"), a.ContentType)
		assert.Equal(t, want.content, string(mp.Part(t, got.ID, a.PartID)))
	}
	raw := string(mp.Raw(t, "/api/v1/message/"+got.ID+"/raw"))
	assert.Contains(t, raw, "X-Exitflow-Kind: dqm-report")
	assert.Contains(t, raw, "Auto-Submitted: auto-generated")
	assert.Contains(t, raw, "multipart/alternative")
}

func TestSendingAKeyAgainSendsNothing(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()
	m := mailerAt(mp.SMTPPort)
	msg := dqmMessage(t, "k1", "liaison@agency.example.org")

	first, err := m.Send(ctx, pool, msg)
	require.NoError(t, err)
	again, err := m.Send(ctx, pool, msg)
	require.NoError(t, err)
	assert.False(t, again.Delivered, "the second Send finds the first one's record")
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, notify.StatusSent, again.Status)
	assert.Equal(t, 1, again.Attempts)
	assert.Equal(t, first.SentAt, again.SentAt)
	assert.Equal(t, measuresCSV, string(again.Attachments[0].Content))
	assert.Len(t, mp.Messages(t), 1)
}

// Two activities sending one key at once (a retry racing a slow first attempt) send it once.
func TestConcurrentSendsOfAKeySendOnce(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	m := mailerAt(mp.SMTPPort)
	msg := dqmMessage(t, "k-race", "liaison@agency.example.org")

	var wg sync.WaitGroup
	recs := make([]notify.Record, 6)
	errs := make([]error, len(recs))
	for i := range recs {
		wg.Go(func() { recs[i], errs[i] = m.Send(context.Background(), pool, msg) })
	}
	wg.Wait()
	delivered := 0
	for i, r := range recs {
		require.NoError(t, errs[i])
		assert.Equal(t, recs[0].ID, r.ID)
		if r.Delivered {
			delivered++
		}
	}
	assert.Equal(t, 1, delivered)
	assert.Len(t, mp.Messages(t), 1)
}

func TestSMTPDownIsRecordedRetryableAndTheRetryDeliversOnce(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	ctx := context.Background()
	port := testenv.FreePort(t) // nothing listens there yet
	m := mailerAt(port)
	msg := dqmMessage(t, "k-down", "liaison@agency.example.org")

	rec, err := m.Send(ctx, pool, msg)
	var de *notify.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.True(t, notify.Retryable(err))
	assert.False(t, notify.Permanent(err))
	assert.False(t, de.Refused)
	assert.Contains(t, err.Error(), fmt.Sprintf("notification %d (key \"k-down\") to liaison@agency.example.org could not be delivered on attempt 1", rec.ID))
	status, attempts, lastError := stored(t, pool, rec.ID)
	assert.Equal(t, "failed", status)
	assert.Equal(t, 1, attempts)
	assert.Contains(t, lastError, "connection refused")

	mp := testenv.StartMailpit(t, port)
	rec, err = m.Send(ctx, pool, msg)
	require.NoError(t, err)
	assert.True(t, rec.Delivered)
	rec, err = m.Send(ctx, pool, msg)
	require.NoError(t, err)
	assert.False(t, rec.Delivered)
	status, attempts, _ = stored(t, pool, rec.ID)
	assert.Equal(t, "sent", status)
	assert.Equal(t, 2, attempts)
	assert.Len(t, mp.Messages(t), 1)
}

// A crash between the SMTP server's acceptance and the recording leaves the record pending: the
// next Send delivers it again, with the same Message-ID, and notes the cut-off attempt.
func TestACutOffAttemptIsDeliveredAgainWithTheSameMessageID(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()
	m := mailerAt(mp.SMTPPort)
	msg := dqmMessage(t, "k-crash", "liaison@agency.example.org")
	rec, err := m.Send(ctx, pool, msg)
	require.NoError(t, err)
	// What a crash right after the SMTP server took the message leaves behind.
	_, err = pool.Exec(ctx, `UPDATE exitflow.notification SET status = 'pending', sent_at = NULL WHERE id = $1`, rec.ID)
	require.NoError(t, err)

	again, err := m.Send(ctx, pool, msg)
	require.NoError(t, err)
	assert.True(t, again.Delivered)
	status, attempts, lastError := stored(t, pool, rec.ID)
	assert.Equal(t, []any{"sent", 2}, []any{status, attempts})
	assert.Contains(t, lastError, "cut off")
	list := mp.Messages(t)
	require.Len(t, list, 2)
	assert.Equal(t, list[0].MessageID, list[1].MessageID, "the receiver can drop the second copy")
}

func TestReusingAKeyForAnotherMessageIsPermanent(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()
	m := mailerAt(mp.SMTPPort)
	msg := dqmMessage(t, "k-reused", "liaison@agency.example.org")
	first, err := m.Send(ctx, pool, msg)
	require.NoError(t, err)

	other := msg
	other.To, other.Subject = "staff@coc.example.org", "something else"
	other.Attachments = msg.Attachments[:1]
	_, err = m.Send(ctx, pool, other)
	var ce *notify.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.True(t, notify.Permanent(err))
	assert.Equal(t, first.ID, ce.ID)
	assert.Equal(t, []string{"To", "Subject", "Attachments"}, ce.Fields)
	assert.EqualError(t, err, fmt.Sprintf(`idempotency key "k-reused" is notification %d, which differs in To, Subject, Attachments: a key names one message; give this one a key of its own`, first.ID))

	moved := msg
	moved.About = notify.DQMReport{ReportID: 8}
	_, err = m.Send(ctx, pool, moved)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"About"}, ce.Fields)
	assert.Len(t, mp.Messages(t), 1)
}

// A server that refuses a message for good (550) is not retried: the error is permanent.
func TestARefusedRecipientIsPermanent(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0, "--smtp-allowed-recipients", `@agency\.example\.org$`)
	ctx := context.Background()
	rec, err := mailerAt(mp.SMTPPort).Send(ctx, pool, dqmMessage(t, "k-refused", "nobody@elsewhere.example.net"))
	var de *notify.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.Refused)
	assert.True(t, notify.Permanent(err))
	assert.Contains(t, err.Error(), "was refused on attempt 1")
	status, _, lastError := stored(t, pool, rec.ID)
	assert.Equal(t, "failed", status)
	assert.Contains(t, lastError, "55")
	assert.Empty(t, mp.Messages(t))
}

func TestAnInvalidMessageIsPermanentAndNotRecorded(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	ctx := context.Background()
	m := mailerAt(testenv.FreePort(t))
	good := dqmMessage(t, "k", "liaison@agency.example.org")
	for _, tc := range []struct {
		change func(*notify.Message)
		want   string
	}{
		{func(m *notify.Message) { m.Key = " " }, "notification Key: is required"},
		{func(m *notify.Message) { m.To = "Lia Son <liaison@agency.example.org>" }, "notification To: \"lia son <liaison@agency.example.org>\" is not an e-mail address"},
		{func(m *notify.Message) { m.To = "liaison@agency.example.org, staff@coc.example.org" }, "is not an e-mail address"},
		{func(m *notify.Message) { m.Kind = "newsletter" }, `notification Kind: "newsletter" is not a kind`},
		{func(m *notify.Message) { m.Subject = "two\nlines" }, "notification Subject: must be one line of text"},
		{func(m *notify.Message) { m.Text = "" }, "notification Text: is required"},
		{func(m *notify.Message) { m.About = []string{"E1"} }, "notification About: must be a JSON object"},
		{func(m *notify.Message) { m.Attachments = []notify.Attachment{{Name: "../x.csv"}} }, `notification Attachments: "../x.csv" is not a plain file name`},
		{func(m *notify.Message) {
			m.Attachments = append(m.Attachments, notify.Attachment{Name: "measures.csv"})
		}, `"measures.csv" is attached twice`},
	} {
		msg := good
		tc.change(&msg)
		_, err := m.Send(ctx, pool, msg)
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
		assert.True(t, notify.Permanent(err), tc.want)
	}
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM exitflow.notification`).Scan(&n))
	assert.Zero(t, n)
}

func TestPermanentAndRetryable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err       error
		permanent bool
	}{
		{&notify.InvalidError{Field: "To", Reason: "x"}, true},
		{fmt.Errorf("wrapped: %w", &notify.ConflictError{Key: "k"}), true},
		{&notify.DeliveryError{Refused: true, Err: errors.New("550")}, true},
		{&notify.DeliveryError{Err: errors.New("connection refused")}, false},
		{errors.New("database at ... does not answer"), false},
		{context.DeadlineExceeded, false},
	} {
		assert.Equal(t, tc.permanent, notify.Permanent(tc.err), "%v", tc.err)
		assert.Equal(t, !tc.permanent, notify.Retryable(tc.err), "%v", tc.err)
	}
	assert.False(t, notify.Retryable(nil))
}
