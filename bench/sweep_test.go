package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/exitflow/exitflow/workflows"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sweepCleanup removes what an exit run or a sweep wrote, so that the kept benchmark database is
// unchanged and the next contender finds the same data.
func sweepCleanup(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	for _, q := range []string{
		"DELETE FROM exitflow.sweep_run", "DELETE FROM exitflow.notification", "DELETE FROM exitflow.alert",
		"DELETE FROM exitflow.action_key", "DELETE FROM exitflow.engine_exit",
		"DELETE FROM exitflow.exit_run_batch", "DELETE FROM exitflow.exit_run_candidate", "DELETE FROM exitflow.exit_run",
		"DELETE FROM hmis.exit WHERE userid = 'exitflow'",
		"DELETE FROM exitflow.audit WHERE action IN ('exit-run', 'undo', 'alert', 'sweep')",
		"VACUUM ANALYZE hmis.exit", "VACUUM ANALYZE exitflow.exit_run_candidate", "VACUUM ANALYZE exitflow.enrollment_state",
		"VACUUM ANALYZE exitflow.alert", "CHECKPOINT",
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// exitsOf is the exits an exit run wrote: enrollment ID and exit date, as one sorted text.
func exitsOf(b *testing.B, pool *pgxpool.Pool) (string, int) {
	b.Helper()
	var list string
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(enrollmentid || ' ' || exit_date, ',' ORDER BY enrollmentid), ''), count(*)
		FROM exitflow.engine_exit WHERE undone_at IS NULL`).Scan(&list, &n); err != nil {
		b.Fatal(err)
	}
	return list, n
}

// BenchmarkSweep (issue 11): the daily auto-exit sweep of the whole generated CoC as of
// 2026-11-01, end to end through the pinned dev server and an `exitflow worker` process
// (`exitflow sweep run --wait`), side by side with `exitflow exits run --method auto` on the same
// data (cleaned up in between). Reports both times and their ratio (target: the orchestration adds
// at most 25%), the exits stage alone, the events of the sweep's largest execution (target < 1,000)
// and the worker's peak RSS. The exits of both must be the same, enrollment for enrollment.
func BenchmarkSweep(b *testing.B) {
	exe := binary(b)
	dir := data(b, exe)
	dbURL, pool := engineDB(b, exe, dir)
	env := []string{"EXITFLOW_DATABASE_URL=" + dbURL, "EXITFLOW_TIMEZONE=America/New_York"}
	sweepCleanup(b, pool)
	defer sweepCleanup(b, pool)

	mail := testenv.StartMailpit(b, 0, "--max", "1000000")
	srv := testenv.StartDevServer(b, "ExitflowAgency=Keyword", "ExitflowProjects=KeywordList",
		"ExitflowMethod=Keyword", "ExitflowPhase=Keyword")
	env = append(env, "EXITFLOW_TEMPORAL_ADDRESS="+srv.Address, "EXITFLOW_TEMPORAL_NAMESPACE=default",
		"EXITFLOW_TASK_QUEUE=bench-sweep", "EXITFLOW_SMTP_HOST=127.0.0.1", fmt.Sprintf("EXITFLOW_SMTP_PORT=%d", mail.SMTPPort))
	for i := 0; i < b.N; i++ {
		cli := peak(b, exe, env, "exits", "run", "--method", "auto", "--as-of", "2026-11-01", "--actor", "bench", "--yes")
		want, n := exitsOf(b, pool)
		var cliWrite float64
		if err := pool.QueryRow(context.Background(), `SELECT extract(epoch FROM finished_at - started_at) FROM exitflow.exit_run
			ORDER BY id DESC LIMIT 1`).Scan(&cliWrite); err != nil {
			b.Fatal(err)
		}
		sweepCleanup(b, pool)

		wall, stage, res, rss, events := sweepOnce(b, exe, env, pool, srv)
		got, m := exitsOf(b, pool)
		if got != want || m != n || res.Enrollments != n {
			b.Fatalf("the sweep exited %d enrollments (result %d), the exits run %d; the lists differ: %t", m, res.Enrollments, n, got != want)
		}
		b.ReportMetric(cli.seconds, "exits-run-s")
		b.ReportMetric(wall, "sweep-s")
		b.ReportMetric(wall/cli.seconds, "sweep/exits-run")
		b.ReportMetric(stage, "sweep-exits-stage-s")
		b.ReportMetric(float64(events), "largest-execution-events")
		b.ReportMetric(float64(rss)/1024, "worker-MiB")
		b.ReportMetric(float64(n), "enrollments")
		b.Logf("exits run --method auto: %d enrollments in %.2f s (its exit run %.2f s), peak RSS %d MiB", n, cli.seconds, cliWrite, cli.maxRSS/1024)
		b.Logf("sweep run --wait: %.2f s = %.2f× the exits run (its exit run %.2f s = %.2f×); %d households, %d enrollments, %d alerts, "+
			"%d alert digests, %d exit notices, %d summaries; %d executions, %d pages; largest execution %d events; worker peak RSS %d MiB",
			wall, wall/cli.seconds, stage, stage/cliWrite, res.Households, res.Enrollments, res.Alerts, res.AlertMessages,
			res.ExitNotices, res.Summaries, res.Executions, res.Pages, events, rss/1024)
		sweepCleanup(b, pool)
	}
}

// sweepOnce runs one sweep through a fresh worker process: the wall time of `sweep run --wait`,
// the engine's exit run's own time, the result, the worker's peak RSS (KiB) and the events of the
// largest execution.
func sweepOnce(b *testing.B, exe string, env []string, pool *pgxpool.Pool, srv *testenv.DevServer) (float64, float64, workflows.SweepResult, int64, int) {
	b.Helper()
	worker := exec.Command(exe, "worker")
	worker.Env = append(os.Environ(), env...)
	var wlog bytes.Buffer
	worker.Stdout, worker.Stderr = &wlog, &wlog
	if err := worker.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = worker.Process.Kill(); _ = worker.Wait() }()
	time.Sleep(2 * time.Second) // polling
	var out bytes.Buffer
	cmd := exec.Command(exe, "sweep", "run", "--as-of", "2026-11-01", "--wait", "--format", "json")
	cmd.Env, cmd.Stdout, cmd.Stderr = append(os.Environ(), env...), &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("sweep run: %v\n%s\nworker:\n%s", err, out.String(), wlog.String())
	}
	wall := time.Since(start).Seconds()
	rss := vmHWMOf(b, worker.Process.Pid)
	var res workflows.SweepResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		b.Fatalf("sweep run: %v\n%s", err, out.String())
	}
	var stage float64
	if err := pool.QueryRow(context.Background(), `SELECT extract(epoch FROM finished_at - started_at) FROM exitflow.exit_run
		WHERE id = $1`, res.ExitRunID).Scan(&stage); err != nil {
		b.Fatal(err)
	}
	var wfID string
	if err := pool.QueryRow(context.Background(), `SELECT workflow_id FROM exitflow.sweep_run WHERE id = $1`, res.SweepID).Scan(&wfID); err != nil {
		b.Fatal(err)
	}
	return wall, stage, res, rss, largestExecution(b, srv, wfID)
}

// largestExecution counts the events of each execution of the workflow (a continue-as-new chain)
// and returns the largest count.
func largestExecution(b *testing.B, srv *testenv.DevServer, wfID string) int {
	b.Helper()
	out, err := exec.Command(srv.CLI, "workflow", "list", "--address", srv.Address, "--query", fmt.Sprintf("WorkflowId = %q", wfID),
		"--output", "json").Output()
	if err != nil {
		b.Fatal(err)
	}
	var runs []struct {
		Execution struct{ RunID string } `json:"execution"`
	}
	if err := json.Unmarshal(out, &runs); err != nil {
		b.Fatalf("%v: %s", err, out)
	}
	most := 0
	for _, r := range runs {
		it := srv.Client().GetWorkflowHistory(context.Background(), wfID, r.Execution.RunID, false, 0)
		n := 0
		for it.HasNext() {
			if _, err := it.Next(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		most = max(most, n)
	}
	return most
}

// vmHWMOf is a running process's peak RSS in KiB (VmHWM of /proc/PID/status).
func vmHWMOf(b *testing.B, pid int) int64 {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kib, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kib
		}
	}
	return 0
}
