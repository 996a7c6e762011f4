package engine_test

// Alert recipients streamed person by person (SPEC AL3, N5): the same digests as the whole list.

import (
	"context"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC AL3, N5, N4: EachAlertRecipient over the alerts of a RecordAlerts pass calls its function
// once per email, in the order of notify.AlertDigests, with alerts that give exactly that email's
// digest; its alerts are the loaded ones with only that person's recipients. A keyed pass with
// IDsOnly returns the IDs alone, and its repeat the same IDs.
func TestAL3_EachAlertRecipientGivesTheDigests(t *testing.T) {
	ctx := context.Background()
	pool := repFixture(t, "report/coc.sql", "alerts/contacts.sql")
	// A liaison who is also E2's assigned staff (another case, spaces): one digest, as liaison.
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, staff_name, email) VALUES ('E2', 'Leo Alpha', ' LEO@alpha.example')`)
	require.NoError(t, err)
	run := alRun
	run.Key, run.IDsOnly = "alerts-daily/alerts", true
	idsOnly, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, run)
	require.NoError(t, err)
	require.NotEmpty(t, idsOnly)
	var ids []int64
	for _, a := range idsOnly {
		assert.Equal(t, engine.Alert{ID: a.ID}, a, "IDs only")
		ids = append(ids, a.ID)
	}
	again, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, run)
	require.NoError(t, err)
	assert.Equal(t, idsOnly, again, "a keyed repeat: the same alert IDs")
	run.IDsOnly = false
	full, err := engine.RecordAlerts(ctx, pool, engine.Options{AsOf: repAsOf}, run)
	require.NoError(t, err)
	require.Len(t, full, len(ids), "a keyed repeat loads the same alerts")
	byID := map[int64]engine.Alert{}
	for _, a := range full {
		byID[a.ID] = a
	}

	want := notify.AlertDigests(repAsOf, full)
	var got []notify.AlertDigest
	var emails []string
	require.NoError(t, engine.EachAlertRecipient(ctx, pool, ids, func(email string, alerts []engine.Alert) error {
		emails = append(emails, email)
		for _, a := range alerts {
			loaded := byID[a.ID]
			var mine []engine.Recipient
			for _, r := range loaded.Recipients {
				if strings.EqualFold(strings.TrimSpace(r.Email), email) {
					mine = append(mine, r)
				}
			}
			assert.Equal(t, mine, a.Recipients, "alert %d: this person's recipients", a.ID)
			a.Recipients, loaded.Recipients = nil, nil
			assert.Equal(t, loaded, a, "alert %d: filled as RecordAlerts fills it", a.ID)
		}
		d := notify.AlertDigests(repAsOf, alerts)
		require.Len(t, d, 1, email)
		got = append(got, d...)
		return nil
	}))
	assert.Equal(t, want, got)
	assert.Contains(t, emails, "leo@alpha.example")
	assert.Len(t, emails, len(want), "once per email")
	require.NoError(t, engine.EachAlertRecipient(ctx, pool, nil, func(string, []engine.Alert) error {
		t.Fatal("no alerts: no call")
		return nil
	}))
}
