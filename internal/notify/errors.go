package notify

import (
	"errors"
	"fmt"
	"strings"
)

// The activities layer maps errors with Permanent: a permanent error ends an activity's retries
// (temporal.NewNonRetryableApplicationError), any other is retried with backoff, and a retry of
// Send with the same key never sends a message twice.

// ErrNotFound is what Get and Render return (errors.Is) for an ID that names no notification.
var ErrNotFound = errors.New("no such notification")

// InvalidError is a message that cannot be sent as given (no key, no subject, an address that is
// not one): retrying cannot fix it.
type InvalidError struct {
	Field  string // the Message field: Key, Kind, To, Subject, Text, Attachments
	Reason string
}

// Error names the field and the reason.
func (e *InvalidError) Error() string { return "notification " + e.Field + ": " + e.Reason }

// ConflictError is an idempotency key that is already recorded for another message: a bug in the
// caller's choice of keys, which retrying cannot fix.
type ConflictError struct {
	Key    string
	ID     int64    // the notification recorded with the key
	Fields []string // what differs: To, Kind, Subject, Text, HTML, About, Attachments
}

// Error names the key, its notification and what differs.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("idempotency key %q is notification %d, which differs in %s: a key names one message; give this one a key of its own",
		e.Key, e.ID, strings.Join(e.Fields, ", "))
}

// DeliveryError is a delivery the SMTP server did not take. It is recorded on the notification
// (status failed, last_error) before Send returns it.
type DeliveryError struct {
	ID      int64
	Key     string
	To      string
	Attempt int
	// Refused: the server refused the message for good (a 5xx reply such as an unknown recipient);
	// anything else (no connection, a timeout, a 4xx reply) may pass on a later attempt.
	Refused bool
	Err     error
}

// Error names the notification, its recipient, the attempt and the cause.
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("notification %d (key %q) to %s %s on attempt %d: %v", e.ID, e.Key, e.To, e.what(), e.Attempt, e.Err)
}

// what says what became of the delivery.
func (e *DeliveryError) what() string {
	if e.Refused {
		return "was refused"
	}
	return "could not be delivered"
}

// Unwrap is the SMTP error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Permanent reports whether retrying err cannot help: an invalid message, a reused key, or a
// delivery the server refused for good. Database and connection errors are not permanent.
func Permanent(err error) bool {
	var inv *InvalidError
	var conflict *ConflictError
	var de *DeliveryError
	switch {
	case errors.As(err, &inv), errors.As(err, &conflict):
		return true
	case errors.As(err, &de):
		return de.Refused
	}
	return false
}

// Retryable reports whether err is an error a later Send with the same key may overcome.
func Retryable(err error) bool { return err != nil && !Permanent(err) }
