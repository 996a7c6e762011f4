package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Migration 00006 turns the engine_exit table into a view of the run's candidates: exits written
// before it keep their engine record (SPEC F3) and their undo (U2), and a run cut off before it
// resumes where it stopped.
func TestMigration6KeepsTheEngineRecordsWrittenBefore(t *testing.T) {
	ctx := context.Background()
	pool := migratedTo(t, 5)

	// Run 1: households 1 and 2 written (the second exit undone), household 3 not yet.
	for _, sql := range []string{
		`INSERT INTO exitflow.exit_run (id, method, as_of, actor, status) VALUES (1, 'admin', '2026-10-01', 'Ann Admin', 'failed')`,
		`INSERT INTO exitflow.exit_run_candidate (run_id, seq, hh_seq, exitid, projectid, householdid, enrollmentid, personalid,
			exit_date, destination, reason, last_activity_date, last_activity_source, evidence_enrollmentid, by_bed_night, policy, status)
		 VALUES (1, 1, 1, 'EF1-1', 'P1', 'H1', 'E1', 'C1', '2026-06-01', 30, 'Administrative exit', '2026-06-01', 'service', 'E1', false, '{}', 'written'),
		        (1, 2, 2, 'EF1-2', 'P1', 'H2', 'E2', 'C2', '2026-06-02', 30, 'Administrative exit', '2026-06-02', 'service', 'E2', false, '{}', 'written'),
		        (1, 3, 3, 'EF1-3', 'P1', 'H3', 'E3', 'C3', '2026-06-03', 30, 'Administrative exit', '2026-06-03', 'service', 'E3', false, '{}', NULL)`,
		`INSERT INTO exitflow.engine_exit (exitid, run_id, enrollmentid, personalid, projectid, householdid, method, reason, actor,
			exit_date, last_activity_date, last_activity_source, policy, written_at, undone_at, undone_by)
		 VALUES ('EF1-1', 1, 'E1', 'C1', 'P1', 'H1', 'admin', 'Administrative exit', 'Ann Admin', '2026-06-01', '2026-06-01', 'service', '{}', '2026-10-01 09:00', NULL, NULL),
		        ('EF1-2', 1, 'E2', 'C2', 'P1', 'H2', 'admin', 'Administrative exit', 'Ann Admin', '2026-06-02', '2026-06-02', 'service', '{}', '2026-10-01 09:00', now(), 'Sam Roe')`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	_, err := Migrate(ctx, pool, nil)
	require.NoError(t, err)

	var ids, undoneBy, written string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(exitid, ',' ORDER BY exitid), string_agg(coalesce(undone_by, '-'), ',' ORDER BY exitid),
		min(written_at)::text FROM exitflow.engine_exit WHERE run_id = 1 AND actor = 'Ann Admin' AND method = 'admin'`).Scan(&ids, &undoneBy, &written))
	assert.Equal(t, "EF1-1,EF1-2", ids, "the written exits keep their engine record; the pending one has none yet")
	assert.Equal(t, "-,Sam Roe", undoneBy)
	assert.Equal(t, "2026-10-01 09:00:00", written)
	var batches string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(hh_from || '-' || hh_to, ',' ORDER BY hh_from) FROM exitflow.exit_run_batch WHERE run_id = 1`).Scan(&batches))
	assert.Equal(t, "1-1,2-2", batches, "household 3 is left for the resumed run")
}

// Migration 00007 replaces the activity summary with the enrollment state: an upgraded database
// has a row per enrollment not deleted, open unless it has a live Exit, with the activity it had,
// and the Exit triggers keep `open` current from then on.
func TestMigration7BuildsTheEnrollmentState(t *testing.T) {
	ctx := context.Background()
	pool := migratedTo(t, 6)
	for _, sql := range []string{
		`INSERT INTO hmis.enrollment (enrollmentid, personalid, projectid, entrydate, householdid, relationshiptohoh, datecreated, dateupdated, exportid, datedeleted)
		 VALUES ('E1', 'C1', 'P1', '2026-01-01', 'H1', 1, now(), now(), 'X', NULL),
		        ('E2', 'C2', 'P1', '2026-01-02', 'H1', 2, now(), now(), 'X', NULL),
		        ('E3', 'C3', 'P1', '2026-01-03', 'H3', 1, now(), now(), 'X', now())`,
		`INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, exportid)
		 VALUES ('X2', 'E2', 'C2', '2026-03-01', 30, now(), now(), 'X')`,
		`INSERT INTO exitflow.enrollment_activity VALUES ('E1', '2026-02-01', 'service', NULL), ('E3', '2026-02-03', 'service', NULL)`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	_, err := Migrate(ctx, pool, nil)
	require.NoError(t, err)

	var state string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(concat_ws(' ', enrollmentid, householdid, entrydate, open, last_date, last_source), ', ' ORDER BY enrollmentid)
		FROM exitflow.enrollment_state`).Scan(&state))
	assert.Equal(t, "E1 H1 2026-01-01 t 2026-02-01 service, E2 H1 2026-01-02 f", state, "E3 is deleted: no row")
	_, err = pool.Exec(ctx, `UPDATE hmis.exit SET datedeleted = now() WHERE exitid = 'X2'`)
	require.NoError(t, err)
	var open bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT open FROM exitflow.enrollment_state WHERE enrollmentid = 'E2'`).Scan(&open))
	assert.True(t, open, "the soft-deleted Exit reopens E2")
}

// Migration 00015 lets exitflow.notification record agreement-change notices (SPEC AG3); its Down
// restores the old kinds, and fails rather than delete notices of the new kind.
func TestMigration15AllowsTheAgreementChangeKind(t *testing.T) {
	ctx := context.Background()
	pool := migratedTo(t, 14)
	insert := func(key, kind string) error {
		_, err := pool.Exec(ctx, `INSERT INTO exitflow.notification (idempotency_key, kind, recipient, sender, subject, message_id, text_body)
			VALUES ($1, $2, 'lia@one.example', 'exitflow@coc.example', 'Agreement A1', $1 || '@coc.example', 'text')`, key, kind)
		return err
	}
	require.NoError(t, insert("agreement-A1/notice", "agreement-notice"))
	require.ErrorContains(t, insert("agreement-A1/change-1-extended", "agreement-change"), "notification_kind_check")

	_, err := Migrate(ctx, pool, nil)
	require.NoError(t, err)
	require.NoError(t, insert("agreement-A1/change-1-extended", "agreement-change"))
	require.ErrorContains(t, insert("agreement-A1/x", "newsletter"), "notification_kind_check")

	sub, err := fs.Sub(migrations, "migrations")
	require.NoError(t, err)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 14)
	require.Error(t, err, "an agreement-change notice is in the way")
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM exitflow.notification`).Scan(&n))
	assert.Equal(t, 2, n, "the downgrade deleted nothing")

	_, err = pool.Exec(ctx, `DELETE FROM exitflow.notification WHERE kind = 'agreement-change'`)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 14)
	require.NoError(t, err)
	require.ErrorContains(t, insert("agreement-A1/change-2-paused", "agreement-change"), "notification_kind_check")
}

// migratedTo is a pool on a new database migrated up to version (the upgrade's starting point).
func migratedTo(t *testing.T, version int64) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pool, err := Open(ctx, emptyDB(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	sub, err := fs.Sub(migrations, "migrations")
	require.NoError(t, err)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	require.NoError(t, err)
	_, err = p.UpTo(ctx, version)
	require.NoError(t, err)
	return pool
}

// emptyDB creates a database dropped after the test (internal/testdb imports this package).
func emptyDB(t *testing.T) string {
	t.Helper()
	server := os.Getenv("EXITFLOW_TEST_DATABASE_URL")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/postgres"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	u, err := url.Parse(server)
	require.NoError(t, err)
	name := "exitflow_test_" + hex.EncodeToString(b)
	u.Path = "/" + name
	_, err = EnsureDatabase(context.Background(), u.String())
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), server)
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = conn.Close(context.Background())
		}
	})
	return u.String()
}
