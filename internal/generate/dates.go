package generate

import (
	"fmt"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

// day is a calendar date as days since 1970-01-01.
type day int32

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// calendar formats dates and timestamps of the export's time span without allocating per date.
type calendar struct {
	lo, hi day
	dates  []string // dates[d-lo]
	clock  []string // office-hours times of day, 08:00:00–11:59:xx
}

func newCalendar(lo, hi day) *calendar {
	c := &calendar{lo: lo, hi: hi, dates: make([]string, hi-lo+1)}
	for d := lo; d <= hi; d++ {
		c.dates[d-lo] = d.time().Format(hmis.DateLayout)
	}
	for h := 8; h < 12; h++ {
		for m := 0; m < 60; m++ {
			c.clock = append(c.clock, fmt.Sprintf("%02d:%02d:%02d", h, m, (m*37+h*11)%60))
		}
	}
	return c
}

// date is the HUD text of d.
func (c *calendar) date(d day) string {
	if d >= c.lo && d <= c.hi {
		return c.dates[d-c.lo]
	}
	return d.time().Format(hmis.DateLayout)
}

// at is the HUD datetime text of day d at office-hours time slot i (any int; taken modulo).
// Every slot is before 12:00:00, the export time, so a record stamped on the as-of date is never
// after the export (SPEC section 2, CSV conventions; brief: DateCreated ≤ ExportDate).
func (c *calendar) at(d day, i int) string {
	if i < 0 {
		i = -i
	}
	return c.date(d) + " " + c.clock[i%len(c.clock)]
}
