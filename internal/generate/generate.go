// Package generate writes a synthetic but realistic FY2026 HUD HMIS CSV export of a whole Continuum
// of Care: organizations, users, projects of every HUD project type, and households that move through
// them over the two years before an as-of date, with services, bed nights, contacts, assessments,
// Coordinated Entry events, data collection stages and exits.
//
// The export is valid (every reference resolves, every Required column is set, every code is in its
// HUD list, every date is between entry and exit and never after the as-of date) and it is built to
// exercise exitflow: open Services Only, Other and Street Outreach enrollments inside and past the
// SPEC P2 alert and auto-exit windows, night-by-night shelter exits on the day after the last bed
// night (SPEC D2), PH move-ins next to open Coordinated Entry enrollments (SPEC PD3).
//
// Volume. Households are generated one at a time from their own random stream (seed, household
// index), so memory does not grow with the number of households and the output is byte-identical for
// the same seed, household count and as-of date. One household (a family of 1–5 clients, the
// --households unit) yields on average (measured with 400,000 households):
//
//	1.56 clients, 2.55 enrollments, 1.77 exits, 50.7 services (bed nights included, ~20 per
//	enrollment), 3.8 current living situations, 25.9 disability rows, 3.5 income/benefits rows:
//	about 99 rows, 11.4 KB of CSV.
//
// So --households 400000 gives about 1,020,000 enrollments and 20,300,000 services (4.6 GB, written
// in about 30 s). Projects scale too: one per 500 households, at least one of every project type.
package generate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

// MaxHouseholds is the most households one run generates (IDs are derived from the household index
// and must fit in an int64).
const MaxHouseholds = 100_000_000

// Options say what to generate and where.
type Options struct {
	Out        string                // folder the CSV files are written to (created if missing)
	Households int                   // number of households (families) to generate, > 0
	Seed       uint64                // random seed: same seed, households and as-of give the same bytes
	AsOf       time.Time             // as-of (export end) date; only the calendar date is used
	Progress   func(done, total int) // called now and then with households done; may be nil
}

// FileRows is the number of data rows written to one CSV file (the header not counted).
type FileRows struct {
	File string // "Enrollment"
	Rows int64
}

// Stats tells what Run wrote.
type Stats struct {
	Files      []FileRows // one per file of hmis.Files, in that order
	Households int        // households generated
	Projects   int        // rows of Project.csv
}

// Rows returns the number of data rows written to the named file ("Services").
func (s Stats) Rows(file string) int64 {
	for _, f := range s.Files {
		if f.File == file {
			return f.Rows
		}
	}
	return 0
}

// Total is the number of data rows in all files.
func (s Stats) Total() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Rows
	}
	return n
}

// Run writes the export into opt.Out. Export.csv is written last, so a folder left by a failed or
// cancelled run has no Export.csv and is never taken for a complete export.
func Run(ctx context.Context, opt Options) (Stats, error) {
	var st Stats
	if opt.Out == "" {
		return st, errors.New("generate: no output folder")
	}
	if opt.Households <= 0 || opt.Households > MaxHouseholds {
		return st, fmt.Errorf("generate: households must be from 1 to %d, got %d", MaxHouseholds, opt.Households)
	}
	if opt.AsOf.IsZero() {
		return st, errors.New("generate: no as-of date")
	}
	y, m, d := opt.AsOf.Date()
	asOf := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return st, fmt.Errorf("generate: creating %s: %w", opt.Out, err)
	}
	// A stale Export.csv from an earlier run must not survive a failure of this one.
	if err := os.Remove(filepath.Join(opt.Out, "Export.csv")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return st, fmt.Errorf("generate: %w", err)
	}

	g := newGen(opt.Seed, asOf, opt.Households)
	ws, err := openTables(opt.Out, g.exportID)
	if err != nil {
		return st, err
	}
	defer ws.closeAll()

	if err := g.writeCoC(ws); err != nil {
		return st, err
	}
	step := max(1, opt.Households/1000)
	h := newHousehold(g, ws)
	for i := 1; i <= opt.Households; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("generate: %w", err)
			}
		}
		if err := h.generate(i); err != nil {
			return st, err
		}
		if opt.Progress != nil && (i%step == 0 || i == opt.Households) {
			opt.Progress(i, opt.Households)
		}
	}
	if err := ws.finish(); err != nil {
		return st, err
	}
	if err := g.writeExport(ws, opt.Out); err != nil {
		return st, err
	}
	for _, f := range hmis.Files {
		st.Files = append(st.Files, FileRows{File: f.Name, Rows: ws.byName[f.Name].n})
	}
	st.Households = opt.Households
	st.Projects = len(g.projects)
	return st, nil
}
