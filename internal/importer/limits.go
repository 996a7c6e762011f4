package importer

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// errRecordTooLong stops the reading of a file at a CSV record longer than the limit, before the
// CSV reader holds it in memory.
type errRecordTooLong struct {
	line  int // first line of the record
	limit int
}

func (e errRecordTooLong) Error() string {
	return fmt.Sprintf("a CSV record (line, or the lines of one quoted field) longer than %s; no HMIS CSV record comes close, so the rest of the file is not read",
		byteSize(int64(e.limit)))
}

// recordLimiter passes a CSV file through and fails once one record grows past limit bytes. It
// follows the quoting as RFC 4180 does (a newline inside quotes continues the record; a doubled
// quote toggles twice), so a record is bounded whether it is one long line or many short ones.
type recordLimiter struct {
	r        io.Reader
	limit    int
	inQuotes bool
	size     int // bytes of the current record so far
	line     int // current line, 1-based
	start    int // first line of the current record
	err      error
}

func newRecordLimiter(r io.Reader, limit int) *recordLimiter {
	return &recordLimiter{r: r, limit: limit, line: 1, start: 1}
}

func (l *recordLimiter) Read(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(b)
	// Line by line (IndexByte and Count are vectorised): the quotes of a line decide whether its
	// newline ends the record.
	for i := 0; i < n; {
		seg := b[i:n]
		nl := bytes.IndexByte(seg, '\n')
		if nl >= 0 {
			seg = seg[:nl]
		}
		if bytes.Count(seg, quote)%2 == 1 {
			l.inQuotes = !l.inQuotes
		}
		l.size += len(seg)
		if l.size > l.limit {
			// What came before goes on; the CSV reader holds at most limit bytes of this record.
			l.err = errRecordTooLong{line: l.start, limit: l.limit}
			return i, l.err
		}
		if nl < 0 {
			break
		}
		i += nl + 1
		l.line++
		if l.inQuotes {
			l.size++ // the newline is part of the quoted field
		} else {
			l.size, l.start = 0, l.line
		}
	}
	return n, err
}

var quote = []byte{'"'}

// maxClip is how much of a value a message quotes; maxMessage bounds a whole message (values the
// database puts in a message are cut there).
const (
	maxClip    = 64
	maxMessage = 512
)

// clip shortens a value quoted in a message, so that a hostile field cannot make messages huge.
func clip(s string) string { return clipTo(s, maxClip) }

// clipTo cuts s to at most n bytes (on a rune boundary), saying how long it was.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}
