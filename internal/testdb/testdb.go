// Package testdb gives each test its own freshly migrated PostgreSQL database, dropped afterwards.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/exitflow/exitflow/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ServerURL is the PostgreSQL server tests use: EXITFLOW_TEST_DATABASE_URL or the local default.
func ServerURL() string {
	if u := os.Getenv("EXITFLOW_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// New creates an empty, migrated database and returns its URL and a pool; both go away when t ends.
func New(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	u := Empty(t)
	pool, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	return u, pool
}

// Empty returns the URL of a database that does not exist yet; it is dropped (if created) when t ends.
func Empty(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "exitflow_test_" + hex.EncodeToString(b)
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	admin := u.String()
	u.Path = "/" + name
	created := u.String()
	if _, err := store.EnsureDatabase(context.Background(), created); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			t.Logf("dropping %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	return created
}

// WithSQL is New with the SQL fixture files run in order (paths as given, e.g. "testdata/x.sql").
func WithSQL(t testing.TB, files ...string) *pgxpool.Pool {
	t.Helper()
	_, pool := New(t)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(context.Background(), string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return pool
}
