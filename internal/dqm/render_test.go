package dqm

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renderTestRows are one value per measure: percentages 12.5 (30), invalid (99), the rest counts.
func renderTestRows(base float64, first bool) []MeasureRow {
	rows := make([]MeasureRow, 0, len(Measures))
	for i, m := range Measures {
		row := MeasureRow{Measure: m, Value: Value{N: base + float64(i), Valid: true}}
		switch m {
		case ExitsDestination30Pct:
			row.Value = Value{N: 12.5, Valid: true}
		case ExitsDestination89Pct:
			row.Value = Value{N: 1.0 / 3 * 10, Valid: true}
		case ExitsDestination99Pct:
			row.Value = Value{}
		}
		if !first {
			row.Previous = Value{N: row.Value.N + 1, Valid: row.Value.Valid}
			if m.LowerIsBetter() && row.Value.Valid {
				row.Change = Better
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// renderTestReport is a report of two projects, one with auto exit off, and 25 findings of one
// kind (more than the HTML lists) and one of another.
func renderTestReport() *Report {
	day := func(s string) time.Time {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	alert, exit := 80, 90
	r := &Report{
		ID: 7, AsOf: day("2026-01-31"), Since: day("2026-01-01"), Projects: []string{"P1", "P2"},
		OrganizationID: "O1", CreatedAt: day("2026-02-01"), Actor: "staff1", PreviousID: 6,
		Verdict: NeedsAttention,
		Reasons: []Reason{{Measure: PastWindow, Count: 3,
			Text: "3 open enrollments past the auto-exit window where auto exit is on"}},
		Total: renderTestRows(1000, false),
		ProjectReports: []ProjectReport{
			{ProjectID: "P1", ProjectName: "Night Shelter", OrganizationID: "O1", OrganizationName: "Agency One",
				ProjectType: 1, AutoExitDays: &exit, AlertDays: &alert, Measures: renderTestRows(1, false),
				Buckets: [6]int{120, 40, 12, 3, 0, 1}},
			{ProjectID: "P2", ProjectName: "Outreach", OrganizationID: "O1", OrganizationName: "Agency One",
				ProjectType: 4, AlertDays: &alert, Measures: renderTestRows(2, true),
				Buckets: [6]int{5, 4, 3, 2, 1, 0}},
		},
	}
	d := day("2026-02-03")
	for i := range 25 {
		r.Findings = append(r.Findings, Finding{Finding: PastWindow, ProjectID: "P1", HouseholdID: fmt.Sprintf("H%d", i),
			EnrollmentID: fmt.Sprintf("E%03d", i), PersonalID: fmt.Sprintf("C%d", i), Date: &d, Detail: "last activity 2025-10-01"})
	}
	r.Findings = append(r.Findings, Finding{Finding: HouseholdsHohExited, ProjectID: "P2", HouseholdID: "H9",
		EnrollmentID: "E900", PersonalID: "C900"})
	return r
}

func TestWriteMeasuresCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteMeasuresCSV(&buf, renderTestReport()))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	assert.Equal(t, []string{"ProjectID", "OrganizationID", "Measure", "Value", "Previous", "Change"}, recs[0])
	require.Len(t, recs, 1+2*21+21)

	find := func(project string, m Measure) []string {
		for _, rec := range recs[1:] {
			if rec[0] == project && rec[2] == string(m) {
				return rec
			}
		}
		t.Fatalf("no row for %q %s", project, m)
		return nil
	}
	assert.Equal(t, []string{"P1", "O1", "exits_destination_30_pct", "12.5", "13.5", "better"}, find("P1", ExitsDestination30Pct))
	assert.Equal(t, "3.3", find("P1", ExitsDestination89Pct)[3])
	assert.Equal(t, []string{"P1", "O1", "exits_destination_99_pct", "", "", ""}, find("P1", ExitsDestination99Pct))
	assert.Equal(t, []string{"P2", "O1", "open_enrollments", "2", "", ""}, find("P2", OpenEnrollments))
	assert.Equal(t, []string{"", "", "open_households", "1001", "1002", ""}, find("", OpenHouseholds))
	assert.Equal(t, "P1", recs[1][0])
	assert.Equal(t, string(Measures[0]), recs[1][2])
	assert.Equal(t, "", recs[len(recs)-1][0])
	assert.Equal(t, string(Measures[len(Measures)-1]), recs[len(recs)-1][2])
}

func TestWriteFindingsCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteFindingsCSV(&buf, renderTestReport()))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"Finding", "ProjectID", "HouseholdID", "EnrollmentID", "PersonalID", "Date", "Detail"}, recs[0])
	require.Len(t, recs, 1+26)
	assert.Equal(t, []string{"past_window", "P1", "H0", "E000", "C0", "2026-02-03", "last activity 2025-10-01"}, recs[1])
	assert.Equal(t, []string{"households_hoh_exited", "P2", "H9", "E900", "C900", "", ""}, recs[26])
}

func TestWriteHTML(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteHTML(&buf, renderTestReport()))
	page := buf.String()

	verdict := strings.Index(page, NeedsAttention)
	table := strings.Index(page, "<table")
	require.GreaterOrEqual(t, verdict, 0)
	require.GreaterOrEqual(t, table, 0)
	assert.Less(t, verdict, table, "the verdict comes before the first table")
	assert.Less(t, strings.Index(page, "3 open enrollments past the auto-exit window"), table)

	text := regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+`).ReplaceAllString(page, "")
	lower := strings.ToLower(page)
	assert.NotContains(t, lower, "<script")
	assert.NotRegexp(t, `(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`, page)
	assert.NotContains(t, lower, "<svg")
	assert.NotContains(t, lower, "<link")

	assert.Contains(t, page, "organization Agency One (O1)")
	assert.Contains(t, page, "as of 2026-01-31")
	assert.Contains(t, page, "from 2026-01-02 to 2026-01-31")
	assert.Contains(t, page, "Night Shelter (P1)")
	assert.Contains(t, page, "auto exit off")
	assert.Contains(t, page, "auto exit after 90 days")
	assert.Contains(t, page, measureLabels[PastWindow])
	assert.Contains(t, page, "12.5 %")
	assert.Contains(t, page, "1,000")
	assert.Contains(t, page, "findings.csv")
	assert.Contains(t, text, ">E019<")
	assert.NotContains(t, text, "E020", "at most 20 rows per kind")
	assert.Contains(t, text, "and 5 more")

	imgs := regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"`).
		FindAllStringSubmatch(page, -1)
	assert.Equal(t, 3, strings.Count(page, "data:image/png;base64,"))
	require.Len(t, imgs, 2+1, "one chart per project and one for the total")
	for _, m := range imgs {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(bytes.NewReader(raw))
		require.NoError(t, err)
		assert.Equal(t, chartWidthPx, cfg.Width)
		assert.Equal(t, chartHeightPx, cfg.Height)
		assert.Equal(t, fmt.Sprint(chartWidthPx), m[2])
		assert.Equal(t, fmt.Sprint(chartHeightPx), m[3])
	}
}

func TestWriteHTMLWorkingAsPlanned(t *testing.T) {
	r := renderTestReport()
	r.Verdict, r.Reasons, r.Findings, r.PreviousID = WorkingAsPlanned, nil, nil, 0
	r.WholeCoC, r.OrganizationID = true, ""
	var buf bytes.Buffer
	require.NoError(t, WriteHTML(&buf, r))
	page := buf.String()
	assert.Contains(t, page, WorkingAsPlanned)
	assert.NotContains(t, page, NeedsAttention)
	assert.Contains(t, page, "the whole CoC")
	assert.Contains(t, page, "No findings.")
	assert.Contains(t, page, "first report")
}

func TestBucketChart(t *testing.T) {
	alert, exit := 80, 400
	for _, c := range []struct {
		buckets     [6]int
		alert, exit *int
	}{{[6]int{}, nil, nil}, {[6]int{1, 2, 3, 4, 5, 123456}, &alert, &exit}} {
		b, err := bucketChart("test", c.buckets, c.alert, c.exit)
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, [2]int{chartWidthPx, chartHeightPx}, [2]int{cfg.Width, cfg.Height})
	}
}

func TestChartThresholdX(t *testing.T) {
	assert.InDelta(t, 0.5, chartThresholdX(30), 1e-9)
	assert.InDelta(t, 2.5, chartThresholdX(90), 1e-9, "the last day of a bucket is its right edge")
	assert.InDelta(t, 1.5+20.0/30, chartThresholdX(80), 1e-9)
	assert.InDelta(t, 3.5, chartThresholdX(180), 1e-9)
	assert.InDelta(t, 5, chartThresholdX(400), 1e-9)
	for d := range 400 {
		i := BucketOf(d)
		x := chartThresholdX(d)
		assert.True(t, x > float64(i)-0.5 && x <= float64(i)+0.5, "day %d at %v outside bucket %d", d, x, i)
	}
}

func TestGroupThousandsForHTML(t *testing.T) {
	assert.Equal(t, "0", groupThousands(0))
	assert.Equal(t, "999", groupThousands(999))
	assert.Equal(t, "1,000", groupThousands(1000))
	assert.Equal(t, "-1,234,567", groupThousands(-1234567))
}
