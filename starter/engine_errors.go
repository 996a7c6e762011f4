package main

import (
	"errors"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
)

// flagOf is the CLI flag of each engine input field.
var flagOf = map[engine.Field]string{
	engine.FieldAsOf:           "--as-of",
	engine.FieldProjectID:      "--project",
	engine.FieldOrganizationID: "--organization",
	engine.FieldProjectType:    "--project-type",
	engine.FieldDefault:        "--default",
	engine.FieldMethod:         "--method",
	engine.FieldWindowDays:     "--window-days",
	engine.FieldAllOpen:        "--all-open",
	engine.FieldAutoExitDays:   "--auto-exit-days",
	engine.FieldAlertDays:      "--alert-days",
	engine.FieldNoAlert:        "--no-alert",
	engine.FieldOff:            "--off",
	engine.FieldNbnBenchmark:   "--nbn-benchmark",
	engine.FieldExitDefault:    "--exit-default",
	engine.FieldActor:          "--actor",
	engine.FieldRunID:          "--run",
	engine.FieldHouseholdID:    "--household",
	engine.FieldEnrollmentID:   "--enrollment",
	engine.FieldSince:          "--since",
	engine.FieldForce:          "--force",
	engine.FieldYes:            "--yes",
}

// flagName renders an engine field and its value as the flag that gave it ("--project 12").
func flagName(f engine.Field, value string) string {
	name, ok := flagOf[f]
	if !ok {
		name = string(f)
	}
	return strings.TrimSpace(name + " " + value)
}

// cliMessage is err's text for the command line: an engine error that names input fields
// (engine.Renderer) names the flags instead, wherever it sits in the chain of wrapped errors.
func cliMessage(err error) string {
	var r engine.Renderer
	if !errors.As(err, &r) {
		return err.Error()
	}
	return strings.Replace(err.Error(), r.Error(), r.Render(flagName), 1)
}
