package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A typing error in exitflow.yaml stops every command that reads the configuration, before it
// does anything.
func TestUnknownConfigKeyStopsEveryCommand(t *testing.T) {
	dir := t.TempDir()
	url := testdb.Empty(t) + "_cfg" // migrate would create it
	t.Cleanup(func() { dropDB(t, url) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exitflow.yaml"), []byte("database_url: "+url+"\ntimezon: America/Chicago\n"), 0o644))
	want := `config file exitflow.yaml: unknown key "timezon" (the known keys are the ones ` + "`exitflow config show`" +
		` prints: ` + strings.Join(config.Keys(), ", ") + `)`
	out := filepath.Join(dir, "gen")
	for _, args := range [][]string{
		{"config", "show"},
		{"migrate"},
		{"import", dir},
		{"export", filepath.Join(dir, "export")},
		{"generate", "--out", out, "--households", "1"},
		{"policy", "show"},
		{"policy", "set", "--default", "--auto-exit-days", "90", "--actor", "x", "--yes"},
		{"policy", "history"},
		{"preview"},
		{"report", "candidates"},
		{"exits", "run", "--as-of", "2026-01-01", "--actor", "x", "--yes"},
		{"exits", "undo", "--run", "1", "--actor", "x"},
	} {
		stdout, stderr, code := cliIn(t, dir, nil, args...)
		assert.Equal(t, 1, code, args)
		assert.Equal(t, "exitflow: "+want+"\n", stderr, args)
		assert.Empty(t, stdout, args)
	}
	for _, made := range []string{"gen", "export"} {
		assert.NoDirExists(t, filepath.Join(dir, made), "nothing was written")
	}
	psql, err := exec.Command("psql", "-X", "-Atq", "-d", testdb.ServerURL(), "-c",
		"SELECT count(*) FROM pg_database WHERE datname = '"+url[strings.LastIndex(url, "/")+1:]+"'").Output()
	require.NoError(t, err)
	assert.Equal(t, "0", strings.TrimSpace(string(psql)), "migrate created no database")

	// --config FILE is checked the same way; help needs no configuration.
	file := filepath.Join(dir, "exitflow.yaml")
	_, stderr, code := cli(t, nil, "config", "show", "--config", file)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `config file `+file+`: unknown key "timezon"`)
	_, _, code = cliIn(t, dir, nil, "preview", "--help")
	assert.Equal(t, 0, code)

	require.NoError(t, os.WriteFile(file, []byte("timezone: America/Chicago\n"), 0o644))
	stdout, stderr, code := cliIn(t, dir, nil, "config", "show")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `timezone\s+= America/Chicago`, stdout)
}
