package main

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDateFlagTellsLayoutFromCalendar(t *testing.T) {
	d, err := parseDateFlag("as-of", " 2024-02-29 ")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), d)
	for in, want := range map[string]string{
		"2026-02-30": `--as-of "2026-02-30": not a calendar date (February 2026 has 28 days)`,
		"2025-02-29": `--as-of "2025-02-29": not a calendar date (February 2025 has 28 days)`,
		"2026-04-31": `--as-of "2026-04-31": not a calendar date (April 2026 has 30 days)`,
		"2026-13-01": `--as-of "2026-13-01": not a calendar date (there is no month 13)`,
		"2026-00-10": `--as-of "2026-00-10": not a calendar date (there is no month 0)`,
		"2026-01-00": `--as-of "2026-01-00": not a calendar date (there is no day 0)`,
		"2026-01-32": `--as-of "2026-01-32": not a calendar date (January 2026 has 31 days)`,
	} {
		_, err := parseDateFlag("as-of", in)
		assert.EqualError(t, err, want, in)
		assert.True(t, errors.Is(err, errNotCalendarDate), in)
	}
	for _, in := range []string{"", "30/09/2022", "2026-2-3", "20260203", "2026-02-03x", "today", "2026-02-03 10:00:00"} {
		_, err := parseDateFlag("as-of", in)
		assert.EqualError(t, err, `--as-of "`+in+`": not a date (want YYYY-MM-DD)`, in)
		assert.False(t, errors.Is(err, errNotCalendarDate), in)
	}
}

func TestParseSinceFlagSharesTheCalendarCheck(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	got, err := parseSinceFlag("2025-03-01 17:30:05", ny)
	require.NoError(t, err)
	assert.Equal(t, "2025-03-01 17:30:05", got.Format(time.DateTime))
	for in, want := range map[string]string{
		"2026-02-30":                `--changed-since "2026-02-30": not a calendar date (February 2026 has 28 days)`,
		"2026-02-30 10:00:00":       `--changed-since "2026-02-30 10:00:00": not a calendar date (February 2026 has 28 days)`,
		"2026-13-01T10:00:00-05:00": `--changed-since "2026-13-01T10:00:00-05:00": not a calendar date (there is no month 13)`,
	} {
		_, err := parseSinceFlag(in, ny)
		assert.EqualError(t, err, want, in)
	}
	for _, in := range []string{"03/01/2025", "2025-03-01 25:00:00", "yesterday"} {
		_, err := parseSinceFlag(in, ny)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), `--changed-since "`+in+`": want YYYY-MM-DD`, in)
		assert.NotContains(t, err.Error(), "calendar", in)
	}
}

// Every date flag of the CLI reads its value the same way; these fail before any database is opened.
func TestEveryDateFlagNamesACalendarMistake(t *testing.T) {
	bad := []string{"EXITFLOW_DATABASE_URL=postgres://nobody@127.0.0.1:1/none"}
	for _, args := range [][]string{
		{"preview", "--as-of", "2026-02-30"},
		{"report", "candidates", "--as-of", "2026-02-30"},
		{"exits", "run", "--as-of", "2026-02-30", "--actor", "x", "--yes"},
		{"generate", "--out", t.TempDir(), "--households", "1", "--as-of", "2026-02-30"},
		{"export", t.TempDir(), "--changed-since", "2026-02-30"},
	} {
		flag := args[len(args)-2]
		if args[0] == "exits" {
			flag = "--as-of"
		}
		_, errOut, code := cli(t, bad, args...)
		assert.Equal(t, 1, code, args)
		assert.Contains(t, errOut, flag+` "2026-02-30": not a calendar date (February 2026 has 28 days)`, args)
	}
	_, errOut, code := cli(t, bad, "preview", "--as-of", "02/28/2026")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--as-of "02/28/2026": not a date (want YYYY-MM-DD)`)
}
