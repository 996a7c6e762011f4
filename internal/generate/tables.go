package generate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/exitflow/exitflow/internal/hmis"
)

// table is one open CSV file of the export and the row being built for it.
type table struct {
	f    *hmis.File
	file *asyncFile
	w    *hmis.Writer
	idx  map[string]int // column name → position in Current()
	row  []string
	n    int64 // data rows written

	exportID, created, updated, user int // positions of the shared columns (-1 if absent)
}

// c is the position of a column; the spec is fixed, so a missing column is a programming error.
func (t *table) c(name string) int {
	i, ok := t.idx[name]
	if !ok {
		panic(fmt.Sprintf("generate: %s has no column %s", t.f.CSV(), name))
	}
	return i
}

// begin clears the row and sets its ExportID.
func (t *table) begin(exportID string) []string {
	clear(t.row)
	if t.exportID >= 0 {
		t.row[t.exportID] = exportID
	}
	return t.row
}

// set sets one column of the row by name.
func (t *table) set(name, v string) { t.row[t.c(name)] = v }

// stamp sets DateCreated, DateUpdated and UserID.
func (t *table) stamp(created, updated, user string) {
	t.row[t.created] = created
	t.row[t.updated] = updated
	if t.user >= 0 {
		t.row[t.user] = user
	}
}

// write writes the row.
func (t *table) write() error {
	if err := t.w.Write(t.row); err != nil {
		return fmt.Errorf("generate: writing %s: %w", t.f.CSV(), err)
	}
	t.n++
	return nil
}

// tables are the open files of an export, one *hmis.Writer each, kept open for the whole run.
type tables struct {
	dir      string
	exportID string
	byName   map[string]*table
	all      []*table // hmis.Files order, Export excluded (it is written last)

	export, org, user, project, funder, projectCoC, inventory, affiliation, hmisPart, cePart *table
	client, enrollment, exit, income, health, employment, disab, services, cls               *table
	assessment, aq, ar, event, youth                                                         *table
}

func newTable(f *hmis.File, exportID string) *table {
	cols := f.Current()
	t := &table{f: f, idx: make(map[string]int, len(cols)), row: make([]string, len(cols))}
	for i, c := range cols {
		t.idx[c.Name] = i
	}
	pos := func(name string) int {
		if i, ok := t.idx[name]; ok {
			return i
		}
		return -1
	}
	t.exportID, t.created, t.updated, t.user = pos("ExportID"), pos("DateCreated"), pos("DateUpdated"), pos("UserID")
	return t
}

// openTables creates every CSV file but Export.csv in dir and writes their headers.
func openTables(dir, exportID string) (*tables, error) {
	ws := &tables{dir: dir, exportID: exportID, byName: map[string]*table{}}
	for _, f := range hmis.Files {
		t := newTable(f, exportID)
		ws.byName[f.Name] = t
		if f.Name == "Export" {
			continue
		}
		file, err := os.Create(filepath.Join(dir, f.CSV()))
		if err != nil {
			ws.closeAll()
			return nil, fmt.Errorf("generate: %w", err)
		}
		t.file = newAsyncFile(file)
		w, err := hmis.NewWriter(t.file, f)
		if err != nil {
			ws.closeAll()
			return nil, fmt.Errorf("generate: %w", err)
		}
		t.w = w
		ws.all = append(ws.all, t)
	}
	get := func(name string) *table {
		t := ws.byName[name]
		if t == nil {
			panic("generate: hmis spec has no file " + name)
		}
		return t
	}
	ws.export, ws.org, ws.user, ws.project = get("Export"), get("Organization"), get("User"), get("Project")
	ws.funder, ws.projectCoC, ws.inventory, ws.affiliation = get("Funder"), get("ProjectCoC"), get("Inventory"), get("Affiliation")
	ws.hmisPart, ws.cePart, ws.client, ws.enrollment = get("HMISParticipation"), get("CEParticipation"), get("Client"), get("Enrollment")
	ws.exit, ws.income, ws.health, ws.employment = get("Exit"), get("IncomeBenefits"), get("HealthAndDV"), get("EmploymentEducation")
	ws.disab, ws.services, ws.cls, ws.assessment = get("Disabilities"), get("Services"), get("CurrentLivingSituation"), get("Assessment")
	ws.aq, ws.ar, ws.event, ws.youth = get("AssessmentQuestions"), get("AssessmentResults"), get("Event"), get("YouthEducationStatus")
	return ws, nil
}

// finish flushes and closes every open file.
func (ws *tables) finish() error {
	var errs []error
	for _, t := range ws.all {
		if t.file == nil {
			continue
		}
		if err := t.w.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("generate: writing %s: %w", t.f.CSV(), err))
		}
		if err := t.file.Close(); err != nil {
			errs = append(errs, fmt.Errorf("generate: closing %s: %w", t.f.CSV(), err))
		}
		t.file = nil
	}
	return errors.Join(errs...)
}

// closeAll closes whatever is still open (after an error).
func (ws *tables) closeAll() {
	for _, t := range ws.all {
		if t.file != nil {
			_ = t.file.Close()
			t.file = nil
		}
	}
}

// itoa caches the text of small numbers (codes, counts).
var smallInts = func() []string {
	s := make([]string, 1000)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(i int) string {
	if i >= 0 && i < len(smallInts) {
		return smallInts[i]
	}
	return strconv.Itoa(i)
}

// money renders dollars as HUD Money text with 2 decimals.
func money(cents int) string {
	return strconv.Itoa(cents/100) + "." + smallIntsPad2[cents%100]
}

var smallIntsPad2 = func() []string {
	s := make([]string, 100)
	for i := range s {
		s[i] = fmt.Sprintf("%02d", i)
	}
	return s
}()
