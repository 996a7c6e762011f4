package export_test

import (
	"context"
	"errors"
	"github.com/exitflow/exitflow/internal/samples"
	"os"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/export"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// importOK imports path into pool and fails the test on any error.
func importOK(t *testing.T, pool *pgxpool.Pool, path string) *importer.Result {
	t.Helper()
	res, err := importer.Run(context.Background(), pool, path, importer.Options{})
	if err != nil {
		if errors.Is(err, importer.ErrInvalid) && res != nil {
			for _, p := range res.Errors {
				t.Log(p)
			}
		}
		t.Fatalf("importing %s: %v", path, err)
	}
	return res
}

// TestRoundTrip imports a sample into one database, exports it, imports the export into a fresh
// database and checks every row of every table came through (FY2024-only columns aside for the
// FY2024 sample, which an FY2026 export drops).
func TestRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("round trip of the sample exports is slow")
	}
	for _, tc := range []struct {
		name   string
		legacy bool // compare the FY2024-only columns too
	}{
		{"eva-demo-fy2026", true},
		{"greenriver-datalab-fy2024", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := samples.Dir(t, tc.name)
			if _, err := os.Stat(src + "/Export.csv"); err != nil {
				t.Skipf("sample not available: %v", err)
			}
			ctx := context.Background()
			_, db1 := testdb.New(t)
			in := importOK(t, db1, src)

			dir := t.TempDir()
			st, err := export.Run(ctx, db1, dir, export.Options{Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			secs := st.Elapsed.Seconds()
			t.Logf("exported %d rows in %.2fs (%.0f rows/s)", st.Rows, secs, float64(st.Rows)/secs)

			_, db2 := testdb.New(t)
			out := importOK(t, db2, dir)
			if out.ExportID != st.Header.ExportID || out.CSVVersion != export.CSVVersion {
				t.Errorf("re-import read ExportID %q CSVVersion %q, want %q %q", out.ExportID, out.CSVVersion, st.Header.ExportID, export.CSVVersion)
			}
			if n := compareDatabases(t, db1, db2, tc.legacy); n+1 != st.Rows {
				t.Errorf("compared %d rows, exported %d (Export.csv included)", n, st.Rows)
			}

			if tc.legacy {
				deltaRoundTrip(t, db1, db2)
			}

			// The new Export row names the source the data came from.
			var before, after [3]string
			q := `SELECT sourcetype::text, coalesce(sourceid, ''), coalesce(sourcename, '') FROM hmis.export WHERE exportid = $1`
			if err := db1.QueryRow(ctx, q, in.ExportID).Scan(&before[0], &before[1], &before[2]); err != nil {
				t.Fatal(err)
			}
			if err := db2.QueryRow(ctx, q, st.Header.ExportID).Scan(&after[0], &after[1], &after[2]); err != nil {
				t.Fatal(err)
			}
			if before != after {
				t.Errorf("Export source %v, want %v", after, before)
			}
		})
	}
}

// deltaRoundTrip changes a client and soft-deletes an exit in db1 (as an undo does, SPEC U2), exports
// the changes as a delta, imports it into db2 and checks both databases are equal again.
func deltaRoundTrip(t *testing.T, db1, db2 *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	since := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`UPDATE hmis.client SET firstname = 'Changed', dateupdated = '2025-06-01 12:00:00'
			WHERE personalid = (SELECT min(personalid) FROM hmis.client)`,
		`UPDATE hmis.exit SET datedeleted = '2025-06-02 08:00:00'
			WHERE exitid = (SELECT min(exitid) FROM hmis.exit WHERE datedeleted IS NULL)`,
	} {
		if tag, err := db1.Exec(ctx, q); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v %v", q, tag, err)
		}
	}
	dir := t.TempDir()
	st, err := export.Run(ctx, db1, dir, export.Options{ChangedSince: &since, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 3 || st.Header.ExportDirective != export.DirectiveDelta || st.Header.ExportPeriodType != export.PeriodUpdated {
		t.Fatalf("delta: %d rows, directive %d, period type %d; want 3 rows (Export, Client, Exit), 1, 1",
			st.Rows, st.Header.ExportDirective, st.Header.ExportPeriodType)
	}
	importOK(t, db2, dir)
	compareDatabases(t, db1, db2, true)
}
