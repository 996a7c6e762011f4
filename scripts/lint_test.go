package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeVar reads a variable of the Makefile (NAME := value).
func makeVar(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + name + ` := (\S+)$`).FindSubmatch(b)
	require.NotNil(t, m, "Makefile has no %s", name)
	return string(m[1])
}

// make lint's linters refuse what they are there to refuse: an exported name without a doc
// comment (revive with .revive.toml) and unused code (staticcheck).
func TestLintRefusesUndocumentedExportsAndUnusedCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pinned linters")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module lintprobe\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte("// Package x is a probe.\npackage x\n\nfunc Exported() {}\n\nfunc unused() {}\n"), 0o644))
	config, err := filepath.Abs("../.revive.toml")
	require.NoError(t, err)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", makeVar(t, "REVIVE"), "-config", config, "-set_exit_status", "./..."}, "exported function Exported should have comment"},
		{[]string{"run", makeVar(t, "STATICCHECK"), "./..."}, "func unused is unused"},
	} {
		cmd := exec.Command("go", tc.args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		assert.Error(t, err, "%s passed:\n%s", tc.args[1], out)
		assert.Contains(t, string(out), tc.want)
	}
}
