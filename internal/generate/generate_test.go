package generate

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

var testAsOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, households int, seed uint64) (string, Stats) {
	t.Helper()
	dir := t.TempDir()
	st, err := Run(context.Background(), Options{Out: dir, Households: households, Seed: seed, AsOf: testAsOf})
	if err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func hashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range hmis.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.CSV()))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		out[f.CSV()] = hex.EncodeToString(s[:])
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, sa := generate(t, 600, 7)
	b, sb := generate(t, 600, 7)
	c, _ := generate(t, 600, 8)
	ha, hb, hc := hashes(t, a), hashes(t, b), hashes(t, c)
	for _, f := range hmis.Files {
		if ha[f.CSV()] != hb[f.CSV()] {
			t.Errorf("%s differs between two runs with the same seed", f.CSV())
		}
		if sa.Rows(f.Name) != sb.Rows(f.Name) {
			t.Errorf("%s: %d rows then %d", f.Name, sa.Rows(f.Name), sb.Rows(f.Name))
		}
	}
	if ha["Enrollment.csv"] == hc["Enrollment.csv"] {
		t.Error("seeds 7 and 8 gave the same Enrollment.csv")
	}
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := Run(ctx, Options{Out: t.TempDir(), Households: 0, AsOf: testAsOf}); err == nil {
		t.Error("households 0 accepted")
	}
	if _, err := Run(ctx, Options{Households: 1, AsOf: testAsOf}); err == nil {
		t.Error("no output folder accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	dir := t.TempDir()
	if _, err := Run(cctx, Options{Out: dir, Households: 5000, AsOf: testAsOf}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Export.csv")); err == nil {
		t.Error("a cancelled run left an Export.csv")
	}
}

// export is a generated export read back with encoding/csv.
type export struct {
	rows map[string][]map[string]string // file → rows (column → value)
}

func read(t *testing.T, dir string) export {
	t.Helper()
	x := export{rows: map[string][]map[string]string{}}
	for _, f := range hmis.Files {
		fh, err := os.Open(filepath.Join(dir, f.CSV()))
		if err != nil {
			t.Fatal(err)
		}
		cr := csv.NewReader(fh)
		head, err := cr.Read()
		if err != nil {
			t.Fatalf("%s: %v", f.CSV(), err)
		}
		var want []string
		for _, c := range f.Current() {
			want = append(want, c.Name)
		}
		if strings.Join(head, ",") != strings.Join(want, ",") {
			t.Errorf("%s header\n got %v\nwant %v", f.CSV(), head, want)
		}
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.CSV(), err)
			}
			m := make(map[string]string, len(rec))
			for i, v := range rec {
				m[head[i]] = v
			}
			x.rows[f.Name] = append(x.rows[f.Name], m)
		}
		fh.Close()
	}
	return x
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(hmis.DateLayout, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

var moneyRE = regexp.MustCompile(`^-?[0-9]+\.[0-9]{2}$`)

// TestExportIsValid reads a generated export back and checks what the importer and the engine rely on.
func TestExportIsValid(t *testing.T) {
	dir, st := generate(t, 2000, 42)
	x := read(t, dir)
	asOf := testAsOf

	// Export.csv (brief: one row, full export, ExportDate = as-of at noon).
	ex := x.rows["Export"]
	if len(ex) != 1 {
		t.Fatalf("Export.csv has %d rows", len(ex))
	}
	e0 := ex[0]
	want := map[string]string{"CSVVersion": "2026 v1.0", "ExportPeriodType": "4", "ExportDirective": "2", "HashStatus": "1",
		"ExportDate": "2026-11-25 12:00:00", "ExportStartDate": "2024-11-25", "ExportEndDate": "2026-11-25"}
	for k, v := range want {
		if e0[k] != v {
			t.Errorf("Export.%s = %q, want %q", k, e0[k], v)
		}
	}
	exportID := e0["ExportID"]

	// Every file: counts, unique keys, types, required columns, codes, ExportID, stamps.
	keys := map[string]map[string]bool{}
	for _, f := range hmis.Files {
		rows := x.rows[f.Name]
		if int64(len(rows)) != st.Rows(f.Name) {
			t.Errorf("%s: %d rows, Stats says %d", f.Name, len(rows), st.Rows(f.Name))
		}
		key := f.Key().Name
		keys[f.Name] = map[string]bool{}
		for i, r := range rows {
			line := i + 2
			if keys[f.Name][r[key]] {
				t.Fatalf("%s line %d: duplicate %s %q", f.CSV(), line, key, r[key])
			}
			keys[f.Name][r[key]] = true
			for _, c := range f.Current() {
				v := r[c.Name]
				if v == "" {
					if c.Required {
						t.Fatalf("%s line %d: required %s is empty", f.CSV(), line, c.Name)
					}
					continue
				}
				var err error
				switch c.Type {
				case hmis.Integer:
					var n int
					n, err = strconv.Atoi(v)
					if err == nil && c.Codes != "" && !hmis.Codes[c.Codes][n] {
						t.Fatalf("%s line %d: %s %d not in %s", f.CSV(), line, c.Name, n, c.Codes)
					}
				case hmis.Date:
					_, err = time.Parse(hmis.DateLayout, v)
				case hmis.DateTime:
					var d time.Time
					d, err = time.Parse(hmis.DateTimeLayout, v)
					if err == nil && d.After(asOf.Add(12*time.Hour)) {
						t.Fatalf("%s line %d: %s %s after the export date", f.CSV(), line, c.Name, v)
					}
				case hmis.Money:
					if !moneyRE.MatchString(v) {
						err = errors.New("not money with 2 decimals")
					}
				}
				if err != nil {
					t.Fatalf("%s line %d: %s %q: %v", f.CSV(), line, c.Name, v, err)
				}
			}
			if f.Has("ExportID") && r["ExportID"] != exportID {
				t.Fatalf("%s line %d: ExportID %q, want %q", f.CSV(), line, r["ExportID"], exportID)
			}
			if f.Has("DateUpdated") && r["DateUpdated"] < r["DateCreated"] {
				t.Fatalf("%s line %d: updated before created", f.CSV(), line)
			}
		}
	}
	// References, UserIDs included.
	for _, f := range hmis.Files {
		for i, r := range x.rows[f.Name] {
			for _, ref := range f.Refs {
				if !keys[ref.File][r[ref.Column]] {
					t.Fatalf("%s line %d: %s %q not in %s.csv", f.CSV(), i+2, ref.Column, r[ref.Column], ref.File)
				}
			}
			if u := r["UserID"]; f.Name != "User" && u != "" && !keys["User"][u] {
				t.Fatalf("%s line %d: UserID %q not in User.csv", f.CSV(), i+2, u)
			}
		}
	}
	for _, u := range x.rows["User"] {
		if u["UserEmail"] == "" {
			t.Errorf("user %s has no email", u["UserID"])
		}
	}

	// Projects: every type; RRHSubType only on 13; participation records.
	ptype := map[string]int{}
	rrhSub := map[string]string{}
	types := map[string]bool{}
	for _, p := range x.rows["Project"] {
		n, _ := strconv.Atoi(p["ProjectType"])
		ptype[p["ProjectID"]] = n
		rrhSub[p["ProjectID"]] = p["RRHSubType"]
		types[p["ProjectType"]+"/"+p["RRHSubType"]] = true
		if (n == 13) != (p["RRHSubType"] != "") {
			t.Errorf("project %s type %d RRHSubType %q", p["ProjectID"], n, p["RRHSubType"])
		}
	}
	for _, k := range []string{"0/", "1/", "2/", "3/", "4/", "6/", "7/", "8/", "9/", "10/", "11/", "12/", "13/1", "13/2", "14/"} {
		if !types[k] {
			t.Errorf("no project of type %s", k)
		}
	}
	hmisPart := map[string]bool{}
	for _, p := range x.rows["HMISParticipation"] {
		if p["HMISParticipationType"] == "1" {
			hmisPart[p["ProjectID"]] = true
		}
	}
	ceParts := map[string]bool{}
	for _, p := range x.rows["CEParticipation"] {
		ceParts[p["ProjectID"]] = true
	}
	for id, n := range ptype {
		if !hmisPart[id] || (n == 14 && !ceParts[id]) {
			t.Errorf("project %s (type %d) lacks participation records (SPEC PD7)", id, n)
		}
	}

	// Enrollments, households and exits.
	type enrollment struct {
		id, pid, project, household string
		ptype                       int
		entry, exit                 time.Time
		exited                      bool
		hoh                         bool
		last                        time.Time // last activity (SPEC A1), entry at least
		lastNight                   time.Time // NbN
		nights                      int
	}
	enr := map[string]*enrollment{}
	var order []*enrollment
	for _, r := range x.rows["Enrollment"] {
		e := &enrollment{id: r["EnrollmentID"], pid: r["PersonalID"], project: r["ProjectID"], household: r["HouseholdID"],
			ptype: ptype[r["ProjectID"]], entry: mustDate(t, r["EntryDate"]), hoh: r["RelationshipToHoH"] == "1"}
		e.last = e.entry
		if e.entry.After(asOf) {
			t.Fatalf("enrollment %s entered after the as-of date", e.id)
		}
		enr[e.id] = e
		order = append(order, e)
	}
	entryTypes := map[int]bool{}
	for _, e := range order {
		entryTypes[e.ptype] = true
	}
	for _, n := range []int{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14} {
		if !entryTypes[n] {
			t.Errorf("no enrollment in a project of type %d", n)
		}
	}
	for _, r := range x.rows["Exit"] {
		e := enr[r["EnrollmentID"]]
		if e.exited {
			t.Fatalf("enrollment %s has two exits", e.id)
		}
		if r["PersonalID"] != e.pid {
			t.Fatalf("exit %s: PersonalID %s, enrollment's %s", r["ExitID"], r["PersonalID"], e.pid)
		}
		e.exited, e.exit = true, mustDate(t, r["ExitDate"])
		if e.exit.Before(e.entry) || e.exit.After(asOf) {
			t.Fatalf("exit %s on %s, entry %s (SPEC D4)", e.id, r["ExitDate"], e.entry.Format(hmis.DateLayout))
		}
		noSameDay := map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true, 8: true, 9: true, 10: true, 13: rrhSub[e.project] != "1"}
		if noSameDay[e.ptype] && e.exit.Equal(e.entry) {
			t.Fatalf("same-day exit %s in a project of type %d (SPEC D3)", e.id, e.ptype)
		}
		if (r["Destination"] == "435") != (r["DestinationSubsidyType"] != "") || (r["Destination"] == "17") != (r["OtherDestination"] != "") {
			t.Fatalf("exit %s: destination %s subsidy %q other %q", e.id, r["Destination"], r["DestinationSubsidyType"], r["OtherDestination"])
		}
	}
	for _, r := range x.rows["Enrollment"] {
		e := enr[r["EnrollmentID"]]
		if mi := r["MoveInDate"]; mi != "" {
			d := mustDate(t, mi)
			if !(e.ptype == 3 || e.ptype == 9 || e.ptype == 10 || e.ptype == 13) || d.Before(e.entry) || d.After(asOf) || (e.exited && d.After(e.exit)) {
				t.Fatalf("enrollment %s (type %d): MoveInDate %s", e.id, e.ptype, mi)
			}
		}
	}
	households := map[string][]*enrollment{}
	var hhOrder []string
	for _, e := range order {
		if households[e.household] == nil {
			hhOrder = append(hhOrder, e.household)
		}
		households[e.household] = append(households[e.household], e)
	}
	for _, id := range hhOrder {
		ms := households[id]
		heads := 0
		var head *enrollment
		for _, m := range ms {
			if m.hoh {
				heads++
				head = m
			}
			if m.project != ms[0].project || !m.entry.Equal(ms[0].entry) {
				t.Fatalf("household %s: members in different projects or entry dates", id)
			}
		}
		if heads != 1 {
			t.Fatalf("household %s has %d heads", id, heads)
		}
		for _, m := range ms {
			if head.exited && (!m.exited || m.exit.After(head.exit)) {
				t.Fatalf("household %s: head exited %s, member %s did not exit with it", id, head.exit.Format(hmis.DateLayout), m.id)
			}
		}
	}

	// Activity (SPEC A1): on or after entry, on or before exit and the as-of date.
	activity := func(file, enrollmentID, date string, stage string) {
		if date == "" {
			return
		}
		e := enr[enrollmentID]
		d := mustDate(t, date)
		if d.Before(e.entry) || d.After(asOf) || (e.exited && d.After(e.exit)) {
			t.Fatalf("%s: %s for enrollment %s outside [%s, exit %v]", file, date, e.id, e.entry.Format(hmis.DateLayout), e.exit)
		}
		if stage == "1" && !d.Equal(e.entry) {
			t.Fatalf("%s: entry record of %s dated %s", file, e.id, date)
		}
		if stage == "3" && !d.Equal(e.exit) {
			t.Fatalf("%s: exit record of %s dated %s", file, e.id, date)
		}
		if stage == "" || stage == "2" || stage == "5" {
			if d.After(e.last) {
				e.last = d
			}
		}
	}
	for _, r := range x.rows["Services"] {
		activity("Services", r["EnrollmentID"], r["DateProvided"], "")
		e := enr[r["EnrollmentID"]]
		if (r["RecordType"] == "200") != (e.ptype == 1) {
			t.Fatalf("service %s: RecordType %s in a project of type %d", r["ServicesID"], r["RecordType"], e.ptype)
		}
		if r["RecordType"] == "200" {
			d := mustDate(t, r["DateProvided"])
			e.nights++
			if d.After(e.lastNight) {
				e.lastNight = d
			}
			if e.exited && !d.Before(e.exit) {
				t.Fatalf("bed night %s on or after the exit of %s", r["DateProvided"], e.id)
			}
		}
	}
	for _, r := range x.rows["CurrentLivingSituation"] {
		activity("CurrentLivingSituation", r["EnrollmentID"], r["InformationDate"], "")
	}
	for _, r := range x.rows["Assessment"] {
		activity("Assessment", r["EnrollmentID"], r["AssessmentDate"], "")
	}
	for _, r := range x.rows["Event"] {
		activity("Event", r["EnrollmentID"], r["EventDate"], "")
		activity("Event", r["EnrollmentID"], r["ResultDate"], "")
	}
	for _, f := range []string{"IncomeBenefits", "HealthAndDV", "Disabilities", "EmploymentEducation", "YouthEducationStatus"} {
		for _, r := range x.rows[f] {
			activity(f, r["EnrollmentID"], r["InformationDate"], r["DataCollectionStage"])
		}
	}
	for _, e := range order {
		if e.ptype != 1 {
			continue
		}
		if e.nights == 0 {
			t.Fatalf("NbN enrollment %s has no bed night", e.id)
		}
		if e.exited && !e.exit.Equal(e.lastNight.AddDate(0, 0, 1)) {
			t.Fatalf("NbN enrollment %s exits %s, last bed night %s (SPEC D2)", e.id, e.exit.Format(hmis.DateLayout), e.lastNight.Format(hmis.DateLayout))
		}
	}

	// Open households of SSO/OT/SO by days since the household's last activity (SPEC H1, P2, AL1).
	count := map[string]int{}
	for _, id := range hhOrder {
		ms := households[id]
		var last time.Time
		open := false
		for _, m := range ms {
			if m.last.After(last) {
				last = m.last
			}
			open = open || !m.exited
		}
		if !open {
			continue
		}
		ago := days(last, asOf)
		switch pt := ms[0].ptype; {
		case (pt == 6 || pt == 7) && ago >= 90:
			count[strconv.Itoa(pt)+" past"]++
		case (pt == 6 || pt == 7) && ago >= 80:
			count[strconv.Itoa(pt)+" alert"]++
		case pt == 4 && ago >= 365:
			count["4 past"]++
		case pt == 4 && ago >= 300:
			count["4 alert"]++
		case pt == 6 || pt == 7 || pt == 4:
			count[strconv.Itoa(pt)+" recent"]++
		}
	}
	t.Logf("open households by window: %v", count)
	for _, k := range []string{"6 past", "6 alert", "6 recent", "4 past", "4 alert", "4 recent", "7 past", "7 alert"} {
		if count[k] == 0 {
			t.Errorf("no open household of type %s", k)
		}
	}
}
