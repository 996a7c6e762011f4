// Package worker runs exitflow's Temporal worker: the agency agreement workflows and the
// activities that call the engine, PostgreSQL and SMTP, on one task queue.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // workflow code calls time.LoadLocation: same zones on every host (NOTES)

	"github.com/exitflow/exitflow/activities"
	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/store"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
)

// PoolMargin is how many of the pool's connections are kept for other work (a notification's
// advisory lock, a second DQM connection) when bounding the concurrent activities.
const PoolMargin = 2

// Options configure Run: the settings of internal/config it uses (FromConfig) and the logger.
type Options struct {
	DatabaseURL     string
	TemporalAddress string
	Namespace       string
	TaskQueue       string // "": workflows.TaskQueue
	Timezone        string // the CoC's IANA time zone ("": UTC)
	SMTPHost        string // "": no SMTP server; every notice fails and is counted (issue 10)
	SMTPPort        int
	SMTPUsername    string
	SMTPPassword    string
	SMTPFrom        string
	// ExitBatchHouseholds is how many households one exit transaction writes (0: the engine's default).
	ExitBatchHouseholds int
	Logger              *slog.Logger // nil: slog.Default()
	// MaxConcurrentActivities bounds the activities run at once (0: the pool's MaxConns minus
	// PoolMargin, at least 1): each holds a connection, and an exit run more than one.
	MaxConcurrentActivities int
}

// FromConfig is the Options of the loaded configuration.
func FromConfig(c config.Config, log *slog.Logger) Options {
	return Options{DatabaseURL: c.DatabaseURL, TemporalAddress: c.TemporalAddress, Namespace: c.TemporalNamespace,
		TaskQueue: c.TaskQueue, Timezone: c.Timezone, SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort,
		SMTPUsername: c.SMTPUsername, SMTPPassword: c.SMTPPassword, SMTPFrom: c.SMTPFrom,
		ExitBatchHouseholds: c.ExitBatchHouseholds, Logger: log}
}

// config is the internal/config view of o, for the packages that take one.
func (o Options) config() config.Config {
	return config.Config{DatabaseURL: o.DatabaseURL, TemporalAddress: o.TemporalAddress, TemporalNamespace: o.Namespace,
		TaskQueue: o.TaskQueue, Timezone: o.Timezone, SMTPHost: o.SMTPHost, SMTPPort: o.SMTPPort,
		SMTPUsername: o.SMTPUsername, SMTPPassword: o.SMTPPassword, SMTPFrom: o.SMTPFrom,
		ExitBatchHouseholds: o.ExitBatchHouseholds}
}

// Run dials Temporal, opens the database, registers the workflows and activities on the task
// queue and polls until ctx ends; then it stops gracefully (running activities get the
// worker's stop timeout to finish).
func Run(ctx context.Context, opt Options) error {
	var err error
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg := opt.config()
	loc := time.UTC
	if cfg.Timezone != "" {
		if loc, err = time.LoadLocation(cfg.Timezone); err != nil {
			return fmt.Errorf("timezone %q: %w", cfg.Timezone, err)
		}
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	mailer, err := notify.NewMailer(cfg)
	if err != nil { // issue 10: the agreements go on without SMTP; each notice counts as a failure
		log.Warn("notifications will fail", "error", err)
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Logger: tlog.NewStructuredLogger(log)})
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer c.Close()
	queue := cfg.TaskQueue
	if queue == "" {
		queue = workflows.TaskQueue
	}
	a := &activities.Activities{Pool: pool, Mailer: mailer, Location: loc, Temporal: c, TaskQueue: queue,
		BatchHouseholds: cfg.ExitBatchHouseholds}
	w := sdkworker.New(c, queue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize: concurrency(opt.MaxConcurrentActivities, int(pool.Config().MaxConns)),
		WorkerStopTimeout:                  30 * time.Second,
	})
	Register(w, a)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting the worker on task queue %s: %w", queue, err)
	}
	log.Info("worker started", "task_queue", queue, "namespace", cfg.TemporalNamespace)
	<-ctx.Done()
	w.Stop()
	log.Info("worker stopped")
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil // asked to stop: not an error
	}
	return ctx.Err()
}

// Register registers exitflow's workflows and activities on w.
func Register(w sdkworker.Registry, a *activities.Activities) {
	workflows.Register(w)
	activities.RegisterActivities(w, a)
}

// concurrency is the bound on concurrent activities: given, or the pool's connections minus
// PoolMargin, at least 1.
func concurrency(given, maxConns int) int {
	if given > 0 {
		return given
	}
	return max(1, maxConns-PoolMargin)
}
