package main

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/generate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's examples run against the demo CoC `make run` loads: every project, organization,
// household and enrollment ID they name must be in it, or a first user's commands find nothing.
func TestReadmeExamplesUseDemoIDs(t *testing.T) {
	households, seed := demoSize(t)
	dir := t.TempDir()
	// IDs do not depend on the as-of date (only dates shift with it), so today, as run.sh, is fine.
	_, err := generate.Run(context.Background(), generate.Options{Out: dir, Households: households, Seed: seed, AsOf: time.Now()})
	require.NoError(t, err)

	ids := map[string]map[string]bool{
		"--project":      csvColumn(t, dir, "Project", "ProjectID"),
		"--organization": csvColumn(t, dir, "Organization", "OrganizationID"),
		"--project-type": csvColumn(t, dir, "Project", "ProjectType"),
		"--household":    csvColumn(t, dir, "Enrollment", "HouseholdID"),
		"--enrollment":   csvColumn(t, dir, "Enrollment", "EnrollmentID"),
	}
	// An exit run can only exit (and so undo) what is open in the demo.
	exited := csvColumn(t, dir, "Exit", "EnrollmentID")
	openHouseholds := map[string]bool{}
	for _, r := range csvRows(t, dir, "Enrollment", "EnrollmentID", "HouseholdID") {
		if !exited[r[0]] {
			openHouseholds[r[1]] = true
		}
	}
	// A HouseholdID is unique within its project only (SPEC U2): --household with --project names a pair.
	householdOf := map[[2]string]bool{}
	for _, r := range csvRows(t, dir, "Enrollment", "ProjectID", "HouseholdID") {
		householdOf[[2]string{r[0], r[1]}] = true
	}

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	seen := map[string]int{}
	for _, cmd := range readmeCommands(string(readme)) {
		args := shellWords(cmd)
		given := map[string]string{}
		for i := 0; i < len(args); i++ {
			flag, val, ok := strings.Cut(args[i], "=")
			if !ok && i+1 < len(args) {
				val = args[i+1]
			}
			known, isID := ids[flag]
			if !isID {
				continue // --run N is an exit run's number, not a data ID
			}
			seen[flag]++
			given[flag] = val
			assert.True(t, known[val], "%s %s is not in the demo CoC (seed %d, %d households): %s", flag, val, seed, households, cmd)
			switch flag {
			case "--household":
				assert.True(t, openHouseholds[val], "household %s has no open enrollment in the demo: %s", val, cmd)
			case "--enrollment":
				assert.False(t, exited[val], "enrollment %s is already exited in the demo: %s", val, cmd)
			}
		}
		if h, p := given["--household"], given["--project"]; h != "" && p != "" {
			assert.True(t, householdOf[[2]string{p, h}], "household %s is not in project %s in the demo: %s", h, p, cmd)
		}
	}
	for _, flag := range []string{"--project", "--organization", "--household", "--enrollment"} {
		assert.NotZero(t, seen[flag], "no README example uses %s: is the parsing broken?", flag)
	}
}

// demoSize is the demo run.sh generates by default (DEMO_HOUSEHOLDS, DEMO_SEED).
func demoSize(t *testing.T) (households int, seed uint64) {
	b, err := os.ReadFile("../scripts/run.sh")
	require.NoError(t, err)
	get := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `=\$\{` + name + `:-([0-9]+)\}$`).FindSubmatch(b)
		require.NotNil(t, m, "scripts/run.sh sets no default %s", name)
		return string(m[1])
	}
	households, err = strconv.Atoi(get("DEMO_HOUSEHOLDS"))
	require.NoError(t, err)
	seed, err = strconv.ParseUint(get("DEMO_SEED"), 10, 64)
	require.NoError(t, err)
	return households, seed
}

// readmeCommands are the `bin/exitflow ...` command lines of text: in code blocks up to a shell
// comment, inline up to the closing backtick.
func readmeCommands(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile("bin/exitflow [^`\n]*").FindAllString(text, -1) {
		if i := strings.Index(m, " #"); i >= 0 {
			m = m[:i]
		}
		out = append(out, strings.TrimSpace(m))
	}
	return out
}

// shellWords splits a command line as the shell does for the README's examples (quotes, no escapes).
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// csvColumn is the set of values of one column of a generated CSV file.
func csvColumn(t *testing.T, dir, file, col string) map[string]bool {
	set := map[string]bool{}
	for _, r := range csvRows(t, dir, file, col) {
		set[r[0]] = true
	}
	return set
}

// csvRows are the values of the named columns, row by row.
func csvRows(t *testing.T, dir, file string, cols ...string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, file+".csv"))
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	require.NoError(t, err)
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range head {
			if h == c {
				idx[i] = j
			}
		}
		require.GreaterOrEqual(t, idx[i], 0, "%s.csv has no column %s", file, c)
	}
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		row := make([]string, len(idx))
		for i, j := range idx {
			row[i] = rec[j]
		}
		out = append(out, row)
	}
}

func TestShellWords(t *testing.T) {
	assert.Equal(t, []string{"bin/exitflow", "exits", "undo", "--household", "18512", "--actor", "Dana Lee", "--reason", "still engaged"},
		shellWords(`bin/exitflow exits undo --household 18512 --actor "Dana Lee" --reason "still engaged"`))
	assert.Equal(t, []string{"a", "", "b c"}, shellWords(`a "" 'b c'`))
}
