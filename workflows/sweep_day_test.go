package workflows

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
)

// dayCases are schedule nominal times, written in UTC (offsets worked out by hand), and the CoC day
// in New York they stand for: around both DST changes and around midnight.
var dayCases = []struct {
	name    string
	nominal time.Time
	want    string
}{
	// 2027-03-14: 02:00 EST jumps to 03:00 EDT; 05:00 EDT is 09:00 UTC.
	{"spring forward 05:00 EDT", time.Date(2027, 3, 14, 9, 0, 0, 0, time.UTC), "2027-03-14"},
	// 00:15 EST on the change's day (before it) is 05:15 UTC: the same date.
	{"spring forward 00:15 EST", time.Date(2027, 3, 14, 5, 15, 0, 0, time.UTC), "2027-03-14"},
	// 23:30 EST the night before is 04:30 UTC on the 14th: still the 13th in New York.
	{"spring forward eve 23:30 EST", time.Date(2027, 3, 14, 4, 30, 0, 0, time.UTC), "2027-03-13"},
	// 2026-11-01: 02:00 EDT falls back to 01:00 EST; 05:00 EST is 10:00 UTC.
	{"fall back 05:00 EST", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), "2026-11-01"},
	// 01:30 happens twice: 05:30 UTC (EDT) and 06:30 UTC (EST), both on the 1st.
	{"fall back 01:30 EDT", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), "2026-11-01"},
	{"fall back 01:30 EST", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), "2026-11-01"},
	// 23:30 EST on the change's day is 04:30 UTC on the 2nd.
	{"fall back 23:30 EST", time.Date(2026, 11, 2, 4, 30, 0, 0, time.UTC), "2026-11-01"},
	// 00:15 EDT on the change's day is 04:15 UTC the same date; 23:30 EDT the night before is 03:30 UTC on the 1st.
	{"fall back 00:15 EDT", time.Date(2026, 11, 1, 4, 15, 0, 0, time.UTC), "2026-11-01"},
	{"fall back eve 23:30 EDT", time.Date(2026, 11, 1, 3, 30, 0, 0, time.UTC), "2026-10-31"},
	// Winter midnight: 23:30 EST on Dec 1st is 04:30 UTC Dec 2nd; 00:15 EST Dec 2nd is 05:15 UTC.
	{"winter 23:30 EST", time.Date(2026, 12, 2, 4, 30, 0, 0, time.UTC), "2026-12-01"},
	{"winter 00:15 EST", time.Date(2026, 12, 2, 5, 15, 0, 0, time.UTC), "2026-12-02"},
	// A nominal time already carrying another zone: the instant counts, not its zone.
	{"in Tokyo 00:15 JST", time.Date(2026, 12, 2, 0, 15, 0, 0, time.FixedZone("JST", 9*3600)), "2026-12-01"},
}

// newYork is the sweep tests' CoC time zone.
func newYork(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduledDay(t *testing.T) {
	loc := newYork(t)
	for _, c := range dayCases {
		if got := ScheduledDay(c.nominal, loc); got != c.want {
			t.Errorf("%s: ScheduledDay(%s) = %s, want %s", c.name, c.nominal.UTC().Format(time.RFC3339), got, c.want)
		}
	}
	// Tokyo's own day of 00:15 JST, and no zone at all (UTC).
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if got := ScheduledDay(time.Date(2026, 12, 1, 15, 15, 0, 0, time.UTC), tokyo); got != "2026-12-02" {
		t.Errorf("Tokyo: %s", got)
	}
	if got := ScheduledDay(time.Date(2026, 12, 2, 4, 30, 0, 0, time.UTC), nil); got != "2026-12-02" {
		t.Errorf("nil zone: %s", got)
	}
}

// runScheduled runs a sweep whose nominal start time is nominal, with the test clock elsewhere
// (sweepStart: 2026-12-02 10:00 UTC), and returns BeginSweep's input.
func runScheduled(t *testing.T, nominal time.Time, in SweepInput) SweepBeginInput {
	t.Helper()
	h := newSweepHarness(t, 1)
	h.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(scheduledStart.ValueSet(nominal)))
	h.run(in)
	if len(h.begins) != 1 {
		t.Fatalf("BeginSweep calls %d", len(h.begins))
	}
	return h.begins[0]
}

// TestSweepScheduledAsOf: a scheduled sweep asks BeginSweep for the nominal time's day in the
// input's time zone, never the clock's.
func TestSweepScheduledAsOf(t *testing.T) {
	for _, c := range dayCases {
		t.Run(c.name, func(t *testing.T) {
			got := runScheduled(t, c.nominal, SweepInput{TimeZone: "America/New_York"})
			if got.AsOf != c.want {
				t.Fatalf("as of %s, want %s", got.AsOf, c.want)
			}
		})
	}
}

// TestSweepScheduledWithoutTimeZone: no time zone: BeginSweep gets the nominal time to read in the
// worker's zone.
func TestSweepScheduledWithoutTimeZone(t *testing.T) {
	n := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	got := runScheduled(t, n, SweepInput{})
	if got.AsOf != "" || got.Scheduled == nil || !got.Scheduled.Equal(n) {
		t.Fatalf("begin %+v", got)
	}
}

// TestSweepAsOfWinsOverSchedule: an explicit as-of date is used as it is, even on a scheduled run.
func TestSweepAsOfWinsOverSchedule(t *testing.T) {
	got := runScheduled(t, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), SweepInput{AsOf: "2026-10-15", TimeZone: "America/New_York"})
	if got.AsOf != "2026-10-15" || got.Scheduled != nil {
		t.Fatalf("begin %+v", got)
	}
}
