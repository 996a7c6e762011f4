package export

import (
	"fmt"
	"strings"
	"time"
)

// ParseSince reads a --changed-since value: YYYY-MM-DD or "YYYY-MM-DD HH:MM:SS" taken in loc, or
// RFC3339 converted to loc (HMIS timestamps are the CoC's local wall clock).
func ParseSince(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, time.DateTime, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	return time.Time{}, fmt.Errorf(`--changed-since %q: want YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" (taken in the CoC time zone %s) or RFC3339 such as 2025-03-01T17:30:00-05:00`, s, loc)
}
