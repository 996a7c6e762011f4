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

	"github.com/exitflow/exitflow/internal/engine"
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
	// The enrollment state's open flag follows Exit rows through triggers, and this import
	// rewrites state rows from its own snapshot: nobody else may change Exit rows meanwhile (an
	// exit run's batch, an undo wait until the import commits). Taken before any write, so that
	// nobody waits in a circle.
	if _, err := tx.Exec(ctx, "LOCK TABLE hmis.exit IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return nil, fmt.Errorf("waiting for exit runs and undos to finish their batch: %w", err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.import_run (started_at, source, export_id, csv_version, rows_read, rows_changed, warnings, files)
		VALUES ($1, $2, '', '', 0, 0, 0, '[]') RETURNING id`, start, path).Scan(&res.ImportID); err != nil {
		return nil, fmt.Errorf("recording the import: %w", err)
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
	ambLeft := maxAmbiguous
	mark := time.Now()
	for _, f := range hmis.All() {
		e, ok := src.files[strings.ToLower(f.CSV())]
		var l *fileLoad
		if ok {
			l = &fileLoad{spec: f, name: e.name, importID: res.ImportID, maxLine: lim.MaxLineBytes, ambLeft: &ambLeft}
			loads[f.Name] = l
			if l.direct, err = directLoad(ctx, tx, f, e.size); err != nil {
				return nil, err
			}
			if l.direct {
				if l.rebuild, err = dropIndexes(ctx, tx, f); err != nil {
					return nil, err
				}
			}
		} else if !extension(f) {
			p.warn("file missing from the export", Problem{File: f.CSV(), Msg: "is not in the export; nothing of it is imported"})
		}
		if l == nil || !l.direct {
			if _, err := tx.Exec(ctx, stagingDDL(f)); err != nil {
				return nil, fmt.Errorf("creating staging table for %s: %w", f.CSV(), err)
			}
		}
		if l == nil {
			continue
		}
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
			if _, err := tx.Exec(ctx, "ANALYZE "+l.relation()); err != nil {
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
	for _, f := range hmis.All() {
		if err := views(ctx, tx, f, loads[f.Name]); err != nil {
			return nil, fmt.Errorf("preparing checks of %s: %w", f.CSV(), err)
		}
	}
	k := &checker{tx: tx, p: p, loads: loads, res: res, importID: res.ImportID}
	if err := k.crossChecks(ctx); err != nil {
		return nil, err
	}
	mark = time.Now()
	// Duplicate IDs: checked here when the export already has errors (to report everything at
	// once) or the table holds other data; otherwise the primary key finds them during the merge.
	empty := map[string]bool{}
	for _, fc := range res.Files {
		f := hmis.Lookup(fc.File)
		l := loads[f.Name]
		if !l.direct {
			var isEmpty bool
			if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT NOT EXISTS (SELECT 1 FROM %s)", target(f))).Scan(&isEmpty); err != nil {
				return nil, fmt.Errorf("reading %s: %w", f.Table(), err)
			}
			empty[f.Name] = isEmpty
		}
		if p.errCount > 0 || (!l.direct && !empty[f.Name]) {
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
	if opt.Phase != nil {
		opt.Phase("merging")
	}
	// An activity row that a newer export moves to another enrollment leaves its old enrollment:
	// that one's summary must be refreshed too, and after the merge its ID is gone.
	if err := rememberStoredEnrollments(ctx, tx, loads); err != nil {
		return nil, err
	}
	var read, changed int64
	for i, fc := range res.Files {
		f := hmis.Lookup(fc.File)
		l := loads[f.Name]
		n, dup, err := merge(ctx, tx, l, empty[f.Name])
		if err != nil {
			return nil, err
		}
		if dup {
			if err := k.duplicates(ctx, f); err != nil {
				return nil, err
			}
			return invalid()
		}
		if !l.direct { // fresh planner statistics for what changed (direct loads were analyzed after their COPY)
			if _, err := tx.Exec(ctx, "ANALYZE "+target(f)); err != nil {
				return nil, fmt.Errorf("analyzing %s: %w", target(f), err)
			}
		}
		mark = res.phase("merge "+f.Name, mark)
		res.Files[i].Changed = n
		read += fc.Rows
		changed += n
	}
	if err := refreshState(ctx, tx, loads); err != nil {
		return nil, err
	}
	mark = res.phase("enrollment state", mark)
	res.Warnings, res.WarningCount = p.warnings()
	files, _ := json.Marshal(res.Files)
	if _, err := tx.Exec(ctx, `UPDATE exitflow.import_run SET finished_at = now(), export_id = $2, csv_version = $3,
		rows_read = $4, rows_changed = $5, warnings = $6, files = $7 WHERE id = $1`,
		res.ImportID, res.ExportID, res.CSVVersion, read, changed, res.WarningCount, files); err != nil {
		return nil, fmt.Errorf("recording the import: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("committing the import: %w", err)
	}
	res.phase("commit", mark)
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// refreshState keeps each enrollment's state and latest activity current (SPEC A1) for the enrollments
// this import touched; all of them after a first load.
func refreshState(ctx context.Context, tx pgx.Tx, loads map[string]*fileLoad) error {
	var parts []string
	full := false
	for _, name := range engine.ActivityFiles {
		l := loads[name]
		if l == nil {
			continue
		}
		full = full || l.direct
		parts = append(parts, "SELECT enrollmentid FROM "+srcView(l.spec))
	}
	if len(parts) == 0 {
		return nil
	}
	parts = append(parts, "SELECT enrollmentid FROM activity_stored")
	touched := "SELECT DISTINCT enrollmentid FROM (" + strings.Join(parts, " UNION ALL ") + ") t"
	if full {
		touched = ""
	}
	if _, err := engine.RefreshState(ctx, tx, touched); err != nil {
		return err
	}
	// Previews plan with it: without statistics the planner guesses wrong by orders of magnitude.
	_, err := tx.Exec(ctx, "ANALYZE exitflow.enrollment_state")
	return err
}

// rememberStoredEnrollments keeps, in temp table activity_stored, the EnrollmentIDs that the
// stored rows this import replaces point at now (before the merge), for refreshState.
func rememberStoredEnrollments(ctx context.Context, tx pgx.Tx, loads map[string]*fileLoad) error {
	parts := []string{"SELECT NULL::text AS enrollmentid WHERE false"}
	for _, name := range engine.ActivityFiles {
		l := loads[name]
		if l == nil || l.direct || name == "Enrollment" {
			continue
		}
		key := hmis.Quote(l.spec.Key().DB())
		parts = append(parts, fmt.Sprintf("SELECT h.enrollmentid FROM %s h JOIN %s s ON s.%s = h.%s AND s.enrollmentid <> h.enrollmentid",
			target(l.spec), stagingTable(l.spec), key, key))
	}
	_, err := tx.Exec(ctx, "CREATE TEMP TABLE activity_stored ON COMMIT DROP AS "+strings.Join(parts, " UNION ALL "))
	if err != nil {
		return fmt.Errorf("listing the enrollments of replaced activity rows: %w", err)
	}
	return nil
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
