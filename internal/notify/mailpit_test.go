package notify_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// make run, docker compose and these tests use one Mailpit version: the Makefile's.
func TestMailpitVersionIsPinnedOnce(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	version := string(regexp.MustCompile(`(?m)^MAILPIT_VERSION := (\S+)$`).FindSubmatch(mk)[1])
	run, err := os.ReadFile("../../scripts/run.sh")
	require.NoError(t, err)
	require.Contains(t, string(run), "MAILPIT_VERSION=${MAILPIT_VERSION:-"+version+"}", "scripts/run.sh's default")
	compose, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	require.Contains(t, string(compose), "image: axllent/mailpit:"+version, "docker-compose.yml's image")
}
