// Package bench holds the benchmarks behind BENCHMARKS.md (make bench). They need big generated
// data and minutes of time, so `make test` skips them.
package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
)

// households sizes the generated CoC: EXITFLOW_BENCH_HOUSEHOLDS, default 400,000
// (≈ 1,000,000 enrollments and ≈ 20,000,000 services with `exitflow generate`).
func households() int {
	if v := os.Getenv("EXITFLOW_BENCH_HOUSEHOLDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil && n > 0 {
			return n
		}
	}
	return 400000
}

// binary builds the exitflow CLI once per run.
func binary(b *testing.B) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "exitflow")
	cmd := exec.Command("go", "build", "-o", out, "../starter")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("building exitflow: %v", err)
	}
	return out
}

// data returns a generated export (kept under ../.data/bench between runs: generating takes minutes).
func data(b *testing.B, exe string) string {
	b.Helper()
	n := households()
	dir, _ := filepath.Abs(fmt.Sprintf("../.data/bench/gen-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "Export.csv")); err == nil {
		return dir
	}
	start := time.Now()
	run(b, exe, nil, "generate", "--out", dir, "--households", strconv.Itoa(n), "--seed", "7", "--as-of", "2026-11-01", "--force")
	b.Logf("generated %d households in %.0f s", n, time.Since(start).Seconds())
	return dir
}

// measured is what one subprocess cost.
type measured struct {
	seconds float64
	maxRSS  int64 // KiB
}

func run(b *testing.B, exe string, env []string, args ...string) measured {
	b.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", exe, strings.Join(args, " "), err, stderr.String())
	}
	m := measured{seconds: time.Since(start).Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	return m
}

// rows counts data rows of a generated file (for the report).
func rows(b *testing.B, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err != nil {
			break
		}
	}
	return n - 1
}

// psqlScript copies every file of dir into the same-shaped hmis tables with psql's \copy.
// With bulk, the tables' keys and indexes are dropped first and rebuilt after the load (the fastest
// way by hand); without, they are maintained row by row.
func psqlScript(b *testing.B, dir string, bulk []string) string {
	var s strings.Builder
	s.WriteString("\\set ON_ERROR_STOP on\nBEGIN;\nSET LOCAL maintenance_work_mem = '512MB';\n")
	if bulk != nil {
		s.WriteString(bulk[0])
	}
	for _, f := range hmis.Files {
		path := filepath.Join(dir, f.CSV())
		fh, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		head, err := csv.NewReader(fh).Read()
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
		cols := make([]string, len(head))
		for i, h := range head {
			cols[i] = hmis.Quote(strings.ToLower(h))
		}
		fmt.Fprintf(&s, "\\copy hmis.%s (%s) FROM '%s' WITH (FORMAT csv, HEADER true)\n", hmis.Quote(f.Table()), strings.Join(cols, ", "), path)
	}
	if bulk != nil {
		s.WriteString(bulk[1])
	}
	s.WriteString("COMMIT;\n")
	return s.String()
}

// indexScripts returns SQL that drops and that recreates every key and index of the hmis schema.
func indexScripts(b *testing.B, pool *pgxpool.Pool) []string {
	rows, err := pool.Query(context.Background(), `
		SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid)
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'p'
		WHERE n.nspname = 'hmis' ORDER BY c.conname IS NULL, 2`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var drop, create strings.Builder
	for rows.Next() {
		var table, index, def string
		var con, condef *string
		if err := rows.Scan(&table, &index, &def, &con, &condef); err != nil {
			b.Fatal(err)
		}
		if con != nil {
			fmt.Fprintf(&drop, "ALTER TABLE %s DROP CONSTRAINT %s;\n", table, *con)
			fmt.Fprintf(&create, "ALTER TABLE %s ADD CONSTRAINT %s %s;\n", table, *con, *condef)
		} else {
			fmt.Fprintf(&drop, "DROP INDEX %s;\n", index)
			fmt.Fprintf(&create, "%s;\n", def)
		}
	}
	return []string{drop.String(), create.String()}
}

// warm reads every file once so that both contenders find them in the page cache.
func warm(b *testing.B, dir string) {
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		f, err := os.Open(filepath.Join(dir, de.Name()))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, f)
		f.Close()
	}
}

// BenchmarkImportVsPsqlCopy: `exitflow import` of a generated export against psql \copy of the
// same CSV files into same-shaped tables (the hmis schema: same columns, types, keys and indexes),
// side by side in one run. Target: exitflow within 1.5× of psql.
func BenchmarkImportVsPsqlCopy(b *testing.B) {
	exe := binary(b)
	dir := data(b, exe)
	b.Logf("data: %s: %d enrollments, %d services, %d clients, %d exits", dir,
		rows(b, filepath.Join(dir, "Enrollment.csv")), rows(b, filepath.Join(dir, "Services.csv")),
		rows(b, filepath.Join(dir, "Client.csv")), rows(b, filepath.Join(dir, "Exit.csv")))
	_, probe := testdb.New(b)
	scripts := map[string]string{}
	for name, bulk := range map[string][]string{"indexed": nil, "bulk": indexScripts(b, probe)} {
		scripts[name] = filepath.Join(b.TempDir(), name+".sql")
		if err := os.WriteFile(scripts[name], []byte(psqlScript(b, dir, bulk)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		warm(b, dir)
		// 1. psql \copy into the tables with their keys and indexes in place.
		url1, _ := testdb.New(b)
		checkpoint(b, url1)
		p1 := measuredCmd(b, "psql", "-X", "-q", "-d", url1, "-f", scripts["indexed"])
		// 2. psql \copy into bare tables, then keys and indexes built (the best by hand).
		url2, _ := testdb.New(b)
		checkpoint(b, url2)
		p2 := measuredCmd(b, "psql", "-X", "-q", "-d", url2, "-f", scripts["bulk"])
		// 3. exitflow import: parse, validate, COPY into staging, check, merge.
		url3, _ := testdb.New(b)
		checkpoint(b, url3)
		e := run(b, exe, []string{"EXITFLOW_DATABASE_URL=" + url3}, "import", dir)
		best := min(p1.seconds, p2.seconds)
		b.ReportMetric(p1.seconds, "psql-indexed-s")
		b.ReportMetric(p2.seconds, "psql-bulk-s")
		b.ReportMetric(e.seconds, "exitflow-s")
		b.ReportMetric(e.seconds/best, "ratio-vs-best")
		b.ReportMetric(float64(e.maxRSS)/1024, "exitflow-MiB")
		b.Logf("psql \\copy into indexed tables %.1f s; psql \\copy then build indexes %.1f s; exitflow import %.1f s (peak RSS %d MiB); "+
			"ratio %.2f× vs indexed, %.2f× vs bulk; %d CPUs",
			p1.seconds, p2.seconds, e.seconds, e.maxRSS/1024, e.seconds/p1.seconds, e.seconds/p2.seconds, runtime.NumCPU())
	}
}

// checkpoint flushes dirty buffers so the second contender does not pay for the first one's writes.
func checkpoint(b *testing.B, url string) {
	if err := exec.CommandContext(context.Background(), "psql", "-X", "-q", "-d", url, "-c", "CHECKPOINT").Run(); err != nil {
		b.Logf("checkpoint: %v", err)
	}
}

func measuredCmd(b *testing.B, name string, args ...string) measured {
	b.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		b.Fatalf("%s not found: %v", name, err)
	}
	return run(b, path, nil, args...)
}
