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
	// Limits bound what is read from a hostile export; the zero value means the defaults.
	Limits Limits
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
	lim := opt.Limits.withDefaults()
	src, err := openSource(path, lim)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	conn, err := openSession(ctx, pool)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the import transaction: %w", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // after Commit it is a no-op
	r := &importRun{tx: tx, src: src, lim: lim, opt: opt, start: start, res: &Result{}, p: &problems{},
		loads: map[string]*fileLoad{}, empty: map[string]bool{}}
	if err := r.begin(ctx, path); err != nil {
		return nil, err
	}
	if err := r.readExport(); err != nil {
		return nil, err
	}
	if err := r.copyFiles(ctx); err != nil {
		return nil, err
	}
	if err := r.check(ctx); err != nil {
		return nil, err
	}
	if r.p.errCount > 0 {
		return r.invalid()
	}
	r.phase("merging")
	dup, err := r.mergeAll(ctx)
	if err != nil {
		return nil, err
	}
	if dup {
		return r.invalid()
	}
	return r.finish(ctx)
}

// importRun is one import in progress: its transaction and what the steps of Run pass on.
type importRun struct {
	tx    pgx.Tx
	src   *source
	lim   Limits
	opt   Options
	start time.Time
	mark  time.Time // when the phase being timed began
	res   *Result
	p     *problems
	ex    *exportInfo          // nil when Export.csv cannot be read
	loads map[string]*fileLoad // spec file name → its load, for the files in the export
	k     *checker
	empty map[string]bool // spec file name → its table held no rows (staged loads only)
}

// openSession opens a fresh session of our own: staging tables are temporary and temp_buffers
// must be set before the session first uses them.
func openSession(ctx context.Context, pool *pgxpool.Pool) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET temp_buffers = '256MB'"); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("setting temp_buffers: %w", err)
	}
	return conn, nil
}

// begin takes the import's locks and records the import, which gives it its ID.
func (r *importRun) begin(ctx context.Context, path string) error {
	tx := r.tx
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", importLock); err != nil {
		return fmt.Errorf("waiting for another import to finish: %w", err)
	}
	// The enrollment state's open flag follows Exit rows through triggers, and this import
	// rewrites state rows from its own snapshot: nobody else may change Exit rows meanwhile (an
	// exit run's batch, an undo wait until the import commits). Taken before any write, so that
	// nobody waits in a circle.
	if _, err := tx.Exec(ctx, "LOCK TABLE hmis.exit IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("waiting for exit runs and undos to finish their batch: %w", err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
		VALUES ($1, $2, '', '', 0, 0, 0, '[]') RETURNING id`, r.start, path).Scan(&r.res.ImportID); err != nil {
		return fmt.Errorf("recording the import: %w", err)
	}
	return nil
}

// readExport reads Export.csv first: every other file's ExportID is checked against it.
func (r *importRun) readExport() error {
	exEntry := r.src.files["export.csv"]
	rc, err := exEntry.open()
	if err != nil {
		return fmt.Errorf("%s: %w", exEntry.name, err)
	}
	r.ex = readExportInfo(exEntry.name, rc, r.p)
	rc.Close()
	if r.ex != nil {
		r.res.ExportID, r.res.CSVVersion = r.ex.id, r.ex.csvVersion
	}
	return nil
}

// progress returns the callback the loads report bytes read to, as the export's share done.
func (r *importRun) progress() func(int64) {
	var total, done int64
	for _, e := range r.src.files {
		total += e.size
	}
	return func(n int64) {
		done += n
		if r.opt.Progress != nil {
			r.opt.Progress(done, total)
		}
	}
}

// copyFiles validates every file of the export and copies it into its staging table (or
// straight into its empty target), in spec order; files the spec does not know are warned about.
func (r *importRun) copyFiles(ctx context.Context) error {
	progress := r.progress()
	ambLeft := maxAmbiguous
	r.mark = time.Now()
	for _, f := range hmis.All() {
		if err := r.copyFile(ctx, f, &ambLeft, progress); err != nil {
			return err
		}
	}
	for _, name := range r.src.unknown(func(k string) bool { return hmis.Lookup(k) != nil }) {
		r.p.warn("file not in the HMIS CSV spec", Problem{File: name, Msg: "is not an HMIS CSV file; ignored"})
	}
	return nil
}

// copyFile prepares where spec file f goes and, when the export has it, loads and analyzes it.
// Every spec file gets a staging table or a direct load, so the checks can read each one.
func (r *importRun) copyFile(ctx context.Context, f *hmis.File, ambLeft *int, progress func(int64)) error {
	e, ok := r.src.files[strings.ToLower(f.CSV())]
	var l *fileLoad
	if ok {
		var err error
		if l, err = r.prepareLoad(ctx, f, e, ambLeft); err != nil {
			return err
		}
	} else if !extension(f) {
		r.p.warn("file missing from the export", Problem{File: f.CSV(), Msg: "is not in the export; nothing of it is imported"})
	}
	if l == nil || !l.direct {
		if _, err := r.tx.Exec(ctx, stagingDDL(f)); err != nil {
			return fmt.Errorf("creating staging table for %s: %w", f.CSV(), err)
		}
	}
	if l == nil {
		return nil
	}
	rc, err := e.open()
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	err = l.load(ctx, r.tx.Conn(), rc, r.ex, r.p, progress)
	rc.Close()
	if err != nil {
		return err
	}
	r.res.Files = append(r.res.Files, FileCount{File: e.name, Rows: l.rows})
	r.mark = r.res.phase("copy "+f.Name, r.mark)
	if l.rows > 0 {
		if _, err := r.tx.Exec(ctx, "ANALYZE "+l.relation()); err != nil {
			return fmt.Errorf("analyzing %s: %w", e.name, err)
		}
		r.mark = r.res.phase("analyze "+f.Name, r.mark)
	}
	return nil
}

// prepareLoad makes the load of export entry e of spec file f; a direct load (into an empty
// target) drops the target's indexes first and rebuilds them at the merge.
func (r *importRun) prepareLoad(ctx context.Context, f *hmis.File, e entry, ambLeft *int) (*fileLoad, error) {
	l := &fileLoad{spec: f, name: e.name, importID: r.res.ImportID, maxLine: r.lim.MaxLineBytes, ambLeft: ambLeft}
	r.loads[f.Name] = l
	var err error
	if l.direct, err = directLoad(ctx, r.tx, f, e.size); err != nil {
		return nil, err
	}
	if l.direct {
		if l.rebuild, err = dropIndexes(ctx, r.tx, f); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// check runs the checks across rows and files, then the duplicate-ID checks that must run
// before the merge.
func (r *importRun) check(ctx context.Context) error {
	r.phase("checking")
	for _, f := range hmis.All() {
		if err := views(ctx, r.tx, f, r.loads[f.Name]); err != nil {
			return fmt.Errorf("preparing checks of %s: %w", f.CSV(), err)
		}
	}
	r.k = &checker{tx: r.tx, p: r.p, loads: r.loads, res: r.res, importID: r.res.ImportID}
	if err := r.k.crossChecks(ctx); err != nil {
		return err
	}
	r.mark = time.Now()
	if err := r.checkDuplicates(ctx); err != nil {
		return err
	}
	r.mark = r.res.phase("check duplicate IDs", r.mark)
	return nil
}

// checkDuplicates looks for duplicate IDs when the export already has errors (to report
// everything at once) or the table holds other data; otherwise the primary key finds them
// during the merge. It records which staged targets are empty, for the merge.
func (r *importRun) checkDuplicates(ctx context.Context) error {
	for _, fc := range r.res.Files {
		f := hmis.Lookup(fc.File)
		l := r.loads[f.Name]
		if !l.direct {
			var isEmpty bool
			if err := r.tx.QueryRow(ctx, fmt.Sprintf("SELECT NOT EXISTS (SELECT 1 FROM %s)", target(f))).Scan(&isEmpty); err != nil {
				return fmt.Errorf("reading %s: %w", f.Table(), err)
			}
			r.empty[f.Name] = isEmpty
		}
		if r.p.errCount > 0 || (!l.direct && !r.empty[f.Name]) {
			if err := r.k.duplicates(ctx, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// phase tells the caller what the import is doing now, if it asked.
func (r *importRun) phase(name string) {
	if r.opt.Phase != nil {
		r.opt.Phase(name)
	}
}

// invalid is the result of an export with errors: the problems, and ErrInvalid.
func (r *importRun) invalid() (*Result, error) {
	res, p := r.res, r.p
	res.Errors, res.ErrorCount = p.errs, p.errCount
	res.Warnings, res.WarningCount = p.warnings()
	res.Seconds = time.Since(r.start).Seconds()
	return res, ErrInvalid
}

// finish refreshes the enrollment state, completes the import's record and commits.
func (r *importRun) finish(ctx context.Context) (*Result, error) {
	res := r.res
	if err := refreshState(ctx, r.tx, r.loads); err != nil {
		return nil, err
	}
	r.mark = res.phase("enrollment state", r.mark)
	res.Warnings, res.WarningCount = r.p.warnings()
	var read, changed int64
	for _, fc := range res.Files {
		read += fc.Rows
		changed += fc.Changed
	}
	files, _ := json.Marshal(res.Files)
	if _, err := r.tx.Exec(ctx, `UPDATE exitflow.import_run SET finished_at = now(), export_id = $2, csv_version = $3,
		rows_read = $4, rows_changed = $5, warnings = $6, files = $7 WHERE id = $1`,
		res.ImportID, res.ExportID, res.CSVVersion, read, changed, res.WarningCount, files); err != nil {
		return nil, fmt.Errorf("recording the import: %w", err)
	}
	if err := r.tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("committing the import: %w", err)
	}
	res.phase("commit", r.mark)
	res.Seconds = time.Since(r.start).Seconds()
	return res, nil
}

// extension tells whether f is one of exitflow's own files (optional in an export).
func extension(f *hmis.File) bool {
	for _, e := range hmis.Extensions {
		if e == f {
			return true
		}
	}
	return false
}
