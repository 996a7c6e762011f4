package contacts

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
)

// AssignmentHeader is the header an assignment file must have, exactly.
var AssignmentHeader = []string{"EnrollmentID", "StaffEmail"}

// assignmentLockKey serialises assignment imports (pg_advisory_xact_lock), so that two imports of
// the same enrollments at once leave one file's assignments, not a mix.
const assignmentLockKey int64 = 0x65786974617373 // "exitass"

// ImportResult counts what an assignment import read and did.
type ImportResult struct {
	File        string `json:"file"`
	Rows        int    `json:"rows"`        // data rows read (the header not counted)
	Duplicates  int    `json:"duplicates"`  // rows repeating an earlier one (same enrollment and address): collapsed
	Enrollments int    `json:"enrollments"` // distinct EnrollmentIDs: their assignments are now exactly the file's
	Added       int    `json:"added"`       // assignments that were not there
	Removed     int    `json:"removed"`     // assignments of those enrollments that the file no longer has
	Kept        int    `json:"kept"`        // assignments that were there already (their staff name is kept)
}

// assignmentRow is one data row of an assignment file, in stored form.
type assignmentRow struct {
	line         int
	enrollmentID string
	email        string
}

// ImportAssignments loads the assigned staff of enrollments (SPEC N5) from an assignment file
// read from r (named file in messages and the audit): a CSV whose header is exactly
// EnrollmentID,StaffEmail. For each EnrollmentID in the file, its assignments become exactly the
// file's rows (addresses compared without case; repeated rows collapsed); other enrollments keep
// theirs. Every row is checked (an enrollment of the imported Enrollment.csv, not deleted; an
// address shaped like one): any problem is an *ImportError locating each as FILE:LINE:COLUMN, and
// nothing changes. The import is one transaction, audited as assignment-import (SPEC U1).
func ImportAssignments(ctx context.Context, db engine.TxBeginner, r io.Reader, file, actor string) (ImportResult, error) {
	if strings.TrimSpace(actor) == "" {
		return ImportResult{}, engine.Invalid(engine.FieldActor, nil, "is required: the HMIS staff member who imports the assignments")
	}
	res := ImportResult{File: file}
	rows, problems := readAssignments(r, file, &res) // the enrollments of the rows read are checked too
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, assignmentLockKey); err != nil {
			return err
		}
		if err := checkEnrollments(ctx, tx, file, rows, problems); err != nil {
			return err
		}
		if problems.Count > 0 {
			return problems // rolls back: nothing changes
		}
		if err := applyAssignments(ctx, tx, rows, &res); err != nil {
			return err
		}
		return audit(ctx, tx, strings.TrimSpace(actor), "assignment-import", "assignment import "+filepath.Base(file),
			map[string]any{"file": filepath.Base(file), "rows": res.Rows, "duplicates": res.Duplicates,
				"enrollments": res.Enrollments, "added": res.Added, "removed": res.Removed, "kept": res.Kept})
	})
	if errors.As(err, &problems) {
		slices.SortStableFunc(problems.Problems, func(a, b Problem) int { return cmp.Or(a.Line-b.Line, a.Column-b.Column) })
		return res, problems
	}
	if err != nil {
		return res, fmt.Errorf("importing the assignments of %s: %w", file, err)
	}
	return res, nil
}

// readAssignments reads and checks the header and rows of an assignment file, collapsing repeated
// rows; it counts rows and duplicates into res.
func readAssignments(r io.Reader, file string, res *ImportResult) ([]assignmentRow, *ImportError) {
	problems := &ImportError{}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		problems.add(Problem{File: file, Line: 1, Msg: "the file is empty: want the header " + strings.Join(AssignmentHeader, ",")})
		return nil, problems
	}
	if err != nil || !checkHeader(file, header, problems) {
		if err != nil {
			problems.add(csvProblem(file, err))
		}
		return nil, problems
	}
	var rows []assignmentRow
	seen := map[[2]string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // broken quoting: the rest of the file cannot be read reliably
			problems.add(csvProblem(file, err))
			break
		}
		res.Rows++
		line, _ := cr.FieldPos(0)
		row := checkRow(file, line, rec, problems)
		if row.enrollmentID == "" {
			continue
		}
		if key := [2]string{row.enrollmentID, row.email}; seen[key] {
			res.Duplicates++
		} else {
			seen[key] = true
			rows = append(rows, row)
		}
	}
	return rows, problems
}

// checkHeader reports whether header is exactly AssignmentHeader (a UTF-8 byte order mark, which
// spreadsheets write, aside), adding a problem for each column that is not.
func checkHeader(file string, header []string, problems *ImportError) bool {
	want := strings.Join(AssignmentHeader, ",")
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	before := problems.Count
	for i, name := range AssignmentHeader {
		switch {
		case i >= len(header):
			problems.add(Problem{File: file, Line: 1, Column: i + 1, Msg: fmt.Sprintf("the header has no column %s: want exactly %s", name, want)})
		case header[i] != name:
			problems.add(Problem{File: file, Line: 1, Column: i + 1, Msg: fmt.Sprintf("header column %d is %q: want %s (the header must be exactly %s)", i+1, header[i], name, want)})
		}
	}
	if len(header) > len(AssignmentHeader) {
		problems.add(Problem{File: file, Line: 1, Column: len(AssignmentHeader) + 1,
			Msg: fmt.Sprintf("the header has %d columns: want exactly %s", len(header), want)})
	}
	return problems.Count == before
}

// checkRow checks one data row at line, adding a problem for each field that is wrong, and returns
// it in stored form: its EnrollmentID, if readable, is checked against the data even when its
// StaffEmail is wrong, so that one pass reports every problem.
func checkRow(file string, line int, rec []string, problems *ImportError) assignmentRow {
	at := func(col int, format string, args ...any) {
		problems.add(Problem{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	}
	if len(rec) != len(AssignmentHeader) {
		at(min(len(rec), len(AssignmentHeader))+1, "the row has %d %s: want 2 (%s)", len(rec), plural(len(rec), "field", "fields"),
			strings.Join(AssignmentHeader, ","))
		return assignmentRow{}
	}
	before := problems.Count
	for i, v := range rec {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			at(i+1, "%s holds invalid UTF-8 or a NUL byte", AssignmentHeader[i])
		}
	}
	if problems.Count > before {
		return assignmentRow{}
	}
	row := assignmentRow{line: line, enrollmentID: strings.TrimSpace(rec[0])}
	if row.enrollmentID == "" {
		at(1, "EnrollmentID is empty: want the EnrollmentID of an enrollment in the imported Enrollment.csv")
	}
	email, err := NormalEmail(rec[1])
	switch {
	case err != nil && strings.TrimSpace(rec[1]) == "":
		at(2, "StaffEmail %s", err)
	case err != nil:
		at(2, "StaffEmail %q: %s", rec[1], err)
	}
	row.email = email
	return row
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// csvProblem locates an error of the CSV reader (broken quoting, a stray quote).
func csvProblem(file string, err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := "not valid CSV: " + pe.Err.Error()
		if pe.StartLine != pe.Line {
			msg += fmt.Sprintf(" (in the record that starts on line %d)", pe.StartLine)
		}
		return Problem{File: file, Line: pe.Line, Msg: msg}
	}
	return Problem{File: file, Msg: "reading the file: " + err.Error()}
}

// checkEnrollments adds a problem for each row whose enrollment is not in hmis.enrollment, or is
// deleted there.
func checkEnrollments(ctx context.Context, tx pgx.Tx, file string, rows []assignmentRow, problems *ImportError) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.enrollmentID
	}
	q, err := tx.Query(ctx, `SELECT id, EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = id)
		FROM (SELECT DISTINCT unnest($1::text[])) AS f (id)
		WHERE NOT EXISTS (SELECT 1 FROM hmis.enrollment e WHERE e.enrollmentid = id AND e.datedeleted IS NULL)`, ids)
	if err != nil {
		return fmt.Errorf("checking the enrollments: %w", err)
	}
	bad := map[string]bool{} // EnrollmentID → deleted (rather than missing)
	var id string
	var deleted bool
	if _, err := pgx.ForEachRow(q, []any{&id, &deleted}, func() error { bad[id] = deleted; return nil }); err != nil {
		return fmt.Errorf("checking the enrollments: %w", err)
	}
	for _, r := range rows {
		if deleted, ok := bad[r.enrollmentID]; ok {
			msg := fmt.Sprintf("EnrollmentID '%s' is not in the imported Enrollment.csv", r.enrollmentID)
			if deleted {
				msg = fmt.Sprintf("EnrollmentID '%s' is deleted in the imported Enrollment.csv (DateDeleted is set)", r.enrollmentID)
			}
			problems.add(Problem{File: file, Line: r.line, Column: 1, Msg: msg})
		}
	}
	return nil
}

// applyAssignments makes the assignments of the file's enrollments exactly its rows, counting
// what it added, removed and kept.
func applyAssignments(ctx context.Context, tx pgx.Tx, rows []assignmentRow, res *ImportResult) error {
	ids, emails := make([]string, len(rows)), make([]string, len(rows))
	distinct := map[string]bool{}
	for i, r := range rows {
		ids[i], emails[i] = r.enrollmentID, r.email
		distinct[r.enrollmentID] = true
	}
	res.Enrollments = len(distinct)
	err := tx.QueryRow(ctx, `WITH file AS (SELECT * FROM unnest($1::text[], $2::text[]) AS f (enrollmentid, email)),
		gone AS (
			DELETE FROM exitflow.assignment a WHERE a.enrollmentid = ANY ($1)
				AND NOT EXISTS (SELECT 1 FROM file f WHERE f.enrollmentid = a.enrollmentid AND f.email = a.email)
			RETURNING 1),
		added AS (
			INSERT INTO exitflow.assignment (enrollmentid, email) SELECT enrollmentid, email FROM file
			ON CONFLICT (enrollmentid, email) DO NOTHING
			RETURNING 1)
		SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM added)`, ids, emails).Scan(&res.Removed, &res.Added)
	if err != nil {
		return fmt.Errorf("writing the assignments: %w", err)
	}
	res.Kept = len(rows) - res.Added
	return nil
}
