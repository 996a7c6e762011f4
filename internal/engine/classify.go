package engine

import (
	"errors"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
)

// Permanent reports whether err is one that calling again with the same input cannot cure:
// invalid input (ErrInvalid, a MismatchError), nothing to act on, exits people wrote or that
// were edited, an ambiguous household, a change not confirmed, and PostgreSQL's data, integrity
// and syntax errors. Everything else may pass on a retry: a busy exits lock, a cancelled
// context, a lost connection, a deadlock or serialization failure, a server shutting down.
// Temporal activities turn the permanent ones into non-retryable errors.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var (
		notFound  *NotFoundError
		people    *PersonWrittenError
		edited    *EditedError
		ambiguous *AmbiguousHouseholdError
		action    *UnknownActionError
		taken     *ExitIDTakenError
		pg        *pgconn.PgError
	)
	switch {
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrNotConfirmed), errors.Is(err, ErrNoWindow),
		errors.As(err, &notFound), errors.As(err, &people), errors.As(err, &edited),
		errors.As(err, &ambiguous), errors.As(err, &action), errors.As(err, &taken):
		return true
	case errors.As(err, &pg):
		return pgerrcode.IsDataException(pg.Code) || pgerrcode.IsIntegrityConstraintViolation(pg.Code) ||
			pgerrcode.IsSyntaxErrororAccessRuleViolation(pg.Code)
	}
	return false
}
