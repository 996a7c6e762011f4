package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoURL(t *testing.T) {
	for _, c := range []struct{ name, base, want string }{
		{"default", "postgres://postgres@127.0.0.1:5432/exitflow", "postgres://postgres@127.0.0.1:5432/exitflow_demo"},
		{"private cluster port", "postgres://postgres@127.0.0.1:5434/exitflow", "postgres://postgres@127.0.0.1:5434/exitflow_demo"},
		{"password", "postgres://hmis:topsecret@db.example.org:5432/coc", "postgres://hmis:topsecret@db.example.org:5432/exitflow_demo"},
		{"escaped password", "postgres://hmis:p%40ss%2Fw0rd@db.example.org/coc", "postgres://hmis:p%40ss%2Fw0rd@db.example.org/exitflow_demo"},
		{"query parameters", "postgresql://hmis:pw@db:6432/coc?sslmode=require&application_name=exitflow", "postgresql://hmis:pw@db:6432/exitflow_demo?sslmode=require&application_name=exitflow"},
		{"dbname parameter", "postgres://u@h/coc?dbname=coc&sslmode=disable", "postgres://u@h/exitflow_demo?sslmode=disable"},
		{"no database", "postgres://postgres@127.0.0.1:5432", "postgres://postgres@127.0.0.1:5432/exitflow_demo"},
		{"ipv6", "postgres://postgres@[::1]:5432/exitflow", "postgres://postgres@[::1]:5432/exitflow_demo"},
		{"unix socket", "postgres:///exitflow?host=/var/run/postgresql", "postgres:///exitflow_demo?host=/var/run/postgresql"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := demoURL(c.base)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
	_, err := demoURL("host=db dbname=coc password=topsecret")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "topsecret")
}

// run.sh relies on the helper seeing the password that `exitflow config show` masks.
func TestEffectiveDemoURLKeepsThePassword(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("EXITFLOW_DATABASE_URL", "")
	os.Unsetenv("EXITFLOW_DATABASE_URL")

	got, err := effectiveDemoURL()
	require.NoError(t, err)
	assert.Equal(t, "postgres://postgres@127.0.0.1:5432/exitflow_demo", got)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "exitflow.yaml"), []byte("database_url: postgres://hmis:yamlpw@db.example.org:5432/coc?sslmode=require\n"), 0o644))
	got, err = effectiveDemoURL()
	require.NoError(t, err)
	assert.Equal(t, "postgres://hmis:yamlpw@db.example.org:5432/exitflow_demo?sslmode=require", got)

	t.Setenv("EXITFLOW_DATABASE_URL", "postgres://hmis:envpw@127.0.0.1:5433/mine")
	got, err = effectiveDemoURL()
	require.NoError(t, err)
	assert.Equal(t, "postgres://hmis:envpw@127.0.0.1:5433/exitflow_demo", got)
}
