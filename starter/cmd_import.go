package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/exitflow/exitflow/internal/importer"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func (a *app) importCmd() *cobra.Command {
	var examples int
	var asJSON bool
	maxBytes, maxLine := byteSize(importer.DefaultMaxBytes), byteSize(importer.DefaultMaxLineBytes)
	c := &cobra.Command{
		Use:   "import PATH",
		Short: "Import a HUD HMIS CSV export (folder or .zip) into the database",
		Long: `Imports every file of an FY2026 ("2026 v1.x") or FY2024 ("2024 v1.x") HMIS CSV export.
Columns are matched by header name, case-insensitively. Every row is validated; problems are
reported as file:line:column: message. An export with any error changes nothing. Data-quality
problems that real exports contain (several heads of household, non-spec date formats, …) are
warnings: they are listed, and the import goes on.

Re-importing a newer export of the same source updates rows by ID (the newer DateUpdated wins);
rows with DateDeleted are stored as deleted.

Hostile files are refused in bounded memory before anything is imported: a .zip whose entries
would expand past --max-bytes or that is compressed beyond any CSV (a zip bomb), a .zip entry
with an absolute path, '..' or a link (and a symbolic link in a folder export), a CSV record
longer than --max-line-bytes, a header of thousands of columns, NUL bytes, invalid UTF-8.`,
		Example: `  exitflow import ./hmis-export/
  exitflow import hmis_csv_export_2026-11-01.zip
  exitflow import ./export --examples 50     # show more rows per kind of warning
  exitflow import big_coc.zip --max-bytes 40GiB`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			opt := importer.Options{Limits: importer.Limits{MaxBytes: int64(maxBytes), MaxLineBytes: int(maxLine)}}
			if isTerminal(errw) && !asJSON {
				var bar *progressbar.ProgressBar
				opt.Progress = func(done, total int64) {
					if bar == nil {
						bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(errw), progressbar.OptionShowBytes(true),
							progressbar.OptionSetDescription("reading"), progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
					}
					_ = bar.Set64(done)
				}
				opt.Phase = func(p string) {
					if bar != nil {
						_ = bar.Finish()
					}
					fmt.Fprintf(errw, "%s…\n", p)
				}
			}
			res, err := importer.Run(cmd.Context(), pool, args[0], opt)
			if err != nil && !errors.Is(err, importer.ErrInvalid) {
				if cmd.Context().Err() != nil {
					return fmt.Errorf("import interrupted; nothing was imported")
				}
				return err
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				_ = enc.Encode(res)
			} else {
				printImport(out, errw, res, examples)
			}
			if err != nil {
				if !asJSON {
					fmt.Fprintf(errw, "%d errors: nothing was imported\n", res.ErrorCount)
				}
				return exitCode(1)
			}
			return nil
		},
	}
	c.Flags().IntVar(&examples, "examples", 5, "rows shown per kind of warning")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON (errors, warnings, counts)")
	c.Flags().Var(&maxBytes, "max-bytes", "largest total size a .zip may expand to (bytes, or with KiB, MiB, GiB)")
	c.Flags().Var(&maxLine, "max-line-bytes", "longest CSV record read (bytes, or with KiB, MiB)")
	return c
}

func printImport(out, errw io.Writer, res *importer.Result, examples int) {
	for _, e := range res.Errors {
		fmt.Fprintln(errw, "error:", e)
	}
	if more := res.ErrorCount - len(res.Errors); more > 0 {
		fmt.Fprintf(errw, "… and %d more errors\n", more)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(out, "warning: %s: %d\n", w.Kind, w.Count)
		for i, ex := range w.Examples {
			if i >= examples {
				break
			}
			fmt.Fprintln(out, "  ", ex)
		}
		if w.Count > examples {
			fmt.Fprintf(out, "   … and %d more\n", w.Count-min(examples, len(w.Examples)))
		}
	}
	if res.ErrorCount > 0 {
		return
	}
	fmt.Fprintf(out, "%-28s %12s %12s\n", "file", "rows", "changed")
	var rows, changed int64
	for _, f := range res.Files {
		fmt.Fprintf(out, "%-28s %12d %12d\n", f.File, f.Rows, f.Changed)
		rows += f.Rows
		changed += f.Changed
	}
	fmt.Fprintf(out, "%-28s %12d %12d\n", "total", rows, changed)
	fmt.Fprintf(out, "imported export %s (CSV %s) as import %d: %d warnings, %.1f s\n", res.ExportID, res.CSVVersion, res.ImportID, res.WarningCount, res.Seconds)
}
