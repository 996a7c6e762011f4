package main

// The Temporal client of the CLI: dialled from temporal_address, temporal_namespace and task_queue.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/config"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// dialTimeout bounds how long the CLI waits for a Temporal server to answer.
const dialTimeout = 5 * time.Second

// temporalConn is a dialled Temporal client and the settings it was dialled with.
type temporalConn struct {
	client.Client
	address, namespace, taskQueue string
}

// temporal dials the configured Temporal server; the caller closes the client.
func (a *app) temporal(ctx context.Context) (*temporalConn, error) {
	c, err := config.Load(a.v)
	if err != nil {
		// Only the Temporal settings are needed here: a bad database URL must not stop them.
		if err2 := a.v.Unmarshal(&c); err2 != nil {
			return nil, err
		}
	}
	return dialTemporal(ctx, c.TemporalAddress, c.TemporalNamespace, c.TaskQueue)
}

// dialTemporal connects to address in namespace, logging the SDK's warnings and errors only.
func dialTemporal(ctx context.Context, address, namespace, taskQueue string) (*temporalConn, error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	cl, err := client.DialContext(dctx, client.Options{
		HostPort:  address,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(logger),
	})
	if err != nil {
		var nf *serviceerror.NamespaceNotFound
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("namespace %q (EXITFLOW_TEMPORAL_NAMESPACE) does not exist at %s: %w", namespace, address, err)
		}
		return nil, fmt.Errorf("no Temporal server at %s (EXITFLOW_TEMPORAL_ADDRESS): start one with make run: %w", address, err)
	}
	return &temporalConn{Client: cl, address: address, namespace: namespace, taskQueue: taskQueue}, nil
}

// webUI is the Web UI address of workflow id, guessed as the dev server's (frontend port + 1000).
func (t *temporalConn) webUI(id string) string {
	host, port, err := net.SplitHostPort(t.address)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return ""
	}
	return fmt.Sprintf("http://%s/namespaces/%s/workflows/%s", net.JoinHostPort(host, strconv.Itoa(p+1000)),
		url.PathEscape(t.namespace), url.PathEscape(id))
}
