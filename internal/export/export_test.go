package export_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/export"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// seed inserts a tiny CoC: one source export, an organization, a user, a project, two clients with
// an enrollment each, a live exit (old), a soft-deleted exit (deleted recently), an income record.
func seed(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	stmts := []string{
		`INSERT INTO hmis.export (exportid, sourcetype, sourceid, sourcename, exportdate, exportstartdate, exportenddate,
			softwarename, csvversion, exportperiodtype, exportdirective, hashstatus, implementationid)
		 VALUES ('1036', 1, 'XX-501', 'Test CoC HMIS', '2025-01-01 08:00:00', '2024-01-01', '2024-12-31',
			'SomeHMIS', '2026 v1.0', 3, 2, 1, 'impl-7')`,
		`INSERT INTO hmis.organization (organizationid, organizationname, victimserviceprovider, datecreated, dateupdated, exportid)
		 VALUES ('O1', 'Shelter, "North"', 0, '2020-01-01 00:00:00', '2024-06-01 09:30:00', '1036')`,
		`INSERT INTO hmis."user" (userid, userfirstname, useremail, datecreated, dateupdated, exportid)
		 VALUES ('U1', 'Ann', '', '2020-01-01 00:00:00', '2024-06-01 09:30:00', '1036')`,
		`INSERT INTO hmis.project (projectid, organizationid, projectname, operatingstartdate, projecttype, datecreated, dateupdated, userid, exportid)
		 VALUES ('P1', 'O1', 'North ES', '2019-03-04', 0, '2020-01-01 00:00:00', '2024-06-01 09:30:00', 'U1', '1036')`,
		`INSERT INTO hmis.client (personalid, firstname, lastname, dob, datecreated, dateupdated, exportid)
		 VALUES ('C1', 'Bo', 'Line
break', '1980-02-29', '2021-01-01 00:00:00', '2024-06-01 09:30:00', '1036'),
		        ('C2', 'Cy', 'Dee', NULL, '2021-01-01 00:00:00', '2025-03-01 12:00:00', '1036')`,
		`INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, datecreated, dateupdated, exportid)
		 VALUES ('E1', 'C1', 'P1', '2024-01-05', 'H1', 1, '2024-01-05 10:00:00', '2024-01-05 10:00:00', '1036'),
		        ('E2', 'C2', 'P1', '2024-02-05', 'H2', 1, '2024-02-05 10:00:00', '2024-02-05 10:00:00', '1036')`,
		`INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, datedeleted, exportid)
		 VALUES ('X1', 'E1', 'C1', '2024-05-01', 410, '2024-05-01 11:00:00', '2024-05-01 11:00:00', 'U1', NULL, '1036'),
		        ('X2', 'E2', 'C2', '2024-05-02', 30, '2024-05-02 11:00:00', '2024-05-02 11:00:00', 'U1', '2025-03-02 08:15:16', '1036')`,
		`INSERT INTO hmis.incomebenefits (incomebenefitsid, enrollmentid, personalid, informationdate, totalmonthlyincome, earnedamount, datacollectionstage, datecreated, dateupdated, exportid)
		 VALUES ('I1', 'E1', 'C1', '2024-01-05', 1234.5, 0, 1, '2024-01-05 10:00:00', '2024-01-05 10:00:00', '1036')`,
	}
	for _, s := range stmts {
		if _, err := pool.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// readCSV reads one exported file: its header and rows keyed by column name.
func readCSV(t *testing.T, dir, name string) ([]string, []map[string]string) {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

func byKey(rows []map[string]string, key string) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, r := range rows {
		m[r[key]] = r
	}
	return m
}

func want(t *testing.T, file string, row map[string]string, col, val string) {
	t.Helper()
	if got, ok := row[col]; !ok || got != val {
		t.Errorf("%s %s = %q, want %q", file, col, got, val)
	}
}

var now = time.Date(2025, 3, 10, 14, 5, 6, 0, time.FixedZone("EST", -5*3600))

func TestFullExport(t *testing.T) {
	_, pool := testdb.New(t)
	seed(t, pool)
	dir := t.TempDir()
	var events int
	st, err := export.Run(context.Background(), pool, dir, export.Options{Now: now, SoftwareVersion: "1.2.3",
		Progress: func(export.Progress) { events++ }})
	if err != nil {
		t.Fatal(err)
	}
	id := st.Header.ExportID
	if id == "" || id == "1036" || len(id) > 32 {
		t.Fatalf("ExportID %q", id)
	}
	if len(st.Files) != len(hmis.Files) || events < len(hmis.Files) {
		t.Fatalf("%d files, %d progress events", len(st.Files), events)
	}
	for _, f := range hmis.Files {
		head, rows := readCSV(t, dir, f.CSV())
		var names []string
		for _, c := range f.Current() {
			names = append(names, c.Name)
		}
		if strings.Join(head, ",") != strings.Join(names, ",") {
			t.Errorf("%s header\n got %v\nwant %v", f.CSV(), head, names)
		}
		for _, r := range rows {
			want(t, f.CSV(), r, "ExportID", id)
		}
		if _, err := os.Stat(filepath.Join(dir, f.CSV()+".part")); err == nil {
			t.Errorf("%s.part left behind", f.CSV())
		}
	}

	_, ex := readCSV(t, dir, "Export.csv")
	if len(ex) != 1 {
		t.Fatalf("Export.csv has %d rows", len(ex))
	}
	e := ex[0]
	for col, val := range map[string]string{"SourceType": "1", "SourceID": "XX-501", "SourceName": "Test CoC HMIS",
		"ExportDate": "2025-03-10 14:05:06", "ExportStartDate": "2024-01-01", "ExportEndDate": "2025-03-10",
		"SoftwareName": "exitflow", "SoftwareVersion": "1.2.3", "CSVVersion": "2026 v1.0", "ExportPeriodType": "4",
		"ExportDirective": "2", "HashStatus": "1", "ImplementationID": "impl-7"} {
		want(t, "Export.csv", e, col, val)
	}

	_, org := readCSV(t, dir, "Organization.csv")
	want(t, "Organization.csv", org[0], "OrganizationName", `Shelter, "North"`)
	want(t, "Organization.csv", org[0], "DateUpdated", "2024-06-01 09:30:00")
	want(t, "Organization.csv", org[0], "VictimServiceProvider", "0")
	want(t, "Organization.csv", org[0], "OrganizationCommonName", "")
	_, cl := readCSV(t, dir, "Client.csv")
	clients := byKey(cl, "PersonalID")
	want(t, "Client.csv", clients["C1"], "DOB", "1980-02-29")
	want(t, "Client.csv", clients["C1"], "LastName", "Line\nbreak")
	want(t, "Client.csv", clients["C2"], "DOB", "")
	_, pr := readCSV(t, dir, "Project.csv")
	want(t, "Project.csv", pr[0], "OperatingStartDate", "2019-03-04")
	want(t, "Project.csv", pr[0], "ProjectType", "0")
	_, inc := readCSV(t, dir, "IncomeBenefits.csv")
	want(t, "IncomeBenefits.csv", inc[0], "TotalMonthlyIncome", "1234.50")
	want(t, "IncomeBenefits.csv", inc[0], "EarnedAmount", "0.00")
	_, ex2 := readCSV(t, dir, "Exit.csv")
	exits := byKey(ex2, "ExitID")
	if len(exits) != 2 {
		t.Fatalf("Exit.csv has %d rows, want 2 (soft-deleted included)", len(exits))
	}
	want(t, "Exit.csv", exits["X1"], "DateDeleted", "")
	want(t, "Exit.csv", exits["X2"], "DateDeleted", "2025-03-02 08:15:16")
	want(t, "Exit.csv", exits["X2"], "Destination", "30")

	if h, _ := readCSV(t, dir, "Client.csv"); len(h) != len(hmis.Lookup("Client").Current()) || containsAny(h, "Woman", "GenderNone") {
		t.Errorf("Client.csv carries FY2024-only columns: %v", h)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "User.csv"))
	if strings.Contains(string(raw), `""`) {
		t.Errorf("User.csv writes an empty string as \"\": %s", raw)
	}
}

func containsAny(list []string, names ...string) bool {
	for _, l := range list {
		for _, n := range names {
			if l == n {
				return true
			}
		}
	}
	return false
}

func TestDeltaExport(t *testing.T) {
	_, pool := testdb.New(t)
	seed(t, pool)
	dir := t.TempDir()
	since := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	st, err := export.Run(context.Background(), pool, dir, export.Options{Now: now, ChangedSince: &since})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, f := range st.Files {
		counts[f.File] = f.Rows
	}
	_, ex := readCSV(t, dir, "Export.csv")
	for col, val := range map[string]string{"ExportPeriodType": "1", "ExportDirective": "1",
		"ExportStartDate": "2025-03-01", "ExportEndDate": "2025-03-10", "ExportID": st.Header.ExportID} {
		want(t, "Export.csv", ex[0], col, val)
	}
	_, cl := readCSV(t, dir, "Client.csv")
	if len(cl) != 1 || cl[0]["PersonalID"] != "C2" {
		t.Errorf("Client.csv rows %v, want only C2 (updated since)", cl)
	}
	_, xs := readCSV(t, dir, "Exit.csv")
	if len(xs) != 1 || xs[0]["ExitID"] != "X2" || xs[0]["DateDeleted"] != "2025-03-02 08:15:16" {
		t.Errorf("Exit.csv rows %v, want only the soft-deleted X2", xs)
	}
	for _, name := range []string{"Organization.csv", "User.csv", "Project.csv", "Enrollment.csv", "IncomeBenefits.csv"} {
		if _, rows := readCSV(t, dir, name); len(rows) != 0 || counts[name] != 0 {
			t.Errorf("%s has %d rows (stats %d), want none", name, len(rows), counts[name])
		}
	}
	if counts["Export.csv"] != 1 || counts["Client.csv"] != 1 || counts["Exit.csv"] != 1 || st.Rows != 3 {
		t.Errorf("stats %+v", st.Files)
	}

	// A time with a clock: rows updated exactly at it are in, a second earlier out.
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := export.Run(context.Background(), pool, dir, export.Options{Now: now, ChangedSince: &at}); err != nil {
		t.Fatal(err)
	}
	if _, cl := readCSV(t, dir, "Client.csv"); len(cl) != 1 {
		t.Errorf("Client.csv with DateUpdated == since: %d rows, want 1", len(cl))
	}
	later := at.Add(time.Second)
	if _, err := export.Run(context.Background(), pool, dir, export.Options{Now: now, ChangedSince: &later}); err != nil {
		t.Fatal(err)
	}
	if _, cl := readCSV(t, dir, "Client.csv"); len(cl) != 0 {
		t.Errorf("Client.csv updated before since: %d rows, want 0", len(cl))
	}
}

func TestNoImportedSource(t *testing.T) {
	_, pool := testdb.New(t)
	dir := t.TempDir()
	if _, err := export.Run(context.Background(), pool, dir, export.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	_, ex := readCSV(t, dir, "Export.csv")
	for col, val := range map[string]string{"SourceType": "4", "SourceName": "exitflow", "ImplementationID": "exitflow",
		"ExportStartDate": "2025-03-10", "HashStatus": "1"} {
		want(t, "Export.csv", ex[0], col, val)
	}
	if _, err := export.Run(context.Background(), pool, filepath.Join(dir, "missing"), export.Options{}); err == nil {
		t.Error("export into a missing folder succeeded")
	}
}
