package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stAssertState fails unless every enrollment's state row agrees with the HMIS tables.
func stAssertState(t *testing.T, pool *pgxpool.Pool, after string) {
	t.Helper()
	n, err := engine.StateMismatches(context.Background(), pool)
	require.NoError(t, err)
	assert.Zero(t, n, "enrollment state rows that disagree with hmis after %s", after)
}

func stOpen(t *testing.T, pool *pgxpool.Pool, enrollment string) bool {
	t.Helper()
	var open bool
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT open FROM exitflow.enrollment_state WHERE enrollmentid = $1", enrollment).Scan(&open))
	return open
}

// SPEC H2, H3: whether an enrollment is open is what the preview and the exit runs decide on; it
// must follow every change to Exit rows, whoever makes it, in the same transaction.
func TestH2_OpenFollowsEveryExitChange(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	stAssertState(t, pool, "the import")
	assert.Equal(t, exCount(t, pool, "SELECT count(*) FROM hmis.enrollment WHERE datedeleted IS NULL"),
		exCount(t, pool, "SELECT count(*) FROM exitflow.enrollment_state"), "one row per enrollment not deleted")
	require.True(t, stOpen(t, pool, "NA1"))

	run := exRun(t, pool, engine.RunOptions{})
	stAssertState(t, pool, "an exit run")
	assert.False(t, stOpen(t, pool, "NA1"), "exited by the run")

	exUndo(t, pool, engine.UndoOptions{RunID: run.RunID, Reason: "test"})
	stAssertState(t, pool, "an undo")
	assert.True(t, stOpen(t, pool, "NA1"), "open again after the undo")

	for _, step := range []struct{ what, sql string }{
		{"an Exit written by hand", `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, exportid)
			VALUES ('HAND1', 'NA1', 'CA1', '2026-10-30', 30, now(), now(), 'U1', 'EX1')`},
		{"an Exit soft-deleted by hand", `UPDATE hmis.exit SET datedeleted = now() WHERE exitid = 'HAND1'`},
		{"an Exit restored by hand", `UPDATE hmis.exit SET datedeleted = NULL WHERE exitid = 'HAND1'`},
		{"an Exit moved to another enrollment", `UPDATE hmis.exit SET enrollmentid = 'NB1' WHERE exitid = 'HAND1'`},
		{"an Exit deleted", `DELETE FROM hmis.exit WHERE exitid = 'HAND1'`},
		{"every Exit truncated", `TRUNCATE hmis.exit`},
	} {
		_, err := pool.Exec(ctx, step.sql)
		require.NoError(t, err, step.sql)
		stAssertState(t, pool, step.what)
	}
	_, err := importer.Run(ctx, pool, "testdata/exits", importer.Options{})
	require.NoError(t, err)
	stAssertState(t, pool, "a second import of the same export")
	assert.False(t, stOpen(t, pool, "ND2"), "the export's own Exit (XD2) is back")
}

// A refresh computes state rows from its own snapshot: an Exit undone (or written) while it runs
// would leave the open flag wrong, and the next run would exit half a household (SPEC H2). So
// writers of Exit rows wait until the refreshing transaction ends.
func TestH2_ExitChangesWaitForAStateRefresh(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	exRun(t, pool, engine.RunOptions{})
	require.False(t, stOpen(t, pool, "NA1"))

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = engine.RefreshState(ctx, tx, "SELECT enrollmentid FROM hmis.enrollment WHERE householdid = 'HA'")
	require.NoError(t, err)

	// An undo of household HA's exits, meanwhile, from another session: it has to wait, and its
	// trigger must then see the refreshed rows.
	undone := make(chan error, 1)
	go func() {
		_, err := pool.Exec(ctx, `UPDATE hmis.exit SET datedeleted = now() WHERE enrollmentid IN ('NA1', 'NA2') AND datedeleted IS NULL`)
		undone <- err
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-undone:
		t.Fatalf("the undo did not wait for the refresh (err %v)", err)
	default:
	}
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-undone)
	assert.True(t, stOpen(t, pool, "NA1"), "open again after the undo")
	stAssertState(t, pool, "an undo that waited for a refresh")
}
