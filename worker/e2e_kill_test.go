package worker_test

// A worker killed (SIGKILL) in the middle of an agreement's exits: a second worker resumes the run
// (SPEC H2) and the agreement completes with every candidate exited once, no household half
// exited and every notice mailed once.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestE2E_WorkerKilledDuringTheExits(t *testing.T) {
	b := startBig(t, "K1")
	first := b.startWorker(t)
	b.startAgreement(t)
	b.waitMidway(t)
	require.NoError(t, first.Process.Kill())
	killedAt := time.Now()
	t.Logf("killed the worker after %d batches", b.batches(t))

	b.startWorker(t)
	b.finish(t, 120*time.Second) // Temporal retries the exits after their heartbeat timeout
	t.Logf("the exits resumed and finished %s after the kill", time.Since(killedAt).Round(time.Second))
}
