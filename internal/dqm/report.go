// Package dqm is the follow-up data quality monitoring of exits (SPEC Q1–Q3): measures per project
// and in total over a period, a verdict with its reasons, the comparison with the previous report,
// the report kept in PostgreSQL, and its HTML and CSV forms. It reads what the engine keeps and
// depends on the engine, never the reverse. IDs and counts only (SPEC N2).
package dqm

import "time"

// Measure names one DQM measure, as measures.csv's Measure column gives it.
type Measure string

// The measures (SPEC Q1), in their report order.
const (
	OpenEnrollments        Measure = "open_enrollments"
	OpenHouseholds         Measure = "open_households"
	PastWindow             Measure = "past_window"
	AlertWindowHouseholds  Measure = "alert_window_households"
	ExitsCaseManager       Measure = "exits_case_manager"
	ExitsAutoInactivity    Measure = "exits_auto_inactivity"
	ExitsAdmin             Measure = "exits_admin"
	ExitsAutoHoused        Measure = "exits_auto_housed"
	ExitsUndone            Measure = "exits_undone"
	ExitsDestination30Pct  Measure = "exits_destination_30_pct"
	ExitsDestination89Pct  Measure = "exits_destination_8_9_pct"
	ExitsDestination99Pct  Measure = "exits_destination_99_pct"
	ExitsBeforeEntry       Measure = "exits_before_entry"
	ExitsAfterAsOf         Measure = "exits_after_as_of"
	NbnExitDateOff         Measure = "nbn_exit_date_off"
	BedNightsOnOrAfterExit Measure = "bed_nights_on_or_after_exit"
	Q6fNbnNoBedNight90d    Measure = "q6f_nbn_no_bed_night_90d"
	Q6fSoNoContact90d      Measure = "q6f_so_no_contact_90d"
	FutureDatedActivity    Measure = "future_dated_activity"
	HouseholdsHohExited    Measure = "households_hoh_exited"
	HouseholdsHohNotOne    Measure = "households_hoh_not_one"
)

// Measures are all measures in report order.
var Measures = []Measure{OpenEnrollments, OpenHouseholds, PastWindow, AlertWindowHouseholds,
	ExitsCaseManager, ExitsAutoInactivity, ExitsAdmin, ExitsAutoHoused, ExitsUndone,
	ExitsDestination30Pct, ExitsDestination89Pct, ExitsDestination99Pct, ExitsBeforeEntry, ExitsAfterAsOf,
	NbnExitDateOff, BedNightsOnOrAfterExit, Q6fNbnNoBedNight90d, Q6fSoNoContact90d, FutureDatedActivity,
	HouseholdsHohExited, HouseholdsHohNotOne}

// Percent reports whether m is a percentage (one decimal) rather than a count.
func (m Measure) Percent() bool {
	return m == ExitsDestination30Pct || m == ExitsDestination89Pct || m == ExitsDestination99Pct
}

// LowerIsBetter reports whether a fall of m is an improvement; the others (open enrollments,
// exits by method, the alert window) are described, not judged: their Change is empty.
func (m Measure) LowerIsBetter() bool {
	switch m {
	case OpenEnrollments, OpenHouseholds, AlertWindowHouseholds, ExitsCaseManager, ExitsAutoInactivity,
		ExitsAdmin, ExitsAutoHoused, ExitsUndone:
		return false
	}
	return true
}

// Verdicts (SPEC Q2).
const (
	WorkingAsPlanned = "working as planned"
	NeedsAttention   = "needs attention"
)

// Change of a measure since the previous report.
const (
	Better = "better"
	Worse  = "worse"
	Same   = "same"
)

// Value is one measure's value: a count, or a percentage with one decimal; Valid false when it
// does not apply (a percentage of no exits).
type Value struct {
	N     float64
	Valid bool
}

// MeasureRow is one measure of one project (or of the total: ProjectID "").
type MeasureRow struct {
	Measure  Measure
	Value    Value
	Previous Value  // the previous report's value for the same project; !Valid on a first report
	Change   string // Better, Worse, Same or "" (not judged, or nothing to compare)
}

// ProjectReport is one project's measures, with what the chart needs.
type ProjectReport struct {
	ProjectID        string
	ProjectName      string // staff-facing project name from Project.csv (not client data)
	OrganizationID   string
	OrganizationName string
	ProjectType      int
	AutoExitDays     *int // the effective policy's thresholds, marked on the chart; nil: off
	AlertDays        *int
	Measures         []MeasureRow // in Measures order
	// Buckets are the open enrollments by the household's days since last activity: 0–30, 31–60,
	// 61–90, 91–180, 181–365, over 365 (BucketLabels).
	Buckets [6]int
}

// BucketLabels name the chart's buckets of days since last activity.
var BucketLabels = [6]string{"0–30", "31–60", "61–90", "91–180", "181–365", "over 365"}

// BucketOf is the bucket of days since last activity.
func BucketOf(days int) int {
	switch {
	case days <= 30:
		return 0
	case days <= 60:
		return 1
	case days <= 90:
		return 2
	case days <= 180:
		return 3
	case days <= 365:
		return 4
	}
	return 5
}

// Finding is one enrollment behind a non-zero finding (findings.csv). IDs only.
type Finding struct {
	Finding      Measure
	ProjectID    string
	HouseholdID  string
	EnrollmentID string
	PersonalID   string
	Date         *time.Time // the date the finding is about (exit date, activity date), if any
	Detail       string     // IDs, dates and counts only
}

// Reason is one failing measure of a "needs attention" verdict.
type Reason struct {
	Measure Measure `json:"measure"`
	Count   int     `json:"count"`
	Text    string  `json:"text"` // "3 open enrollments past the auto-exit window where auto exit is on"
}

// Report is one stored DQM report.
type Report struct {
	ID             int64
	AsOf           time.Time
	Since          time.Time // the period is (Since, AsOf]
	Projects       []string  // the projects it covers, in CompareIDs order
	OrganizationID string    // the organization asked for, if any
	WholeCoC       bool      // no project or organization was given
	CreatedAt      time.Time
	Actor          string
	PreviousID     int64 // the previous report of the same projects (0: none)
	Verdict        string
	Reasons        []Reason
	Total          []MeasureRow // the totals, in Measures order
	ProjectReports []ProjectReport
	Findings       []Finding
}
