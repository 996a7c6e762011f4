package engine

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sqlDump = flag.String("sqldump", "", "TestQueriesDump writes each assembled statement to `DIR`/<name>.sql, for psql")

// sortedStatements are the names of the assembled statements, sorted.
func sortedStatements() []string {
	var names []string
	for name := range statements {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Every assembled statement prepares on a migrated database: a rule query that stops parsing, or
// names a column or table that is gone, fails here rather than in a run.
func TestQueriesPrepare(t *testing.T) {
	ctx := context.Background()
	_, pool := testdb.New(t)
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	// What RefreshState creates before it runs state_refresh.
	_, err = conn.Exec(ctx, "CREATE TEMP TABLE state_touched (enrollmentid text)")
	require.NoError(t, err)
	// The exit-default columns a run fills in: this database's, and none (as exitflow sql prints them).
	cols, vals, err := defaultColumns(ctx, conn)
	require.NoError(t, err)
	require.NotEmpty(t, cols, "hmis.exit has columns beyond those the engine sets")
	require.NotEmpty(t, statements)
	for _, name := range sortedStatements() {
		_, err := conn.Conn().Prepare(ctx, "q_"+name, exitColumns(statements[name], cols, vals))
		assert.NoError(t, err, "statement %s does not prepare", name)
		text, ok := Statement(name)
		require.True(t, ok, name)
		_, err = conn.Conn().Prepare(ctx, "p_"+name, text)
		assert.NoError(t, err, "statement %s as exitflow sql prints it does not prepare", name)
	}
}

// Every {placeholder} of every statement is filled in.
func TestQueriesResolved(t *testing.T) {
	for name, sql := range statements {
		left := placeholderRE.FindAllString(sql, -1)
		left = slices.DeleteFunc(left, func(p string) bool { return slices.Contains(perRun, p) })
		assert.Empty(t, left, "statement %s", name)
		assert.NotEmpty(t, strings.TrimSpace(sql), "statement %s", name)
	}
	assert.Contains(t, candidatesSQL, "WITH pol AS (")
	assert.Contains(t, reportSQL, "WITH pol AS (", "the report embeds the candidates")
	assert.Contains(t, touchedStateSQL, touchedIn)
	assert.NotContains(t, allStateSQL, "state_touched")
	assert.Contains(t, insertAlertsSQL, "WITH pol AS (", "the alerts embed the candidates")
	assert.Contains(t, writeFreshSQL, "'"+EngineUserID+"'")
	assert.Contains(t, writeGuardedSQL, "INSERT INTO exitflow.exit_run_batch")
	for _, p := range perRun {
		assert.NotContains(t, exitColumns(writeFreshSQL, "", ""), p)
	}
}

// assemble refuses a missing file, a placeholder without a value and a value without a
// placeholder; assembled panics on them at package initialization.
func TestQueriesAssembleErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"sql/outer.sql": {Data: []byte("-- outer: a test\n-- SPEC H1\nSELECT * FROM ({inner}) x WHERE true {in}\n")},
		"sql/inner.sql": {Data: []byte("-- inner\nSELECT 1 -- one\n")},
	}
	inner, err := assemble(fsys, "inner", nil)
	require.NoError(t, err)
	assert.Equal(t, "SELECT 1 -- one", inner)
	got, err := assemble(fsys, "outer", vars{"inner": inner, "in": ""})
	require.NoError(t, err)
	assert.Equal(t, "SELECT * FROM (SELECT 1 -- one) x WHERE true ", got)
	got, err = assemble(fsys, "outer", vars{"inner": "SELECT 1 -- one\nUNION SELECT 2 -- two", "in": "AND false"})
	require.NoError(t, err)
	assert.Equal(t, "SELECT * FROM (\nSELECT 1 -- one\nUNION SELECT 2 -- two\n) x WHERE true AND false", got,
		"a statement on lines of its own: its last comment ends before the parenthesis")

	_, err = assemble(fsys, "missing", nil)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = assemble(fsys, "outer", vars{"inner": inner})
	assert.ErrorContains(t, err, "no value for {in}")
	_, err = assemble(fsys, "inner", vars{"in": ""})
	assert.ErrorContains(t, err, "has no placeholder {in}")
	assert.Panics(t, func() { assembled("test_missing", "no_such_file", nil) })
}

// Every embedded .sql file is part of some statement.
func TestQueriesUseEveryFile(t *testing.T) {
	files, err := fs.Glob(sqlFiles, "sql/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		assert.True(t, sqlFilesUsed[name], "sql/%s.sql is embedded but no statement uses it", name)
	}
}

// specLineRE is a header's SPEC line, and ruleIDRE a rule number on it.
var (
	specLineRE = regexp.MustCompile(`(?m)^--\s*SPEC\s+(.+)$`)
	ruleIDRE   = regexp.MustCompile(`\b[A-Z]{1,3}[0-9]+\b`)
)

// Every header says what the file returns, names the SPEC rules it applies (numbers that exist in
// docs/rules.md) and how to run it in psql.
func TestQueriesHeadersNameRules(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rules.md")
	require.NoError(t, err)
	rules := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\*\*([A-Z]{1,3}[0-9]+) `).FindAllStringSubmatch(string(doc), -1) {
		rules[m[1]] = true
	}
	require.Contains(t, rules, "H1", "docs/rules.md: no rule headings found")

	files, err := fs.Glob(sqlFiles, "sql/*.sql")
	require.NoError(t, err)
	for _, f := range files {
		b, err := fs.ReadFile(sqlFiles, f)
		require.NoError(t, err)
		header, body := splitHeader(string(b))
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		assert.True(t, strings.HasPrefix(header, "-- "+name+": "), "%s: the header opens with what it returns (-- %s: …)", f, name)
		assert.Contains(t, header, "\n-- psql: ", "%s: the header says how to run it in psql", f)
		assert.NotEmpty(t, body, f)
		lines := specLineRE.FindAllStringSubmatch(header, -1)
		require.Len(t, lines, 1, "%s: the header names the rules it applies on one line, -- SPEC A1, H1, …", f)
		ids := ruleIDRE.FindAllString(lines[0][1], -1)
		assert.NotEmpty(t, ids, "%s: no SPEC rule", f)
		for _, id := range ids {
			assert.True(t, rules[id], "%s: SPEC %s is not a rule of docs/rules.md", f, id)
		}
	}
}

// TestQueriesDump writes the assembled statements for an analyst, with -args -sqldump DIR.
func TestQueriesDump(t *testing.T) {
	if *sqlDump == "" {
		t.Skip("give -args -sqldump DIR to write the assembled statements")
	}
	require.NoError(t, os.MkdirAll(*sqlDump, 0o755))
	for _, name := range sortedStatements() {
		text := "-- " + name + ": assembled from internal/engine/sql by queries.go\n" + statements[name] + "\n"
		require.NoError(t, os.WriteFile(filepath.Join(*sqlDump, name+".sql"), []byte(text), 0o644))
	}
}
