package store_test

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrateCreatesTheDatabaseAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	url := testdb.Empty(t)
	created, err := store.EnsureDatabase(ctx, url)
	require.NoError(t, err)
	assert.False(t, created, "testdb.Empty already created it")
	pool, err := store.Open(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	n, err := store.Migrate(ctx, pool, nil)
	require.NoError(t, err)
	assert.Greater(t, n, 0)
	n, err = store.Migrate(ctx, pool, nil)
	require.NoError(t, err)
	assert.Zero(t, n, "a second migrate applies nothing")
	var tables int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'hmis'").Scan(&tables))
	assert.Equal(t, len(hmis.All()), tables)
}

func TestUnreachableDatabaseIsNamedWithPasswordMasked(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://app:s3cret@127.0.0.1:1/coc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres://app:xxxxx@127.0.0.1:1/coc does not answer")
	assert.NotContains(t, err.Error(), "s3cret")
	_, err = store.EnsureDatabase(context.Background(), "postgres://app:s3cret@127.0.0.1:1/coc")
	assert.ErrorContains(t, err, "postgres://app:xxxxx@127.0.0.1:1/coc does not answer")
}

func TestMissingDatabaseSaysRunMigrate(t *testing.T) {
	url := testdb.Empty(t) + "_nope"
	_, err := store.Open(context.Background(), url)
	assert.ErrorContains(t, err, "does not exist: run `exitflow migrate`")
}
