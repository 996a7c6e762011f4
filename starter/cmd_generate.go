package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/generate"
	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func (a *app) generateCmd() *cobra.Command {
	var (
		out        string
		households uint64
		seed       uint64 = 1
		asOfText   string
		force      bool
	)
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			if households == 0 || households > generate.MaxHouseholds {
				return fmt.Errorf("--households %d: want a whole number of households from 1 to %d", households, generate.MaxHouseholds)
			}
			asOf, err := a.asOf(asOfText)
			if err != nil {
				return err
			}
			if st, err := os.Stat(out); err == nil && !st.IsDir() {
				return fmt.Errorf("--out %s: is a file, want a folder", out)
			}
			if _, err := os.Stat(filepath.Join(out, "Export.csv")); err == nil && !force {
				return fmt.Errorf("--out %s: already holds an HMIS export (Export.csv); use --force to overwrite it", out)
			}

			errw := cmd.ErrOrStderr()
			opt := generate.Options{Out: out, Households: int(households), Seed: seed, AsOf: asOf}
			var bar *progressbar.ProgressBar
			if isTerminal(errw) {
				bar = progressbar.NewOptions(int(households), progressbar.OptionSetWriter(errw),
					progressbar.OptionSetDescription("households"), progressbar.OptionShowCount(),
					progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
				opt.Progress = func(done, _ int) { _ = bar.Set(done) }
			}
			start := time.Now()
			st, err := generate.Run(cmd.Context(), opt)
			if bar != nil {
				_ = bar.Finish()
			}
			if err != nil {
				if errors.Is(err, cmd.Context().Err()) && cmd.Context().Err() != nil {
					return fmt.Errorf("generate interrupted: %s is incomplete (it has no Export.csv)", out)
				}
				return err
			}
			secs := time.Since(start).Seconds()
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-28s %12s\n", "file", "rows")
			for _, f := range st.Files {
				fmt.Fprintf(w, "%-28s %12d\n", f.File+".csv", f.Rows)
			}
			fmt.Fprintf(w, "%-28s %12d\n", "total", st.Total())
			fmt.Fprintf(w, "generated %d households in %d projects as of %s (seed %d) into %s in %.1f s\n",
				st.Households, st.Projects, asOf.Format(hmis.DateLayout), seed, out, secs)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&out, "out", "", "output `DIR` for the CSV files (created if missing)")
	f.Var(&wholeFlag{v: &households, typ: "N", want: "want a whole number of households > 0"}, "households",
		"number of households (families) to generate, > 0")
	f.Var(&wholeFlag{v: &seed, typ: "S", want: "want a whole number ≥ 0"}, "seed",
		"random seed; the same seed, households and as-of give the same files")
	f.StringVar(&asOfText, "as-of", "", "as-of date `YYYY-MM-DD`: the export's end; no activity after it (default today in the CoC time zone)")
	f.BoolVar(&force, "force", false, "overwrite an export already in --out")
	_ = c.MarkFlagRequired("out")
	_ = c.MarkFlagRequired("households")
	return c
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
