package testenv

// The Temporal dev server of the pinned CLI (the Makefile's TEMPORAL_CLI_VERSION, built from
// source by scripts/temporal-cli.sh: minutes the first time, nothing after), in memory, on free
// ports, with exitflow's search attributes registered.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// temporalBinary is the path of the repository's .data/bin/temporal, built if needed.
var temporalBinary = sync.OnceValues(func() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	version, err := pinned(root, "TEMPORAL_CLI_VERSION")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(root, "scripts/temporal-cli.sh"))
	cmd.Env = append(os.Environ(), "TEMPORAL_CLI_VERSION="+version)
	cmd.Stderr = os.Stderr // a first build says so, and how long it took
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/temporal-cli.sh: %w", err)
	}
	return filepath.Clean(strings.TrimSpace(string(out))), nil
})

// TemporalCLI is the path of the pinned Temporal CLI, built if needed.
func TemporalCLI(t testing.TB) string {
	t.Helper()
	bin, err := temporalBinary()
	require.NoError(t, err)
	return bin
}

// DevServer is a running Temporal dev server.
type DevServer struct {
	*testsuite.DevServer
	Address string // host:port of its frontend
	CLI     string // the Temporal CLI's path, for tests that drive it as a user would
}

// StartDevServer starts an in-memory dev server with the search attributes given ("Name=Type",
// as `temporal server start-dev --search-attribute` takes them); it stops when t ends.
func StartDevServer(t testing.TB, searchAttributes ...string) *DevServer {
	t.Helper()
	bin := TemporalCLI(t)
	var extra []string
	for _, a := range searchAttributes {
		extra = append(extra, "--search-attribute", a)
	}
	log, err := os.Create(filepath.Join(t.TempDir(), "temporal.log"))
	require.NoError(t, err)
	srv, err := testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{
		ExistingPath:  bin,
		ClientOptions: &client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", FreePort(t))},
		LogLevel:      "error",
		ExtraArgs:     extra,
		Stdout:        log,
		Stderr:        log,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = srv.Stop()
		_ = log.Close()
	})
	return &DevServer{DevServer: srv, Address: srv.FrontendHostPort(), CLI: bin}
}
