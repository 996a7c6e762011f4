// Package export writes the HMIS database as a HUD HMIS CSV export (FY2026): full, or the rows
// changed since a time as a delta (SPEC IO5).
package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune an export; the zero value is a full export as of now.
type Options struct {
	ChangedSince    *time.Time     // delta: only rows with DateUpdated or DateDeleted at or after it (its wall clock)
	Now             time.Time      // export time (its wall clock is written); zero: time.Now()
	ExportID        string         // ExportID of the new export; empty: derived from Now
	SourceType      int            // overrides the source's SourceType when not 0
	SourceID        string         // overrides the source's SourceID when not empty
	SourceName      string         // overrides the source's SourceName when not empty
	SoftwareVersion string         // SoftwareVersion in Export.csv
	Progress        func(Progress) // called while files are written; may be nil
}

// Progress reports an export's advance through one file.
type Progress struct {
	File  string // "Enrollment.csv"
	Index int    // 1-based position of File among Files
	Files int    // number of files
	Rows  int64  // rows written so far (exact when Done; while running, lines written)
	Bytes int64  // bytes written so far, header included
	Done  bool   // File is complete
}

// FileStats is what was written to one file.
type FileStats struct {
	File    string
	Rows    int64
	Bytes   int64
	Elapsed time.Duration
}

// Stats sums up an export.
type Stats struct {
	Header  Header
	Files   []FileStats // in hmis.Files order
	Rows    int64       // data rows of every file, Export.csv included
	Elapsed time.Duration
}

// Run writes every file of hmis.Files into dir (which must exist), all read from one snapshot.
// Files are written as *.csv.part and renamed only when every file is complete; an existing
// export in dir is overwritten.
func Run(ctx context.Context, pool *pgxpool.Pool, dir string, opt Options) (Stats, error) {
	start := time.Now()
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.ExportID == "" {
		opt.ExportID = newExportID(opt.Now)
	}
	if st, err := os.Stat(dir); err != nil {
		return Stats{}, fmt.Errorf("export folder: %w", err)
	} else if !st.IsDir() {
		return Stats{}, fmt.Errorf("export folder %s is not a folder", dir)
	}

	// One REPEATABLE READ read-only transaction: every file sees the same snapshot.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Stats{}, fmt.Errorf("starting the export transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	h, err := header(ctx, tx, opt)
	if err != nil {
		return Stats{}, err
	}
	stats := Stats{Header: h}
	var parts []string
	defer func() {
		for _, p := range parts {
			_ = os.Remove(p) // left only on failure: renamed away on success
		}
	}()
	for i, f := range hmis.Files {
		part := filepath.Join(dir, f.CSV()+".part")
		parts = append(parts, part)
		fs, err := writeFile(ctx, tx, part, f, h, opt, i+1)
		if err != nil {
			return Stats{}, err
		}
		stats.Files = append(stats.Files, fs)
		stats.Rows += fs.Rows
	}
	if err := tx.Commit(ctx); err != nil {
		return Stats{}, fmt.Errorf("ending the export transaction: %w", err)
	}
	// Export.csv last, so a folder with Export.csv holds a complete export.
	for i := len(parts) - 1; i >= 0; i-- {
		final := parts[i][:len(parts[i])-len(".part")]
		if err := os.Rename(parts[i], final); err != nil {
			return Stats{}, fmt.Errorf("export: %w", err)
		}
	}
	parts = nil
	stats.Elapsed = time.Since(start)
	return stats, nil
}

// header builds the Export.csv row of this export.
func header(ctx context.Context, tx pgx.Tx, opt Options) (Header, error) {
	today := dateOf(opt.Now)
	h := Header{
		ExportID:         opt.ExportID,
		SourceType:       sourceTypeOther,
		SourceName:       SoftwareName,
		ExportDate:       opt.Now,
		ExportEndDate:    today,
		SoftwareVersion:  opt.SoftwareVersion,
		HashStatus:       hashUnhashed,
		ImplementationID: SoftwareName,
	}
	src, ok, err := lastSource(ctx, tx)
	if err != nil {
		return h, err
	}
	if ok {
		// The data is the source HMIS's (as hashed there): it keeps its identity.
		h.SourceType, h.SourceID, h.SourceName = src.typ, src.id, src.name
		h.HashStatus, h.ImplementationID = src.hashStatus, src.implementationID
	}
	if opt.SourceType != 0 {
		h.SourceType = opt.SourceType
	}
	if opt.SourceID != "" {
		h.SourceID = opt.SourceID
	}
	if opt.SourceName != "" {
		h.SourceName = opt.SourceName
	}
	if opt.ChangedSince != nil {
		if opt.ChangedSince.After(opt.Now) {
			return h, fmt.Errorf("changed-since time %s is after the export time %s",
				opt.ChangedSince.Format(hmis.DateTimeLayout), opt.Now.Format(hmis.DateTimeLayout))
		}
		h.ExportPeriodType, h.ExportDirective = PeriodUpdated, DirectiveDelta
		h.ExportStartDate = dateOf(*opt.ChangedSince)
		return h, nil
	}
	h.ExportPeriodType, h.ExportDirective = PeriodOther, DirectiveFull
	h.ExportStartDate, err = fullStartDate(ctx, tx, today)
	return h, err
}
