package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// fileLoad is the reading of one CSV file of the export into its staging table.
type fileLoad struct {
	spec     *hmis.File
	name     string              // file name as found in the export
	fieldCol []int               // CSV field index → spec column index, -1 for an unknown column
	colField map[int]int         // spec column index → 1-based CSV field number
	rows     int64               // data rows read
	amb      map[int][]int32     // spec column → lines of values read month first although they could be day first
	evidence map[int]int         // spec column → sum of unambiguous evidence (+ day-first, − month-first)
	lenients map[int]*lenientUse // spec column → its non-spec dates, reported once
	importID int64               // exitflow.import_run id, written on every row (provenance)
	direct   bool                // the target table was empty: rows are copied straight into it
	rebuild  []string            // direct: statements that rebuild the keys and indexes dropped for the load
	skipped  map[string]bool     // IDs of rows not loaded because they have errors (at most maxSkipped)
	skipSize int                 // bytes of the IDs in skipped
	maxLine  int                 // longest CSV record read (Limits.MaxLineBytes)
	ambLeft  *int                // lines of ambiguous dates the import may still keep (maxAmbiguous in all)
}

// maxSkipped and maxSkippedBytes bound the IDs of rejected rows kept to silence follow-on
// reference errors.
const (
	maxSkipped      = 100000
	maxSkippedBytes = 8 << 20
)

// maxColumns is the widest header read: the widest HMIS CSV file has about 100 columns.
const maxColumns = 1000

// stagingTable is the temporary table a file is copied into.
func stagingTable(f *hmis.File) string { return "stg_" + f.Table() }

// target is the table the rows of f end up in.
func target(f *hmis.File) string { return "hmis." + hmis.Quote(f.Table()) }

// relation is where the rows of this load are copied: the target itself (direct) or staging.
func (l *fileLoad) relation() string {
	if l.direct {
		return target(l.spec)
	}
	return stagingTable(l.spec)
}

// stagingDDL creates the staging table of f: the target's columns, without keys or constraints.
func stagingDDL(f *hmis.File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TEMP TABLE %s (", stagingTable(f))
	for _, c := range f.Columns {
		fmt.Fprintf(&b, "%s %s, ", hmis.Quote(c.DB()), c.Type.SQL())
	}
	b.WriteString("import_id bigint, import_line integer) ON COMMIT DROP")
	return b.String()
}

// header maps the header row to spec columns (SPEC IO2: by name, case-insensitively).
func (l *fileLoad) header(rec []string, p *problems) (fatal bool) {
	if len(rec) > maxColumns {
		p.err(Problem{l.name, 1, 0, fmt.Sprintf("the header has %d columns; an HMIS CSV file has at most about 100 (the limit is %d), so the file is not read", len(rec), maxColumns)})
		return true
	}
	byName := map[string]int{}
	for ci, c := range l.spec.Columns {
		byName[strings.ToLower(c.Name)] = ci
		for _, a := range c.Aliases {
			byName[strings.ToLower(a)] = ci
		}
	}
	l.fieldCol = make([]int, len(rec))
	l.colField = map[int]int{}
	for i, h := range rec {
		h = strings.TrimSpace(h)
		ci, ok := byName[strings.ToLower(h)]
		l.fieldCol[i] = -1
		if !ok {
			p.warn("unknown column (not stored)", Problem{l.name, 1, i + 1, fmt.Sprintf("column %q is not in the HMIS CSV spec for %s; its values are not stored", clip(h), l.spec.CSV())})
			continue
		}
		if prev, dup := l.colField[ci]; dup {
			p.err(Problem{l.name, 1, i + 1, fmt.Sprintf("column %s appears twice in the header (also field %d)", l.spec.Columns[ci].Name, prev)})
			fatal = true
			continue
		}
		l.fieldCol[i] = ci
		l.colField[ci] = i + 1
	}
	for ci, c := range l.spec.Columns {
		if _, ok := l.colField[ci]; !ok && c.Required {
			p.err(Problem{l.name, 1, 0, fmt.Sprintf("missing required column %s", c.Name)})
			fatal = true
		}
	}
	return fatal
}

// copyColumns is the column list of a COPY: spec order, then the provenance columns.
func copyColumns(f *hmis.File) string {
	cols := make([]string, 0, len(f.Columns)+2)
	for _, c := range f.Columns {
		cols = append(cols, hmis.Quote(c.DB()))
	}
	return strings.Join(append(cols, "import_id", "import_line"), ", ")
}

// load streams the CSV r into the staging table of l through COPY (text format).
// Row problems are recorded in p; the returned error is only for I/O and database failures.
func (l *fileLoad) load(ctx context.Context, conn *pgx.Conn, r io.Reader, ex *exportInfo, p *problems, progress func(int64)) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := l.stream(ctx, r, pw, ex, p, progress)
		pw.CloseWithError(err)
		done <- err
	}()
	_, copyErr := conn.PgConn().CopyFrom(ctx, pr, fmt.Sprintf("COPY %s (%s) FROM STDIN", l.relation(), copyColumns(l.spec)))
	pr.CloseWithError(errors.New("copy ended"))
	streamErr := <-done
	if streamErr != nil {
		return streamErr
	}
	if copyErr != nil {
		return fmt.Errorf("loading %s: %w", l.name, copyErr)
	}
	return l.fixAmbiguous(ctx, conn, p)
}

// countingReader reports bytes read, for the progress bar.
type countingReader struct {
	r   io.Reader
	fn  func(int64)
	acc int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.acc += int64(n)
	if c.fn != nil && (c.acc >= 1<<20 || err != nil) {
		c.fn(c.acc)
		c.acc = 0
	}
	return n, err
}

// stream validates the CSV r and writes its rows without errors to w in COPY text format.
func (l *fileLoad) stream(ctx context.Context, r io.Reader, w io.Writer, ex *exportInfo, p *problems, progress func(int64)) error {
	cr, nHeader := l.openCSV(r, p, progress)
	if cr == nil {
		return nil
	}
	out := bufio.NewWriterSize(w, 1<<20)
	importID := strconv.FormatInt(l.importID, 10)
	l.skipped = map[string]bool{}
	row := rowValues{vals: make([]string, len(l.spec.Columns)), isNull: make([]bool, len(l.spec.Columns))}
	for {
		if l.rows%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			l.csvError(err, p)
			break
		}
		line, _ := cr.FieldPos(0)
		if line > math.MaxInt32 { // import_line is an integer
			p.err(Problem{l.name, line, 0, "the file has more than 2,147,483,647 lines; the rest is not read"})
			break
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		l.rows++
		if l.row(rec, line, nHeader, &row, ex, p) {
			row.writeCopy(out, importID, line)
		}
	}
	return out.Flush()
}

// openCSV checks that r is CSV text and reads its header; a nil reader means the file is not
// read further (the problem is recorded). nHeader is the header's number of fields.
func (l *fileLoad) openCSV(r io.Reader, p *problems, progress func(int64)) (cr *csv.Reader, nHeader int) {
	br := bufio.NewReaderSize(newRecordLimiter(&countingReader{r: r, fn: progress}, l.maxLine), 1<<20)
	head, _ := br.Peek(4096)
	if bytes.IndexByte(head, 0) >= 0 || (len(head) > 0 && !validPrefix(head)) {
		p.err(Problem{l.name, 0, 0, "is not a CSV text file (binary data or not UTF-8)"})
		return nil, 0
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3) // a byte order mark is tolerated
	}
	cr = csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err == io.EOF {
		p.err(Problem{l.name, 0, 0, "is empty: an HMIS CSV file has at least its header row"})
		return nil, 0
	}
	if err != nil {
		l.csvError(err, p)
		return nil, 0
	}
	if l.header(rec, p) {
		return nil, 0
	}
	return cr, len(rec)
}

// rowValues are one row's values in spec column order, reused from row to row.
type rowValues struct {
	vals   []string
	isNull []bool
}

// row validates data row rec (CSV line line) into v; it reports whether the row has no error and
// is to be loaded.
func (l *fileLoad) row(rec []string, line, nHeader int, v *rowValues, ex *exportInfo, p *problems) bool {
	errsBefore := p.errCount
	if len(rec) != nHeader {
		p.err(Problem{l.name, line, len(rec), fmt.Sprintf("row has %d fields, the header has %d (truncated or extra fields)", len(rec), nHeader)})
		return false
	}
	for i := range v.vals {
		v.vals[i], v.isNull[i] = "", true
	}
	for fi, raw := range rec {
		ci := l.fieldCol[fi]
		if ci < 0 {
			continue
		}
		val, ok := l.value(ci, raw, line, fi+1, ex, p)
		if ok {
			v.vals[ci], v.isNull[ci] = val, false
		}
	}
	for ci, c := range l.spec.Columns {
		if c.Required && v.isNull[ci] {
			if _, present := l.colField[ci]; present && strings.TrimSpace(rec[l.colField[ci]-1]) == "" {
				p.err(Problem{l.name, line, l.colField[ci], c.Name + " is required but empty"})
			}
		}
	}
	if p.errCount > errsBefore {
		// A row with an error is not loaded (the import will change nothing anyway); its ID is
		// kept so that rows referring to it do not get a second, misleading error.
		if key := v.vals[0]; !v.isNull[0] && len(l.skipped) < maxSkipped && l.skipSize+len(key) <= maxSkippedBytes {
			l.skipped[key] = true
			l.skipSize += len(key)
		}
		return false
	}
	return true
}

// writeCopy writes the row as one line of COPY text, with its provenance columns.
func (v *rowValues) writeCopy(out *bufio.Writer, importID string, line int) {
	for i := range v.vals {
		if v.isNull[i] {
			out.WriteString(`\N`)
		} else {
			writeCopyText(out, v.vals[i])
		}
		out.WriteByte('\t')
	}
	out.WriteString(importID)
	out.WriteByte('\t')
	out.WriteString(strconv.Itoa(line))
	out.WriteByte('\n')
}

// validPrefix reports whether b is UTF-8, allowing a rune cut off at its end.
func validPrefix(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		b = b[size:]
	}
	return true
}

func (l *fileLoad) csvError(err error, p *problems) {
	var long errRecordTooLong
	if errors.As(err, &long) {
		p.err(Problem{l.name, long.line, 0, long.Error()})
		return
	}
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		p.err(Problem{l.name, 0, 0, "the .zip entry is damaged or holds more than its header declares (" + err.Error() + "); the rest of the file cannot be read"})
		return
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) {
			msg = fmt.Sprintf("unterminated or stray quote in a field that starts on line %d; the rest of the file cannot be read", pe.StartLine)
		} else if errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = "a quote inside an unquoted field (HUD CSV quotes such fields and doubles inner quotes); the rest of the file cannot be read"
		}
		p.err(Problem{l.name, pe.Line, pe.Column, msg})
		return
	}
	p.err(Problem{l.name, 0, 0, "cannot be read: " + err.Error()})
}

// writeCopyText writes s escaped for PostgreSQL's COPY text format.
func writeCopyText(w *bufio.Writer, s string) {
	if !strings.ContainsAny(s, "\\\t\n\r") {
		w.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			w.WriteString(`\\`)
		case '\t':
			w.WriteString(`\t`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		default:
			w.WriteByte(c)
		}
	}
}

// value validates one field and returns its COPY text; ok is false for NULL (empty or invalid).
func (l *fileLoad) value(ci int, raw string, line, field int, ex *exportInfo, p *problems) (string, bool) {
	c := l.spec.Columns[ci]
	if raw == "" {
		return "", false
	}
	loc := func(msg string) Problem { return Problem{l.name, line, field, c.Name + ": " + msg} }
	switch c.Type {
	case hmis.String, hmis.ID:
		if i := strings.IndexByte(raw, 0); i >= 0 {
			p.err(loc(fmt.Sprintf("contains a NUL byte (at byte %d of the value): not text", i+1)))
			return "", false
		}
		if !utf8.ValidString(raw) {
			p.err(loc("is not valid UTF-8 text (HMIS CSV files are UTF-8)"))
			return "", false
		}
		if c.Type == hmis.ID {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				return "", false
			}
			if c.Name == "ExportID" && ex != nil && raw != ex.id {
				p.err(loc(fmt.Sprintf("%q does not match Export.csv's ExportID %q", clip(raw), clip(ex.id))))
			}
		}
		return raw, true
	case hmis.Integer:
		s := strings.TrimSpace(raw)
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			p.err(loc(fmt.Sprintf("%q is not a whole number", clip(raw))))
			return "", false
		}
		if c.Codes != "" && !hmis.KnownCode(c.Codes, int(n)) {
			// SPEC IO3: stored as sent; the engine reads it conservatively (docs/rules.md).
			p.outOfList(c.Codes, int(n), Problem{l.name, line, field, hmis.OutOfListNote(c.Codes, int(n))})
		}
		return s, true
	case hmis.Money:
		s := strings.TrimSpace(raw)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1e10 {
			p.err(loc(fmt.Sprintf("%q is not an amount of money (want digits with up to 2 decimals, like 1100.00)", clip(raw))))
			return "", false
		}
		return s, true
	case hmis.Date:
		if _, ok, valid := parseSpecDate(raw); ok {
			if !valid {
				p.err(loc(fmt.Sprintf("%q is not a calendar date", raw)))
				return "", false
			}
			return raw, true
		}
		t, ok := l.lenient(ci, raw, line, field, "yyyy-mm-dd", p)
		if !ok {
			return "", false
		}
		return t.Format(hmis.DateLayout), true
	case hmis.DateTime:
		t, ok, valid := parseSpecDateTime(raw)
		switch {
		case ok && !valid:
			p.err(loc(fmt.Sprintf("%q is not a valid date and time", raw)))
			return "", false
		case !ok:
			if t, ok = l.lenient(ci, raw, line, field, "yyyy-mm-dd hh:mm:ss", p); !ok {
				return "", false
			}
			raw = t.Format(hmis.DateTimeLayout)
		}
		if ex != nil && !ex.date.IsZero() && t.After(ex.date.Add(24*time.Hour)) {
			p.warn("datetime after the export date", loc(fmt.Sprintf("%s is after the export date %s", raw, ex.date.Format(hmis.DateTimeLayout))))
		}
		return raw, true
	}
	return raw, true
}
