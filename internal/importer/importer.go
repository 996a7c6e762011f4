// Package importer loads a HUD HMIS CSV export (folder or .zip) into PostgreSQL: every file is
// validated and copied into staging tables, checked across files, then merged set-based in one
// transaction, so an export with any error changes nothing (SPEC IO1–IO4).
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrInvalid is returned when the export has errors; the database is unchanged.
var ErrInvalid = errors.New("the export has errors; nothing was imported")

// Options tune an import.
type Options struct {
	// Progress, if set, is called with bytes read so far and the total size of the export's files.
	Progress func(done, total int64)
	// Phase, if set, is told what the import is doing after the files are read ("checking", "merging").
	Phase func(string)
}

// FileCount is what happened to one file.
type FileCount struct {
	File    string `json:"file"`
	Rows    int64  `json:"rows"`    // data rows read
	Changed int64  `json:"changed"` // rows inserted or updated (newer DateUpdated wins)
}

// Result summarises an import.
type Result struct {
	ExportID     string      `json:"export_id"`
	CSVVersion   string      `json:"csv_version"`
	Files        []FileCount `json:"files"`
	Errors       []Problem   `json:"errors"`      // the first MaxErrors errors
	ErrorCount   int         `json:"error_count"` // all errors
	Warnings     []Warning   `json:"warnings"`
	WarningCount int         `json:"warning_count"`
	Seconds      float64     `json:"seconds"`
	ImportID     int64       `json:"import_id,omitempty"`
}

// importLock serialises imports (a PostgreSQL advisory lock key).
const importLock = 0x6578_6974_696d // "exitim"

// Run imports the export at path. On ErrInvalid the Result lists the problems.
func Run(ctx context.Context, pool *pgxpool.Pool, path string, opt Options) (*Result, error) {
	start := time.Now()
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	res := &Result{}
	p := &problems{}

	// A fresh session of our own: staging tables are temporary and temp_buffers must be set first.
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SET temp_buffers = '256MB'"); err != nil {
		return nil, fmt.Errorf("setting temp_buffers: %w", err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the import transaction: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", importLock); err != nil {
		return nil, fmt.Errorf("waiting for another import to finish: %w", err)
	}

	exEntry := src.files["export.csv"]
	rc, err := exEntry.open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", exEntry.name, err)
	}
	ex := readExportInfo(exEntry.name, rc, p)
	rc.Close()
	if ex != nil {
		res.ExportID, res.CSVVersion = ex.id, ex.csvVersion
	}

	var total, done int64
	for _, e := range src.files {
		total += e.size
	}
	progress := func(n int64) {
		done += n
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	loads := map[string]*fileLoad{}
	for _, f := range hmis.Files {
		if _, err := tx.Exec(ctx, stagingDDL(f)); err != nil {
			return nil, fmt.Errorf("creating staging table for %s: %w", f.CSV(), err)
		}
		e, ok := src.files[strings.ToLower(f.CSV())]
		if !ok {
			p.warn("file missing from the export", Problem{File: f.CSV(), Msg: "is not in the export; nothing of it is imported"})
			continue
		}
		l := &fileLoad{spec: f, name: e.name}
		loads[f.Name] = l
		rc, err := e.open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		err = l.load(ctx, tx.Conn(), rc, ex, p, progress)
		rc.Close()
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, FileCount{File: e.name, Rows: l.rows})
		if l.rows > 0 {
			if _, err := tx.Exec(ctx, "ANALYZE "+stagingTable(f)); err != nil {
				return nil, fmt.Errorf("analyzing %s: %w", e.name, err)
			}
		}
	}
	for _, name := range src.unknown(func(k string) bool { return hmis.Lookup(k) != nil }) {
		p.warn("file not in the HMIS CSV spec", Problem{File: name, Msg: "is not an HMIS CSV file; ignored"})
	}
	if opt.Phase != nil {
		opt.Phase("checking")
	}
	for _, f := range hmis.Files {
		if err := effective(ctx, tx, f); err != nil {
			return nil, fmt.Errorf("preparing checks of %s: %w", f.CSV(), err)
		}
	}
	k := &checker{tx: tx, p: p, loads: loads}
	if err := k.crossChecks(ctx); err != nil {
		return nil, err
	}
	res.Errors, res.ErrorCount = p.errs, p.errCount
	res.Warnings, res.WarningCount = p.warnings()
	if p.errCount > 0 {
		res.Seconds = time.Since(start).Seconds()
		return res, ErrInvalid
	}
	if opt.Phase != nil {
		opt.Phase("merging")
	}
	var read, changed int64
	for i, fc := range res.Files {
		f := hmis.Lookup(fc.File)
		n, err := merge(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		res.Files[i].Changed = n
		read += fc.Rows
		changed += n
	}
	files, _ := json.Marshal(res.Files)
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		start, path, res.ExportID, res.CSVVersion, read, changed, res.WarningCount, files).Scan(&res.ImportID); err != nil {
		return nil, fmt.Errorf("recording the import: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("committing the import: %w", err)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// merge upserts the staging rows of f into hmis.<table>: new IDs are inserted, known IDs are
// updated when the incoming DateUpdated is the same or newer (SPEC IO4). Soft-deleted rows are
// stored as they are, with DateDeleted.
func merge(ctx context.Context, tx pgx.Tx, f *hmis.File) (int64, error) {
	cols := make([]string, 0, len(f.Columns))
	sets := make([]string, 0, len(f.Columns))
	for _, c := range f.Columns {
		q := hmis.Quote(c.DB())
		cols = append(cols, q)
		sets = append(sets, q+" = EXCLUDED."+q)
	}
	list := strings.Join(cols, ", ")
	where := ""
	if f.Has("DateUpdated") {
		where = " WHERE t.dateupdated <= EXCLUDED.dateupdated"
	}
	order := ""
	if f.Name == "Exit" {
		// Deletions first, so a replaced exit is gone before its successor meets the one-exit index.
		order = " ORDER BY datedeleted IS NULL"
	}
	q := fmt.Sprintf(`INSERT INTO hmis.%s AS t (%s) SELECT %s FROM %s%s
		ON CONFLICT (%s) DO UPDATE SET %s%s`,
		hmis.Quote(f.Table()), list, list, stagingTable(f), order, hmis.Quote(f.Key().DB()), strings.Join(sets, ", "), where)
	tag, err := tx.Exec(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("merging %s: %w", f.CSV(), err)
	}
	return tag.RowsAffected(), nil
}
