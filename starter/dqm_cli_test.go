package main

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC Q1–Q3: dqm run stores the report and writes report.html (with a PNG chart per project),
// measures.csv and findings.csv; history lists it; show writes it again.
func TestQ3_DQMRunWritesTheReportAndHistoryListsIt(t *testing.T) {
	env := exitsCoC(t)
	out := filepath.Join(t.TempDir(), "dqm")
	stdout, errOut, code := cli(t, env, "dqm", "run", "--as-of", "2026-11-01", "--out", out, "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "DQM report 1 as of 2026-11-01 (period 2026-10-03 to 2026-11-01, 3 projects): needs attention")
	assert.Contains(t, stdout, "open enrollments past the auto-exit window where auto exit is on")

	m := readCSV(t, filepath.Join(out, "measures.csv"))
	assert.Equal(t, []string{"ProjectID", "OrganizationID", "Measure", "Value", "Previous", "Change"}, m[0])
	assert.Len(t, m, 1+4*21, "three projects and the total, 21 measures each")
	f := readCSV(t, filepath.Join(out, "findings.csv"))
	assert.Equal(t, []string{"Finding", "ProjectID", "HouseholdID", "EnrollmentID", "PersonalID", "Date", "Detail"}, f[0])
	assert.Greater(t, len(f), 1)

	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	imgs := regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`).FindAllSubmatch(page, -1)
	require.Len(t, imgs, 4, "a chart per project and one for the total")
	raw, err := base64.StdEncoding.DecodeString(string(imgs[0][1]))
	require.NoError(t, err)
	_, err = png.DecodeConfig(bytes.NewReader(raw))
	require.NoError(t, err)
	for _, personal := range []string{"<script", "http://", "https://"} {
		assert.NotContains(t, string(page), personal)
	}

	stdout, errOut, code = cli(t, env, "dqm", "history")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^1\s+2026-11-01\s+2026-10-03 to 2026-11-01\s+whole CoC \(3 projects\)\s+needs attention: past_window 10\s+`, stdout)

	stdout, errOut, code = cli(t, env, "audit", "--action", "dqm")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "follow-up DQM (SPEC Q1–Q3): needs attention", "SPEC U1")

	again := filepath.Join(t.TempDir(), "again")
	_, errOut, code = cli(t, env, "dqm", "show", "1", "--out", again)
	require.Equal(t, 0, code, errOut)
	for _, name := range []string{"measures.csv", "findings.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(again, name))
		assert.Equal(t, string(a), string(b), name)
	}
}

// Bad input gets a clear message naming the flag, stores no report and writes no file.
func TestQ1_DQMBadInputChangesNothing(t *testing.T) {
	env := exitsCoC(t)
	full := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(full, "notes.txt"), []byte("x"), 0o644))
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	fresh := filepath.Join(t.TempDir(), "new")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--project", "NOPE"}, "--project NOPE: no such project"},
		{[]string{"--organization", "NOPE"}, "--organization NOPE: no such organization"},
		{[]string{"--project", "PS", "--project", "PS"}, "--project PS is given twice"},
		{[]string{"--since", "2026-11-01"}, "--since 2026-11-01 and --as-of 2026-11-01: the period must start before the as-of date"},
		{[]string{"--as-of", "2026-13-01"}, "--as-of"},
		{[]string{"--as-of", "2001-01-01"}, "--as-of 2001-01-01 is before the data starts"},
		{[]string{"--out", full}, "the folder holds 1 files"},
		{[]string{"--out", filepath.Join(file, "x")}, "not a directory"},
		{[]string{"--out", filepath.Join(fresh, "a", "b")}, "does not exist"},
		{[]string{"--out", file}, "not a folder"},
		{[]string{"--out", ""}, "--out DIR is required"},
	} {
		args := append([]string{"dqm", "run", "--as-of", "2026-11-01", "--out", fresh}, c.args...)
		_, errOut, code := cli(t, env, args...)
		assert.Equal(t, 1, code, "%v", c.args)
		assert.Contains(t, errOut, c.want, "%v", c.args)
		_, err := os.Stat(fresh)
		assert.True(t, os.IsNotExist(err), "%v: no folder made", c.args)
	}
	stdout, _, _ := cli(t, env, "dqm", "history")
	assert.Equal(t, 1, strings.Count(stdout, "\n"), "no report stored: %s", stdout)
	_, errOut, code := cli(t, env, "dqm", "show", "7", "--out", fresh)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "DQM report 7 does not exist")
	_, err := os.Stat(fresh)
	assert.True(t, os.IsNotExist(err))
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}
