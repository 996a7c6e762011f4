package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrecedenceFlagsEnvFileDefaults(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "exitflow.yaml")
	require.NoError(t, os.WriteFile(file, []byte("task_queue: from-file\ntimezone: America/Chicago\nsmtp_port: 2525\ntemporal_namespace: file-ns\n"), 0o644))
	t.Setenv("EXITFLOW_TASK_QUEUE", "from-env")
	t.Setenv("EXITFLOW_TEMPORAL_NAMESPACE", "env-ns")
	v, err := New(file)
	require.NoError(t, err)
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--temporal-namespace", "flag-ns"}))
	BindFlags(v, fs)
	c, err := Load(v)
	require.NoError(t, err)
	assert.Equal(t, "flag-ns", c.TemporalNamespace, "flag beats env")
	assert.Equal(t, "from-env", c.TaskQueue, "env beats file")
	assert.Equal(t, "America/Chicago", c.Timezone, "file beats default")
	assert.Equal(t, 2525, c.SMTPPort)
	assert.Equal(t, "postgres://postgres@127.0.0.1:5432/exitflow", c.DatabaseURL, "default")
	assert.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
}

func TestShowMasksSecrets(t *testing.T) {
	t.Setenv("EXITFLOW_SMTP_PASSWORD", "hunter2")
	t.Setenv("EXITFLOW_DATABASE_URL", "postgres://app:s3cret@db:5432/coc")
	v, err := New("")
	require.NoError(t, err)
	out := strings.Join(Show(v), "\n")
	assert.NotContains(t, out, "hunter2")
	assert.NotContains(t, out, "s3cret")
	assert.Contains(t, out, "postgres://app:xxxxx@db:5432/coc")
	for _, s := range Settings {
		assert.Contains(t, out, s.Env)
	}
}

func TestInvalidValuesAreExplained(t *testing.T) {
	t.Setenv("EXITFLOW_TIMEZONE", "Mars/Olympus")
	v, err := New("")
	require.NoError(t, err)
	_, err = Load(v)
	assert.ErrorContains(t, err, `timezone "Mars/Olympus" (EXITFLOW_TIMEZONE / --timezone) is not an IANA time zone`)
	_, err = New(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorContains(t, err, "missing.yaml")
}

func TestSweepTimeDefaultEnvFlagAndValidation(t *testing.T) {
	v, err := New("")
	require.NoError(t, err)
	c, err := Load(v)
	require.NoError(t, err)
	assert.Equal(t, "05:00", c.SweepTime, "default")
	h, m := c.SweepClock()
	assert.Equal(t, [2]int{5, 0}, [2]int{h, m})
	assert.Contains(t, strings.Join(Show(v), "\n"), "sweep_time")
	assert.Regexp(t, `sweep_time\s+= 05:00\s+\(EXITFLOW_SWEEP_TIME\)`, strings.Join(Show(v), "\n"))

	t.Setenv("EXITFLOW_SWEEP_TIME", "23:45")
	v, err = New("")
	require.NoError(t, err)
	c, err = Load(v)
	require.NoError(t, err)
	h, m = c.SweepClock()
	assert.Equal(t, [2]int{23, 45}, [2]int{h, m}, "env")

	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"--sweep-time", "06:30"}))
	BindFlags(v, fs)
	c, err = Load(v)
	require.NoError(t, err)
	assert.Equal(t, "06:30", c.SweepTime, "flag beats env")

	for _, bad := range []string{"5", "24:00", "05:60", "5:00am", "0500", "5:00", "ab:cd"} {
		t.Setenv("EXITFLOW_SWEEP_TIME", bad)
		v, err := New("")
		require.NoError(t, err)
		_, err = Load(v)
		assert.ErrorContains(t, err, `sweep_time "`+bad+`" (EXITFLOW_SWEEP_TIME / --sweep-time) must be a local time of day HH:MM`, bad)
	}
}
