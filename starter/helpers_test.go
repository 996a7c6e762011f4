package main

// Helpers shared by the CLI tests: running the binary, making a database through it, and reading
// what it prints.

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/require"
)

// cli runs the exitflow binary the way HMIS staff and their scripts do.
func cli(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cliIn(t, t.TempDir(), env, args...) // no stray exitflow.yaml
}

// cliIn runs the exitflow binary in dir (where an exitflow.yaml may be).
func cliIn(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return o.String(), e.String(), code
}

// dropDB drops the database of url, if it is there.
func dropDB(t *testing.T, url string) {
	name := url[strings.LastIndex(url, "/")+1:]
	_ = exec.Command("psql", "-X", "-q", "-d", testdb.ServerURL(), "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Run()
}

// cliCoC makes a database (its name ends in suffix) through the CLI, migrate then import of the
// export folder dir, and returns the environment to reach it: EXITFLOW_DATABASE_URL first, then env.
func cliCoC(t *testing.T, suffix, dir string, env ...string) []string {
	t.Helper()
	dir, err := filepath.Abs(dir) // the binary runs in a folder of its own
	require.NoError(t, err)
	url := testdb.Empty(t) + suffix
	t.Cleanup(func() { dropDB(t, url) })
	env = append([]string{"EXITFLOW_DATABASE_URL=" + url}, env...)
	_, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = cli(t, env, "import", dir)
	require.Equal(t, 0, code, errOut)
	return env
}

// exitsCoC makes a database holding the exits fixture (internal/engine/testdata/exits) through the CLI.
func exitsCoC(t *testing.T) []string {
	t.Helper()
	return cliCoC(t, "_x", "../internal/engine/testdata/exits", "EXITFLOW_TIMEZONE=America/Chicago")
}

// importedCoC makes a database holding the export sample and returns the environment to reach it.
func importedCoC(t *testing.T, sample string) []string {
	t.Helper()
	return cliCoC(t, "_p", sample)
}

func exitsPsql(t *testing.T, env []string, sql string) string {
	t.Helper()
	url := strings.TrimPrefix(env[0], "EXITFLOW_DATABASE_URL=")
	out, err := exec.Command("psql", "-X", "-Atq", "-d", url, "-c", sql).CombinedOutput()
	require.NoError(t, err, string(out))
	return strings.TrimSpace(string(out))
}

func exitsRunID(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`exit run (\d+) done`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	return m[1]
}

// copyDir copies the files of the folder from into the folder to and returns their contents by name.
func copyDir(t *testing.T, from, to string) map[string][]byte {
	t.Helper()
	des, err := os.ReadDir(from)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		require.NoError(t, err)
		files[de.Name()] = b
		require.NoError(t, os.WriteFile(filepath.Join(to, de.Name()), b, 0o644))
	}
	return files
}

// copyCSVs copies the .csv files of the folder from, each through edit, into a new temporary
// folder and returns it.
func copyCSVs(t *testing.T, from string, edit func([]byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	des, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".csv") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, de.Name()), edit(b), 0o644))
	}
	return dir
}

// mustCSV parses CSV output.
func mustCSV(t *testing.T, s string) [][]string {
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	require.NoError(t, err)
	return recs
}
