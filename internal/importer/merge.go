package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

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
			if errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UniqueViolation && strings.HasSuffix(pgErr.ConstraintName, "_pkey") {
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

// dataColumns is the row of f's HMIS columns of alias, for comparing a stored row with an incoming
// one. ExportID is left out: every export of an HMIS has its own, and a row that only moved to a
// newer export has not changed (exitflow's own exports write their own ExportID).
func dataColumns(f *hmis.File, alias string) string {
	cols := make([]string, 0, len(f.Columns))
	for _, c := range f.Columns {
		if c.Name != "ExportID" {
			cols = append(cols, alias+"."+hmis.Quote(c.DB()))
		}
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
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var x index
		err := r.Scan(&x.name, &x.def, &x.con, &x.condef)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading indexes of %s: %w", f.Table(), err)
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

// mergeAll merges every loaded file into its target, in spec order. dup reports duplicate IDs
// that a primary key found (they are recorded as errors); the import is then invalid.
func (r *importRun) mergeAll(ctx context.Context) (dup bool, err error) {
	// An activity row that a newer export moves to another enrollment leaves its old enrollment:
	// that one's summary must be refreshed too, and after the merge its ID is gone.
	if err := rememberStoredEnrollments(ctx, r.tx, r.loads); err != nil {
		return false, err
	}
	for i, fc := range r.res.Files {
		f := hmis.Lookup(fc.File)
		l := r.loads[f.Name]
		n, dup, err := merge(ctx, r.tx, l, r.empty[f.Name])
		if err != nil {
			return false, err
		}
		if dup {
			if err := r.k.duplicates(ctx, f); err != nil {
				return false, err
			}
			return true, nil
		}
		if !l.direct { // fresh planner statistics for what changed (direct loads were analyzed after their COPY)
			if _, err := r.tx.Exec(ctx, "ANALYZE "+target(f)); err != nil {
				return false, fmt.Errorf("analyzing %s: %w", target(f), err)
			}
		}
		r.mark = r.res.phase("merge "+f.Name, r.mark)
		r.res.Files[i].Changed = n
	}
	return false, nil
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
