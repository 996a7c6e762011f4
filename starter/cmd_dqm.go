package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/spf13/cobra"
)

// dqmCmd is `exitflow dqm`: the follow-up data quality monitoring (SPEC Q1–Q3).
func (a *app) dqmCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "dqm",
		Short: "Follow-up data quality monitoring: is auto exit working as planned (SPEC Q1–Q3)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.dqmRunCmd(), a.dqmHistoryCmd(), a.dqmShowCmd())
	return c
}

// dqmFiles are the files a report is written as, in its folder.
var dqmFiles = []string{"report.html", "measures.csv", "findings.csv"}

// dqmRunFlags are the flags of `exitflow dqm run`.
type dqmRunFlags struct {
	projects                       []string
	organization, asOf, since, out string
	format, actor                  string
	force                          bool
}

func (a *app) dqmRunCmd() *cobra.Command {
	o := &dqmRunFlags{}
	c := &cobra.Command{
		Use:   "run --out DIR [--project ID]... [--organization ID] [--as-of DATE] [--since DATE]",
		Short: "Make a follow-up DQM report, store it, and write it as HTML and CSV",
		Long: `Measures, as of a date (default today) and over the period since the previous report of the
same projects (or --since DATE; a first report covers the ` + strconv.Itoa(dqm.DefaultPeriodDays) + ` days before the as-of date), the
projects given with --project, the projects of --organization, or the whole CoC:
open enrollments and households, open enrollments past the auto-exit window where auto exit is on,
households in the alert window, the period's exits by method (case manager, auto-inactivity, admin,
auto-housed) and those undone, their shares of Destination 30, 8 or 9 and 99, invalid exits (before
entry, after the as-of date, night-by-night exits not the day after the last bed night, bed nights
on or after the exit), HUD APR/CAPER Q6f-style inactive records (90 days), future-dated activity,
and open households whose head of household exited or that have no or several heads.

The verdict is "working as planned" when nothing is past the window where auto exit is on and no
exit is invalid; otherwise "needs attention", with the reasons. The report is stored (exitflow dqm
history lists it), compared with each project's previous report (better, worse, same), and written
into DIR: report.html (one self-contained page with a chart per project, for agency liaisons),
measures.csv (ProjectID,OrganizationID,Measure,Value,Previous,Change) and findings.csv
(Finding,ProjectID,HouseholdID,EnrollmentID,PersonalID,Date,Detail: the enrollments behind each
finding). IDs only: no client's name or other personal data is in any of them.

DIR must be empty or new; --force writes into a folder that holds files (the three files are
replaced). Nothing is stored when an option is wrong or DIR cannot be written.`,
		Example: `  exitflow dqm run --out dqm-2026-11                    # the whole CoC, as of today
  exitflow dqm run --project 1362 --project 1401 --as-of 2026-11-01 --out dqm/1362
  exitflow dqm run --organization 41 --since 2026-10-01 --out dqm/41 --format json
  exitflow dqm run --out dqm-2026-11 --force            # write again into a folder that holds a report`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), a, cmd) },
	}
	f := c.Flags()
	f.StringArrayVar(&o.projects, "project", nil, "a ProjectID to report on (repeat for several; default: the whole CoC)")
	f.StringVar(&o.organization, "organization", "", "report on every project of this OrganizationID")
	f.StringVar(&o.asOf, "as-of", "", "the as-of date `YYYY-MM-DD` (default: today in the CoC's time zone)")
	f.StringVar(&o.since, "since", "", "the period starts after this date `YYYY-MM-DD` (default: the previous report's as-of date)")
	f.StringVar(&o.out, "out", "", "the folder to write report.html, measures.csv and findings.csv into (required)")
	f.StringVar(&o.format, "format", "table", "what to print: table (for people) or json")
	f.StringVar(&o.actor, "actor", "", "who makes the report, recorded with it (default: the login name)")
	f.BoolVar(&o.force, "force", false, "write into a folder that already holds files")
	return c
}

// run checks the flags and the folder, makes and stores the report, and writes it.
func (o *dqmRunFlags) run(ctx context.Context, a *app, cmd *cobra.Command) error {
	if o.format != "table" && o.format != "json" {
		return fmt.Errorf("--format %q: want table or json", o.format)
	}
	asOf, err := a.asOf(o.asOf)
	if err != nil {
		return err
	}
	var since time.Time
	if o.since != "" {
		if since, err = parseDateFlag("since", o.since); err != nil {
			return err
		}
	}
	if err := checkOutDir(o.out, o.force); err != nil {
		return err
	}
	pool, cfg, err := a.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	r, err := dqm.Run(ctx, pool, dqm.Options{AsOf: asOf, Since: since, Projects: o.projects, OrganizationID: o.organization,
		Actor: actorOrLogin(o.actor), Location: cfg.Location()})
	if err != nil {
		return err
	}
	if err := writeReport(o.out, r); err != nil {
		return fmt.Errorf("DQM report %d is stored, but writing it failed (write it again with exitflow dqm show %d --out DIR): %w", r.ID, r.ID, err)
	}
	return printReport(cmd.OutOrStdout(), r, o.out, o.format)
}

// actorOrLogin is the --actor given, or the login name, or "exitflow".
func actorOrLogin(actor string) string {
	if strings.TrimSpace(actor) != "" {
		return actor
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "exitflow"
}

// checkOutDir refuses a missing --out, a path that is not a folder, a folder that holds files
// (without force), and one that cannot be written, before anything is stored or created.
func checkOutDir(dir string, force bool) error {
	if strings.TrimSpace(dir) == "" {
		return errors.New("--out DIR is required: the folder to write report.html, measures.csv and findings.csv into")
	}
	probeDir := dir
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist): // made when the report is written: probe where it will be
		probeDir = filepath.Dir(filepath.Clean(dir))
		if pi, err := os.Stat(probeDir); err != nil || !pi.IsDir() {
			return fmt.Errorf("--out %s: its parent folder %s does not exist", dir, probeDir)
		}
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("--out %s: not a folder", dir)
	default:
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("--out %s: %w", dir, err)
		}
		if len(entries) > 0 && !force {
			return fmt.Errorf("--out %s: the folder holds %d files; give an empty or new folder, or --force to replace the report files in it", dir, len(entries))
		}
	}
	probe, err := os.CreateTemp(probeDir, ".exitflow-write-*")
	if err != nil {
		return fmt.Errorf("--out %s: the folder cannot be written: %w", dir, err)
	}
	_ = probe.Close()
	return os.Remove(probe.Name())
}

// writeReport writes the report's three files into dir, each through a temporary file renamed
// into place, so that a reader never sees half a file.
func writeReport(dir string, r *dqm.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	writers := map[string]func(io.Writer, *dqm.Report) error{
		"report.html": dqm.WriteHTML, "measures.csv": dqm.WriteMeasuresCSV, "findings.csv": dqm.WriteFindingsCSV,
	}
	for _, name := range dqmFiles {
		tmp, err := os.CreateTemp(dir, "."+name+"-*")
		if err != nil {
			return err
		}
		err = writers[name](tmp, r)
		if err == nil {
			err = tmp.Chmod(0o644) // a report for others to read, as a file written with os.Create
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), filepath.Join(dir, name))
		}
		if err != nil {
			_ = os.Remove(tmp.Name())
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// printReport prints the verdict and the totals (table) or the report (json).
func printReport(out io.Writer, r *dqm.Report, dir, format string) error {
	if format == "json" {
		return writeJSON(out, dqmJSON(r, dir))
	}
	fmt.Fprintf(out, "DQM report %d as of %s (period %s to %s, %d projects): %s\n", r.ID, date(r.AsOf),
		date(r.Since.AddDate(0, 0, 1)), date(r.AsOf), len(r.Projects), r.Verdict)
	for _, reason := range r.Reasons {
		fmt.Fprintf(out, "  - %s\n", reason.Text)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tTOTAL\tPREVIOUS\tCHANGE")
	for _, m := range r.Total {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Measure, dqmValue(m.Measure, m.Value), dqmValue(m.Measure, m.Previous), dash(m.Change))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if dir != "" {
		fmt.Fprintf(out, "written: %s, %s, %s (%d findings)\n", filepath.Join(dir, "report.html"),
			filepath.Join(dir, "measures.csv"), filepath.Join(dir, "findings.csv"), len(r.Findings))
	}
	return nil
}

// dqmValue is a value as the table prints it: "-" when it does not apply.
func dqmValue(m dqm.Measure, v dqm.Value) string {
	switch {
	case !v.Valid:
		return "-"
	case m.Percent():
		return strconv.FormatFloat(v.N, 'f', 1, 64)
	}
	return strconv.FormatFloat(v.N, 'f', 0, 64)
}
