package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numericCoCEnv imports internal/engine/testdata/policy with the projects PSO and PSSO renamed 9
// and 10 (as text "10" sorts before "9") and returns the environment to reach it.
func numericCoCEnv(t *testing.T) []string {
	t.Helper()
	rename := strings.NewReplacer(",PSO,", ",9,", ",PSSO,", ",10,", "\nPSO,", "\n9,", "\nPSSO,", "\n10,")
	dir := copyCSVs(t, "../internal/engine/testdata/policy", func(b []byte) []byte { return []byte(rename.Replace(string(b))) })
	return cliCoC(t, "_num", dir, "EXITFLOW_TIMEZONE=UTC")
}

// lineOf is the index of the first line of out that matches re, or -1.
func lineOf(out string, re string) int {
	for i, l := range strings.Split(out, "\n") {
		if regexp.MustCompile(re).MatchString(l) {
			return i
		}
	}
	return -1
}

func TestTablesShowNamesAndPut9Before10(t *testing.T) {
	env := numericCoCEnv(t)
	out, errOut, code := cli(t, env, "policy", "set", "--default", "--auto-exit-days", "30", "--actor", "Dana")
	require.Equal(t, 3, code, errOut)
	assert.Contains(t, out, "6 projects that take the policy from this scope (9, 10, PES, PNBN, POT, PSSO2)")
	_, errOut, code = cli(t, env, "policy", "set", "--project", "10", "--auto-exit-days", "90", "--actor", "Dana", "--yes")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(t, env, "policy", "set", "--project", "9", "--auto-exit-days", "365", "--alert-days", "300", "--actor", "Dana")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(t, env, "policy", "set", "--organization", "O2", "--auto-exit-days", "100", "--actor", "Dana", "--yes")
	require.Equal(t, 0, code, errOut)

	out, errOut, code = cli(t, env, "policy", "show")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^PROJECT\s+NAME\s+ORGANIZATION\s+TYPE\s+POLICY FROM`, out)
	nine := lineOf(out, `^9\s+Street Outreach\s+O1 \(Agency One\)\s+4\s+project 9\s+365\s+300\s+last-bed-night`)
	ten := lineOf(out, `^10\s+Services Only\s+O2 \(Agency Two\)\s+6\s+project 10\s+90\s+-\s+last-bed-night`)
	pes := lineOf(out, `^PES\s+ES Entry Exit\s+O1 \(Agency One\)\s+0\s+built-in\s+off`)
	assert.True(t, nine >= 0 && ten > nine && pes > ten, "9, then 10, then the other IDs:\n%s", out)
	assert.Contains(t, out, "  project 9 (Street Outreach): auto exit 365 days")
	assert.Contains(t, out, "  organization O2 (Agency Two): auto exit 100 days")
	assert.Less(t, strings.Index(out, "  project 9 ("), strings.Index(out, "  project 10 ("), out)

	// The CSV and JSON keep the text order of their contract.
	recs := mustCSV(t, mustCLI(t, env, "policy", "show", "--format", "csv"))
	assert.Equal(t, PolicyShowHeader, recs[0])
	var ids []string
	for _, r := range recs[1:] {
		ids = append(ids, r[0])
	}
	assert.Equal(t, []string{"10", "9", "PES", "PNBN", "POT", "PSSO2"}, ids)
	assert.Equal(t, []string{"9", "O1", "4", "project", "9", "365", "300", "last-bed-night", "{}"}, recs[2])

	asOf := []string{"--as-of", policyFixtureAsOf.Format(time.DateOnly), "--project", "9", "--project", "10"}
	out = mustCLI(t, env, append([]string{"preview"}, asOf...)...)
	nine = lineOf(out, `^Project 9 \(Street Outreach, type 4\), policy from project: auto exit 365 days, alert 300$`)
	ten = lineOf(out, `^Project 10 \(Services Only, type 6\), policy from project: auto exit 90 days$`)
	assert.True(t, nine >= 0 && ten > nine, "9 before 10, with names:\n%s", out)
	recs = mustCSV(t, mustCLI(t, env, append([]string{"preview", "--format", "csv"}, asOf...)...))
	assert.Equal(t, "10", recs[1][1], "the CSV contract: sorted by ProjectID as text")
	assert.Equal(t, "9", recs[len(recs)-1][1])
}

// mustCLI runs a command that must succeed and returns its output.
func mustCLI(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, env, args...)
	require.Equal(t, 0, code, "%v: %s", args, errOut)
	return out
}

func TestReportTableOrderBreaksTiesByNumber(t *testing.T) {
	rep := &engine.Report{
		Organizations: []engine.OrganizationReport{{OrganizationID: "10"}, {OrganizationID: "9"}, {OrganizationID: "A", OrganizationName: "Hope"}},
		Projects: []engine.ProjectReport{
			{ProjectID: "20", OrganizationID: "10", ProjectName: "Shelter"},
			{ProjectID: "3", OrganizationID: "10", ProjectName: "Shelter"},
			{ProjectID: "1", OrganizationID: "9", ProjectName: "Outreach"},
			{ProjectID: "100", OrganizationID: "A", OrganizationName: "Hope", ProjectName: "Hope SSO"},
			{ProjectID: "11", OrganizationID: "A", OrganizationName: "Hope", ProjectName: "Hope SSO"},
		},
	}
	orgs, projects := reportTableOrder(rep)
	var got []string
	for _, o := range orgs {
		got = append(got, o.OrganizationID)
	}
	assert.Equal(t, []string{"9", "10", "A"}, got)
	got = nil
	for _, p := range projects {
		got = append(got, p.ProjectID)
	}
	assert.Equal(t, []string{"1", "3", "20", "11", "100"}, got)
	assert.Equal(t, "10", rep.Organizations[0].OrganizationID, "the report itself (CSV, JSON) is not reordered")
}
