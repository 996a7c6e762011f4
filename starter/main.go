// Command exitflow is the CLI of exitflow: HMIS staff use it to migrate, import, export and
// generate HMIS CSV data, and (in later releases) to start and signal workflows.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"golang.org/x/term"
)

// app carries what every command needs.
type app struct {
	v       *viper.Viper
	cfgFile string
	log     *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	root.SetContext(ctx)
	if err := root.Execute(); err != nil {
		var ex exitCode
		if errors.As(err, &ex) {
			os.Exit(int(ex))
		}
		fmt.Fprintln(os.Stderr, "exitflow:", err)
		if ctx.Err() != nil {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

// exitCode is an error that only sets the process status (the message was already printed).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newRoot() *cobra.Command {
	a := &app{v: viper.New(), log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	root := &cobra.Command{
		Use:   "exitflow",
		Short: "Close out HMIS project enrollments: auto, administrative and housed exits",
		Long: `exitflow closes out HMIS project enrollments for a Continuum of Care: inactivity auto exits
with alerts, administrative exits and Coordinated Entry exits when a client is housed, over HMIS data
kept in PostgreSQL and exchanged as HUD HMIS CSV.

Settings come from flags, then EXITFLOW_* environment variables, then ./exitflow.yaml, then defaults.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			v, err := config.New(a.cfgFile)
			if err != nil {
				return err
			}
			// Flags given on the command line win over the environment and the file.
			config.BindFlags(v, cmd.Root().PersistentFlags())
			a.v = v
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.cfgFile, "config", "", "config file (default ./exitflow.yaml if present)")
	config.AddFlags(root.PersistentFlags())
	root.AddCommand(a.configCmd(), a.migrateCmd())
	for _, add := range commands {
		root.AddCommand(add(a))
	}
	return root
}

// commands are added by the cmd_*.go files of this package.
var commands []func(*app) *cobra.Command

// cfg is the validated effective configuration.
func (a *app) cfg() (config.Config, error) { return config.Load(a.v) }

// pool opens the configured database (it must exist and be migrated).
func (a *app) pool(ctx context.Context) (*pgxpool.Pool, config.Config, error) {
	c, err := a.cfg()
	if err != nil {
		return nil, c, err
	}
	p, err := openStore(ctx, c.DatabaseURL)
	return p, c, err
}

// isTerminal reports whether w is a terminal: progress is drawn only there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// asOf reads an --as-of flag: a calendar date, by default today in the CoC's time zone.
func (a *app) asOf(text string) (time.Time, error) {
	if text == "" {
		c, err := a.cfg()
		if err != nil {
			return time.Time{}, err
		}
		return c.Today(), nil
	}
	d, err := time.Parse(hmis.DateLayout, text)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of %q: not a date (want YYYY-MM-DD)", text)
	}
	return d, nil
}
