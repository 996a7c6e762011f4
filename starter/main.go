// Command exitflow is the CLI of exitflow: HMIS staff use it to migrate, import, export and
// generate HMIS CSV data, to set exit policies, and to preview, run and undo exits.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/export"
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
		fmt.Fprintln(os.Stderr, "exitflow:", cliMessage(err))
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
	root.AddCommand(a.configCmd(), a.migrateCmd(), a.importCmd(), a.exportCmd(), a.generateCmd(),
		a.policyCmd(), a.previewCmd(), a.exitsCmd(), a.reportCmd(), a.auditCmd(), a.dqmCmd(), a.sqlCmd(),
		a.contactCmd(), a.assignmentCmd())
	root.AddCommand(a.notificationsCmd())
	root.AddCommand(a.setupCmd(), a.agreementCmd(), a.scheduleCmd(), a.workerCmd())
	root.AddCommand(a.sweepCmd())
	return root
}

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
	return parseDateFlag("as-of", text)
}

// dateShape is the layout of every date flag, YYYY-MM-DD, whatever the numbers.
var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// errNotCalendarDate is the error of a date flag in the YYYY-MM-DD layout that names no day.
var errNotCalendarDate = errors.New("not a calendar date")

// parseDateFlag reads the value of a date flag (flag without its dashes): a calendar date
// YYYY-MM-DD. A value in another layout and one that is no calendar date (2026-02-30) get
// different messages; the second wraps errNotCalendarDate.
func parseDateFlag(flag, text string) (time.Time, error) {
	s := strings.TrimSpace(text)
	if !dateShape.MatchString(s) {
		return time.Time{}, fmt.Errorf("--%s %q: not a date (want YYYY-MM-DD)", flag, text)
	}
	return calendarDate(flag, text, s)
}

// calendarDate reads date, a YYYY-MM-DD taken from the value text of a date flag, refusing a
// date that is not on the calendar.
func calendarDate(flag, text, date string) (time.Time, error) {
	d, err := time.Parse(hmis.DateLayout, date)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: %w (%s)", flag, text, errNotCalendarDate, whyNotCalendarDate(date))
	}
	return d, nil
}

// whyNotCalendarDate says what is wrong with s, a YYYY-MM-DD that time.Parse refuses.
func whyNotCalendarDate(s string) string {
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if m < 1 || m > 12 {
		return fmt.Sprintf("there is no month %d", m)
	}
	if d < 1 {
		return "there is no day 0"
	}
	days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return fmt.Sprintf("%s %d has %d days", time.Month(m), y, days)
}

// parseSinceFlag reads --changed-since: a date as parseDateFlag reads it, alone or with a time
// of day, or an RFC3339 time (export.ParseSince knows the layouts and the time zone). Its date is
// checked as every date flag's is, so 2026-02-30 is named as no calendar date.
func parseSinceFlag(text string, loc *time.Location) (time.Time, error) {
	if s := strings.TrimSpace(text); len(s) >= 10 && dateShape.MatchString(s[:10]) {
		if _, err := calendarDate("changed-since", text, s[:10]); err != nil {
			return time.Time{}, err
		}
	}
	return export.ParseSince(text, loc)
}
