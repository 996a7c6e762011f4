package main

import (
	"context"
	"encoding/json"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notificationsDB makes a migrated database through the CLI holding three notifications: two
// auto alerts (the first one sent) and an escalation, all failed to deliver first (no SMTP server
// listens), and returns the environment to reach it.
func notificationsDB(t *testing.T) []string {
	t.Helper()
	url := testdb.Empty(t) + "_n"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url, "EXITFLOW_TIMEZONE=UTC"}
	_, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)

	ctx := context.Background()
	pool, err := store.Open(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	m := &notify.Mailer{Host: "127.0.0.1", Port: port, From: "exitflow@coc.example.org", Timeout: 2 * time.Second}
	alert := notify.AutoAlert{AsOf: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Role: engine.RoleLiaison, Households: []notify.AlertHousehold{
		{ProjectID: "1362", HouseholdID: "H1", EnrollmentIDs: []string{"E1", "E2"}}}}
	for _, s := range []struct {
		key, to string
		kind    notify.Kind
		data    any
	}{
		{"alert-1362/a", "a@agency.example.org", notify.KindAutoAlert, alert},
		{"agreement-7/escalation", "staff@coc.example.org", notify.KindEscalation, notify.Escalation{AgreementID: "7", OrganizationID: "41", Reminders: 3}},
		{"alert-1362/b", "b@agency.example.org", notify.KindAutoAlert, alert},
	} {
		msg, err := notify.Compose(s.kind, s.data)
		require.NoError(t, err)
		msg.Key, msg.To = s.key, s.to
		if s.kind == notify.KindEscalation {
			msg.Attachments = []notify.Attachment{{Name: "reminders.csv", Content: []byte("Reminder,Date\n1,2026-11-09\n")}}
		}
		_, err = m.Send(ctx, pool, msg)
		require.True(t, notify.Retryable(err), "nothing listens on port %d: %v", port, err)
	}
	_, err = pool.Exec(ctx, `UPDATE exitflow.notification SET status = 'sent', sent_at = now(), attempts = 2 WHERE idempotency_key = 'alert-1362/a'`)
	require.NoError(t, err)
	return env
}

func TestNotificationsListFiltersAndFormats(t *testing.T) {
	env := notificationsDB(t)
	out, errOut, code := cli(t, env, "notifications", "list")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	assert.Regexp(t, `^ID\s+CREATED\s+KIND\s+TO\s+STATUS\s+ATTEMPTS\s+SUBJECT\s+LAST ERROR$`, lines[0])
	assert.Regexp(t, `^3\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+auto-alert\s+b@agency.example.org\s+failed\s+1\s+1 household \(2 enrollments\) will be auto exited unless activity is recorded\s+attempt 1 could not be delivered: dial failed: .*connection refused$`, lines[1])
	assert.Regexp(t, `^2\s.*escalation\s+staff@coc.example.org\s+failed\s+1\s+Agreement 7: not acknowledged after 3 reminders\s+attempt 1 could not be delivered`, lines[2])
	assert.Regexp(t, `^1\s.*auto-alert\s+a@agency.example.org\s+sent\s+2\s+1 household \(2 enrollments\) .*\s-$`, lines[3], "a sent message shows no error")

	out, _, code = cli(t, env, "notifications", "list", "--kind", "auto-alert", "--to", "A@agency.example.org")
	require.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(out, "\n"), out)
	assert.Contains(t, out, "a@agency.example.org")

	out, _, code = cli(t, env, "notifications", "list", "--limit", "1", "--format", "json")
	require.Equal(t, 0, code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &list))
	require.Len(t, list, 1)
	assert.Equal(t, "alert-1362/b", list[0]["idempotency_key"])
	assert.Equal(t, "failed", list[0]["status"])
	assert.Equal(t, "1362", list[0]["about"].(map[string]any)["households"].([]any)[0].(map[string]any)["project_id"])
	assert.Equal(t, notify.MessageID("alert-1362/b", "exitflow@coc.example.org"), list[0]["message_id"])

	out, _, code = cli(t, env, "notifications", "list", "--kind", "escalation", "--format", "json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"attachments": [
      {
        "name": "reminders.csv",
        "content_type": "text/csv; charset=utf-8",
        "size": 27
      }
    ]`)

	out, _, code = cli(t, env, "notifications", "list", "--to", "nobody@example.org")
	require.Equal(t, 0, code)
	assert.Equal(t, "no notifications\n", out)
	out, _, code = cli(t, env, "notifications", "list", "--to", "nobody@example.org", "--format", "json")
	require.Equal(t, 0, code)
	assert.Equal(t, "[]\n", out)
}

func TestNotificationsListRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "newsletter"}, `exitflow: --kind "newsletter": want one of agreement-notice, period-ending-reminder, process-begins, completion, acknowledgement-reminder, escalation, agreement-change, auto-alert, auto-exit-done, housed-exit-proposal, hoh-redesignation, dqm-report, sweep-summary`},
		{[]string{"--format", "xml"}, `exitflow: --format "xml": want table or json`},
		{[]string{"--limit", "-1"}, `exitflow: --limit -1: want 0 (all) or more`},
	} {
		_, errOut, code := cli(t, []string{"EXITFLOW_DATABASE_URL=postgres://nobody@127.0.0.1:1/none"}, append([]string{"notifications", "list"}, tc.args...)...)
		assert.Equal(t, 1, code)
		assert.Equal(t, tc.want+"\n", errOut)
	}
}

func TestNotificationsShowWritesTheEML(t *testing.T) {
	env := notificationsDB(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "n2.eml")
	out, errOut, code := cli(t, env, "notifications", "show", "2", "--out", file)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^wrote .*n2.eml: notification 2 \(escalation to staff@coc.example.org, failed, \d+ bytes\)\n$`, out)

	b, err := os.ReadFile(file)
	require.NoError(t, err)
	msg, err := mail.ReadMessage(strings.NewReader(string(b)))
	require.NoError(t, err)
	assert.Equal(t, "<"+notify.MessageID("agreement-7/escalation", "exitflow@coc.example.org")+">", msg.Header.Get("Message-Id"))
	assert.Equal(t, "Agreement 7: not acknowledged after 3 reminders", msg.Header.Get("Subject"))
	assert.Equal(t, "<staff@coc.example.org>", msg.Header.Get("To"))
	assert.Equal(t, "escalation", msg.Header.Get("X-Exitflow-Kind"))
	assert.True(t, strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/mixed"), msg.Header.Get("Content-Type"))
	for _, want := range []string{"text/plain", "text/html", `filename="reminders.csv"`} {
		assert.Contains(t, string(b), want)
	}

	_, errOut, code = cli(t, env, "notifications", "show", "2", "--out", file)
	assert.Equal(t, 1, code)
	assert.Equal(t, "exitflow: --out "+file+": the file exists; give another name, or --force to replace it\n", errOut)
	require.NoError(t, os.WriteFile(file, []byte("old"), 0o644))
	_, errOut, code = cli(t, env, "notifications", "show", "2", "--out", file, "--force")
	require.Equal(t, 0, code, errOut)
	again, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(again), "Message-ID: <", "replaced")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestNotificationsShowRefusesWhatItCannotWrite(t *testing.T) {
	env := notificationsDB(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"99", "--out", filepath.Join(dir, "x.eml")}, "exitflow: notification 99 does not exist (exitflow notifications list lists them)"},
		{[]string{"abc", "--out", filepath.Join(dir, "x.eml")}, `exitflow: ID "abc": not a notification ID (exitflow notifications list lists them)`},
		{[]string{"1"}, "exitflow: --out FILE is required: the .eml file to write the message into"},
		{[]string{"1", "--out", dir}, "exitflow: --out " + dir + ": a folder, not a file"},
		{[]string{"1", "--out", filepath.Join(dir, "no", "x.eml")}, "exitflow: --out " + filepath.Join(dir, "no", "x.eml") + ": its folder " + filepath.Join(dir, "no") + " does not exist"},
	} {
		_, errOut, code := cli(t, env, append([]string{"notifications", "show"}, tc.args...)...)
		assert.Equal(t, 1, code, tc.args)
		assert.Equal(t, tc.want+"\n", errOut, tc.args)
	}
	_, err := os.Stat(filepath.Join(dir, "x.eml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
