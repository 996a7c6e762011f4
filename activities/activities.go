package activities

import (
	"time"

	"github.com/exitflow/exitflow/internal/notify"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
)

// Activities are exitflow's Temporal activities: thin calls of the engine, contacts, notify and
// dqm packages that take the workflows' payloads and return IDs and counts (SPEC S1).
type Activities struct {
	Pool     *pgxpool.Pool
	Mailer   *notify.Mailer
	Location *time.Location   // the CoC's time zone (nil: UTC)
	Now      func() time.Time // nil: time.Now
	Temporal client.Client    // for the follow-up DQM schedule (SPEC AG7)
	// TaskQueue is the task queue of the scheduled follow-up runs ("": workflows.TaskQueue).
	TaskQueue string
	// BatchHouseholds is the households an exit run writes per transaction (0: the engine's default).
	BatchHouseholds int
}

// loc is the CoC's time zone.
func (a *Activities) loc() *time.Location {
	if a.Location == nil {
		return time.UTC
	}
	return a.Location
}

// today is the calendar date in the CoC time zone, as a UTC midnight (the engine's dates).
func (a *Activities) today() time.Time {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	y, m, d := now().In(a.loc()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// day parses a YYYY-MM-DD date of a payload.
func day(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
