package engine_test

import (
	"errors"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
)

// testFlags names engine fields the way the CLI does (starter/engine_errors.go), so that the
// tests keep the messages users read.
var testFlags = map[engine.Field]string{
	engine.FieldAsOf: "--as-of", engine.FieldProjectID: "--project", engine.FieldOrganizationID: "--organization",
	engine.FieldProjectType: "--project-type", engine.FieldDefault: "--default", engine.FieldMethod: "--method",
	engine.FieldWindowDays: "--window-days", engine.FieldAllOpen: "--all-open", engine.FieldAutoExitDays: "--auto-exit-days",
	engine.FieldAlertDays: "--alert-days", engine.FieldNoAlert: "--no-alert", engine.FieldOff: "--off",
	engine.FieldNbnBenchmark: "--nbn-benchmark", engine.FieldExitDefault: "--exit-default", engine.FieldActor: "--actor",
	engine.FieldRunID: "--run", engine.FieldHouseholdID: "--household", engine.FieldForce: "--force", engine.FieldYes: "--yes",
}

// asFlags is err's text with the fields named as flags.
func asFlags(err error) string {
	var r engine.Renderer
	if !errors.As(err, &r) {
		return err.Error()
	}
	return strings.Replace(err.Error(), r.Error(), r.Render(func(f engine.Field, v string) string {
		return strings.TrimSpace(testFlags[f] + " " + v)
	}), 1)
}
