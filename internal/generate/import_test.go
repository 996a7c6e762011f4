package generate_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/generate"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
)

// TestGeneratedExportImportsCleanly: a generated export imports with no error and no warning.
func TestGeneratedExportImportsCleanly(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := generate.Run(ctx, generate.Options{Out: dir, Households: 1500, Seed: 3, AsOf: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	_, pool := testdb.New(t)
	res, err := importer.Run(ctx, pool, dir, importer.Options{})
	if res != nil {
		for _, e := range res.Errors {
			t.Errorf("import error: %v", e)
		}
		for _, w := range res.Warnings {
			t.Errorf("import warning: %+v", w)
		}
	}
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.ErrorCount != 0 || res.WarningCount != 0 {
		t.Fatalf("%d errors, %d warnings", res.ErrorCount, res.WarningCount)
	}
	for _, fc := range res.Files {
		if want := st.Rows(fc.File[:len(fc.File)-len(".csv")]); fc.Rows != want {
			t.Errorf("%s: imported %d rows, generated %d", fc.File, fc.Rows, want)
		}
	}
}
