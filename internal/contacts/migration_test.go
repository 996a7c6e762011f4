package contacts_test

import (
	"context"
	"os"
	"testing"

	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Migration 00012 keeps the contacts and assignments loaded before it: their addresses trimmed and
// lower-cased, and where two then are one, the older row. Its Down goes back to 00011's tables.
func TestMigration12KeepsTheContactsAndAssignmentsLoadedBefore(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Open(ctx, testdb.Empty(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("../store/migrations"))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 11)
	require.NoError(t, err)
	for _, sql := range []string{
		`INSERT INTO exitflow.contact (organizationid, role, name, email, created_at) VALUES
			('O1', 'liaison', ' Lia Alpha ', 'Lia@Alpha.example', '2026-01-01'),
			('O1', 'liaison', 'Lia again', 'lia@alpha.example ', '2026-02-01'),
			('O1', 'notification', 'Nora', 'lia@alpha.example', '2026-03-01')`,
		`INSERT INTO exitflow.assignment (enrollmentid, staff_name, email, created_at) VALUES
			('E1', 'Case Manager A', 'CMA@example.org', '2026-01-01'), ('E1', 'A again', 'cma@example.org', '2026-02-01'),
			('E2', 'Case Manager B', ' cmb@example.org', '2026-01-01')`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	_, err = p.UpTo(ctx, 12)
	require.NoError(t, err)
	rows := func(sql string) []string {
		var out []string
		require.NoError(t, pool.QueryRow(ctx, sql).Scan(&out))
		return out
	}
	assert.Equal(t, []string{"O1 liaison Lia Alpha lia@alpha.example", "O1 notification Nora lia@alpha.example"},
		rows(`SELECT array_agg(concat_ws(' ', organizationid, role, name, email) ORDER BY role) FROM exitflow.contact`))
	assert.Equal(t, []string{"E1 Case Manager A cma@example.org", "E2 Case Manager B cmb@example.org"},
		rows(`SELECT array_agg(concat_ws(' ', enrollmentid, staff_name, email) ORDER BY enrollmentid) FROM exitflow.assignment`))

	_, err = pool.Exec(ctx, `INSERT INTO exitflow.contact (role, email) VALUES ('hmis-staff', 'sam@coc.example')`)
	require.NoError(t, err)
	_, err = p.DownTo(ctx, 11)
	require.NoError(t, err)
	assert.Equal(t, []string{"O1 liaison Lia Alpha lia@alpha.example", "O1 notification Nora lia@alpha.example"},
		rows(`SELECT array_agg(concat_ws(' ', organizationid, role, name, email) ORDER BY role) FROM exitflow.contact`),
		"00011 has no HMIS staff")
	_, err = p.Up(ctx)
	require.NoError(t, err)
}
