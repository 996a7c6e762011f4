package main

// An export from another vendor (issue 7): a generated CoC whose Exit.csv carries pre-FY2024
// destination codes imports with warnings that name the rows, and importing it again changes nothing.

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setDestinations rewrites the Destination of the first exits of Exit.csv to codes, returning the
// file:line:column of each.
func setDestinations(t *testing.T, dir string, codes ...string) []string {
	t.Helper()
	path := filepath.Join(dir, "Exit.csv")
	f, err := os.Open(path)
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	col := -1
	for i, h := range recs[0] {
		if h == "Destination" {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0)
	var where []string
	for i, code := range codes {
		recs[i+1][col] = code
		where = append(where, fmt.Sprintf("Exit.csv:%d:%d", i+2, col+1))
	}
	out, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(out)
	require.NoError(t, w.WriteAll(recs))
	require.NoError(t, out.Close())
	return where
}

func TestAnotherVendorsExportImportsWithWarnings(t *testing.T) {
	url := testdb.Empty(t) + "_vendor"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url}
	dir := t.TempDir()
	_, errOut, code := cli(t, env, "generate", "--out", dir, "--households", "300", "--seed", "7", "--as-of", "2026-11-01")
	require.Equal(t, 0, code, errOut)
	where := setDestinations(t, dir, "419", "434", "440", "10")
	_, errOut, code = cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)

	out, errOut, code := cli(t, env, "import", dir)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	for i, want := range []string{
		"Destination 419 is a DestinationSubsidyType code; FY2024+ exports write Destination 435 with DestinationSubsidyType 419",
		"Destination 434 is a DestinationSubsidyType code",
		"Destination 440 is a DestinationSubsidyType code",
		"Destination 10 is a pre-FY2024 code; FY2024+ exports write Destination 410",
	} {
		assert.Contains(t, out, where[i]+": "+want)
	}
	assert.Regexp(t, `(?m)^total\s+\d+\s+[1-9]\d*$`, out)

	// The same export again: nothing changed, and the summary says so.
	out, errOut, code = cli(t, env, "import", dir)
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Regexp(t, regexp.MustCompile(`(?m)^total\s+\d+\s+0$`), out)
	assert.Equal(t, 4, strings.Count(out, "not a FY2026 HUD Destination code"))

	_, errOut, code = cli(t, env, "preview", "--as-of", "2026-11-01", "--format", "csv")
	assert.Equal(t, 0, code, errOut)
}
