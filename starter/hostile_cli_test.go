package main

// Hostile exports through the real binary (issue 7 point 2): each is refused with its message, in
// under a minute, with the importer's peak memory (the process's maximum resident set) under
// 256 MiB, and the database unchanged.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// measured runs the binary and returns its output, exit code, peak RSS and wall time.
func measured(t *testing.T, env []string, args ...string) (out string, code int, rss int64, took time.Duration) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	start := time.Now()
	err := cmd.Run()
	took = time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return b.String(), code, ru.Maxrss * 1024, took // Linux reports KiB
}

// validExport copies the importer's valid fixture into dir and returns the files' contents.
func validExport(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	return copyDir(t, "../internal/importer/testdata/valid", dir)
}

// writeBig writes n bytes made of unit repeated, through a buffer (never all in memory).
func writeBig(t *testing.T, path, head string, unit string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString(head)
	block := strings.Repeat(unit, (1<<20)/len(unit))
	for written := int64(0); written < n; written += int64(len(block)) {
		_, err = w.WriteString(block)
		require.NoError(t, err)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// zipBomb writes a .zip of the valid export plus Services.csv of n zero bytes, really deflated.
func zipBomb(t *testing.T, path string, files map[string][]byte, n int64) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, b := range files {
		if name == "Services.csv" {
			continue
		}
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = w.Write(b)
	}
	w, err := zw.Create("Services.csv")
	require.NoError(t, err)
	zero := make([]byte, 1<<20)
	for written := int64(0); written < n; written += int64(len(zero)) {
		_, err = w.Write(zero)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func TestHostileExportsAreRefusedInBoundedMemoryAndTime(t *testing.T) {
	url := testdb.Empty(t) + "_hostile"
	t.Cleanup(func() { dropDB(t, url) })
	env := []string{"EXITFLOW_DATABASE_URL=" + url}
	_, errOut, code := cli(t, env, "migrate")
	require.Equal(t, 0, code, errOut)

	base := t.TempDir()
	files := validExport(t, t.TempDir())
	folder := func(name string, edit func(dir string)) string {
		dir := filepath.Join(base, name)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		validExport(t, dir)
		edit(dir)
		return dir
	}
	const big = 512 << 20
	cases := []struct {
		name, path, want string
	}{
		{"one line of 512 MiB", folder("line", func(dir string) {
			writeBig(t, filepath.Join(dir, "Services.csv"), "ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,TypeProvided,DateCreated,DateUpdated,ExportID\n", "a", big)
		}), "Services.csv:2: a CSV record (line, or the lines of one quoted field) longer than 1.0 MiB"},
		{"one quoted field of 512 MiB in short lines", folder("field", func(dir string) {
			writeBig(t, filepath.Join(dir, "Services.csv"), "ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,TypeProvided,DateCreated,DateUpdated,ExportID\nS1,\"", "a short line\n", big)
		}), "Services.csv:2: a CSV record"},
		{"2 million rows with errors", folder("errors", func(dir string) {
			writeBig(t, filepath.Join(dir, "Client.csv"), "PersonalID,FirstName,LastName,DOB,DateCreated,DateUpdated,UserID,DateDeleted,ExportID\n",
				"C1,Ann,Alpha,1980-13-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1\n", 140<<20)
		}), `DOB: "1980-13-01" is not a calendar date`},
		{"10,000 columns", folder("wide", func(dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Funder.csv"), []byte(strings.Repeat("Extra,", 10000)+"ExportID\n"), 0o644))
		}), "Funder.csv:1: the header has 10001 columns"},
	}
	bomb := filepath.Join(base, "bomb.zip")
	zipBomb(t, bomb, files, 1<<30)
	cases = append(cases, struct{ name, path, want string }{"a zip bomb of 1 GiB of zeros", bomb, "no HMIS CSV compresses beyond 200:1"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code, rss, took := measured(t, env, "import", tc.path)
			assert.NotEqual(t, 0, code, out)
			assert.Contains(t, out, tc.want)
			assert.Less(t, rss, int64(256<<20), "peak memory")
			assert.Less(t, took, time.Minute)
			t.Logf("%s: refused in %.2f s, peak RSS %.1f MiB", tc.name, took.Seconds(), float64(rss)/(1<<20))
		})
	}
	out, _, code := cli(t, env, "import", folder("valid", func(string) {}))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "imported export E1", "nothing of the refused imports stood in the way")
}
