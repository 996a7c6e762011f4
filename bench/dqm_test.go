package bench

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dqmCleanup removes every DQM report (and its audit records), so that the kept benchmark
// database is unchanged and no run is compared with another's.
func dqmCleanup(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	for _, q := range []string{"DELETE FROM exitflow.dqm_report", "DELETE FROM exitflow.audit WHERE action = 'dqm'"} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

// memPeak runs f and returns the peak of the Go heap in use (sampled every 5 ms) and the peak
// RSS of this process while it ran (VmHWM after resetting it through /proc/self/clear_refs; 0 where
// that is not possible), both in bytes.
func memPeak(f func()) (heap, rss uint64) {
	runtime.GC()
	rssOK := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var mu sync.Mutex
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		heap = max(heap, m.HeapInuse)
		mu.Unlock()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f()
	sample()
	close(done)
	wg.Wait()
	if rssOK {
		rss = vmHWM()
	}
	return heap, rss
}

// vmHWM is this process's peak RSS in bytes (/proc/self/status), 0 if unknown.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// dqmParts times the DQM's parts on their own over the whole CoC, as dqm.Run runs them (custom
// plans, work_mem 256 MB): its queries read from the package's folder, sql/open.sql (the open
// enrollments, over the engine's rule query), sql/exits.sql and sql/findings.sql. dqm.Run runs
// open.sql beside the other two, on two connections.
func dqmParts(b *testing.B, pool *pgxpool.Pool, since time.Time) (open, exits, findings float64, rows int) {
	b.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL work_mem = '256MB'"); err != nil {
		b.Fatal(err)
	}
	r, err := tx.Query(ctx, `SELECT projectid FROM hmis.project WHERE datedeleted IS NULL ORDER BY projectid COLLATE "C"`)
	if err != nil {
		b.Fatal(err)
	}
	projects, err := pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	timeFile := func(name string) (float64, int) {
		sql, err := os.ReadFile("../internal/dqm/sql/" + name + ".sql")
		if err != nil {
			b.Fatal(err)
		}
		query, args := string(sql), []any{benchAsOf, since, projects}
		if name == "open" { // the engine's rule query in place of its placeholder, as dqm.Run sends it
			rules, a := engine.CandidateRowsQuery(engine.Options{AsOf: benchAsOf, Projects: projects, Method: engine.MethodAdmin, AllOpen: true})
			query, args = strings.Replace(query, "({candidates_rows}) r", "("+rules+") r", 1), a
		}
		start := time.Now()
		r, err := tx.Query(ctx, query, args...)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start).Seconds(), n
	}
	open, _ = timeFile("open")
	exits, _ = timeFile("exits")
	findings, rows = timeFile("findings")
	return open, exits, findings, rows
}

// BenchmarkDQM: the whole-CoC follow-up DQM report (SPEC Q1–Q3: dqm.Run as of the generation
// date over the 30 days before it: every measure of every project, the findings, stored) beside
// the whole-CoC auto-exit preview (engine.Candidates, as BenchmarkPreview times it), on the same
// kept database, best of 3 after a warm-up each. Target: the report within 5× of the preview. Also
// the peak memory of each (the Go heap in use, and this process's RSS while it ran), and the DQM's
// parts on their own. The reports are deleted again afterwards.
func BenchmarkDQM(b *testing.B) {
	exe := binary(b)
	dir := data(b, exe)
	_, pool := engineDB(b, exe, dir)
	ctx := context.Background()
	dqmCleanup(b, pool)
	defer dqmCleanup(b, pool)
	since := benchAsOf.AddDate(0, 0, -dqm.DefaultPeriodDays)
	opt := dqm.Options{AsOf: benchAsOf, Since: since, Actor: "bench"} // Since given: every run measures the same period
	var last *dqm.Report
	runDQM := func() {
		r, err := dqm.Run(ctx, pool, opt)
		if err != nil {
			b.Fatal(err)
		}
		last = r
	}
	var enrollments int64
	_ = pool.QueryRow(ctx, "SELECT count(*) FROM hmis.enrollment").Scan(&enrollments)
	b.Logf("data: %s: %d enrollments; as of %s, period (%s, %s]", dir, enrollments, benchAsOf.Format(time.DateOnly),
		since.Format(time.DateOnly), benchAsOf.Format(time.DateOnly))
	const reps = 3
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := len(enginePreview(b, pool))
		preview := best(reps, func() { enginePreview(b, pool) })
		report := best(reps, runDQM)
		previewHeap, previewRSS := memPeak(func() { enginePreview(b, pool) })
		dqmHeap, dqmRSS := memPeak(runDQM)
		openS, exitsS, findingsS, findingRows := dqmParts(b, pool, since)

		mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
		b.ReportMetric(report, "dqm-s")
		b.ReportMetric(preview, "preview-s")
		b.ReportMetric(report/preview, "dqm/preview")
		b.ReportMetric(mib(dqmHeap), "dqm-heap-MiB")
		b.ReportMetric(mib(dqmRSS), "dqm-rss-MiB")
		b.ReportMetric(mib(previewHeap), "preview-heap-MiB")
		b.ReportMetric(openS, "open-sql-s")
		b.ReportMetric(findingsS, "findings-sql-s")
		b.ReportMetric(exitsS, "exits-sql-s")
		b.ReportMetric(float64(len(last.Findings)), "findings")
		open := 0.0
		for _, m := range last.Total {
			if m.Measure == dqm.OpenEnrollments {
				open = m.Value.N
			}
		}
		b.Logf("whole-CoC DQM: %.2f s (%d projects, %.0f open enrollments, %d findings, %s); whole-CoC preview (engine.Candidates auto, %d rows): %.2f s; "+
			"ratio %.2f× (target ≤ 5×); best of %d after a warm-up; %d CPUs; others may be using the machine",
			report, len(last.Projects), open, len(last.Findings), last.Verdict, rows, preview, report/preview, reps, runtime.NumCPU())
		b.Logf("peak memory: DQM Go heap %.0f MiB, process RSS %.0f MiB; preview Go heap %.0f MiB, process RSS %.0f MiB (0: unknown)",
			mib(dqmHeap), mib(dqmRSS), mib(previewHeap), mib(previewRSS))
		b.Logf("the DQM's parts alone: open.sql (over the engine's rule query) %.2f s, beside findings.sql %.2f s (%d rows) + exits.sql %.2f s; then storing",
			openS, findingsS, findingRows, exitsS)
	}
}
