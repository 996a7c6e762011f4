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
	"github.com/jackc/pgx/v5/pgconn"
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
	Phases       []Phase     `json:"phases"` // where the time went
	ImportID     int64       `json:"import_id,omitempty"`
}

// Phase is the time one step of the import took.
type Phase struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

func (r *Result) phase(name string, since time.Time) time.Time {
	now := time.Now()
	r.Phases = append(r.Phases, Phase{name, now.Sub(since).Seconds()})
	return now
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
	mark := time.Now()
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
		mark = res.phase("copy "+f.Name, mark)
		if l.rows > 0 {
			if _, err := tx.Exec(ctx, "ANALYZE "+stagingTable(f)); err != nil {
				return nil, fmt.Errorf("analyzing %s: %w", e.name, err)
			}
			mark = res.phase("analyze "+f.Name, mark)
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
	k := &checker{tx: tx, p: p, loads: loads, res: res}
	mark = time.Now()
	if err := k.crossChecks(ctx); err != nil {
		return nil, err
	}
	mark = time.Now()
	// Duplicate IDs: checked here when the export already has errors (to report everything at
	// once) or the table holds data; otherwise the merge's primary key finds them for free.
	empty := map[string]bool{}
	for _, fc := range res.Files {
		f := hmis.Lookup(fc.File)
		var isEmpty bool
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT NOT EXISTS (SELECT 1 FROM hmis.%s)", hmis.Quote(f.Table()))).Scan(&isEmpty); err != nil {
			return nil, fmt.Errorf("reading %s: %w", f.Table(), err)
		}
		empty[f.Name] = isEmpty
		if p.errCount > 0 || !empty[f.Name] {
			if err := k.duplicates(ctx, f); err != nil {
				return nil, err
			}
		}
	}
	mark = res.phase("check duplicate IDs", mark)
	invalid := func() (*Result, error) {
		res.Errors, res.ErrorCount = p.errs, p.errCount
		res.Warnings, res.WarningCount = p.warnings()
		res.Seconds = time.Since(start).Seconds()
		return res, ErrInvalid
	}
	if p.errCount > 0 {
		return invalid()
	}
	res.Warnings, res.WarningCount = p.warnings()
	if opt.Phase != nil {
		opt.Phase("merging")
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return nil, err
	}
	var read, changed int64
	for i, fc := range res.Files {
		f := hmis.Lookup(fc.File)
		n, dup, err := merge(ctx, tx, f, empty[f.Name] && fc.Rows >= bulkRows)
		if err != nil {
			return nil, err
		}
		if dup {
			if err := k.duplicates(ctx, f); err != nil {
				return nil, err
			}
			return invalid()
		}
		mark = res.phase("merge "+f.Name, mark)
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
	res.phase("commit", mark)
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// bulkRows is the size from which a load into an empty table rebuilds its indexes afterwards
// (one sorted build instead of one insertion per row and index).
var bulkRows int64 = 50000

// merge moves the staging rows of f into hmis.<table>: known IDs are updated when the incoming
// DateUpdated is the same or newer, new IDs are inserted (SPEC IO4). Soft-deleted rows are stored as
// they are, with DateDeleted. dup is true (and nothing changed) if the file repeats an ID.
func merge(ctx context.Context, tx pgx.Tx, f *hmis.File, bulk bool) (n int64, dup bool, err error) {
	table := "hmis." + hmis.Quote(f.Table())
	key := hmis.Quote(f.Key().DB())
	cols := make([]string, 0, len(f.Columns))
	sets := make([]string, 0, len(f.Columns))
	for _, c := range f.Columns {
		q := hmis.Quote(c.DB())
		cols = append(cols, q)
		sets = append(sets, q+" = s."+q)
	}
	list := strings.Join(cols, ", ")
	// Writers of this table (engine exits) wait until the import commits; readers do not.
	if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return 0, false, fmt.Errorf("locking %s: %w", table, err)
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT merge"); err != nil {
		return 0, false, err
	}
	var rebuild []string
	if bulk {
		if rebuild, err = dropIndexes(ctx, tx, f); err != nil {
			return 0, false, err
		}
	}
	var stmts []string
	if !bulk {
		newer := ""
		if f.Has("DateUpdated") {
			newer = " AND t.dateupdated <= s.dateupdated"
		}
		stmts = append(stmts, fmt.Sprintf(`UPDATE %s t SET %s FROM %s s WHERE t.%s = s.%s%s`,
			table, strings.Join(sets, ", "), stagingTable(f), key, key, newer))
	}
	ins := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s s`, table, list, list, stagingTable(f))
	if !bulk {
		ins += fmt.Sprintf(` WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s)`, table, key, key)
	}
	stmts = append(stmts, ins)
	stmts = append(stmts, rebuild...)
	for _, q := range stmts {
		tag, err := tx.Exec(ctx, q)
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" && strings.Contains(pgErr.ConstraintName+pgErr.Message, "pkey") {
				if _, rbErr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT merge"); rbErr != nil {
					return 0, false, rbErr
				}
				return 0, true, nil
			}
			return 0, false, fmt.Errorf("merging %s: %w", f.CSV(), err)
		}
		if strings.HasPrefix(q, "UPDATE") || strings.HasPrefix(q, "INSERT") {
			n += tag.RowsAffected()
		}
	}
	_, err = tx.Exec(ctx, "RELEASE SAVEPOINT merge")
	return n, false, err
}

// dropIndexes drops the indexes of an empty table and returns the statements that rebuild them.
func dropIndexes(ctx context.Context, tx pgx.Tx, f *hmis.File) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
		FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p'
		WHERE i.indrelid = $1::regclass`, "hmis."+hmis.Quote(f.Table()))
	if err != nil {
		return nil, fmt.Errorf("reading indexes of %s: %w", f.Table(), err)
	}
	type ix struct {
		name, def   string
		con, condef *string
	}
	var list []ix
	for rows.Next() {
		var x ix
		if err := rows.Scan(&x.name, &x.def, &x.con, &x.condef); err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var rebuild []string
	table := "hmis." + hmis.Quote(f.Table())
	for _, x := range list {
		var drop string
		if x.con != nil {
			drop = fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, pgx.Identifier{*x.con}.Sanitize())
			// The primary key first: it is what finds duplicate IDs.
			rebuild = append([]string{fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, pgx.Identifier{*x.con}.Sanitize(), *x.condef)}, rebuild...)
		} else {
			drop = "DROP INDEX " + x.name
			rebuild = append(rebuild, x.def)
		}
		if _, err := tx.Exec(ctx, drop); err != nil {
			return nil, fmt.Errorf("dropping index %s: %w", x.name, err)
		}
	}
	return rebuild, nil
}
