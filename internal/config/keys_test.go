package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownKeyInTheFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "exitflow.yaml")
	require.NoError(t, os.WriteFile(file, []byte("databse_url: postgres://x@db/coc\ntimezone: America/Chicago\n"), 0o644))
	v, err := New(file)
	require.Error(t, err)
	assert.Nil(t, v)
	msg := err.Error()
	assert.Contains(t, msg, `config file `+file+`: unknown key "databse_url"`)
	assert.Contains(t, msg, strings.Join(Keys(), ", "), "names every known key")
	for _, s := range Settings {
		assert.Contains(t, msg, s.Key)
	}
	assert.NotContains(t, msg, `"timezone"`, "a known key is not reported")
}

func TestUnknownKeysAreAllNamedNestedOnesByPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.yaml")
	require.NoError(t, os.WriteFile(file, []byte("EXITFLOW_TASK_QUEUE: q\nsmtp:\n  host: mail\ntask_queue: q\n"), 0o644))
	_, err := New(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown keys "exitflow_task_queue", "smtp.host" (`)
}

func TestKnownKeysInAnyCaseAreAccepted(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "exitflow.yaml")
	var b strings.Builder
	for _, s := range Settings {
		val := "x"
		switch s.Key {
		case "smtp_port":
			val = "2525"
		case "exit_batch_households":
			val = "500"
		case "sweep_time":
			val = "04:30"
		case "timezone":
			val = "America/Chicago"
		case "database_url":
			val = "postgres://u@db:5432/coc"
		}
		b.WriteString(s.Key + ": " + val + "\n")
	}
	b.WriteString("Task_Queue: upper\n")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(b.String(), "task_queue: x\n", "", 1)), 0o644))
	v, err := New(file)
	require.NoError(t, err)
	c, err := Load(v)
	require.NoError(t, err)
	assert.Equal(t, "upper", c.TaskQueue)
	assert.Equal(t, 2525, c.SMTPPort)
	assert.Equal(t, "04:30", c.SweepTime)
	// Environment variables and defaults are not file keys: no file, no complaint.
	t.Chdir(t.TempDir())
	_, err = New("")
	require.NoError(t, err)
}
