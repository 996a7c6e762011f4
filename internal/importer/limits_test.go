package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRecordLimiterFollowsQuotes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		limit    int
		line     int // 0: no error
	}{
		{"short records", "a,b\nc,d\n", 4, 0},
		{"a long line", "a,b\n" + strings.Repeat("x", 10) + "\nz\n", 8, 2},
		{"a quoted field of short lines", "a,b\n\"" + strings.Repeat("x\n", 10) + "\"\n", 8, 2},
		{"doubled quotes stay inside", "a,\"say \"\"hi\"\"\nthere\"\nb\n", 30, 0},
		{"newlines inside quotes count", "h\n\"1\n2\n3\n4\n5\"\n", 8, 2},
		{"exactly the limit", "abcd\nabcd\n", 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Small reads too: a record's state carries over from one Read to the next.
			for _, chunk := range []int{1, 3, 4096} {
				l := newRecordLimiter(&chunked{r: strings.NewReader(tc.in), n: chunk}, tc.limit)
				_, err := io.Copy(io.Discard, l)
				var long errRecordTooLong
				if tc.line == 0 {
					if err != nil {
						t.Errorf("chunk %d: %v", chunk, err)
					}
				} else if !errors.As(err, &long) || long.line != tc.line {
					t.Errorf("chunk %d: got %v, want a record too long at line %d", chunk, err, tc.line)
				}
			}
		})
	}
}

// chunked reads at most n bytes at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(b []byte) (int, error) { return c.r.Read(b[:min(len(b), c.n)]) }

func TestRecordLimiterPassesWhatTheCSVReaderNeeds(t *testing.T) {
	in := "a,b\n1,\"x\ny\"\n2,z\n"
	cr := csv.NewReader(newRecordLimiter(strings.NewReader(in), 1<<20))
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != 3 || recs[1][1] != "x\ny" {
		t.Fatalf("%q %v", recs, err)
	}
}

func BenchmarkRecordLimiter(b *testing.B) {
	row := "S1234567,N123456,C123456,2024-01-10,200,200,,2024-01-10 22:00:00,2024-01-10 22:00:00,U1,,E1\n"
	data := bytes.Repeat([]byte(row), (64<<20)/len(row))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		l := newRecordLimiter(bytes.NewReader(data), 1<<20)
		buf := make([]byte, 1<<20)
		for {
			if _, err := l.Read(buf); err != nil {
				break
			}
		}
	}
}
