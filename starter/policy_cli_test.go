package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policyFixtureAsOf is the date internal/engine/testdata/policy is built around (see its README.md).
var policyFixtureAsOf = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// policyCoCEnv makes a database through the CLI holding the policy fixture with every date shifted
// so that its as-of date is today (policy set previews as of today, SPEC P7), and returns the
// environment to reach it (time zone UTC, so "today" is known here).
func policyCoCEnv(t *testing.T) []string {
	t.Helper()
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	shift := int(today.Sub(policyFixtureAsOf).Hours() / 24)
	dir := copyCSVs(t, "../internal/engine/testdata/policy", func(b []byte) []byte {
		return isoDate.ReplaceAllFunc(b, func(d []byte) []byte {
			x, err := time.Parse(time.DateOnly, string(d))
			require.NoError(t, err)
			return []byte(x.AddDate(0, 0, shift).Format(time.DateOnly))
		})
	})
	return cliCoC(t, "_pol", dir, "EXITFLOW_TIMEZONE=UTC")
}

// policyRows reads `policy show --format csv` as ProjectID → record.
func policyRows(t *testing.T, env []string, args ...string) map[string][]string {
	t.Helper()
	out, errOut, code := cli(t, env, append([]string{"policy", "show", "--format", "csv"}, args...)...)
	require.Equal(t, 0, code, errOut)
	recs := mustCSV(t, out)
	require.Equal(t, "ProjectID,OrganizationID,ProjectType,Scope,ScopeID,AutoExitDays,AlertDays,NbnBenchmark,ExitDefaults", strings.Join(recs[0], ","))
	m := map[string][]string{}
	for _, r := range recs[1:] {
		m[r[0]] = r
	}
	return m
}

func TestPolicyCLI_SetNeedsYesShowAndHistory(t *testing.T) {
	env := policyCoCEnv(t)

	// P2: built-in defaults, scope "built-in".
	rows := policyRows(t, env)
	assert.Equal(t, []string{"PSSO", "O2", "6", "built-in", "", "90", "80", "last-bed-night", "{}"}, rows["PSSO"])
	assert.Equal(t, []string{"PSO", "O1", "4", "built-in", "", "365", "300", "last-bed-night", "{}"}, rows["PSO"])
	assert.Equal(t, []string{"PES", "O1", "0", "built-in", "", "", "", "last-bed-night", "{}"}, rows["PES"])
	out, _, code := cli(t, env, "policy", "show")
	require.Equal(t, 0, code)
	assert.Regexp(t, `PSSO\s+Services Only\s+O2 \(Agency Two\)\s+6\s+built-in\s+90\s+80\s+last-bed-night`, out)
	assert.Contains(t, out, "none: every project follows the built-in defaults")

	// P7: enabling auto exit on PES (2 households, 3 enrollments past 180 days) needs --yes.
	set := []string{"policy", "set", "--project", "PES", "--auto-exit-days", "180", "--actor", "Dana Reyes"}
	out, errOut, code := cli(t, env, set...)
	assert.Equal(t, 3, code, "a script that forgot --yes must notice")
	assert.Contains(t, out, "would exit 2 households (3 enrollments) now")
	assert.Contains(t, out, "before the change: exit 0 households (0 enrollments)")
	assert.Contains(t, out, "difference: exit +2 households (+3 enrollments)")
	assert.Contains(t, errOut, "nothing changed; run again with --yes to apply")
	assert.Equal(t, "built-in", policyRows(t, env, "--project", "PES")["PES"][3], "nothing changed")
	out, _, code = cli(t, env, "policy", "history")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "no policy changes yet")

	out, errOut, code = cli(t, env, append(set, "--yes")...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "would exit 2 households (3 enrollments) now")
	assert.Contains(t, out, "applied")
	assert.Equal(t, []string{"PES", "O1", "0", "project", "PES", "180", "", "last-bed-night", "{}"}, policyRows(t, env)["PES"])

	// A longer window, an alert, --off: no --yes needed.
	for _, args := range [][]string{
		{"--auto-exit-days", "365"}, {"--alert-days", "300"}, {"--off"},
	} {
		_, errOut, code = cli(t, env, append([]string{"policy", "set", "--project", "PES", "--actor", "Dana Reyes"}, args...)...)
		assert.Equal(t, 0, code, "%v: %s", args, errOut)
	}
	assert.Equal(t, []string{"PES", "O1", "0", "project", "PES", "", "", "last-bed-night", "{}"}, policyRows(t, env)["PES"])

	// P1: a project policy of 30 days without alert beats its project type's policy with an alert.
	_, errOut, code = cli(t, env, "policy", "set", "--project-type", "6", "--auto-exit-days", "200", "--alert-days", "20", "--actor", "Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(t, env, "policy", "set", "--project", "PSSO", "--auto-exit-days", "30", "--actor", "Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	rows = policyRows(t, env)
	assert.Equal(t, []string{"PSSO", "O2", "6", "project", "PSSO", "30", "", "last-bed-night", "{}"}, rows["PSSO"])
	assert.Equal(t, []string{"PSSO2", "O1", "6", "project-type", "6", "200", "20", "last-bed-night", "{}"}, rows["PSSO2"])
	out, _, code = cli(t, env, "preview", "--project", "PSSO", "--format", "csv")
	require.Equal(t, 0, code)
	for _, r := range mustCSV(t, out)[1:] {
		assert.Equal(t, "exit", r[0], "no alert from the project type's policy")
	}

	// P6: history, newest first, with who, scope, old and new values.
	out, errOut, code = cli(t, env, "policy", "history")
	require.Equal(t, 0, code, errOut)
	first := strings.Index(out, "by Lee: project PSSO")
	last := strings.Index(out, "by Dana Reyes: project PES")
	assert.True(t, first >= 0 && last > first, "newest first:\n%s", out)
	assert.Contains(t, out, "old: no policy\n  new: auto exit 180 days, no alert, NbN benchmark last-bed-night")
	assert.Contains(t, out, "old: auto exit 365 days, alert 300 days, NbN benchmark last-bed-night\n  new: auto exit off, NbN benchmark last-bed-night")
	assert.Regexp(t, `#\d+ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC by Lee`, out)

	out, _, code = cli(t, env, "policy", "history", "--format", "json", "--limit", "2")
	require.Equal(t, 0, code)
	var hist []struct {
		Actor, Scope string
		ScopeID      string          `json:"scope_id"`
		Old          json.RawMessage `json:"old"`
		New          json.RawMessage `json:"new"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &hist))
	require.Len(t, hist, 2)
	assert.Equal(t, "Lee", hist[0].Actor)
	assert.Equal(t, "project", hist[0].Scope)
	assert.Equal(t, "PSSO", hist[0].ScopeID)

	out, _, code = cli(t, env, "policy", "show", "--format", "json", "--project", "PSSO")
	require.Equal(t, 0, code)
	var show struct {
		Projects []map[string]any `json:"projects"`
		Policies []map[string]any `json:"policies"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &show))
	require.Len(t, show.Projects, 1)
	assert.Equal(t, "project", show.Projects[0]["scope"])
	assert.EqualValues(t, 30, show.Projects[0]["auto_exit_days"])
	assert.Nil(t, show.Projects[0]["alert_days"])
	assert.Len(t, show.Policies, 3)
}

func TestPolicyCLI_P3RefusalsChangeNothing(t *testing.T) {
	env := policyCoCEnv(t)
	_, errOut, code := cli(t, env, "policy", "set", "--project", "PSSO", "--auto-exit-days", "120", "--alert-days", "100", "--actor", "Dana")
	require.Equal(t, 0, code, errOut)
	before := policyRows(t, env)
	base := []string{"policy", "set", "--project", "PSSO", "--actor", "Dana", "--yes"}
	for _, tc := range []struct {
		args   []string
		reason string
	}{
		{[]string{"--auto-exit-days", "0"}, "--auto-exit-days 0: must be 30 or more (a shorter window is almost always a typing error that would mass-exit a project)"},
		{[]string{"--auto-exit-days", "29"}, "--auto-exit-days 29: must be 30 or more (a shorter window is almost always a typing error that would mass-exit a project)"},
		{[]string{"--auto-exit-days", "-5"}, "--auto-exit-days -5: must be 30 or more"},
		{[]string{"--auto-exit-days", "abc"}, `--auto-exit-days "abc": not a whole number`},
		{[]string{"--auto-exit-days", "45.5"}, `--auto-exit-days "45.5": not a whole number`},
		{[]string{"--alert-days", "0"}, "--alert-days 0: must be 1 or more"},
		{[]string{"--alert-days", "x"}, `--alert-days "x": not a whole number`},
		{[]string{"--alert-days", "120"}, "--alert-days 120: must be less than the auto-exit days (120)"},
		{[]string{"--auto-exit-days", "90"}, "--auto-exit-days 90: the alert at this scope is at 100 days, which must be less"},
		{[]string{"--off", "--auto-exit-days", "90"}, "--off and --auto-exit-days 90: give one or the other"},
		{[]string{"--nbn-benchmark", "bed-night"}, `--nbn-benchmark "bed-night": want last-bed-night or last-activity`},
		{[]string{"--exit-default", "Destination=5"}, "--exit-default Destination=5: 5 is not a HUD Destination code"},
		{[]string{"--exit-default", "Destination"}, `--exit-default "Destination": want FIELD=VALUE`},
		{[]string{"--exit-default", "ExitDate=2025-01-01"}, "ExitDate cannot have a default"},
		{[]string{"--exit-default", "DestinationSubsidyType=439"}, "only allowed when the Destination default is 435"},
		{[]string{"--exit-default", "OtherDestination=abroad"}, "only allowed when the Destination default is 17"},
		{[]string{"--exit-default", "ProjectCompletionStatus=x"}, "is not a whole number"},
		{nil, "nothing to set"},
	} {
		_, errOut, code := cli(t, env, append(base, tc.args...)...)
		assert.Equal(t, 1, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.reason, "%v", tc.args)
	}
	for _, tc := range []struct {
		args   []string
		reason string
	}{
		{[]string{"--auto-exit-days", "90"}, "give exactly one scope: --project ID, --organization ID, --project-type N or --default"},
		{[]string{"--project", "PES", "--default", "--auto-exit-days", "90"}, "give exactly one scope"},
		{[]string{"--project", "PES", "--auto-exit-days", "90", "--actor", ""}, "--actor is required"},
		{[]string{"--project", "PES", "--auto-exit-days", "90", "--actor", "  "}, "--actor is required"},
		{[]string{"--project", "NOPE", "--auto-exit-days", "90"}, "--project NOPE: no such project"},
		{[]string{"--project", "PGONE", "--auto-exit-days", "90"}, "--project PGONE: no such project"},
		{[]string{"--organization", "OX", "--auto-exit-days", "90"}, "--organization OX: no such organization"},
		{[]string{"--project-type", "5", "--auto-exit-days", "90"}, "--project-type 5: not a HUD project type"},
	} {
		args := append([]string{"policy", "set", "--yes"}, tc.args...)
		if !strings.Contains(strings.Join(tc.args, " "), "--actor") {
			args = append(args, "--actor", "Dana")
		}
		_, errOut, code := cli(t, env, args...)
		assert.Equal(t, 1, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.reason, "%v", tc.args)
	}
	_, errOut, code = cli(t, env, "policy", "set", "--project", "PES", "--auto-exit-days", "90")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--actor is required")

	assert.Equal(t, before, policyRows(t, env), "a rejected change changes nothing")
	out, _, _ := cli(t, env, "policy", "history", "--format", "json")
	var hist []any
	require.NoError(t, json.Unmarshal([]byte(out), &hist))
	assert.Len(t, hist, 1)
}

func TestPolicyCLI_P4LastActivityWarns(t *testing.T) {
	env := policyCoCEnv(t)
	_, errOut, code := cli(t, env, "policy", "set", "--project", "PNBN", "--nbn-benchmark", "last-activity", "--actor", "Dana")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "not HUD compliant")
	assert.Contains(t, errOut, "bed nights")
	_, errOut, code = cli(t, env, "policy", "show")
	require.Equal(t, 0, code)
	assert.Contains(t, errOut, "warning: project PNBN: NbN benchmark last-activity is not HUD compliant")
	_, errOut, code = cli(t, env, "policy", "show", "--project", "PES")
	require.Equal(t, 0, code)
	assert.Empty(t, errOut, "no warning where the benchmark is last-bed-night")
	_, errOut, code = cli(t, env, "policy", "set", "--project", "PNBN", "--nbn-benchmark", "last-bed-night", "--actor", "Dana")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "not HUD compliant")
}

func TestPolicyCLI_P5ExitDefaults(t *testing.T) {
	env := policyCoCEnv(t)
	set := []string{"policy", "set", "--project", "PSSO", "--actor", "Dana"}
	_, errOut, code := cli(t, env, append(set, "--exit-default", "Destination=435")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--exit-default Destination=435 needs --exit-default DestinationSubsidyType=N too")
	_, errOut, code = cli(t, env, append(set, "--auto-exit-days", "90", "--alert-days", "80", "--exit-default", "Destination=435", "--exit-default", "DestinationSubsidyType=439")...)
	require.Equal(t, 0, code, errOut)
	assert.JSONEq(t, `{"Destination": 435, "DestinationSubsidyType": 439}`, policyRows(t, env)["PSSO"][8])
	out, _, code := cli(t, env, "policy", "show", "--project", "PSSO")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Destination=435 DestinationSubsidyType=439")
	// The preview writes them (F1, P5).
	out, _, code = cli(t, env, "preview", "--project", "PSSO", "--format", "csv")
	require.Equal(t, 0, code)
	for _, r := range mustCSV(t, out)[1:] {
		if r[0] == "exit" {
			assert.Equal(t, []string{"435", "439"}, r[10:12])
		}
	}
	_, errOut, code = cli(t, env, append(set, "--exit-default", "Destination=17", "--exit-default", "DestinationSubsidyType=", "--exit-default", "OtherDestination=Family out of state")...)
	require.Equal(t, 0, code, errOut)
	assert.JSONEq(t, `{"Destination": 17, "OtherDestination": "Family out of state"}`, policyRows(t, env)["PSSO"][8])
}

func TestPolicyCLI_HelpDocumentsFlagsAndExitStatus(t *testing.T) {
	out, _, code := cli(t, nil, "policy", "set", "--help")
	require.Equal(t, 0, code)
	for _, s := range []string{"--project", "--organization", "--project-type", "--default", "--auto-exit-days", "--alert-days",
		"--nbn-benchmark", "--exit-default", "--off", "--actor", "--yes", "Examples:", "Exit status", "3 not applied", "needs --yes"} {
		assert.Contains(t, out, s)
	}
	for _, sub := range []string{"show", "history"} {
		out, _, code := cli(t, nil, "policy", sub, "--help")
		require.Equal(t, 0, code)
		assert.Contains(t, out, "Examples:")
	}
}
