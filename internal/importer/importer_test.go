package importer_test

import (
	"archive/zip"
	"context"
	"errors"
	"github.com/exitflow/exitflow/internal/samples"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSamplesImportWithoutErrors(t *testing.T) { // SPEC IO1, IO2
	for _, tc := range []struct {
		dir       string
		warnKinds []string
	}{
		{"eva-demo-fy2026", []string{"activity dated before entry", "household without exactly one head of household", "non-spec date format"}},
		{"greenriver-datalab-fy2024", []string{"activity dated before entry", "household without exactly one head of household", "night-by-night exit on the last bed night", "non-spec date format"}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			_, pool := testdb.New(t)
			res, err := importer.Run(context.Background(), pool, samples.Dir(t, tc.dir), importer.Options{})
			require.NoError(t, err)
			assert.Zero(t, res.ErrorCount, "%v", res.Errors)
			var kinds []string
			for _, w := range res.Warnings {
				kinds = append(kinds, w.Kind)
			}
			// The samples' known quirks (see their SOURCE.txt) are warnings, and nothing else is.
			assert.Equal(t, tc.warnKinds, kinds)
			var enrollments int
			require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM hmis.enrollment").Scan(&enrollments))
			assert.Equal(t, map[string]int{"eva-demo-fy2026": 4771, "greenriver-datalab-fy2024": 574}[tc.dir], enrollments)
		})
	}
}

func TestNonSpecDatesReadDayFirstWhenTheColumnProvesIt(t *testing.T) { // SPEC IO3
	_, pool := testdb.New(t)
	_, err := importer.Run(context.Background(), pool, samples.Dir(t, samples.FY2026), importer.Options{})
	require.NoError(t, err)
	var got string
	// Client 2615 has DateUpdated "03-11-21"; other values of the column ("13-06-19") prove dd-mm-yy.
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT dateupdated::date::text FROM hmis.client WHERE personalid = '2615'").Scan(&got))
	assert.Equal(t, "2021-11-03", got)
	// FY2024 sample: ExportDate "02-07-2023 12:00:00" is mm-dd-yyyy.
	_, err = importer.Run(context.Background(), pool, samples.Dir(t, samples.FY2024), importer.Options{})
	require.NoError(t, err)
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT exportdate::text FROM hmis.export WHERE sourcename = 'I COUNT Network'").Scan(&got))
	assert.Equal(t, "2023-02-07 12:00:00", got)
}

func TestValidFixture(t *testing.T) {
	_, pool := testdb.New(t)
	res, err := importer.Run(context.Background(), pool, fixture(t, nil), importer.Options{})
	require.NoError(t, err)
	assert.Zero(t, res.WarningCount, "%+v", res.Warnings)
	assert.Equal(t, "E1", res.ExportID)
	var loc string
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT locationdetails FROM hmis.currentlivingsituation").Scan(&loc))
	assert.Equal(t, "under the bridge, north side", loc)
	var amount string
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT faamount::text FROM hmis.services WHERE servicesid = 'S4'").Scan(&amount))
	assert.Equal(t, "25.50", amount)
}

// badInputs are broken variants of the valid fixture and the located error each must get.
var badInputs = []struct {
	name  string
	edits map[string]func(string) string
	want  string
}{
	{"date that does not exist", map[string]func(string) string{"Enrollment.csv": replace("N3,C3,P3,2024-02-01", "N3,C3,P3,2024-02-30")},
		`Enrollment.csv:4:4: EntryDate: "2024-02-30" is not a calendar date`},
	{"truncated row", map[string]func(string) string{"Client.csv": replace("C3,Cal,Gamma,1975-03-03,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1", "C3,Cal,Gamma,1975-03-03")},
		`Client.csv:4:4: row has 4 fields, the header has 9`},
	{"unterminated quote", map[string]func(string) string{"Organization.csv": replace(`"Agency One, Inc."`, `"Agency One, Inc.`)},
		`Organization.csv:`},
	{"unknown CSV version", map[string]func(string) string{"Export.csv": replace("2026 v1.0", "2022 v1.3")},
		`Export.csv:2:10: CSVVersion "2022 v1.3" is not supported`},
	{"two Export rows", map[string]func(string) string{"Export.csv": func(s string) string { return s + strings.SplitN(s, "\n", 3)[1] + "\n" }},
		`Export.csv: has 2 data rows; an HMIS CSV export has exactly one Export row`},
	{"mismatched ExportID", map[string]func(string) string{"Client.csv": replace("U1,,E1\nC2", "U1,,E9\nC2")},
		`Client.csv:2:9: ExportID: "E9" does not match Export.csv's ExportID "E1"`},
	{"missing required column", map[string]func(string) string{"Enrollment.csv": replace("EntryDate,", "Entry_Date,")},
		`Enrollment.csv:1: missing required column EntryDate`},
	{"missing required value", map[string]func(string) string{"Enrollment.csv": replace("N3,C3,P3,2024-02-01", "N3,C3,P3,")},
		`Enrollment.csv:4:4: EntryDate is required but empty`},
	{"wrong type", map[string]func(string) string{"Services.csv": replace("25.50", "25 dollars")},
		`Services.csv:5:7: FAAmount: "25 dollars" is not an amount of money`},
	{"not a number", map[string]func(string) string{"Enrollment.csv": replace("H2,1,", "H2,one,")},
		`Enrollment.csv:4:6: RelationshipToHoH: "one" is not a whole number`},
	{"duplicate ID", map[string]func(string) string{"Client.csv": appendRow("C1,Ann,Again,1980-01-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1")},
		`Client.csv:2:1: PersonalID C1 is used on 2 rows (lines 2, 5)`},
	{"enrollment of an unknown client", map[string]func(string) string{"Enrollment.csv": replace("N3,C3,", "N3,C9,")},
		`Enrollment.csv:4:2: PersonalID 'C9' is not in Client.csv`},
	{"enrollment in an unknown project", map[string]func(string) string{"Enrollment.csv": replace("N3,C3,P3,", "N3,C3,P9,")},
		`Enrollment.csv:4:3: ProjectID 'P9' is not in Project.csv`},
	{"exit of an unknown enrollment", map[string]func(string) string{"Exit.csv": replace("X1,N4,", "X1,N9,")},
		`Exit.csv:2:2: EnrollmentID 'N9' is not in Enrollment.csv`},
	{"service of an unknown enrollment", map[string]func(string) string{"Services.csv": replace("S4,N3,", "S4,N8,")},
		`Services.csv:5:2: EnrollmentID 'N8' is not in Enrollment.csv`},
	{"ExitDate before EntryDate", map[string]func(string) string{"Exit.csv": replace("N4,C3,2024-01-31", "N4,C3,2023-07-31")},
		`Exit.csv:2:4: ExitDate 2023-07-31 is before the EntryDate 2023-08-01 of enrollment N4`},
	{"two exits for one enrollment", map[string]func(string) string{"Exit.csv": appendRow("X2,N4,C3,2024-02-15,30,,,2024-02-16 10:00:00,2024-02-16 10:00:00,U1,,E1")},
		`Exit.csv:3:2: enrollment N4 has 2 exits (ExitIDs X1, X2)`},
	{"binary file", map[string]func(string) string{"Services.csv": func(string) string { return "PK\x03\x04\x00\x00\x08\x00binary" }},
		`Services.csv: is not a CSV text file`},
	{"empty file", map[string]func(string) string{"Services.csv": func(string) string { return "" }},
		`Services.csv: is empty`},
}

func TestBadInputIsReportedWithItsLocationAndChangesNothing(t *testing.T) { // SPEC IO3
	// Both ways rows are loaded: through staging into tables that hold data, and straight into
	// empty tables (a first import) with their keys and indexes rebuilt afterwards.
	for _, mode := range []string{"into stored data", "first import, direct"} {
		t.Run(mode, func(t *testing.T) {
			_, pool := testdb.New(t)
			if mode == "into stored data" {
				_, err := importer.Run(context.Background(), pool, fixture(t, nil), importer.Options{})
				require.NoError(t, err)
			} else {
				defer importer.SetDirectBytes(0)()
			}
			before, indexes := snapshot(t, pool), indexDefs(t, pool)
			for _, tc := range badInputs {
				t.Run(tc.name, func(t *testing.T) {
					res, err := importer.Run(context.Background(), pool, fixture(t, tc.edits), importer.Options{})
					require.ErrorIs(t, err, importer.ErrInvalid)
					var all []string
					for _, e := range res.Errors {
						all = append(all, e.String())
					}
					assert.Contains(t, strings.Join(all, "\n"), tc.want)
					assert.Equal(t, before, snapshot(t, pool), "an import with errors changed the database")
					assert.Equal(t, indexes, indexDefs(t, pool))
				})
			}
		})
	}
}

func TestRejectedRowsDoNotCauseFollowOnErrors(t *testing.T) {
	_, pool := testdb.New(t)
	// Client C3's DOB is broken; the enrollments and exit of C3 must not also be reported as
	// referring to a client that is not there.
	res, err := importer.Run(context.Background(), pool, fixture(t, map[string]func(string) string{
		"Client.csv": replace("C3,Cal,Gamma,1975-03-03", "C3,Cal,Gamma,1975-13-03"),
	}), importer.Options{})
	require.ErrorIs(t, err, importer.ErrInvalid)
	require.Equal(t, 1, res.ErrorCount, "%v", res.Errors)
	assert.Equal(t, `Client.csv:4:4: DOB: "1975-13-03" is not a calendar date`, res.Errors[0].String())
}

func TestRowsRecordWhichImportAndLineWroteThem(t *testing.T) {
	for _, direct := range []bool{false, true} {
		if direct {
			defer importer.SetDirectBytes(0)()
		}
		_, pool := testdb.New(t)
		res, err := importer.Run(context.Background(), pool, fixture(t, nil), importer.Options{})
		require.NoError(t, err)
		var id int64
		var line int
		require.NoError(t, pool.QueryRow(context.Background(), "SELECT import_id, import_line FROM hmis.services WHERE servicesid = 'S4'").Scan(&id, &line))
		assert.Equal(t, res.ImportID, id)
		assert.Equal(t, 5, line)
	}
}

func TestTolerableQuirksAreAccepted(t *testing.T) { // SPEC IO2, IO3
	_, pool := testdb.New(t)
	dir := fixture(t, map[string]func(string) string{
		// A byte order mark, CRLF line ends, a header in other case and order, a quoted header.
		"Client.csv": func(s string) string {
			s = strings.Replace(s, "PersonalID,FirstName", `"personalid",FIRSTNAME`, 1)
			return "\ufeff" + strings.ReplaceAll(s, "\n", "\r\n")
		},
		// A datetime far beyond the export date: a warning.
		"Organization.csv": replace("2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1\nO2", "2023-01-01 09:00:00,2031-01-01 09:00:00,U1,,E1\nO2"),
		// A column that is not in the spec: a warning.
		"User.csv": func(s string) string {
			return strings.Replace(strings.Replace(s, "ExportID\n", "ExportID,Favourite\n", 1), ",E1\n", ",E1,blue\n", 1)
		},
	})
	res, err := importer.Run(context.Background(), pool, dir, importer.Options{})
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, w := range res.Warnings {
		kinds[w.Kind] = w.Count
	}
	assert.Equal(t, map[string]int{"datetime after the export date": 1, "unknown column (not stored)": 1}, kinds)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM hmis.client WHERE firstname IN ('Ann','Ben','Cal')").Scan(&n))
	assert.Equal(t, 3, n)
}

func TestPathProblems(t *testing.T) {
	_, pool := testdb.New(t)
	ctx := context.Background()
	_, err := importer.Run(ctx, pool, "/no/such/export", importer.Options{})
	assert.ErrorContains(t, err, "/no/such/export: no such file or folder")

	_, err = importer.Run(ctx, pool, t.TempDir(), importer.Options{})
	assert.ErrorContains(t, err, "no CSV files found")

	zipPath := filepath.Join(t.TempDir(), "export.zip")
	writeZip(t, zipPath, map[string]string{"Client.csv": "PersonalID\n"})
	_, err = importer.Run(ctx, pool, zipPath, importer.Options{})
	assert.ErrorContains(t, err, "no Export.csv")

	notZip := filepath.Join(t.TempDir(), "export.zip")
	require.NoError(t, os.WriteFile(notZip, []byte("hello"), 0o644))
	_, err = importer.Run(ctx, pool, notZip, importer.Options{})
	assert.ErrorContains(t, err, "not a folder or a readable .zip")
}

func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func TestZipImport(t *testing.T) {
	_, pool := testdb.New(t)
	dir := fixture(t, nil)
	files := map[string]string{}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		b, _ := os.ReadFile(filepath.Join(dir, de.Name()))
		files["hmis_export/"+de.Name()] = string(b)
	}
	zipPath := filepath.Join(t.TempDir(), "export.zip")
	writeZip(t, zipPath, files)
	res, err := importer.Run(context.Background(), pool, zipPath, importer.Options{})
	require.NoError(t, err)
	assert.Zero(t, res.WarningCount)
	assert.Equal(t, int64(4), countOf(res, "Enrollment.csv"))
}

func countOf(res *importer.Result, file string) int64 {
	for _, f := range res.Files {
		if f.File == file {
			return f.Rows
		}
	}
	return -1
}

func TestReimportNewerWinsAndSoftDeletesAreKept(t *testing.T) { // SPEC IO4
	_, pool := testdb.New(t)
	ctx := context.Background()
	_, err := importer.Run(ctx, pool, fixture(t, nil), importer.Options{})
	require.NoError(t, err)
	newer := fixture(t, map[string]func(string) string{
		"Export.csv": replace("E1,", "E2,"),
		// N3 changed later (newer DateUpdated): its EntryDate moves. N1 carries an older DateUpdated: ignored.
		"Enrollment.csv": func(s string) string {
			s = strings.Replace(s, "N3,C3,P3,2024-02-01,H2,1,XX-500,,2024-02-01 10:00:00,2024-02-01 10:00:00", "N3,C3,P3,2024-02-02,H2,1,XX-500,,2024-02-01 10:00:00,2024-05-01 10:00:00", 1)
			s = strings.Replace(s, "N1,C1,P1,2024-01-10,H1,1,XX-500,,2024-01-10 10:00:00,2024-01-10 10:00:00", "N1,C1,P1,2024-01-09,H1,1,XX-500,,2024-01-10 10:00:00,2024-01-09 10:00:00", 1)
			return strings.ReplaceAll(s, ",E1\n", ",E2\n")
		},
		// The exit was deleted in the source HMIS.
		"Exit.csv": func(s string) string {
			s = strings.Replace(s, "2024-02-01 10:00:00,2024-02-01 10:00:00,U1,,E1", "2024-02-01 10:00:00,2024-06-01 10:00:00,U1,2024-06-01 10:00:00,E1", 1)
			return strings.ReplaceAll(s, ",E1\n", ",E2\n")
		},
	})
	for _, name := range []string{"Organization.csv", "User.csv", "Project.csv", "Client.csv", "Services.csv", "CurrentLivingSituation.csv"} {
		b, _ := os.ReadFile(filepath.Join(newer, name))
		require.NoError(t, os.WriteFile(filepath.Join(newer, name), []byte(strings.ReplaceAll(string(b), ",E1\n", ",E2\n")), 0o644))
	}
	res, err := importer.Run(ctx, pool, newer, importer.Options{})
	require.NoError(t, err, "%v", res)
	var n3, n1 string
	require.NoError(t, pool.QueryRow(ctx, "SELECT entrydate::text FROM hmis.enrollment WHERE enrollmentid = 'N3'").Scan(&n3))
	require.NoError(t, pool.QueryRow(ctx, "SELECT entrydate::text FROM hmis.enrollment WHERE enrollmentid = 'N1'").Scan(&n1))
	assert.Equal(t, "2024-02-02", n3, "newer DateUpdated wins")
	assert.Equal(t, "2024-01-10", n1, "older DateUpdated does not overwrite")
	var deleted *string
	require.NoError(t, pool.QueryRow(ctx, "SELECT datedeleted::text FROM hmis.exit WHERE exitid = 'X1'").Scan(&deleted))
	require.NotNil(t, deleted)
	assert.Equal(t, "2024-06-01 10:00:00", *deleted)
	var imports int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM exitflow.import_run").Scan(&imports))
	assert.Equal(t, 2, imports)
}

func TestDeltaMayReferToStoredRows(t *testing.T) { // SPEC IO4
	_, pool := testdb.New(t)
	ctx := context.Background()
	_, err := importer.Run(ctx, pool, fixture(t, nil), importer.Options{})
	require.NoError(t, err)
	// A delta with only a new exit for N3 (stored earlier): its Enrollment is not in the delta.
	dir := t.TempDir()
	ex, _ := os.ReadFile("testdata/valid/Export.csv")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Export.csv"), []byte(strings.Replace(string(ex), "E1,", "E3,", 1)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Exit.csv"), []byte(
		"ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DateCreated,DateUpdated,ExportID\nX9,N3,C3,2024-04-01,30,2024-04-02 10:00:00,2024-04-02 10:00:00,E3\n"), 0o644))
	res, err := importer.Run(ctx, pool, dir, importer.Options{})
	require.NoError(t, err, "%v", res)
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM hmis.exit WHERE enrollmentid = 'N3'").Scan(&n))
	assert.Equal(t, 1, n)
	// And a second live exit for N3 in a later delta is refused.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Exit.csv"), []byte(
		"ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DateCreated,DateUpdated,ExportID\nX10,N3,C3,2024-04-05,30,2024-04-06 10:00:00,2024-04-06 10:00:00,E3\n"), 0o644))
	res, err = importer.Run(ctx, pool, dir, importer.Options{})
	require.ErrorIs(t, err, importer.ErrInvalid)
	assert.Contains(t, res.Errors[0].String(), "enrollment N3 has 2 exits (ExitIDs X10, X9)")
}

func TestManyErrorsAreCapped(t *testing.T) {
	_, pool := testdb.New(t)
	var rows strings.Builder
	for i := 0; i < 250; i++ {
		rows.WriteString("S" + strings.Repeat("x", i%7) + "q" + string(rune('a'+i%26)) + ",N1,C1,2024-13-01,200,200,,2024-01-10 22:00:00,2024-01-10 22:00:00,U1,,E1\n")
	}
	dir := fixture(t, map[string]func(string) string{"Services.csv": func(s string) string { return s + rows.String() }})
	res, err := importer.Run(context.Background(), pool, dir, importer.Options{})
	require.ErrorIs(t, err, importer.ErrInvalid)
	assert.Len(t, res.Errors, importer.MaxErrors)
	assert.GreaterOrEqual(t, res.ErrorCount, 250)
}

func TestInterruptedImportLeavesNothing(t *testing.T) { // Ctrl-C during an import
	_, pool := testdb.New(t)
	before := snapshot(t, pool)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the import has read part of the export (as Ctrl-C would).
	res, err := importer.Run(ctx, pool, samples.Dir(t, samples.FY2026), importer.Options{Progress: func(done, total int64) {
		if done > total/2 {
			cancel()
		}
	}})
	require.Error(t, err, "%v", res)
	require.ErrorIs(t, ctx.Err(), context.Canceled)
	assert.False(t, errors.Is(err, importer.ErrInvalid), "%v", err)
	assert.Equal(t, before, snapshot(t, pool))
}

func indexDefs(t *testing.T, pool *pgxpool.Pool) string {
	var defs string
	require.NoError(t, pool.QueryRow(context.Background(),
		"SELECT string_agg(indexname || ' ' || indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'hmis'").Scan(&defs))
	return defs
}

func TestDuplicateIDsInAnEmptyDatabase(t *testing.T) { // found by the primary key during the merge
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{false: "through staging", true: "direct with index rebuild"}[bulk], func(t *testing.T) {
			if bulk {
				defer importer.SetDirectBytes(0)()
			}
			_, pool := testdb.New(t)
			before, indexes := snapshot(t, pool), indexDefs(t, pool)
			dir := fixture(t, map[string]func(string) string{"Client.csv": appendRow("C1,Ann,Again,1980-01-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1")})
			res, err := importer.Run(context.Background(), pool, dir, importer.Options{})
			require.ErrorIs(t, err, importer.ErrInvalid)
			require.NotEmpty(t, res.Errors)
			assert.Equal(t, "Client.csv:2:1: PersonalID C1 is used on 2 rows (lines 2, 5)", res.Errors[0].String())
			assert.Equal(t, before, snapshot(t, pool))
			assert.Equal(t, indexes, indexDefs(t, pool), "indexes are back as they were")
		})
	}
}

func TestBulkLoadRebuildsTheSameIndexes(t *testing.T) {
	defer importer.SetDirectBytes(0)()
	_, pool := testdb.New(t)
	indexes := indexDefs(t, pool)
	require.Contains(t, indexes, "exit_one_per_enrollment")
	res, err := importer.Run(context.Background(), pool, fixture(t, nil), importer.Options{})
	require.NoError(t, err, "%v", res)
	assert.Equal(t, indexes, indexDefs(t, pool))
	// And the one-exit-per-enrollment rule still holds in the schema (SPEC H3).
	_, err = pool.Exec(context.Background(), `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, exportid)
		VALUES ('X2', 'N4', 'C3', '2024-02-01', 30, now(), now(), 'E1')`)
	assert.ErrorContains(t, err, "exit_one_per_enrollment")
}

func TestReimportOfAnIdenticalExportChangesNothing(t *testing.T) { // SPEC IO4
	_, pool := testdb.New(t)
	ctx := context.Background()
	dir := fixture(t, nil)
	first, err := importer.Run(ctx, pool, dir, importer.Options{})
	require.NoError(t, err)
	var before string
	require.NoError(t, pool.QueryRow(ctx, "SELECT string_agg(enrollmentid || ':' || import_id, ',' ORDER BY enrollmentid) FROM hmis.enrollment").Scan(&before))
	again, err := importer.Run(ctx, pool, dir, importer.Options{})
	require.NoError(t, err)
	for _, f := range again.Files {
		assert.Zero(t, f.Changed, "%s: %d rows reported as changed", f.File, f.Changed)
	}
	var after string
	require.NoError(t, pool.QueryRow(ctx, "SELECT string_agg(enrollmentid || ':' || import_id, ',' ORDER BY enrollmentid) FROM hmis.enrollment").Scan(&after))
	assert.Equal(t, before, after, "unchanged rows keep the import that wrote them")
	assert.NotEqual(t, first.ImportID, again.ImportID)

	// A newer export of the same data (a new ExportID on every row) changes nothing either.
	edits := map[string]func(string) string{}
	des, err := os.ReadDir("testdata/valid")
	require.NoError(t, err)
	for _, de := range des {
		edits[de.Name()] = func(s string) string { return strings.ReplaceAll(s, ",E1\n", ",E7\n") }
	}
	edits["Export.csv"] = replace("E1,", "E7,")
	newer, err := importer.Run(ctx, pool, fixture(t, edits), importer.Options{})
	require.NoError(t, err, "%+v", newer)
	for _, f := range newer.Files {
		want := map[string]int64{"Export.csv": 1}[f.File] // the new export's own row
		assert.Equal(t, want, f.Changed, "%s: %d rows reported as changed", f.File, f.Changed)
	}
	var exportIDs string
	require.NoError(t, pool.QueryRow(ctx, "SELECT string_agg(DISTINCT exportid, ',') FROM hmis.client").Scan(&exportIDs))
	assert.Equal(t, "E1", exportIDs, "a row that only moved to a newer export keeps the export that last changed it")

	// One changed value: that row, and only it, is written.
	changed, err := importer.Run(ctx, pool, fixture(t, map[string]func(string) string{
		"Enrollment.csv": replace("N3,C3,P3,2024-02-01,H2,1,XX-500", "N3,C3,P3,2024-02-01,H2,1,XX-501"),
	}), importer.Options{})
	require.NoError(t, err)
	for _, f := range changed.Files {
		want := map[string]int64{"Enrollment.csv": 1}[f.File]
		assert.Equal(t, want, f.Changed, f.File)
	}
}
