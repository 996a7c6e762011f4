package contacts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// importCSV imports the assignment file text, named assign.csv, as Sam Ortiz.
func importCSV(t *testing.T, pool *pgxpool.Pool, text string) (contacts.ImportResult, error) {
	t.Helper()
	return contacts.ImportAssignments(context.Background(), pool, strings.NewReader(text), "assign.csv", "Sam Ortiz")
}

// assignments are exitflow.assignment's rows as "enrollment email name", sorted.
func assignments(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	var out []string
	rows, err := pool.Query(context.Background(), `SELECT enrollmentid || ' ' || email || ' ' || staff_name FROM exitflow.assignment ORDER BY 1`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, strings.TrimSpace(s))
	}
	require.NoError(t, rows.Err())
	return out
}

// SPEC N5: for each EnrollmentID in the file, its assignments become exactly the file's rows;
// enrollments not in the file keep theirs; repeated rows (addresses in any case) count once.
func TestN5_AssignmentImportReplacesTheAssignmentsOfTheFilesEnrollments(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, staff_name, email) VALUES
		('E1', 'Ana Lopez', 'ana@harbor.example'), ('E1', 'Old Hand', 'old@harbor.example'), ('E3', 'Cy Park', 'cy@harbor.example')`)
	require.NoError(t, err)

	res, err := importCSV(t, pool, "EnrollmentID,StaffEmail\r\nE1,ANA@harbor.example\r\nE1,ben@harbor.example\r\nE2, Ben@Harbor.example \r\nE1,ana@harbor.example\r\n")
	require.NoError(t, err)
	assert.Equal(t, contacts.ImportResult{File: "assign.csv", Rows: 4, Duplicates: 1, Enrollments: 2, Added: 2, Removed: 1, Kept: 1}, res)
	assert.Equal(t, []string{
		"E1 ana@harbor.example Ana Lopez", // kept, with its name
		"E1 ben@harbor.example",
		"E2 ben@harbor.example",
		"E3 cy@harbor.example Cy Park", // not in the file: untouched
	}, assignments(t, pool), "E1's old@ is removed: it is not in the file")

	res, err = importCSV(t, pool, "EnrollmentID,StaffEmail\nE1,ana@harbor.example\nE1,ben@harbor.example\nE2,ben@harbor.example\n")
	require.NoError(t, err)
	assert.Equal(t, contacts.ImportResult{File: "assign.csv", Rows: 3, Enrollments: 2, Kept: 3}, res, "the same file again changes nothing")

	res, err = importCSV(t, pool, "\uFEFFEnrollmentID,StaffEmail\n") // a spreadsheet's byte order mark, no rows
	require.NoError(t, err)
	assert.Equal(t, contacts.ImportResult{File: "assign.csv"}, res)
	assert.Len(t, assignments(t, pool), 4)

	entries, err := engine.Audit(ctx, pool, engine.AuditFilter{Action: "assignment-import"})
	require.NoError(t, err)
	require.Len(t, entries, 3, "every import, with its counts (SPEC U1)")
	assert.Equal(t, "Sam Ortiz", entries[2].Actor)
	assert.Equal(t, "assignment import assign.csv", entries[2].Reason)
	assert.JSONEq(t, `{"file": "assign.csv", "rows": 4, "duplicates": 1, "enrollments": 2, "added": 2, "removed": 1, "kept": 1}`, string(entries[2].Details))
}

// The header must be exactly EnrollmentID,StaffEmail; what is wrong is located as FILE:LINE:COLUMN.
func TestN5_AssignmentImportRefusesAnotherHeader(t *testing.T) {
	pool := coc(t)
	for text, want := range map[string]string{
		"":                                 "assign.csv:1: the file is empty: want the header EnrollmentID,StaffEmail",
		"EnrollmentID,Email\nE1,a@b.org\n": `assign.csv:1:2: header column 2 is "Email": want StaffEmail (the header must be exactly EnrollmentID,StaffEmail)`,
		"enrollmentid,StaffEmail\n":        `assign.csv:1:1: header column 1 is "enrollmentid": want EnrollmentID (the header must be exactly EnrollmentID,StaffEmail)`,
		"EnrollmentID\n":                   "assign.csv:1:2: the header has no column StaffEmail: want exactly EnrollmentID,StaffEmail",
		"EnrollmentID,StaffEmail,Name\n":   "assign.csv:1:3: the header has 3 columns: want exactly EnrollmentID,StaffEmail",
	} {
		_, err := importCSV(t, pool, text)
		assert.EqualError(t, err, want, "%q", text)
		assert.ErrorIs(t, err, engine.ErrInvalid)
	}
	assert.Zero(t, count(t, pool, "SELECT count(*) FROM exitflow.audit"))
}

// Every row is checked and every problem located (line 1 is the header, the column the field
// number); a file with any problem changes nothing, not even its good rows.
func TestN5_AssignmentImportLocatesEveryProblemAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, email) VALUES ('E1', 'ana@harbor.example')`)
	require.NoError(t, err)
	text := "EnrollmentID,StaffEmail\n" +
		"E1,ben@harbor.example\n" + // 2: good, but not imported
		"E2,ben at harbor\n" + // 3
		"E99,ben@harbor.example\n" + // 4
		"E4,ben@harbor.example\n" + // 5: deleted
		",ben@harbor.example\n" + // 6
		"E3\n" + // 7
		"E3,\n" + // 8
		"E99,x@y\n" + // 9: both fields wrong
		"E3,\"broken\n" // 10: the rest cannot be read
	_, err = importCSV(t, pool, text)
	var bad *contacts.ImportError
	require.ErrorAs(t, err, &bad)
	var got []string
	for _, p := range bad.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		`assign.csv:3:2: StaffEmail "ben at harbor": not an e-mail address: it holds a space, a control character or one of <>()[],;:"\ (want name@example.org)`,
		"assign.csv:4:1: EnrollmentID 'E99' is not in the imported Enrollment.csv",
		"assign.csv:5:1: EnrollmentID 'E4' is deleted in the imported Enrollment.csv (DateDeleted is set)",
		"assign.csv:6:1: EnrollmentID is empty: want the EnrollmentID of an enrollment in the imported Enrollment.csv",
		"assign.csv:7:2: the row has 1 field: want 2 (EnrollmentID,StaffEmail)",
		"assign.csv:8:2: StaffEmail is empty: want an e-mail address (name@example.org)",
		"assign.csv:9:1: EnrollmentID 'E99' is not in the imported Enrollment.csv",
		`assign.csv:9:2: StaffEmail "x@y": not an e-mail address: want a domain such as example.org after the @`,
		`assign.csv:10: not valid CSV: extraneous or missing " in quoted-field`,
	}, got)
	assert.Equal(t, len(got), bad.Count)
	assert.Equal(t, []string{"E1 ana@harbor.example"}, assignments(t, pool), "nothing changed")
	assert.Zero(t, count(t, pool, "SELECT count(*) FROM exitflow.audit"))

	_, err = contacts.ImportAssignments(ctx, pool, strings.NewReader("EnrollmentID,StaffEmail\nE1,a@b.org\n"), "assign.csv", " ")
	assert.EqualError(t, err, "Actor is required: the HMIS staff member who imports the assignments")
}

// Past MaxProblems, problems are counted, not kept.
func TestN5_AssignmentImportKeepsTheFirstProblems(t *testing.T) {
	pool := coc(t)
	text := "EnrollmentID,StaffEmail\n" + strings.Repeat("E1,nope\n", contacts.MaxProblems+5)
	_, err := importCSV(t, pool, text)
	var bad *contacts.ImportError
	require.ErrorAs(t, err, &bad)
	assert.Len(t, bad.Problems, contacts.MaxProblems)
	assert.Equal(t, contacts.MaxProblems+5, bad.Count)
	assert.True(t, strings.HasSuffix(err.Error(), "… and 5 more"), err.Error()[len(err.Error())-40:])
}
