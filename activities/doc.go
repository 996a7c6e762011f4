// Package activities holds the Temporal activities that call the exit engine (internal/) and the
// outside world (PostgreSQL, SMTP). Activities are idempotent: a retry never exits or mails twice.
package activities
