package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/export"
	"github.com/spf13/cobra"
)

func (a *app) exportCmd() *cobra.Command {
	var since string
	var force bool
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Write the HMIS database as an FY2026 HUD HMIS CSV export (full or delta)",
		Long: `Writes all 24 files of an FY2026 HMIS CSV export into DIR (created if missing), read from one
consistent snapshot of the database, so the exits exitflow wrote can be loaded back into the CoC's HMIS.

Without --changed-since the export is full: every row, soft-deleted rows (DateDeleted set) included,
ExportPeriodType 4 (Other) and ExportDirective 2 (Full refresh).
With --changed-since the export is a delta: only rows whose DateUpdated or DateDeleted is at or after
that time (so exits undone by exitflow are carried as deletions), ExportPeriodType 1 (Updated) and
ExportDirective 1 (Delta refresh).

Export.csv gets a new ExportID, repeated in every file; SourceType, SourceID and SourceName are those
of the most recently imported export. A DIR that already holds an Export.csv is refused unless --force.`,
		Example: `  exitflow export ./out
  exitflow export ./delta --changed-since 2025-03-01
  exitflow export ./delta --changed-since "2025-03-01 17:30:00" --force
  exitflow export ./delta --changed-since 2025-03-01T17:30:00-05:00`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			c, err := a.cfg()
			if err != nil {
				return err
			}
			loc := c.Location()
			opt := export.Options{Now: time.Now().In(loc), SoftwareVersion: exportVersion()}
			if cmd.Flags().Changed("changed-since") { // checked before the database is opened
				t, err := parseSinceFlag(since, loc)
				if err != nil {
					return err
				}
				opt.ChangedSince = &t
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := exportPrepareDir(dir, force); err != nil {
				return err
			}
			errOut := cmd.ErrOrStderr()
			if isTerminal(errOut) {
				opt.Progress = exportProgressLine(errOut)
			}
			st, err := export.Run(cmd.Context(), pool, dir, opt)
			if opt.Progress != nil {
				fmt.Fprint(errOut, "\r\033[K")
			}
			if err != nil {
				return err
			}
			exportSummary(cmd.OutOrStdout(), dir, st)
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "changed-since", "", `delta export of the rows changed at or after this time: YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" (CoC time zone) or RFC3339`)
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an export already in DIR")
	return cmd
}

// exportPrepareDir creates dir, refusing one that already holds an export unless force.
func exportPrepareDir(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating export folder: %w", err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("export folder: %w", err)
	}
	for _, de := range des {
		if strings.EqualFold(de.Name(), "Export.csv") && !force {
			return fmt.Errorf("%s already holds an export (%s): use --force to overwrite it, or choose another folder", dir, de.Name())
		}
	}
	return nil
}

// exportProgressLine redraws one status line on a terminal, at most ten times a second.
func exportProgressLine(w io.Writer) func(export.Progress) {
	var last time.Time
	return func(p export.Progress) {
		if !p.Done && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "\r\033[K[%2d/%d] %-28s %12s rows %10s", p.Index, p.Files, p.File, exportThousands(p.Rows), exportSize(p.Bytes))
	}
}

// exportSummary prints rows per file and the totals.
func exportSummary(w io.Writer, dir string, st export.Stats) {
	kind := "full"
	if st.Header.ExportDirective == export.DirectiveDelta {
		kind = "delta"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	fmt.Fprintf(w, "%s export %s written to %s (%s to %s)\n", kind, st.Header.ExportID, abs,
		st.Header.ExportStartDate.Format(time.DateOnly), st.Header.ExportEndDate.Format(time.DateOnly))
	const row = "  %-28s %12s %10s %8s\n"
	fmt.Fprintf(w, row, "file", "rows", "size", "seconds")
	var bytes int64
	for _, f := range st.Files {
		bytes += f.Bytes
		fmt.Fprintf(w, row, f.File, exportThousands(f.Rows), exportSize(f.Bytes), fmt.Sprintf("%.2f", f.Elapsed.Seconds()))
	}
	fmt.Fprintf(w, row, "total", exportThousands(st.Rows), exportSize(bytes), fmt.Sprintf("%.2f", st.Elapsed.Seconds()))
	if s := st.Elapsed.Seconds(); s > 0 {
		fmt.Fprintf(w, "%s rows/s\n", exportThousands(int64(float64(st.Rows)/s)))
	}
}

// exportThousands formats n with thousands separators.
func exportThousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// exportSize formats a byte count.
func exportSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// exportVersion is the module version exitflow was built at, for Export.csv's SoftwareVersion.
func exportVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
