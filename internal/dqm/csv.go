package dqm

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// measuresCSVHeader and findingsCSVHeader are the header rows of measures.csv and findings.csv.
var (
	measuresCSVHeader = []string{"ProjectID", "OrganizationID", "Measure", "Value", "Previous", "Change"}
	findingsCSVHeader = []string{"Finding", "ProjectID", "HouseholdID", "EnrollmentID", "PersonalID", "Date", "Detail"}
)

// WriteMeasuresCSV writes measures.csv: one row per project and measure, then the totals.
func WriteMeasuresCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(measuresCSVHeader); err != nil {
		return fmt.Errorf("dqm: measures.csv header: %w", err)
	}
	for _, pr := range r.ProjectReports {
		if err := writeMeasureRows(cw, pr.ProjectID, pr.OrganizationID, pr.Measures); err != nil {
			return err
		}
	}
	if err := writeMeasureRows(cw, "", "", r.Total); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("dqm: measures.csv: %w", err)
	}
	return nil
}

// writeMeasureRows writes the measures of one project (or of the total: empty IDs).
func writeMeasureRows(cw *csv.Writer, projectID, orgID string, rows []MeasureRow) error {
	for _, m := range rows {
		rec := []string{projectID, orgID, string(m.Measure),
			csvValue(m.Measure, m.Value), csvValue(m.Measure, m.Previous), m.Change}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("dqm: measures.csv project %q measure %s: %w", projectID, m.Measure, err)
		}
	}
	return nil
}

// csvValue is a value as measures.csv gives it: a count as an integer, a percentage with one
// decimal, empty when not valid.
func csvValue(m Measure, v Value) string {
	if !v.Valid {
		return ""
	}
	if m.Percent() {
		return strconv.FormatFloat(v.N, 'f', 1, 64)
	}
	return strconv.FormatInt(int64(math.Round(v.N)), 10)
}

// WriteFindingsCSV writes findings.csv: one row per finding, IDs, dates and counts only.
func WriteFindingsCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(findingsCSVHeader); err != nil {
		return fmt.Errorf("dqm: findings.csv header: %w", err)
	}
	for _, f := range r.Findings {
		date := ""
		if f.Date != nil {
			date = f.Date.Format("2006-01-02")
		}
		rec := []string{string(f.Finding), f.ProjectID, f.HouseholdID, f.EnrollmentID, f.PersonalID, date, f.Detail}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("dqm: findings.csv enrollment %q: %w", f.EnrollmentID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("dqm: findings.csv: %w", err)
	}
	return nil
}
