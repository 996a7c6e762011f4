package engine_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

// Activities decide from engine.Permanent whether Temporal retries: wrapped or not, each engine
// error is classified, and the database's transient failures are retried.
func TestPermanentClassifiesEngineAndDatabaseErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("activity: %w", err) }
	for _, c := range []struct {
		err       error
		permanent bool
	}{
		{engine.Invalid(engine.FieldAlertDays, 0, "is not a number of days"), true},
		{&engine.MismatchError{Action: "exit run 1"}, true},
		{&engine.NotFoundError{Msg: "exit run 9 does not exist"}, true},
		{&engine.PersonWrittenError{}, true},
		{&engine.EditedError{}, true},
		{&engine.AmbiguousHouseholdError{}, true},
		{&engine.UnknownActionError{Action: "x"}, true},
		{&engine.ExitIDTakenError{RunID: 1, Count: 1, ExitID: "EF1-1"}, true},
		{engine.ErrNotConfirmed, true},
		{engine.ErrNoWindow, true},
		{&pgconn.PgError{Code: pgerrcode.UniqueViolation}, true},
		{&pgconn.PgError{Code: pgerrcode.InvalidDatetimeFormat}, true},
		{&pgconn.PgError{Code: pgerrcode.UndefinedTable}, true},
		{&engine.BusyError{RunID: 3}, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{&pgconn.PgError{Code: pgerrcode.SerializationFailure}, false},
		{&pgconn.PgError{Code: pgerrcode.DeadlockDetected}, false},
		{&pgconn.PgError{Code: pgerrcode.AdminShutdown}, false},
		{&pgconn.PgError{Code: pgerrcode.ConnectionFailure}, false},
		{errors.New("unexpected EOF"), false},
		{nil, false},
	} {
		assert.Equal(t, c.permanent, engine.Permanent(c.err), "%T %v", c.err, c.err)
		if c.err != nil {
			assert.Equal(t, c.permanent, engine.Permanent(wrap(c.err)), "wrapped %T", c.err)
		}
	}
}
