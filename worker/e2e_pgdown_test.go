package worker_test

// PostgreSQL down in the middle of an agreement's exits (issue 10): the database refuses every
// connection and drops those it has, for long enough that the exits activity fails and its first
// retry fails too; when the database is back, Temporal's next retry resumes the engine's run and
// the agreement completes with every candidate exited once, no household half exited and every
// notice mailed once. The outage is one database's (ALLOW_CONNECTIONS false, backends
// terminated): the server itself is shared by the other tests.

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/workflows"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestE2E_PostgreSQLDownDuringTheExits(t *testing.T) {
	ctx := context.Background()
	b := startBig(t, "PG1")
	b.startWorker(t)
	admin, err := pgx.Connect(ctx, testdb.ServerURL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close(ctx) })
	db := pgx.Identifier{b.pool.Config().ConnConfig.Database}.Sanitize()
	up := func() {
		_, err := admin.Exec(ctx, "ALTER DATABASE "+db+" WITH ALLOW_CONNECTIONS true")
		require.NoError(t, err)
	}
	t.Cleanup(up)

	b.startAgreement(t)
	b.waitMidway(t)
	_, err = admin.Exec(ctx, "ALTER DATABASE "+db+" WITH ALLOW_CONNECTIONS false")
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
		b.pool.Config().ConnConfig.Database)
	require.NoError(t, err)
	downAt := time.Now()

	// Down until the exits activity has failed twice: its first attempt and its first retry.
	deadline := time.Now().Add(90 * time.Second)
	for attempt := int32(0); attempt < 3; attempt = b.exitsAttempt(t) {
		if time.Now().After(deadline) {
			t.Fatalf("the exits activity did not fail twice within 90 s of the outage; worker log:\n%s", b.workerLog())
		}
		time.Sleep(250 * time.Millisecond)
	}
	up()
	t.Logf("PostgreSQL was down %s", time.Since(downAt).Round(time.Second))
	b.finish(t, 120*time.Second) // the next retry is 20 s after the second failure
	require.Contains(t, b.workerLog(), "running the exits", "the worker logged the failed attempts")
}

// exitsAttempt is the attempt number of the agreement's pending exits activity (0 if none):
// Temporal counts a failed attempt by scheduling the next one.
func (b *bigRun) exitsAttempt(t *testing.T) int32 {
	t.Helper()
	d, err := b.c.DescribeWorkflow(context.Background(), b.wfID, "")
	require.NoError(t, err)
	for _, a := range d.RawResponse.GetPendingActivities() {
		if a.GetActivityType().GetName() == workflows.ActivityRunExits && a.GetLastFailure() != nil {
			return a.GetAttempt()
		}
	}
	return 0
}
