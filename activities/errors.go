package activities

import (
	"errors"
	"fmt"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/temporal"
)

// The one place errors become Temporal's: input the database refuses is a non-retryable
// InvalidInput naming the JSON field; other errors retrying cannot cure (engine.Permanent,
// notify.Permanent) are non-retryable Permanent; everything else (a lost connection, a busy
// exits lock, SMTP down) is returned as is, and Temporal retries it with backoff (issue 10).

// invalid is a refused input: its message names the JSON field (SPEC AG1).
func invalid(field, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(field+": "+fmt.Sprintf(format, args...), workflows.ErrInvalidInput, nil)
}

// jsonFields names the engine's fields as the agreement input does.
var jsonFields = map[engine.Field]string{
	engine.FieldProjectID: "project_ids", engine.FieldOrganizationID: "organization_id",
	engine.FieldAutoExitDays: "auto_exit_days", engine.FieldAlertDays: "alert_days",
	engine.FieldWindowDays: "window_days", engine.FieldAllOpen: "all_open", engine.FieldMethod: "method",
	engine.FieldActor: "hmis_staff", engine.FieldAsOf: "as_of", engine.FieldKey: "agreement_id",
}

// jsonName renders an engine field and its value with the input's JSON name.
func jsonName(f engine.Field, v string) string {
	name, ok := jsonFields[f]
	if !ok {
		name = string(f)
	}
	if v == "" {
		return name
	}
	return name + " " + v
}

// classify maps err (what failed: doing) to a Temporal error; nil stays nil.
func classify(doing string, err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return err
	}
	msg := doing + ": " + err.Error()
	if r, ok := errors.AsType[engine.Renderer](err); ok {
		msg = doing + ": " + r.Render(jsonName)
	}
	switch {
	case errors.Is(err, engine.ErrInvalid), errors.Is(err, contacts.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(msg, workflows.ErrInvalidInput, err)
	case engine.Permanent(err), notify.Permanent(err):
		return temporal.NewNonRetryableApplicationError(msg, workflows.ErrPermanent, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
