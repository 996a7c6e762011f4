package export

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// progressEvery is how many bytes pass between two running Progress reports of one file.
const progressEvery = 1 << 20

// writeFile writes one CSV file to path: the header, then its rows streamed by COPY from tx.
func writeFile(ctx context.Context, tx pgx.Tx, path string, f *hmis.File, h Header, opt Options, index int) (FileStats, error) {
	start := time.Now()
	out, err := os.Create(path)
	if err != nil {
		return FileStats{}, fmt.Errorf("export: %w", err)
	}
	defer out.Close()
	cw := &countingWriter{w: out, report: func(rows, n int64) {
		if opt.Progress != nil {
			opt.Progress(Progress{File: f.CSV(), Index: index, Files: len(hmis.Files), Rows: rows, Bytes: n})
		}
	}}
	w, err := hmis.NewWriter(cw, f)
	if err != nil {
		return FileStats{}, err
	}
	var rows int64
	if f.Name == "Export" {
		if err := w.Write(h.values()); err != nil {
			return FileStats{}, err
		}
		rows = 1
	}
	if err := w.Flush(); err != nil {
		return FileStats{}, fmt.Errorf("writing %s: %w", f.CSV(), err)
	}
	if f.Name != "Export" {
		cw.lines = 0 // count data lines only
		buf := bufio.NewWriterSize(cw, 1<<20)
		tag, err := tx.Conn().PgConn().CopyTo(ctx, buf, copySQL(selectSQL(f, h.ExportID, opt.ChangedSince)))
		if err != nil {
			return FileStats{}, fmt.Errorf("reading %s for %s: %w", f.Table(), f.CSV(), err)
		}
		if err := buf.Flush(); err != nil {
			return FileStats{}, fmt.Errorf("writing %s: %w", f.CSV(), err)
		}
		rows = tag.RowsAffected()
	}
	if err := out.Close(); err != nil {
		return FileStats{}, fmt.Errorf("writing %s: %w", f.CSV(), err)
	}
	if opt.Progress != nil {
		opt.Progress(Progress{File: f.CSV(), Index: index, Files: len(hmis.Files), Rows: rows, Bytes: cw.n, Done: true})
	}
	return FileStats{File: f.CSV(), Rows: rows, Bytes: cw.n, Elapsed: time.Since(start)}, nil
}

// countingWriter counts bytes and lines on their way to w and reports every progressEvery bytes.
type countingWriter struct {
	w      io.Writer
	n      int64
	lines  int64
	last   int64
	report func(lines, bytes int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.lines += int64(bytes.Count(p[:n], []byte{'\n'}))
	if c.n-c.last >= progressEvery {
		c.last = c.n
		c.report(c.lines, c.n)
	}
	return n, err
}
