package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/generate"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// generateFlags are the flags of generate.
type generateFlags struct {
	out        string
	households uint64
	seed       uint64
	asOfText   string
	force      bool
}

// generateCmd is generate: its help and flags.
func (a *app) generateCmd() *cobra.Command {
	o := &generateFlags{seed: 1}
	c := &cobra.Command{
		Use:   "generate --out DIR --households N",
		Short: "Write a synthetic, valid FY2026 HMIS CSV export of a whole CoC (demo and load-test data)",
		Long: `Writes a realistic FY2026 HUD HMIS CSV export (all 24 files) of a synthetic Continuum of Care:
agencies, users, projects of every HUD project type, and N households moving through them over the
two years before the as-of date, with services, bed nights, contacts, CE assessments and events,
entry/update/annual/exit assessments and exits. It imports with no error and no warning, and it
has open Services Only, Other and Street Outreach enrollments inside and past the auto-exit and
alert windows, so every exitflow feature has something to work on. No database is needed.

The same --households, --seed and --as-of always give byte-identical files. Memory does not grow
with N. One household gives on average about 1.6 clients, 2.5 enrollments, 1.8 exits and 50 services
(bed nights included), about 100 rows or 11 KB in all: --households 400000 ≈ 1M enrollments and
20M services (about 4.6 GB).`,
		Example: `  exitflow generate --out ./demo --households 2000
  exitflow generate --out ./demo --households 2000 --seed 7 --as-of 2026-11-25 --force
  exitflow generate --out /data/gen1m --households 400000   # ≈ 1,000,000 enrollments, 20,000,000 services`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), a, cmd) },
	}
	f := c.Flags()
	f.StringVar(&o.out, "out", "", "output `DIR` for the CSV files (created if missing)")
	f.Var(&wholeFlag{v: &o.households, typ: "N", want: "want a whole number of households > 0"}, "households",
		"number of households (families) to generate, > 0")
	f.Var(&wholeFlag{v: &o.seed, typ: "S", want: "want a whole number ≥ 0"}, "seed",
		"random seed; the same seed, households and as-of give the same files")
	f.StringVar(&o.asOfText, "as-of", "", "as-of date `YYYY-MM-DD`: the export's end; no activity after it (default today in the CoC time zone)")
	f.BoolVar(&o.force, "force", false, "overwrite an export already in --out")
	_ = c.MarkFlagRequired("out")
	_ = c.MarkFlagRequired("households")
	return c
}

// run writes the export and prints its rows per file.
func (o *generateFlags) run(ctx context.Context, a *app, cmd *cobra.Command) error {
	if o.households == 0 || o.households > generate.MaxHouseholds {
		return fmt.Errorf("--households %d: want a whole number of households from 1 to %d", o.households, generate.MaxHouseholds)
	}
	asOf, err := a.asOf(o.asOfText)
	if err != nil {
		return err
	}
	if err := o.checkOut(); err != nil {
		return err
	}
	start := time.Now()
	st, err := o.generate(ctx, cmd.ErrOrStderr(), asOf)
	if err != nil {
		return err
	}
	o.printStats(cmd.OutOrStdout(), st, asOf, time.Since(start).Seconds())
	return nil
}

// checkOut refuses an --out that is a file, or that holds an export already (without --force).
func (o *generateFlags) checkOut() error {
	if st, err := os.Stat(o.out); err == nil && !st.IsDir() {
		return fmt.Errorf("--out %s: is a file, want a folder", o.out)
	}
	if _, err := os.Stat(filepath.Join(o.out, "Export.csv")); err == nil && !o.force {
		return fmt.Errorf("--out %s: already holds an HMIS export (Export.csv); use --force to overwrite it", o.out)
	}
	return nil
}

// generate runs the generator, with a progress bar of households on a terminal.
func (o *generateFlags) generate(ctx context.Context, errw io.Writer, asOf time.Time) (generate.Stats, error) {
	opt := generate.Options{Out: o.out, Households: int(o.households), Seed: o.seed, AsOf: asOf}
	var bar *progressbar.ProgressBar
	if isTerminal(errw) {
		bar = progressbar.NewOptions(int(o.households), progressbar.OptionSetWriter(errw),
			progressbar.OptionSetDescription("households"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(done, _ int) { _ = bar.Set(done) }
	}
	st, err := generate.Run(ctx, opt)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil && errors.Is(err, ctx.Err()) && ctx.Err() != nil {
		return st, fmt.Errorf("generate interrupted: %s is incomplete (it has no Export.csv)", o.out)
	}
	return st, err
}

// printStats prints the rows written per file and a summary line.
func (o *generateFlags) printStats(w io.Writer, st generate.Stats, asOf time.Time, secs float64) {
	fmt.Fprintf(w, "%-28s %12s\n", "file", "rows")
	for _, f := range st.Files {
		fmt.Fprintf(w, "%-28s %12d\n", f.File+".csv", f.Rows)
	}
	fmt.Fprintf(w, "%-28s %12d\n", "total", st.Total())
	fmt.Fprintf(w, "generated %d households in %d projects as of %s (seed %d) into %s in %.1f s\n",
		st.Households, st.Projects, asOf.Format(hmis.DateLayout), o.seed, o.out, secs)
}

// wholeFlag is a non-negative whole-number flag whose parse error says what is expected.
type wholeFlag struct {
	v    *uint64
	typ  string
	want string
}

func (f *wholeFlag) String() string { return strconv.FormatUint(*f.v, 10) }

func (f *wholeFlag) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return errors.New(f.want)
	}
	*f.v = n
	return nil
}

func (f *wholeFlag) Type() string { return f.typ }
