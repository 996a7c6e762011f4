package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/samples"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC Q4 through the CLI: the CSV contract, sorted by organization then project, and counts that
// match what `exitflow preview` lists for the same date.
func TestReportCandidatesCSVContract(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	out, errOut, code := cli(t, env, "report", "candidates", "--as-of", "2022-09-30", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	recs := mustCSV(t, out)
	require.Equal(t, strings.Join(ReportCandidatesHeader, ","), strings.Join(recs[0], ","))
	require.Equal(t, "ProjectID,ProjectName,OrganizationID,OrganizationName,ProjectType,PolicyScope,AutoExitDays,AlertDays,NbnBenchmark,"+
		"OpenEnrollments,OpenHouseholds,PastWindowEnrollments,PastWindowHouseholds,AlertWindowEnrollments,AlertWindowHouseholds,"+
		"PastReferenceEnrollments,PastReferenceHouseholds,OldestLastActivity,OldestDaysInactive", strings.Join(recs[0], ","))
	require.Greater(t, len(recs), 2)

	previewOut, errOut, code := cli(t, env, "preview", "--as-of", "2022-09-30", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	exits, alerts := map[string]int{}, map[string]int{}
	for _, r := range mustCSV(t, previewOut)[1:] {
		if r[0] == "exit" {
			exits[r[1]]++
		} else {
			alerts[r[1]]++
		}
	}

	prev := ""
	on := 0
	for _, r := range recs[1:] {
		require.Len(t, r, len(ReportCandidatesHeader))
		key := r[3] + "\x00" + r[2] + "\x00" + r[1] + "\x00" + r[0]
		assert.Less(t, prev, key, "sorted by organization, then project")
		prev = key
		open, err := strconv.Atoi(r[9])
		require.NoError(t, err)
		assert.Greater(t, open, 0, "only projects with open enrollments")
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[17])
		if r[6] != "" { // auto exit on: past window and alert counts, no reference count
			on++
			assert.Equal(t, strconv.Itoa(exits[r[0]]), r[11], "project %s: past window = preview exits", r[0])
			if r[7] != "" {
				assert.Equal(t, strconv.Itoa(alerts[r[0]]), r[13], "project %s: alert window = preview alerts", r[0])
			}
			assert.Equal(t, "", r[15])
			delete(exits, r[0])
			delete(alerts, r[0])
		} else {
			assert.Equal(t, "", r[11])
			assert.Equal(t, "", r[13])
			assert.Regexp(t, `^\d+$`, r[15])
		}
	}
	assert.Greater(t, on, 0)
	assert.Empty(t, exits, "every project preview exits is in the report")
	assert.Empty(t, alerts)
}

func TestReportCandidatesJSONAndTable(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	out, errOut, code := cli(t, env, "report", "candidates", "--as-of", "2022-09-30", "--format", "json", "--window-days", "120")
	require.Equal(t, 0, code, errOut)
	var doc struct {
		AsOf          string           `json:"as_of"`
		ReferenceDays int              `json:"reference_days"`
		Projects      []map[string]any `json:"projects"`
		Organizations []map[string]any `json:"organizations"`
		Totals        map[string]int   `json:"totals"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "2022-09-30", doc.AsOf)
	assert.Equal(t, 120, doc.ReferenceDays)
	require.NotEmpty(t, doc.Projects)
	open := 0
	for _, p := range doc.Projects {
		open += int(p["open_enrollments"].(float64))
		assert.NotContains(t, p, "personal_id", "IDs of projects only")
	}
	assert.Equal(t, open, doc.Totals["open_enrollments"])
	orgOpen := 0
	for _, o := range doc.Organizations {
		orgOpen += int(o["open_enrollments"].(float64))
	}
	assert.Equal(t, open, orgOpen)

	out, errOut, code = cli(t, env, "report", "candidates", "--as-of", "2022-09-30")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Candidate projects as of 2022-09-30")
	assert.Contains(t, out, "agency total")
	assert.Contains(t, out, "Total: "+strconv.Itoa(len(doc.Projects))+" projects of "+strconv.Itoa(len(doc.Organizations))+" agencies: open "+strconv.Itoa(open)+" enrollments")

	// --project lists a project even without open enrollments on that date.
	out, errOut, code = cli(t, env, "report", "candidates", "--as-of", "2022-09-30", "--format", "csv", "--project", doc.Projects[0]["project_id"].(string))
	require.Equal(t, 0, code, errOut)
	assert.Len(t, mustCSV(t, out), 2)
}

func TestReportCandidatesBadInput(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--as-of", "2024-02-30"}, `--as-of "2024-02-30": not a calendar date (February 2024 has 29 days)`},
		{[]string{"--as-of", "2001-01-01"}, `--as-of 2001-01-01 is before the data starts`},
		{[]string{"--project", "nope"}, `--project nope: no such project`},
		{[]string{"--format", "xml"}, `--format "xml": want table, csv or json`},
		{[]string{"--window-days", "29"}, `--window-days 29: want 30 or more`},
		{[]string{"extra"}, `unknown command "extra"`},
	} {
		_, errOut, code := cli(t, env, append([]string{"report", "candidates"}, tc.args...)...)
		assert.NotEqual(t, 0, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
