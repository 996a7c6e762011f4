package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

// exportInfo is what the rest of the import needs from Export.csv.
type exportInfo struct {
	id         string
	date       time.Time
	csvVersion string
}

// SupportedVersions are the CSVVersion prefixes exitflow reads (SPEC IO1).
var SupportedVersions = []string{"2026 v1", "2024 v1"}

// readExportInfo reads Export.csv up front: exactly one row, a known CSV version, its ExportID and date.
func readExportInfo(name string, r io.Reader, p *problems) *exportInfo {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		p.err(Problem{name, 0, 0, "cannot be read: " + err.Error()})
		return nil
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil || len(recs) == 0 {
		return nil // the full load of Export.csv reports the problem with its location
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var rows [][]string
	for _, r := range recs[1:] {
		if !(len(r) == 1 && r[0] == "") {
			rows = append(rows, r)
		}
	}
	if len(rows) != 1 {
		p.err(Problem{name, 0, 0, fmt.Sprintf("has %d data rows; an HMIS CSV export has exactly one Export row", len(rows))})
		if len(rows) == 0 {
			return nil
		}
	}
	get := func(col string) (string, int) {
		i, ok := idx[strings.ToLower(col)]
		if !ok || i >= len(rows[0]) {
			return "", 0
		}
		return strings.TrimSpace(rows[0][i]), i + 1
	}
	ex := &exportInfo{}
	ex.id, _ = get("ExportID")
	ver, vcol := get("CSVVersion")
	ex.csvVersion = ver
	known := false
	for _, v := range SupportedVersions {
		if strings.HasPrefix(ver, v) {
			known = true
		}
	}
	if !known && vcol > 0 {
		p.err(Problem{name, 2, vcol, fmt.Sprintf("CSVVersion %q is not supported (want an FY2026 \"2026 v1.x\" or FY2024 \"2024 v1.x\" export)", clip(ver))})
	}
	if d, _ := get("ExportDate"); d != "" {
		if t, ok, valid := parseSpecDateTime(d); ok && valid {
			ex.date = t
		} else if t, ok, _ := lenient(d, monthFirst); ok {
			ex.date = t
		}
	}
	_ = hmis.DateLayout
	return ex
}
