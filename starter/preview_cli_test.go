package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/samples"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPreviewCSVContract(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	out, errOut, code := cli(t, env, "preview", "--as-of", "2022-09-30", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "Action,ProjectID,HouseholdID,EnrollmentID,PersonalID,LastActivityDate,LastActivitySource,DaysInactive,ExitOn,ExitDate,Destination,DestinationSubsidyType,Reason",
		strings.Join(recs[0], ","))
	require.Greater(t, len(recs), 5)
	sources := map[string]bool{"entry": true, "service": true, "bed-night": true, "current-living-situation": true,
		"assessment": true, "event": true, "update-assessment": true, "custom": true}
	prev := ""
	for _, r := range recs[1:] {
		assert.Contains(t, []string{"exit", "alert"}, r[0])
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[5])
		assert.True(t, sources[r[6]], r[6])
		assert.Regexp(t, `^\d+$`, r[7])
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[8])
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[9])
		assert.Equal(t, "30", r[10], "SPEC F1: no exit interview completed")
		assert.Equal(t, "", r[11], "no subsidy without a default")
		if r[0] == "exit" {
			assert.Equal(t, "2022-09-30", r[8], "an exit is recorded on the as-of date")
		}
		key := r[1] + "\x00" + r[2] + "\x00" + r[3]
		assert.Less(t, prev, key, "sorted by ProjectID, HouseholdID, EnrollmentID")
		prev = key
	}

	out, _, code = cli(t, env, "preview", "--as-of", "2022-09-30", "--format", "json")
	require.Equal(t, 0, code)
	var doc struct {
		Rows   []map[string]any `json:"rows"`
		Totals map[string]int   `json:"totals"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Len(t, doc.Rows, len(recs)-1)
	assert.Equal(t, len(recs)-1, doc.Totals["exit_enrollments"]+doc.Totals["alert_enrollments"])

	out, _, code = cli(t, env, "preview", "--as-of", "2022-09-30")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "as of 2022-09-30 (auto): exit ")

	out, errOut, code = cli(t, env, "preview", "--as-of", "2022-09-30", "--method", "admin", "--project", "1551", "--all-open", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	for _, r := range mustCSV(t, out)[1:] {
		assert.Equal(t, "Administrative exit", r[12])
		assert.Equal(t, "exit", r[0])
	}
}

func TestPreviewBadInput(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--as-of", "2024-02-30"}, `--as-of "2024-02-30": not a calendar date (February 2024 has 29 days)`},
		{[]string{"--as-of", "30/09/2022"}, `--as-of "30/09/2022": not a date (want YYYY-MM-DD)`},
		{[]string{"--as-of", "2001-01-01"}, `--as-of 2001-01-01 is before the data starts`},
		{[]string{"--project", "nope"}, `--project nope: no such project`},
		{[]string{"--method", "fast"}, `--method "fast": want auto or admin`},
		{[]string{"--format", "xml"}, `--format "xml": want table, csv or json`},
		{[]string{"--method", "admin"}, `administrative exits need the agreement's projects`},
		{[]string{"--method", "admin", "--project", "1396", "--as-of", "2022-09-30"}, `has auto exit off, so it has no window: give --window-days N`},
		{[]string{"--method", "admin", "--project", "1396", "--window-days", "29"}, `--window-days 29: want 30 or more`},
		{[]string{"--window-days", "90"}, `--window-days and --all-open are for --method admin`},
	} {
		_, errOut, code := cli(t, env, append([]string{"preview"}, tc.args...)...)
		assert.NotEqual(t, 0, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
