package main

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
)

// The undo's selector is checked once, by the engine (before it connects), and its errors read
// as the flags that gave them.
func TestExitsUndoFlagsNeedExactlyOneSelector(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags exitsUndoFlags
		run   int64
		err   string
	}{
		{"run", exitsUndoFlags{runText: "17", actor: "A"}, 17, ""},
		{"household", exitsUndoFlags{household: "H1", actor: "A"}, 0, ""},
		{"household of a project", exitsUndoFlags{household: "H1", project: "P1", actor: "A"}, 0, ""},
		{"enrollment", exitsUndoFlags{enrollment: "E1", actor: "A"}, 0, ""},
		{"no actor", exitsUndoFlags{runText: "17"}, 17, "--actor is required: the HMIS staff member who undoes the exits"},
		{"project alone", exitsUndoFlags{project: "P1", enrollment: "E1", actor: "A"}, 0, "--project goes with --household: it names the project of the household to undo"},
		{"run not a number", exitsUndoFlags{runText: "x", actor: "A"}, 0, `--run "x": not a run ID`},
		{"run zero", exitsUndoFlags{runText: "0", actor: "A"}, 0, `--run "0": not a run ID`},
		{"none", exitsUndoFlags{actor: "A"}, 0, "give exactly one of --run ID, --household ID, --enrollment ID"},
		{"two", exitsUndoFlags{runText: "17", enrollment: "E1", actor: "A"}, 17, "give exactly one of --run ID, --household ID, --enrollment ID"},
	} {
		run, err := tc.flags.check()
		if err == nil && tc.err != "" {
			// The engine refuses before it touches the database (nil pool).
			_, err = engine.Undo(context.Background(), nil, tc.flags.undoOptions(run, nil))
			assert.ErrorIs(t, err, engine.ErrInvalid, tc.name)
		}
		if tc.err == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.Equal(t, tc.err, cliMessage(err), tc.name)
		}
		if err == nil || tc.run != 0 {
			assert.Equal(t, tc.run, run, tc.name)
		}
	}
}

func TestExitsRunFlagsResumeKeepsTheRunsMethod(t *testing.T) {
	o := exitsRunFlags{method: string(engine.MethodAuto), actor: "A", runID: 17}
	assert.Equal(t, engine.Method(""), o.runOptions(time.Time{}, nil, false).Method)
	assert.Equal(t, engine.MethodAuto, o.runOptions(time.Time{}, nil, true).Method)
	o.runID = 0
	assert.Equal(t, engine.MethodAuto, o.runOptions(time.Time{}, nil, false).Method)
}

func TestPolicySetFlagsNeedExactlyOneScope(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		scope engine.Scope
		id    string
		err   string
	}{
		{[]string{"--project", "1362"}, engine.ScopeProject, "1362", ""},
		{[]string{"--organization", "41"}, engine.ScopeOrganization, "41", ""},
		{[]string{"--project-type", "1"}, engine.ScopeProjectType, "1", ""},
		{[]string{"--default"}, engine.ScopeDefault, "", ""},
		{nil, "", "", "give exactly one scope: --project ID, --organization ID, --project-type N or --default"},
		{[]string{"--project", "1", "--default"}, "", "", "give exactly one scope: --project ID, --organization ID, --project-type N or --default (given: --project, --default)"},
		{[]string{"--default=false"}, "", "", "--default=false: give another scope instead"},
	} {
		o := &policySetFlags{}
		f := pflag.NewFlagSet("set", pflag.ContinueOnError)
		f.StringVar(&o.project, "project", "", "")
		f.StringVar(&o.organization, "organization", "", "")
		f.StringVar(&o.projectType, "project-type", "", "")
		f.BoolVar(&o.isDefault, "default", false, "")
		assert.NoError(t, f.Parse(tc.args))
		scope, id, err := o.scope(f)
		if tc.err == "" {
			assert.NoError(t, err, tc.args)
		} else {
			assert.EqualError(t, err, tc.err, tc.args)
		}
		assert.Equal(t, tc.scope, scope, tc.args)
		assert.Equal(t, tc.id, id, tc.args)
	}
}

func TestParseExitDefaults(t *testing.T) {
	got, err := parseExitDefaults([]string{"Destination=435", "DestinationSubsidyType=", "OtherDestination=a=b"})
	assert.NoError(t, err)
	assert.Equal(t, []engine.ExitDefault{{Field: "Destination", Value: "435"}, {Field: "DestinationSubsidyType", Value: ""},
		{Field: "OtherDestination", Value: "a=b"}}, got)
	got, err = parseExitDefaults(nil)
	assert.NoError(t, err)
	assert.Nil(t, got)
	_, err = parseExitDefaults([]string{"Destination"})
	assert.EqualError(t, err, `--exit-default "Destination": want FIELD=VALUE (FIELD= removes the default), e.g. Destination=30`)
}
