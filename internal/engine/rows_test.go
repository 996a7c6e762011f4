package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A callback that stops Candidates mid-iteration leaves the connection usable: the rows are
// closed (left open, pgx refuses the next statement on that connection or transaction with
// "conn busy"), so an activity can go on in the same transaction after handling the error.
func TestCandidatesStoppedByItsCallbackCloseTheirRows(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()

	stop := errors.New("stop")
	seen := 0
	err = engine.Candidates(ctx, tx, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}, func(engine.Row) error {
		seen++
		if seen == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 2, seen)

	// The same transaction goes on.
	_, err = tx.Exec(ctx, "SELECT 1")
	require.NoError(t, err, "the candidates' rows were left open")
	require.NoError(t, engine.CheckProjects(ctx, tx, []string{"PS"}))
	all := 0
	require.NoError(t, engine.Candidates(ctx, tx, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}, func(engine.Row) error { all++; return nil }))
	assert.Equal(t, 11, all, "the 10 exits and the alert")
	require.NoError(t, tx.Commit(ctx))
}
