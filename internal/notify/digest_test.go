package notify_test

// SPEC AL2, AL3: one auto-alert digest per recipient and day, never one message per enrollment.

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// digestAlerts are three alerts of two projects: a liaison of both, two assigned staff, one of
// whom (Bo) is also the liaison of project 9.
func digestAlerts() []engine.Alert {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	liaison := engine.Recipient{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Name: "Lia", Email: "Lia@Agency.example.org"}
	staff := func(email string, ids ...string) engine.Recipient {
		return engine.Recipient{Role: engine.RoleAssignedStaff, Source: engine.RecipientFromAssignment, Email: email, EnrollmentIDs: ids}
	}
	return []engine.Alert{
		{ID: 3, ProjectID: "10", HouseholdID: "H7", EnrollmentIDs: []string{"E9", "E8"}, LastActivityDate: d(9, 1), DaysInactive: 60,
			ExitOn: d(11, 30), ExitDate: d(9, 1), Recipients: []engine.Recipient{liaison, staff("ann@agency.example.org", "E9")}},
		{ID: 1, ProjectID: "9", HouseholdID: "20", EnrollmentIDs: []string{"E1", "E2", "E3"}, LastActivityDate: d(9, 2), DaysInactive: 59,
			ExitOn: d(12, 1), ExitDate: d(9, 3), Recipients: []engine.Recipient{liaison,
				{Role: engine.RoleLiaison, Source: engine.RecipientFromContact, Email: "bo@agency.example.org"},
				staff("ann@agency.example.org", "E2"), staff("bo@agency.example.org", "E3")}},
		{ID: 2, ProjectID: "9", HouseholdID: "3", EnrollmentIDs: []string{"E4"}, LastActivityDate: d(9, 3), DaysInactive: 58,
			ExitOn: d(12, 2), ExitDate: d(9, 4), Recipients: []engine.Recipient{liaison, staff("bo@agency.example.org", "E4"), staff("", "E4")}},
	}
}

func TestAL3_AlertDigestsOnePerRecipient(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	digests := notify.AlertDigests(asOf, digestAlerts())
	var to []string
	for _, d := range digests {
		to = append(to, d.To)
		assert.Equal(t, asOf, d.Data.AsOf, d.To)
	}
	require.Equal(t, []string{"ann@agency.example.org", "bo@agency.example.org", "lia@agency.example.org"}, to,
		"one digest per email, lower-cased, by email; a staff row without an email is left out")

	type row struct {
		project, household string
		ids                []string
	}
	rows := func(d notify.AlertDigest) []row {
		var out []row
		for _, h := range d.Data.Households {
			out = append(out, row{h.ProjectID, h.HouseholdID, h.EnrollmentIDs})
		}
		return out
	}
	ann, bo, lia := digests[0], digests[1], digests[2]
	assert.Equal(t, engine.RoleAssignedStaff, ann.Data.Role)
	assert.Equal(t, []row{{"9", "20", []string{"E2"}}, {"10", "H7", []string{"E9"}}}, rows(ann),
		"assigned staff see only their enrollments; projects in numeric order (9 before 10)")
	assert.Equal(t, engine.RoleLiaison, bo.Data.Role, "liaison of project 9 and assigned staff: one digest, as liaison")
	assert.Equal(t, []row{{"9", "3", []string{"E4"}}, {"9", "20", []string{"E1", "E2", "E3"}}}, rows(bo),
		"the household Bo is liaison of lists all its enrollments; household 3 before 20 (engine.CompareIDs)")
	assert.Equal(t, engine.RoleLiaison, lia.Data.Role)
	assert.Equal(t, []row{{"9", "3", []string{"E4"}}, {"9", "20", []string{"E1", "E2", "E3"}}, {"10", "H7", []string{"E8", "E9"}}}, rows(lia),
		"the liaison gets every household with all its open enrollments, E8 before E9")
	h := lia.Data.Households[2]
	assert.Equal(t, notify.AlertHousehold{ProjectID: "10", HouseholdID: "H7", EnrollmentIDs: []string{"E8", "E9"},
		LastActivity: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), DaysInactive: 60,
		ExitOn: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), ExitDate: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}, h)

	m, err := notify.Compose(notify.KindAutoAlert, lia.Data)
	require.NoError(t, err)
	assert.Equal(t, "3 households (6 enrollments) will be auto exited unless activity is recorded", m.Subject)
	for _, id := range []string{"3", "20", "H7", "E1, E2, E3", "E8, E9"} {
		assert.Contains(t, m.Text, id)
		assert.Contains(t, m.HTML, id)
	}
	assert.NotContains(t, m.Text+m.HTML, "Lia", "no names, not even staff's")
	assert.Empty(t, notify.AlertDigests(asOf, nil))
}

// SPEC N3: exitflow.notification's kind CHECK (migrations 00013, 00015, 00018) allows every kind
// and nothing else.
func TestN3_TheDatabaseAllowsEveryKind(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	ctx := context.Background()
	insert := func(kind string) error {
		_, err := pool.Exec(ctx, `INSERT INTO exitflow.notification (idempotency_key, kind, recipient, sender, subject, message_id, text_body)
			VALUES ($1, $1, 'hmis@coc.example.org', 'exitflow@coc.example.org', 'subject', $1 || '@coc.example.org', 'text')`, kind)
		return err
	}
	for _, k := range notify.Kinds {
		assert.NoError(t, insert(string(k)), k)
	}
	assert.ErrorContains(t, insert("newsletter"), "notification_kind_check")
}
