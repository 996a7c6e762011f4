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
	mark := time.Now()
	for _, f := range hmis.All() {
		e, ok := src.files[strings.ToLower(f.CSV())]
		var l *fileLoad
		if ok {
			l = &fileLoad{spec: f, name: e.name, importID: res.ImportID, maxLine: lim.MaxLineBytes}
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

// directBytes is the file size from which a file whose table is empty is copied straight into the
// table, its keys and indexes dropped and rebuilt after the load (one sorted build each), instead
// of through a staging table: the way a first import of a whole CoC goes.
var directBytes int64 = 8 << 20

// directLoad tells whether f is loaded straight into its (empty) table.
func directLoad(ctx context.Context, tx pgx.Tx, f *hmis.File, size int64) (bool, error) {
	if size < directBytes {
		return false, nil
	}
	// Nobody else writes the table until the import commits (readers wait too: its indexes go).
	if _, err := tx.Exec(ctx, "LOCK TABLE "+target(f)+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		return false, fmt.Errorf("locking %s: %w", target(f), err)
	}
	var empty bool
	err := tx.QueryRow(ctx, "SELECT NOT EXISTS (SELECT 1 FROM "+target(f)+")").Scan(&empty)
	return empty, err
}

// merge moves the rows of l into its target table (SPEC IO4): known IDs are updated when the
// incoming DateUpdated is the same or newer, new IDs are inserted; soft-deleted rows are stored as
// they are, with DateDeleted. Rows loaded directly only need their keys and indexes rebuilt.
// dup is true (and the merge undone) if the file repeats an ID.
func merge(ctx context.Context, tx pgx.Tx, l *fileLoad, empty bool) (n int64, dup bool, err error) {
	f := l.spec
	table, key := target(f), hmis.Quote(f.Key().DB())
	cols := make([]string, 0, len(f.Columns)+2)
	sets := make([]string, 0, len(f.Columns)+2)
	for _, c := range f.Columns {
		cols = append(cols, hmis.Quote(c.DB()))
	}
	cols = append(cols, "import_id", "import_line")
	for _, c := range cols {
		sets = append(sets, c+" = s."+c)
	}
	list := strings.Join(cols, ", ")
	var stmts []string
	switch {
	case l.direct:
		stmts = l.rebuild
		n = l.rows - int64(len(l.skipped))
	case empty:
		stmts = []string{fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s`, table, list, list, stagingTable(f))}
	default:
		// Writers of this table (engine exits) wait until the import commits; readers do not.
		if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return 0, false, fmt.Errorf("locking %s: %w", table, err)
		}
		newer := ""
		if f.Has("DateUpdated") {
			newer = " AND t.dateupdated <= s.dateupdated"
		}
		// Only rows whose values differ are written (and counted): re-importing an identical
		// export changes nothing, and the rows keep the provenance of the import that last changed them.
		stmts = []string{
			fmt.Sprintf(`UPDATE %s t SET %s FROM %s s WHERE t.%s = s.%s%s AND (%s) IS DISTINCT FROM (%s)`, table, strings.Join(sets, ", "),
				stagingTable(f), key, key, newer, dataColumns(f, "t"), dataColumns(f, "s")),
			fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s)`,
				table, list, list, stagingTable(f), table, key, key),
		}
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT merge"); err != nil {
		return 0, false, err
	}
	for _, q := range stmts {
		tag, err := tx.Exec(ctx, q)
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" && strings.HasSuffix(pgErr.ConstraintName, "_pkey") {
				if _, rbErr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT merge"); rbErr != nil {
					return 0, false, rbErr
				}
				return 0, true, nil
			}
			return 0, false, fmt.Errorf("merging %s: %w", f.CSV(), err)
		}
		if !l.direct {
			n += tag.RowsAffected()
		}
	}
	_, err = tx.Exec(ctx, "RELEASE SAVEPOINT merge")
	return n, false, err
}

// dataColumns is the row of f's HMIS columns of alias, for comparing a stored row with an incoming one.
func dataColumns(f *hmis.File, alias string) string {
	cols := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		cols[i] = alias + "." + hmis.Quote(c.DB())
	}
	return "ROW(" + strings.Join(cols, ", ") + ")"
}

// dropIndexes drops the keys and indexes of f's table and returns the statements that rebuild
// them, the primary key first (it is what finds duplicate IDs).
func dropIndexes(ctx context.Context, tx pgx.Tx, f *hmis.File) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
		FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p'
		WHERE i.indrelid = $1::regclass ORDER BY c.conname IS NULL, 1`, target(f))
	if err != nil {
		return nil, fmt.Errorf("reading indexes of %s: %w", f.Table(), err)
	}
	type index struct {
		name, def   string
		con, condef *string
	}
	var list []index
	for rows.Next() {
		var x index
		if err := rows.Scan(&x.name, &x.def, &x.con, &x.condef); err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var rebuild []string
	for _, x := range list {
		drop := "DROP INDEX " + x.name
		rebuild = append(rebuild, x.def)
		if x.con != nil {
			con := pgx.Identifier{*x.con}.Sanitize()
			drop = fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", target(f), con)
			rebuild[len(rebuild)-1] = fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", target(f), con, *x.condef)
		}
		if _, err := tx.Exec(ctx, drop); err != nil {
			return nil, fmt.Errorf("dropping index %s: %w", x.name, err)
		}
	}
	return rebuild, nil
}
