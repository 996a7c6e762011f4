package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

// sqlTimestampLayout renders a wall-clock time as a PostgreSQL timestamp literal (microseconds kept).
const sqlTimestampLayout = "2006-01-02 15:04:05.999999"

// selectSQL is the query whose rows are f's CSV rows: every Current() column formatted server-side
// the HUD way, the file's ExportID column replaced by exportID, and, for a delta (since != nil),
// only rows created, updated or deleted at or after since. Rows come in primary key order so that
// two exports of the same data are byte-identical.
func selectSQL(f *hmis.File, exportID string, since *time.Time) string {
	cols := f.Current()
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = columnExpr(c, exportID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM hmis.%s", strings.Join(exprs, ", "), hmis.Quote(f.Table()))
	if since != nil && f.Has("DateUpdated") {
		// Stored timestamps are the source HMIS's naive local times: compare wall clocks.
		ts := literal(since.Format(sqlTimestampLayout)) + "::timestamp"
		fmt.Fprintf(&b, " WHERE dateupdated >= %s", ts)
		if f.Has("DateDeleted") {
			// SPEC U2: an undone exit is soft-deleted; the delta must carry the deletion.
			fmt.Fprintf(&b, " OR datedeleted >= %s", ts)
		}
	}
	fmt.Fprintf(&b, " ORDER BY %s", hmis.Quote(f.Key().DB()))
	return b.String()
}

// columnExpr is the SQL expression giving column c as HUD CSV text (NULL for an empty value).
func columnExpr(c hmis.Column, exportID string) string {
	col := hmis.Quote(c.DB())
	if c.Name == "ExportID" {
		return literal(exportID)
	}
	switch c.Type {
	case hmis.Date:
		return fmt.Sprintf("to_char(%s, 'YYYY-MM-DD')", col)
	case hmis.DateTime:
		return fmt.Sprintf("to_char(%s, 'YYYY-MM-DD HH24:MI:SS')", col)
	case hmis.Integer, hmis.Money:
		return col + "::text"
	default:
		// COPY writes '' as "" and NULL as nothing; HUD files (and hmis.Writer) have no such
		// distinction, so an empty string is written as an empty field too.
		return fmt.Sprintf("NULLIF(%s, '')", col)
	}
}

// copySQL wraps a query into COPY … TO STDOUT as headerless CSV.
func copySQL(query string) string {
	return "COPY (" + query + ") TO STDOUT WITH (FORMAT csv)"
}

// literal quotes s as a SQL string literal.
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
