package importer

import (
	"context"
	"fmt"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// lenientUse counts the non-spec dates of one column, reported once per column.
type lenientUse struct {
	count     int
	line      int
	raw, want string
}

// maxAmbiguous bounds the lines kept, over a whole import, of nn-nn-yy dates read month first
// (4 bytes each; they are swapped to day first if their column proves it, then forgotten).
const maxAmbiguous = 4 << 20

// lenient reads a non-spec date (SPEC IO3: a warning, not an error) or reports an error.
func (l *fileLoad) lenient(ci int, raw string, line, field int, want string, p *problems) (time.Time, bool) {
	c := l.spec.Columns[ci]
	t, ok, ambiguous := lenient(raw, monthFirst)
	if !ok {
		p.err(Problem{l.name, line, field, fmt.Sprintf("%s: %q is not a date (want %s)", c.Name, clip(raw), want)})
		return t, false
	}
	if l.evidence == nil {
		l.evidence, l.amb, l.lenients = map[int]int{}, map[int][]int32{}, map[int]*lenientUse{}
	}
	l.evidence[ci] += evidence(raw)
	if ambiguous {
		if *l.ambLeft <= 0 {
			p.err(Problem{l.name, line, field, fmt.Sprintf("%s: the export has more than %d dates in a non-spec format whose day and month cannot be told apart; export the dates as %s", c.Name, maxAmbiguous, want)})
			return t, false
		}
		*l.ambLeft--
		l.amb[ci] = append(l.amb[ci], int32(line))
	}
	u := l.lenients[ci]
	if u == nil {
		u = &lenientUse{line: line, raw: raw, want: want}
		l.lenients[ci] = u
	}
	u.count++
	return t, true
}

// fixAmbiguous re-reads day-first the nn-nn-yy values of columns whose other values prove day-first,
// and reports each column's non-spec dates once (SPEC IO3: a warning, not an error).
func (l *fileLoad) fixAmbiguous(ctx context.Context, conn *pgx.Conn, p *problems) error {
	for ci := range l.spec.Columns {
		u := l.lenients[ci]
		if u == nil {
			continue
		}
		how := "as written (no day/month ambiguity)"
		if len(l.amb[ci]) > 0 {
			how = "month first (mm-dd-yyyy) where ambiguous"
		}
		if l.evidence[ci] > 0 {
			how = "day first (dd-mm-yy), as other values of this column can only be read that way"
		}
		p.warn("non-spec date format", Problem{l.name, u.line, l.colField[ci], fmt.Sprintf(
			"%s: %d values are not %s (first: %q); read %s", l.spec.Columns[ci].Name, u.count, u.want, clip(u.raw), how)})
	}
	for ci, lines := range l.amb {
		if l.evidence[ci] <= 0 || len(lines) == 0 {
			continue
		}
		// Ambiguous values have day and month both ≤ 12: read day first, they swap.
		c := hmis.Quote(l.spec.Columns[ci].DB())
		swapped := fmt.Sprintf("make_date(extract(year FROM %[1]s)::int, extract(day FROM %[1]s)::int, extract(month FROM %[1]s)::int)", c)
		if l.spec.Columns[ci].Type == hmis.DateTime {
			swapped += fmt.Sprintf(" + %s::time", c)
		}
		q := fmt.Sprintf(`UPDATE %s s SET %s = %s WHERE s.import_line = ANY ($1::int[]) AND s.import_id = $2`, l.relation(), c, swapped)
		if _, err := conn.Exec(ctx, q, lines, l.importID); err != nil {
			return fmt.Errorf("re-reading day-first dates of %s %s: %w", l.name, l.spec.Columns[ci].Name, err)
		}
	}
	l.amb = nil
	return nil
}
