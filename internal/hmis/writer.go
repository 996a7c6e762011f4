package hmis

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Writer writes one CSV file of an FY2026 export: the header, then rows in the file's Current() column order.
type Writer struct {
	File *File
	buf  *bufio.Writer
	csv  *csv.Writer
	rec  []string
}

// NewWriter writes the header of f to w and returns a Writer for its rows.
func NewWriter(w io.Writer, f *File) (*Writer, error) {
	buf := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(buf)
	cols := f.Current()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return nil, fmt.Errorf("writing %s header: %w", f.CSV(), err)
	}
	return &Writer{File: f, buf: buf, csv: cw, rec: make([]string, len(cols))}, nil
}

// Write writes one row; values are already formatted (see Format) and in Current() order.
func (w *Writer) Write(values []string) error {
	if len(values) != len(w.rec) {
		return fmt.Errorf("%s: row has %d values, want %d", w.File.CSV(), len(values), len(w.rec))
	}
	return w.csv.Write(values)
}

// Flush writes buffered rows to the underlying writer.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	return w.buf.Flush()
}

// HUD CSV layouts of dates and datetimes.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02 15:04:05"
)

// Format renders a database value of column type t as HUD CSV text ("" for NULL).
func Format(t Type, v any) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		if t == Date {
			return x.Format(DateLayout)
		}
		return x.Format(DateTimeLayout)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
