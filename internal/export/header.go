package export

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// HUD HMIS CSV codes of Export.csv (HMIS CSV Format Specifications, lists 1.1, 1.2, 1.5, 1.9).
//
// ExportPeriodType (1.1): 1 Updated, 2 Effective, 3 Reporting period, 4 Other.
// ExportDirective (1.2): 1 Delta refresh, 2 Full refresh, 3 Other.
// A full export carries every row whatever its dates, so it is period type 4 (Other, not bounded by
// a reporting period) with directive 2 (Full refresh); a delta carries the rows updated since a
// time, so it is period type 1 (Updated) with directive 1 (Delta refresh).
const (
	PeriodUpdated = 1 // ExportPeriodType: rows updated in the period
	PeriodOther   = 4 // ExportPeriodType: other (a full export)

	DirectiveDelta = 1 // ExportDirective: delta refresh
	DirectiveFull  = 2 // ExportDirective: full refresh

	sourceTypeOther = 4 // SourceType (1.9): other
	hashUnhashed    = 1 // HashStatus (1.5): unhashed
)

// CSVVersion is the HMIS CSV version written to Export.csv.
const CSVVersion = "2026 v1.0"

// SoftwareName is written to Export.csv.
const SoftwareName = "exitflow"

// Header is the content of the single Export.csv row.
type Header struct {
	ExportID         string
	SourceType       int
	SourceID         string
	SourceName       string
	ExportDate       time.Time // wall clock, written yyyy-mm-dd hh:mm:ss
	ExportStartDate  time.Time // date
	ExportEndDate    time.Time // date
	SoftwareVersion  string
	ExportPeriodType int
	ExportDirective  int
	HashStatus       int
	ImplementationID string
}

// source describes the HMIS the data came from: the most recently imported Export row.
type source struct {
	typ              int
	id, name         string
	hashStatus       int
	implementationID string
}

// lastSource reads the most recently imported Export row; ok is false when nothing was imported.
func lastSource(ctx context.Context, tx pgx.Tx) (s source, ok bool, err error) {
	// Imports are recorded in exitflow.import_run (when that migration is there): the latest
	// import's export wins, else the latest ExportDate.
	var runs bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('exitflow.import_run') IS NOT NULL`).Scan(&runs); err != nil {
		return s, false, fmt.Errorf("looking for the import log: %w", err)
	}
	order := "exportdate DESC NULLS LAST, exportid DESC"
	if runs {
		order = "(SELECT max(r.id) FROM exitflow.import_run r WHERE r.export_id = e.exportid) DESC NULLS LAST, " + order
	}
	var typ, hash *int32
	var id, name, impl *string
	err = tx.QueryRow(ctx, `SELECT sourcetype, sourceid, sourcename, hashstatus, implementationid
		FROM hmis.export e ORDER BY `+order+` LIMIT 1`).Scan(&typ, &id, &name, &hash, &impl)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("reading the imported Export row: %w", err)
	}
	s = source{typ: sourceTypeOther, name: SoftwareName, hashStatus: hashUnhashed, implementationID: SoftwareName}
	if typ != nil {
		s.typ = int(*typ)
	}
	if hash != nil {
		s.hashStatus = int(*hash)
	}
	if id != nil {
		s.id = *id
	}
	if name != nil && *name != "" {
		s.name = *name
	}
	if impl != nil && *impl != "" {
		s.implementationID = *impl
	}
	return s, true, nil
}

// fullStartDate is the start of a full export's period: the earliest imported ExportStartDate or
// project entry date, else today.
func fullStartDate(ctx context.Context, tx pgx.Tx, today time.Time) (time.Time, error) {
	var d *time.Time
	err := tx.QueryRow(ctx, `SELECT least((SELECT min(exportstartdate) FROM hmis.export),
		(SELECT min(entrydate) FROM hmis.enrollment))`).Scan(&d)
	if err != nil {
		return today, fmt.Errorf("finding the start of the data: %w", err)
	}
	if d == nil || d.After(today) {
		return today, nil
	}
	return *d, nil
}

// values is the Export.csv row in Current() order.
func (h Header) values() []string {
	f := hmis.Lookup("Export")
	byName := map[string]string{
		"ExportID":         h.ExportID,
		"SourceType":       strconv.Itoa(h.SourceType),
		"SourceID":         h.SourceID,
		"SourceName":       h.SourceName,
		"ExportDate":       hmis.Format(hmis.DateTime, h.ExportDate),
		"ExportStartDate":  hmis.Format(hmis.Date, h.ExportStartDate),
		"ExportEndDate":    hmis.Format(hmis.Date, h.ExportEndDate),
		"SoftwareName":     SoftwareName,
		"SoftwareVersion":  h.SoftwareVersion,
		"CSVVersion":       CSVVersion,
		"ExportPeriodType": strconv.Itoa(h.ExportPeriodType),
		"ExportDirective":  strconv.Itoa(h.ExportDirective),
		"HashStatus":       strconv.Itoa(h.HashStatus),
		"ImplementationID": h.ImplementationID,
	}
	cols := f.Current()
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = byName[c.Name]
	}
	return out
}

// newExportID derives an ExportID from the export time: UTC yyyymmddhhmmss and milliseconds.
func newExportID(now time.Time) string {
	u := now.UTC()
	return u.Format("20060102150405") + fmt.Sprintf("%03d", u.Nanosecond()/int(time.Millisecond))
}

// dateOf is the calendar date of t's wall clock, at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
