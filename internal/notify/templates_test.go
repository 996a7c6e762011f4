package notify_test

// SPEC N2, N3: every kind renders from IDs, counts and dates, and names no client.

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is the clients of a fixture: their IDs, and the personal data no message may show.
type fixture struct {
	personalIDs, enrollmentIDs, householdIDs, projectIDs []string
	personal                                             []string // names, SSNs, dates of birth
}

// readFixture reads testdata/clients.csv (names made for this test) and the engine's exits
// fixture, whose Client.csv has names too.
func readFixture(t *testing.T) fixture {
	t.Helper()
	var f fixture
	for _, r := range csvFile(t, "testdata/clients.csv") {
		f.personalIDs = append(f.personalIDs, r["PersonalID"])
		f.enrollmentIDs = append(f.enrollmentIDs, r["EnrollmentID"])
		f.householdIDs = append(f.householdIDs, r["HouseholdID"])
		f.projectIDs = append(f.projectIDs, r["ProjectID"])
		f.personal = append(f.personal, r["FirstName"], r["LastName"], r["SSN"], r["DOB"])
	}
	for _, r := range csvFile(t, "../engine/testdata/exits/Client.csv") {
		f.personal = append(f.personal, r["LastName"], r["FirstName"]+" "+r["LastName"])
	}
	for _, r := range csvFile(t, "../engine/testdata/exits/Enrollment.csv") {
		f.enrollmentIDs = append(f.enrollmentIDs, r["EnrollmentID"])
		f.personalIDs = append(f.personalIDs, r["PersonalID"])
	}
	return f
}

// csvFile is the rows of a CSV file by column name.
func csvFile(t *testing.T, path string) []map[string]string {
	t.Helper()
	file, err := os.Open(path)
	require.NoError(t, err)
	defer file.Close()
	rows, err := csv.NewReader(file).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// kindData is data for every kind, from the fixture's IDs.
func kindData(f fixture) map[notify.Kind]any {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	e, p, h, pr := f.enrollmentIDs, f.personalIDs, f.householdIDs, f.projectIDs
	return map[notify.Kind]any{
		notify.KindAgreementNotice: notify.AgreementNotice{AgreementID: "AG-41-1", OrganizationID: "41", ProjectIDs: []string{"1362", "1401"},
			Method: "auto", WindowDays: 90, PeriodEnds: d(12, 31), EnrollmentIDs: e},
		notify.KindPeriodEndingReminder: notify.PeriodEndingReminder{AgreementID: "AG-41-1", OrganizationID: "41", ProjectIDs: []string{"1362"},
			Method: "admin", PeriodEnds: d(12, 31), EnrollmentIDs: e[:1]},
		notify.KindProcessBegins: notify.ProcessBegins{AgreementID: "AG-41-1", OrganizationID: "41", ProjectIDs: []string{"1362"},
			Method: "auto", WindowDays: 90, EnrollmentIDs: e[:3]},
		notify.KindCompletion: notify.Completion{AgreementID: "AG-41-1", OrganizationID: "41", ProjectIDs: []string{"1362"},
			Method: "admin", ExitedByAgency: 4, EnrollmentIDs: e[:2], RunIDs: []int64{12, 13}},
		notify.KindAcknowledgementReminder: notify.AcknowledgementReminder{AgreementID: "AG-41-1", OrganizationID: "41", CompletedOn: d(11, 2), Reminder: 2, Reminders: 3},
		notify.KindEscalation:              notify.Escalation{AgreementID: "AG-41-1", OrganizationID: "41", CompletedOn: d(11, 2), Reminders: 3},
		notify.KindAgreementChange: notify.AgreementChange{AgreementID: "AG-41-1", OrganizationID: "41", ProjectIDs: []string{"1362", "1401"},
			Change: notify.ChangeExtended, Note: "the agency's data entry staff are on leave until December", PeriodEnds: d(12, 31)},
		notify.KindAutoAlert: notify.AutoAlert{AsOf: d(10, 31), Role: engine.RoleLiaison, Households: []notify.AlertHousehold{
			{ProjectID: pr[0], HouseholdID: h[0], EnrollmentIDs: e[:2], LastActivity: d(9, 1), DaysInactive: 60, ExitOn: d(11, 30), ExitDate: d(9, 1)},
			{ProjectID: pr[0], HouseholdID: h[2], EnrollmentIDs: e[2:3], LastActivity: d(9, 3), DaysInactive: 58, ExitOn: d(12, 2), ExitDate: d(9, 4)},
			{ProjectID: pr[3], HouseholdID: h[3], EnrollmentIDs: e[3:4], LastActivity: d(8, 30), DaysInactive: 62, ExitOn: d(11, 28), ExitDate: d(8, 30)}}},
		notify.KindAutoExitDone: notify.AutoExitDone{RunID: 12, AsOf: d(12, 2), Exits: []notify.ExitLine{
			{ProjectID: pr[0], HouseholdID: h[0], EnrollmentID: e[0], PersonalID: p[0], ExitDate: d(9, 1)},
			{ProjectID: pr[3], HouseholdID: h[3], EnrollmentID: e[3], PersonalID: p[3], ExitDate: d(9, 2)}}},
		notify.KindHousedExitProposal: notify.HousedExitProposal{ProposalID: "HX-9", ProjectID: pr[4], HouseholdID: h[4], EnrollmentIDs: e[4:6],
			Trigger: "move-in", TriggerEnrollmentID: "E9001", ExitDate: d(10, 15), Destination: 435, ExpiresOn: d(11, 15)},
		notify.KindHoHRedesignation: notify.HoHRedesignation{ProjectID: pr[4], HouseholdID: h[4], ExitedEnrollmentID: e[4], ExitedPersonalID: p[4],
			ExitDate: d(10, 15), OpenEnrollmentIDs: e[5:6]},
		notify.KindDQMReport: notify.DQMReport{ReportID: 7, AsOf: d(11, 1), Since: d(8, 1), ProjectIDs: []string{"1362", "1401"},
			Verdict: "needs attention", Reasons: []notify.DQMReason{{Measure: "open_past_window", Count: 3}}, Findings: 5},
		notify.KindSweepSummary: notify.SweepSummary{SweepID: 4, AsOf: d(12, 2), ExitRunID: 12, Projects: []notify.SweepSummaryProject{
			{ProjectID: pr[0], Households: 2, Enrollments: 3, Alerts: 1}, {ProjectID: "1401", Households: 0, Enrollments: 0, Alerts: 2}},
			Households: 2, Enrollments: 3, Alerts: 3, ExitNotices: 2, Unassigned: 1},
	}
}

func TestN2_NoKindNamesAClient(t *testing.T) {
	t.Parallel()
	f := readFixture(t)
	data := kindData(f)
	require.Len(t, data, len(notify.Kinds), "data for every kind")
	for _, k := range notify.Kinds {
		m, err := notify.Compose(k, data[k])
		require.NoError(t, err, k)
		about, err := json.Marshal(m.About)
		require.NoError(t, err)
		all := strings.Join([]string{m.Subject, m.Text, m.HTML, string(about)}, "\n")
		for _, pii := range f.personal {
			assert.NotContains(t, all, pii, "%s names a client", k)
		}
		assert.NotEmpty(t, m.Subject, k)
		assert.NotContains(t, m.Text, "<no value>", k)
		assert.NotContains(t, m.HTML, "<no value>", k)
		assert.Contains(t, m.Text, "PersonalID and EnrollmentID only", k)
		assert.Contains(t, m.HTML, "<!DOCTYPE html>", k)
	}
	// The IDs are there instead.
	m, err := notify.Compose(notify.KindAutoExitDone, data[notify.KindAutoExitDone])
	require.NoError(t, err)
	assert.Contains(t, m.Text, "Enrollment E1001 (client P101, household H501, project 1362): exit date 2026-09-01")
}

// The templates get structs of IDs, counts, dates and a few fixed words: a field that could carry
// a name (any other text) is refused here.
func TestN2_TemplateDataHoldsIDsCountsAndDatesOnly(t *testing.T) {
	t.Parallel()
	words := map[string]bool{"Method": true, "Trigger": true, "Verdict": true, "Measure": true, "Change": true, "Role": true}
	// The one free text: the reason staff give for an agreement's change (SPEC AG3), about the
	// agreement, not its clients.
	staffText := map[string]bool{"AgreementChange.Note": true}
	var check func(path string, typ reflect.Type)
	check = func(path string, typ reflect.Type) {
		for i := range typ.NumField() {
			fld := typ.Field(i)
			p := path + "." + fld.Name
			switch ft := fld.Type; {
			case ft == reflect.TypeFor[time.Time](), ft.Kind() == reflect.Int, ft.Kind() == reflect.Int64:
			case ft.Kind() == reflect.String:
				assert.True(t, strings.HasSuffix(fld.Name, "ID") || words[fld.Name] || staffText[p], "%s: text that is not an ID", p)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
				assert.True(t, strings.HasSuffix(fld.Name, "IDs"), "%s: a list of text that is not IDs", p)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Int64:
				assert.True(t, strings.HasSuffix(fld.Name, "IDs"), p)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				check(p, ft.Elem())
			default:
				t.Errorf("%s: %s is not an ID, a count or a date", p, ft)
			}
		}
	}
	for _, k := range notify.Kinds {
		typ := notify.DataType(k)
		require.NotNil(t, typ, k)
		check(typ.Name(), typ)
	}
}

func TestComposeTakesTheKindsOwnData(t *testing.T) {
	t.Parallel()
	_, err := notify.Compose(notify.KindAutoAlert, notify.Escalation{})
	assert.EqualError(t, err, "notification About: a auto-alert notification takes a notify.AutoAlert, not notify.Escalation")
	_, err = notify.Compose(notify.KindAutoAlert, &notify.AutoAlert{})
	assert.Error(t, err)
	_, err = notify.Compose("newsletter", nil)
	assert.ErrorContains(t, err, `"newsletter" is not a kind`)
	assert.True(t, notify.Permanent(err))
}

func TestTextsReadWell(t *testing.T) {
	t.Parallel()
	data := kindData(readFixture(t))
	m, err := notify.Compose(notify.KindAgreementNotice, data[notify.KindAgreementNotice])
	require.NoError(t, err)
	assert.Equal(t, "Agreement AG-41-1: 21 enrollments to exit by 2026-12-31", m.Subject)
	assert.Equal(t, `Agency agreement AG-41-1 (organization 41, projects 1362, 1401).

21 open enrollments had no recorded activity for 90 days or more. Please exit them in your HMIS by 2026-12-31, or record the activity they have had:

  E1001, E1002, E1003, E1004, E1005, E1006, NA1, NA2, NB1, NC1, ND1, ND2,
  NE1, NF1, NG1, NH1, NI1, NO1, NP1, NN1, NN2

What your agency does not exit by then will be exited automatically, by the auto-exit policy.

-- 
Sent by exitflow, the CoC's HMIS exit workflow. Clients are named by their HMIS PersonalID and EnrollmentID only: look them up in your HMIS.
`, m.Text)
	m, err = notify.Compose(notify.KindPeriodEndingReminder, data[notify.KindPeriodEndingReminder])
	require.NoError(t, err)
	assert.Contains(t, m.Text, "1 enrollment of the agreement is still open:\n\n  E1001\n\nAfter 2026-12-31 they will be exited administratively.")
	m, err = notify.Compose(notify.KindAutoAlert, data[notify.KindAutoAlert])
	require.NoError(t, err)
	assert.Equal(t, "3 households (4 enrollments) will be auto exited unless activity is recorded", m.Subject)
	assert.Contains(t, m.Text, "As of 2026-10-31, 3 households (4 enrollments, in the projects you are the agency liaison of) had no recorded activity")
	assert.Contains(t, m.Text, `

Project 1362:
  Household H501: last activity 2026-09-01 (60 days inactive); exit recorded on 2026-11-30, with exit date 2026-09-01
    Enrollments: E1001, E1002
  Household H502:`)
	assert.Contains(t, m.Text, "\n\nProject 1401:\n  Household H503: last activity 2026-08-30 (62 days inactive)")
	assert.Contains(t, m.HTML, "<th style=\"text-align: left; padding-right: 1em;\">Project</th>")
	assert.Contains(t, m.HTML, "<td style=\"padding-right: 1em;\">1362</td><td style=\"padding-right: 1em;\">H501</td><td style=\"padding-right: 1em;\">E1001, E1002</td>")
	m, err = notify.Compose(notify.KindAutoExitDone, data[notify.KindAutoExitDone])
	require.NoError(t, err)
	assert.Equal(t, "Auto exits of 2026-12-02: 2 enrollments assigned to you exited", m.Subject)
	assert.Contains(t, m.Text, "The auto exits of 2026-12-02 (run 12) exited 2 enrollments assigned to you")
}

// SPEC AL3: assigned staff are told of their own enrollments only.
func TestAutoAlertToAssignedStaff(t *testing.T) {
	t.Parallel()
	m, err := notify.Compose(notify.KindAutoAlert, notify.AutoAlert{AsOf: day(2026, 12, 2), Role: engine.RoleAssignedStaff,
		Households: []notify.AlertHousehold{{ProjectID: "1362", HouseholdID: "H1", EnrollmentIDs: []string{"E2"}}}})
	require.NoError(t, err)
	assert.Equal(t, "1 household (1 enrollment) will be auto exited unless activity is recorded", m.Subject)
	assert.Contains(t, m.Text, "As of 2026-12-02, 1 household (1 enrollment assigned to you) had no recorded activity")
}

// SPEC N3: the sweep summary to the HMIS staff: counts by project and in all, and no links.
func TestN3_SweepSummaryTextsReadWell(t *testing.T) {
	t.Parallel()
	data := kindData(readFixture(t))
	m, err := notify.Compose(notify.KindSweepSummary, data[notify.KindSweepSummary])
	require.NoError(t, err)
	assert.Equal(t, "Auto-exit sweep of 2026-12-02: 3 enrollments exited, 3 households alerted", m.Subject)
	assert.Equal(t, `Auto-exit sweep 4 of 2026-12-02 (exit run 12) exited 3 enrollments of 2 households and alerted 3 households entering the alert window.

Project          Households Enrollments  Alerted
1362                      2           3        1
1401                      0           0        2
Total                     2           3        3

2 exit notices went to assigned staff. 1 exited enrollment had no assigned staff email (assignment table or UserEmail): nobody was told of them.

Households and enrollments are the exited ones; alerted counts households.

-- 
Sent by exitflow, the CoC's HMIS exit workflow. Clients are named by their HMIS PersonalID and EnrollmentID only: look them up in your HMIS.
`, m.Text)
	assert.Contains(t, m.HTML, "<td style=\"padding-right: 1em;\">1401</td><td style=\"text-align: right; padding-right: 1em;\">0</td>")
	assert.Contains(t, m.HTML, "<th style=\"text-align: left; padding-right: 1em;\">Total</th>")
	for _, part := range []string{m.Text, m.HTML} {
		assert.NotContains(t, part, "http")
		assert.NotContains(t, part, "href")
	}
	m, err = notify.Compose(notify.KindSweepSummary, notify.SweepSummary{SweepID: 5, AsOf: day(2026, 12, 3)})
	require.NoError(t, err)
	assert.Equal(t, "Auto-exit sweep of 2026-12-03: 0 enrollments exited, 0 households alerted", m.Subject)
	assert.Contains(t, m.Text, "No project had exits or alerts.\n\n0 exit notices went to assigned staff.\n")
	assert.Contains(t, m.HTML, "<p>No project had exits or alerts.</p>")
}

// SPEC N3: the kinds, as ParseKind reads them, include the sweep summary, and its name is fixed.
func TestN3_KindsIncludeTheSweepSummary(t *testing.T) {
	t.Parallel()
	assert.Contains(t, notify.Kinds, notify.KindSweepSummary)
	assert.Equal(t, notify.Kind("sweep-summary"), notify.KindSweepSummary)
	k, err := notify.ParseKind(" sweep-summary ")
	require.NoError(t, err)
	assert.Equal(t, notify.KindSweepSummary, k)
	assert.True(t, strings.HasSuffix(notify.KindNames(), ", dqm-report, sweep-summary"), notify.KindNames())
	assert.Equal(t, reflect.TypeFor[notify.SweepSummary](), notify.DataType(notify.KindSweepSummary))
}

func TestAgreementChangeTextsReadWell(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	change := func(c, note string) notify.Message {
		t.Helper()
		m, err := notify.Compose(notify.KindAgreementChange, notify.AgreementChange{AgreementID: "AG-41-1", OrganizationID: "41",
			ProjectIDs: []string{"1362", "1401"}, Change: c, Note: note, PeriodEnds: end})
		require.NoError(t, err, c)
		return m
	}
	m := change(notify.ChangeExtended, "the agency's data entry staff are on leave until December")
	assert.Equal(t, "Agreement AG-41-1: the period is extended to 2026-12-31", m.Subject)
	assert.Equal(t, `The period of agency agreement AG-41-1 (organization 41, projects 1362, 1401) has been extended: it now ends on 2026-12-31.

The reason, as given:

  the agency's data entry staff are on leave until December

-- 
Sent by exitflow, the CoC's HMIS exit workflow. Clients are named by their HMIS PersonalID and EnrollmentID only: look them up in your HMIS.
`, m.Text)
	assert.Contains(t, m.HTML, "<blockquote")
	assert.Contains(t, m.HTML, "the agency&#39;s data entry staff", "the note is escaped in HTML")

	m = change(notify.ChangePaused, "<b>exits of project 1401 look wrong</b>")
	assert.Equal(t, "Agreement AG-41-1: paused, an issue was reported", m.Subject)
	assert.Contains(t, m.Text, "is paused: an issue was reported. Nothing is exited until the issue is resolved and the agreement resumed.\n\nThe issue, as given:\n\n  <b>exits")
	assert.NotContains(t, m.HTML, "<b>exits", "the note is text, not HTML")

	m = change(notify.ChangeResumed, "")
	assert.Equal(t, "Agreement AG-41-1: resumed, the period ends on 2026-12-31", m.Subject)
	assert.NotContains(t, m.Text, "as given", "no note, no quote")
	assert.NotContains(t, m.HTML, "<blockquote")

	m = change(notify.ChangeCancelled, "duplicate of AG-41-2")
	assert.Equal(t, "Agreement AG-41-1: cancelled", m.Subject)
	assert.Contains(t, m.Text, "has been cancelled: exitflow takes no further step for it")
	assert.Contains(t, m.Text, "The reason, as given:\n\n  duplicate of AG-41-2\n")
}

func TestLongIDListsWrap(t *testing.T) {
	t.Parallel()
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = "ENR-" + strings.Repeat("9", 6)
	}
	m, err := notify.Compose(notify.KindProcessBegins, notify.ProcessBegins{AgreementID: "A", Method: "admin", EnrollmentIDs: ids})
	require.NoError(t, err)
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, "  ENR-") {
			assert.LessOrEqual(t, len(line), 76, line)
		}
	}
	assert.Equal(t, 40, strings.Count(m.Text, "ENR-"))
}
