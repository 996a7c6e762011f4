package importer_test

// Helpers shared by the importer's tests: the valid fixture, edits of it, and a fingerprint of the
// database to show that a refused import changed nothing.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// validFiles is the valid fixture as name → content.
func validFiles(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	des, err := os.ReadDir("testdata/valid")
	require.NoError(t, err)
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join("testdata/valid", de.Name()))
		require.NoError(t, err)
		out[de.Name()] = b
	}
	return out
}

// fixture copies testdata/valid into a temp dir and applies edits (file → function of its text).
func fixture(t *testing.T, edits map[string]func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range validFiles(t) {
		text := string(b)
		if fn := edits[name]; fn != nil {
			text = fn(text)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

// replace is an edit that replaces the first old by new, and panics when old is not there.
func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("fixture edit: " + old + " not found")
		}
		return strings.Replace(s, old, new, 1)
	}
}

// appendRow is an edit that appends one CSV row.
func appendRow(row string) func(string) string {
	return func(s string) string { return s + row + "\n" }
}

// snapshot is a fingerprint of every HMIS table and the import log.
func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var b strings.Builder
	for _, f := range hmis.All() {
		var sum string
		require.NoError(t, pool.QueryRow(context.Background(),
			"SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM hmis."+hmis.Quote(f.Table())+" t").Scan(&sum))
		b.WriteString(f.Name + "=" + sum + ";")
	}
	var n string
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*)::text FROM exitflow.import_run").Scan(&n))
	return b.String() + "imports=" + n
}
