package main

import (
	"context"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An HMIS analyst gets each rule statement as the engine sends it, with its header, and can run it
// in psql: the printed candidates statement, prepared on a migrated database, lists the preview.
func TestSQLPrintsTheRuleStatementsForPsql(t *testing.T) {
	out, errOut, code := cli(t, nil, "sql")
	require.Equal(t, 0, code, errOut)
	names := strings.Fields(out)
	for _, want := range []string{"candidates", "report", "snapshot", "alerts_insert", "write_fresh", "write_guarded", "stale"} {
		assert.Contains(t, names, want)
	}

	out, errOut, code = cli(t, nil, "sql", "candidates")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "-- candidates: "), out[:min(len(out), 200)])
	assert.Contains(t, out, "\n-- SPEC ")
	assert.Contains(t, out, "WITH pol AS (", "the statement is assembled: candidates_rows is in it")
	assert.NotContains(t, out, "{candidates_rows}")

	_, pool := testdb.New(t)
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "PREPARE q(date, text[], text, int, bool) AS "+strings.TrimSuffix(strings.TrimSpace(out), ";"))
	require.NoError(t, err, "the printed statement prepares")
	rows, err := conn.Query(ctx, "EXECUTE q('2026-11-01', NULL, 'auto', NULL, false)")
	require.NoError(t, err)
	rows.Close()
	require.NoError(t, rows.Err(), "and runs")

	_, errOut, code = cli(t, nil, "sql", "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `sql "nope": no such statement; the statements are `)
}
