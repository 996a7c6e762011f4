package importer

import (
	"strconv"
	"strings"
	"time"
)

// parseSpecDate parses a HUD date "yyyy-mm-dd" fast; ok is false if s is not in that layout,
// valid is false if it is in the layout but not a calendar date (2024-02-30).
func parseSpecDate(s string) (t time.Time, ok, valid bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return t, false, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return t, false, false
	}
	return civil(y, m, d)
}

// parseSpecDateTime parses "yyyy-mm-dd hh:mm:ss".
func parseSpecDateTime(s string) (t time.Time, ok, valid bool) {
	if len(s) != 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return t, false, false
	}
	d, ok, valid := parseSpecDate(s[:10])
	if !ok || !valid {
		return t, ok, valid
	}
	hh, ok1 := digits(s[11:13])
	mm, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 {
		return t, false, false
	}
	if hh > 23 || mm > 59 || ss > 59 {
		return t, true, false
	}
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second), true, true
}

func civil(y, m, d int) (time.Time, bool, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return time.Time{}, true, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // normalised: 2024-02-30 became March
		return time.Time{}, true, false
	}
	return t, true, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// order is how a column's ambiguous nn-nn-yy(yy) dates are read.
type order int

const (
	monthFirst order = iota // US: mm-dd-yyyy
	dayFirst                // dd-mm-yy
)

// lenient parses the non-spec date formats real exports contain. It returns the date, whether the
// text was understood at all, and whether the reading depended on the day/month order
// (both first fields ≤ 12).
func lenient(s string, o order) (t time.Time, ok, ambiguous bool) {
	s = strings.TrimSpace(s)
	datePart, timePart, _ := strings.Cut(strings.Replace(s, "T", " ", 1), " ")
	var clock time.Duration
	if timePart != "" {
		tp := strings.TrimSuffix(strings.TrimSuffix(timePart, "Z"), ".000")
		var hh, mm, ss int
		parts := strings.Split(tp, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return t, false, false
		}
		var e1, e2, e3 error
		hh, e1 = strconv.Atoi(parts[0])
		mm, e2 = strconv.Atoi(parts[1])
		if len(parts) == 3 {
			sec := parts[2]
			if i := strings.IndexByte(sec, '.'); i >= 0 {
				sec = sec[:i]
			}
			ss, e3 = strconv.Atoi(sec)
		}
		if e1 != nil || e2 != nil || e3 != nil || hh > 23 || mm > 59 || ss > 59 {
			return t, false, false
		}
		clock = time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second
	}
	sep := "-"
	if strings.Contains(datePart, "/") {
		sep = "/"
	}
	f := strings.Split(datePart, sep)
	if len(f) != 3 {
		return t, false, false
	}
	a, ok1 := digits(f[0])
	b, ok2 := digits(f[1])
	c, ok3 := digits(f[2])
	if !ok1 || !ok2 || !ok3 || f[0] == "" || f[1] == "" || f[2] == "" {
		return t, false, false
	}
	var y, m, d int
	switch {
	case len(f[0]) == 4: // yyyy-m-d
		y, m, d = a, b, c
	case len(f[2]) == 4 || len(f[2]) == 2:
		y = c
		if len(f[2]) == 2 {
			y = 2000 + c
			if c > 69 {
				y = 1900 + c
			}
		}
		switch {
		case a > 12 && b <= 12:
			d, m = a, b
		case b > 12 && a <= 12:
			m, d = a, b
		default:
			ambiguous = a != b
			if o == dayFirst {
				d, m = a, b
			} else {
				m, d = a, b
			}
		}
	default:
		return t, false, false
	}
	day, _, valid := civil(y, m, d)
	if !valid {
		return t, false, false
	}
	return day.Add(clock), true, ambiguous
}

// evidence tells which order an unambiguous nn-nn-yy value proves: +1 day-first, -1 month-first, 0 none.
func evidence(s string) int {
	datePart, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	sep := "-"
	if strings.Contains(datePart, "/") {
		sep = "/"
	}
	f := strings.Split(datePart, sep)
	if len(f) != 3 || len(f[0]) == 4 {
		return 0
	}
	a, _ := digits(f[0])
	b, _ := digits(f[1])
	switch {
	case a > 12 && b <= 12:
		return 1
	case b > 12 && a <= 12:
		return -1
	}
	return 0
}
