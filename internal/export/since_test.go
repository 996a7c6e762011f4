package export_test

import (
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/export"
)

func TestParseSince(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	for in, want := range map[string]string{
		"2025-03-01":                "2025-03-01 00:00:00",
		"2025-03-01 17:30:05":       "2025-03-01 17:30:05",
		" 2025-03-01T17:30:05 ":     "2025-03-01 17:30:05",
		"2025-03-01T22:30:05Z":      "2025-03-01 17:30:05",
		"2025-07-01T12:00:00+02:00": "2025-07-01 06:00:00",
	} {
		got, err := export.ParseSince(in, ny)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got.Location() != ny || got.Format(time.DateTime) != want {
			t.Errorf("%q = %v, want %s in America/New_York", in, got, want)
		}
	}
	for _, bad := range []string{"", "2025-13-01", "03/01/2025", "2025-03-01 25:00:00", "yesterday"} {
		_, err := export.ParseSince(bad, ny)
		if err == nil || !strings.Contains(err.Error(), "--changed-since") || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("%q: error %v, want one naming the flag and the formats", bad, err)
		}
	}
}
