// Package scripts holds the tests of the shell scripts behind `make run`.
package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeGo stands in for `go`: `install` takes FAKE_BUILD_SECONDS and writes a temporal binary whose
// module version `version -m` reports; FAKE_BUILD_FAIL makes the build fail.
const fakeGo = `#!/usr/bin/env bash
set -euo pipefail
case $1 in
version)
	[[ -f $3.version ]] && printf '\tpath\tgithub.com/temporalio/cli/cmd/temporal\n\tmod\tgithub.com/temporalio/cli\t%s\th1:x=\n' "$(cat "$3.version")"
	exit 0 ;;
install)
	echo "go: downloading github.com/temporalio/cli ${2#*@}"
	sleep "$FAKE_BUILD_SECONDS"
	if [[ -n ${FAKE_BUILD_FAIL:-} ]]; then echo "compile: boom"; exit 2; fi
	printf '#!/bin/sh\n' >"$GOBIN/temporal"
	chmod +x "$GOBIN/temporal"
	echo "${2#*@}" >"$GOBIN/temporal.version" ;;
esac
`

// cliTree is a copy of scripts/temporal-cli.sh in a tree of its own (the script works in the
// .data/ next to it) and a fake go.
func cliTree(t *testing.T) (root, goBin string) {
	root = t.TempDir()
	src, err := os.ReadFile("temporal-cli.sh")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "scripts", "temporal-cli.sh"), src, 0o755))
	goBin = filepath.Join(root, "fake-go")
	require.NoError(t, os.WriteFile(goBin, []byte(fakeGo), 0o755))
	return root, goBin
}

type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func runCLI(t *testing.T, root, goBin string, env ...string) result {
	t.Helper()
	// Through bash: exec'ing a file just written races with parallel tests' forks (text file busy).
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "temporal-cli.sh"))
	cmd.Env = append(os.Environ(), append([]string{"GO=" + goBin, "TEMPORAL_CLI_VERSION=v1.5.1"}, env...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run() // returns only when every process holding stdout or stderr has gone
	r := result{o.String(), e.String(), 0, time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return r
}

var progressLine = regexp.MustCompile(`(?m)^still building the Temporal CLI: [0-9]+ s elapsed \(usually 3-9 minutes\)$`)

func TestTemporalCLIBuildShowsProgress(t *testing.T) {
	t.Parallel()
	root, goBin := cliTree(t)
	r := runCLI(t, root, goBin, "TEMPORAL_BUILD_PROGRESS_SECONDS=1", "FAKE_BUILD_SECONDS=3.5")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, filepath.Join(root, ".data", "bin", "temporal")+"\n", r.stdout)
	assert.Contains(t, r.stderr, "about 3 minutes on a quiet machine, up to 9 on a busy 2-core one")
	assert.GreaterOrEqual(t, len(progressLine.FindAllString(r.stderr, -1)), 2, r.stderr)
	assert.Regexp(t, `(?m)^built Temporal CLI v1\.5\.1 in [0-9]+ s$`, r.stderr)
	log, err := os.ReadFile(filepath.Join(root, ".data", "logs", "temporal-build.log"))
	require.NoError(t, err)
	assert.Contains(t, string(log), "go: downloading github.com/temporalio/cli v1.5.1")

	// Up to date: nothing is built, nothing but the path is printed.
	r = runCLI(t, root, goBin, "TEMPORAL_BUILD_PROGRESS_SECONDS=1", "FAKE_BUILD_SECONDS=3.5")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, filepath.Join(root, ".data", "bin", "temporal")+"\n", r.stdout)
	assert.Empty(t, r.stderr)
}

// The ticker's sleep must not outlive the script: it would hold make run's stderr (and $(...)) open.
func TestTemporalCLIProgressLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	root, goBin := cliTree(t)
	r := runCLI(t, root, goBin, "TEMPORAL_BUILD_PROGRESS_SECONDS=20", "FAKE_BUILD_SECONDS=0.5")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotRegexp(t, progressLine, r.stderr)
	assert.Less(t, r.took, 10*time.Second)
}

func TestTemporalCLIBuildFailureKeepsStatusAndLog(t *testing.T) {
	t.Parallel()
	root, goBin := cliTree(t)
	r := runCLI(t, root, goBin, "TEMPORAL_BUILD_PROGRESS_SECONDS=1", "FAKE_BUILD_SECONDS=1.5", "FAKE_BUILD_FAIL=1")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	i := strings.Index(r.stderr, "building the Temporal CLI failed; last lines of ")
	require.GreaterOrEqual(t, i, 0, r.stderr)
	assert.Regexp(t, progressLine, r.stderr[:i])
	assert.NotRegexp(t, progressLine, r.stderr[i:], "progress after the build ended")
	assert.Contains(t, r.stderr[i:], "compile: boom")
}

func TestTemporalCLIRefusesABadInterval(t *testing.T) {
	t.Parallel()
	root, goBin := cliTree(t)
	r := runCLI(t, root, goBin, "TEMPORAL_BUILD_PROGRESS_SECONDS=0")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "TEMPORAL_BUILD_PROGRESS_SECONDS=0: want a whole number of seconds > 0")
}

func TestTemporalCLIElapsedFormat(t *testing.T) {
	t.Parallel()
	// Only the function, taken out of the script (running the script would build).
	src, err := os.ReadFile("temporal-cli.sh")
	require.NoError(t, err)
	fn := regexp.MustCompile(`(?ms)^elapsed\(\) \{.*?^\}$`).Find(src)
	require.NotNil(t, fn)
	out, err := exec.Command("bash", "-c", string(fn)+"\nfor s in 0 45 60 90 541; do elapsed $s; done").Output()
	require.NoError(t, err)
	assert.Equal(t, "0 s\n45 s\n1 min 0 s\n1 min 30 s\n9 min 1 s\n", string(out))
}
