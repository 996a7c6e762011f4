package hmis

import (
	"encoding/csv"
	"github.com/exitflow/exitflow/internal/samples"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecCoversEverySampleHeader(t *testing.T) { // SPEC IO1, IO2
	for _, dir := range []string{"eva-demo-fy2026", "greenriver-datalab-fy2024"} {
		paths, err := filepath.Glob(filepath.Join(samples.Dir(t, dir), "*.csv"))
		require.NoError(t, err)
		require.Len(t, paths, len(Files), dir)
		for _, p := range paths {
			f := Lookup(filepath.Base(p))
			require.NotNil(t, f, p)
			fh, err := os.Open(p)
			require.NoError(t, err)
			head, err := csv.NewReader(fh).Read()
			fh.Close()
			require.NoError(t, err)
			for _, h := range head {
				assert.True(t, f.Has(h), "%s: header %q is not in the spec", p, h)
			}
			if strings.HasPrefix(dir, "eva") { // FY2026: every current column is in the file, and no legacy one
				assert.Len(t, head, len(f.Current()), p)
			}
		}
	}
}

func TestDDLHasEveryFileAndTheOneExitIndex(t *testing.T) { // SPEC H3
	ddl := DDL()
	for _, f := range Files {
		assert.Contains(t, ddl, "CREATE TABLE hmis."+Quote(f.Table())+" (")
	}
	assert.Contains(t, ddl, `CREATE UNIQUE INDEX exit_one_per_enrollment ON hmis.exit (enrollmentid) WHERE datedeleted IS NULL`)
	assert.Contains(t, ddl, `CREATE TABLE hmis."user" (`)
}

func TestMigrationIsGeneratedFromTheSpec(t *testing.T) {
	b, err := os.ReadFile("../store/migrations/00001_hmis.sql")
	require.NoError(t, err)
	assert.Contains(t, string(b), DDL(), "run `make generate`: the migration is out of date with spec.go")
}
