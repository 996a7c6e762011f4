package worker

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/activities"
	"github.com/exitflow/exitflow/internal/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
)

func TestActivitiesConcurrencyLeavesPoolMargin(t *testing.T) {
	assert.Equal(t, 8, concurrency(0, 10))
	assert.Equal(t, 1, concurrency(0, 2), "at least one")
	assert.Equal(t, 3, concurrency(3, 10), "given")
}

func TestActivitiesRunRefusesBadSettings(t *testing.T) {
	err := Run(context.Background(), Options{DatabaseURL: "postgres://127.0.0.1:1/x", Timezone: "Mars/Olympus"})
	require.ErrorContains(t, err, "Mars/Olympus")
	err = Run(context.Background(), Options{DatabaseURL: "postgres://postgres@127.0.0.1:1/none?connect_timeout=1"})
	require.Error(t, err, "no database: the worker does not start")
}

func TestActivitiesFromConfigKeepsEverySetting(t *testing.T) {
	c := config.Config{DatabaseURL: "d", TemporalAddress: "t", TemporalNamespace: "n", TaskQueue: "q", Timezone: "UTC",
		SMTPHost: "h", SMTPPort: 25, SMTPUsername: "u", SMTPPassword: "p", SMTPFrom: "f@x"}
	assert.Equal(t, c, FromConfig(c, nil).config())
}

func TestActivitiesAndWorkflowsRegister(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	Register(env, &activities.Activities{}) // a duplicate or a bad signature panics here
}
