package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var exe string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "exitflow-cli")
	if err != nil {
		panic(err)
	}
	exe = filepath.Join(dir, "exitflow")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	stopDevServer()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	root := newRoot()
	for _, c := range root.Commands() {
		for _, leaf := range append(c.Commands(), c) {
			if leaf.HasSubCommands() || leaf.Hidden || leaf.Name() == "help" || leaf.Name() == "completion" {
				continue
			}
			path := strings.Fields(leaf.CommandPath())[1:]
			out, _, code := cli(t, nil, append(path, "--help")...)
			assert.Equal(t, 0, code, path)
			assert.Contains(t, out, "Examples:", "%v --help has no examples", path)
		}
	}
}

func TestMigrateImportAndBadImportThroughTheCLI(t *testing.T) {
	url := testdb.Empty(t) + "_cli"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url}

	out, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "created database")
	out, _, code = cli(t, env, "migrate")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "0 migrations applied now")

	valid, _ := filepath.Abs("../internal/importer/testdata/valid")
	out, errOut, code = cli(t, env, "import", valid)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported export E1")
	assert.Regexp(t, `Enrollment.csv\s+4\s+4`, out)

	bad := t.TempDir()
	copyDir(t, valid, bad)
	b, _ := os.ReadFile(filepath.Join(bad, "Enrollment.csv"))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "Enrollment.csv"), bytes.Replace(b, []byte("2024-02-01,H2"), []byte("2024-02-30,H2"), 1), 0o644))
	_, errOut, code = cli(t, env, "import", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `Enrollment.csv:4:4: EntryDate: "2024-02-30" is not a calendar date`)
	assert.Contains(t, errOut, "nothing was imported")

	_, errOut, code = cli(t, env, "import", filepath.Join(bad, "nope"))
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "no such file or folder")
}

func TestDatabaseThatDoesNotAnswer(t *testing.T) {
	_, errOut, code := cli(t, []string{"EXITFLOW_DATABASE_URL=postgres://hmis:topsecret@127.0.0.1:1/coc"}, "import", ".")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "postgres://hmis:xxxxx@127.0.0.1:1/coc does not answer")
	assert.NotContains(t, errOut, "topsecret")
}

func TestConfigShow(t *testing.T) {
	out, _, code := cli(t, []string{"EXITFLOW_SMTP_PASSWORD=hunter2", "EXITFLOW_TASK_QUEUE=q1"}, "config", "show", "--timezone", "America/Denver")
	require.Equal(t, 0, code)
	assert.NotContains(t, out, "hunter2")
	assert.Regexp(t, `smtp_password\s+= \*\*\*\*\*`, out)
	assert.Regexp(t, `task_queue\s+= q1`, out)
	assert.Regexp(t, `timezone\s+= America/Denver`, out)
}

func TestCtrlCDuringImportLeavesNothing(t *testing.T) {
	url := testdb.Empty(t) + "_sigint"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url}
	_, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)
	data := filepath.Join(t.TempDir(), "coc")
	_, errOut, code = cli(t, nil, "generate", "--out", data, "--households", "4000", "--seed", "3", "--as-of", "2026-06-30")
	require.Equal(t, 0, code, errOut)

	cmd := exec.Command(exe, "import", data)
	cmd.Env = append(os.Environ(), env...)
	var e bytes.Buffer
	cmd.Stderr = &e
	require.NoError(t, cmd.Start())
	time.Sleep(700 * time.Millisecond) // the import takes several seconds at this size
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	require.Error(t, err, "the import finished before Ctrl-C; make the data bigger")
	assert.Contains(t, e.String(), "nothing was imported")

	out, _ := exec.Command("psql", "-X", "-Atq", "-d", url, "-c",
		"SELECT (SELECT count(*) FROM hmis.enrollment) + (SELECT count(*) FROM hmis.services) + (SELECT count(*) FROM exitflow.import_run)").Output()
	assert.Equal(t, "0", strings.TrimSpace(string(out)))
}
