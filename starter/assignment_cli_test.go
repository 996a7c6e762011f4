package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile writes text into a new file name of a temporary folder and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// SPEC N5, U1: assignment import through the CLI, over the exits fixture: the enrollments in the
// file get exactly its rows, the others keep theirs; the counts are printed and audited.
func TestAssignmentImportThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	first := writeFile(t, "caseload.csv", "EnrollmentID,StaffEmail\nNA1,Ana@Agency.example\nNA1,ben@agency.example\nNA2,ana@agency.example\nNA1,ana@agency.example\n")
	out, errOut, code := cli(t, env, "assignment", "import", first, "--actor", "Sam Ortiz")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "imported "+first+": 4 rows (1 repeated row collapsed) for 2 enrollments: 3 added, 0 removed, 0 kept\n", out)

	second := writeFile(t, "caseload2.csv", "EnrollmentID,StaffEmail\nNA1,cy@agency.example\n")
	out, errOut, code = cli(t, env, "assignment", "import", second, "--actor", "Sam Ortiz")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "imported "+second+": 1 row for 1 enrollment: 1 added, 2 removed, 0 kept\n", out)
	assert.Equal(t, "NA1 cy@agency.example,NA2 ana@agency.example",
		exitsPsql(t, env, "SELECT string_agg(enrollmentid || ' ' || email, ',' ORDER BY enrollmentid, email) FROM exitflow.assignment"))

	out, errOut, code = cli(t, env, "audit", "--action", "assignment-import")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `Sam Ortiz\s+assignment-import\s+assignment import caseload2.csv\s+-\s+\{.*"added": 1.*"removed": 2`, out)
}

// A bad header, a bad address or an unknown enrollment is printed as FILE:LINE:COLUMN: message,
// exit status 1, and the file changes nothing; so do a missing file and a missing --actor.
func TestAssignmentImportErrorsChangeNothingThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	good := writeFile(t, "good.csv", "EnrollmentID,StaffEmail\nNA1,ana@agency.example\n")
	_, errOut, code := cli(t, env, "assignment", "import", good, "--actor", "Sam Ortiz")
	require.Equal(t, 0, code, errOut)
	before := "NA1 ana@agency.example"
	state := func() string {
		return exitsPsql(t, env, "SELECT string_agg(enrollmentid || ' ' || email, ',' ORDER BY enrollmentid, email) FROM exitflow.assignment")
	}
	require.Equal(t, before, state())

	header := writeFile(t, "header.csv", "EnrollmentID,Email\nNA1,ben@agency.example\n")
	_, errOut, code = cli(t, env, "assignment", "import", header, "--actor", "Sam Ortiz")
	assert.Equal(t, 1, code)
	assert.Equal(t, "error: "+header+`:1:2: header column 2 is "Email": want StaffEmail (the header must be exactly EnrollmentID,StaffEmail)`+"\n"+
		"1 error: nothing was imported\n", errOut)

	rows := writeFile(t, "rows.csv", "EnrollmentID,StaffEmail\nNA1,ben@agency.example\nNA2,ben(at)agency.example\nNOPE,ben@agency.example\n")
	_, errOut, code = cli(t, env, "assignment", "import", rows, "--actor", "Sam Ortiz")
	assert.Equal(t, 1, code)
	assert.Equal(t, "error: "+rows+`:3:2: StaffEmail "ben(at)agency.example": not an e-mail address: it holds a space, a control character or one of <>()[],;:"\ (want name@example.org)`+"\n"+
		"error: "+rows+":4:1: EnrollmentID 'NOPE' is not in the imported Enrollment.csv\n"+
		"2 errors: nothing was imported\n", errOut)
	assert.Equal(t, before, state(), "NA1's good row is not imported either")

	_, errOut, code = cli(t, env, "assignment", "import", filepath.Join(t.TempDir(), "nope.csv"), "--actor", "Sam Ortiz")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "exitflow: assignment file: open ")
	assert.Contains(t, errOut, "no such file or directory")
	_, errOut, code = cli(t, env, "assignment", "import", rows)
	assert.Equal(t, 1, code)
	assert.Equal(t, "exitflow: --actor is required: the HMIS staff member who imports the assignments\n", errOut)
	assert.Equal(t, before, state())
	assert.Equal(t, "1", exitsPsql(t, env, "SELECT count(*) FROM exitflow.audit WHERE action = 'assignment-import'"), "the good import only")

	out, _, code := cli(t, env, "assignment", "import", "--help")
	require.Equal(t, 0, code)
	for _, s := range []string{"EnrollmentID,StaffEmail", "its assignments become exactly the file's rows", "keep their assignments", "FILE:LINE:COLUMN", "Examples:"} {
		assert.Contains(t, out, s)
	}
}
