package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkInvalid asserts that err is nil (field "") or an InvalidError about field.
func checkInvalid(t *testing.T, err error, field Field) {
	t.Helper()
	if field == "" {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)
	var inv *InvalidError
	require.True(t, errors.As(err, &inv))
	assert.Equal(t, field, inv.Field, err.Error())
}

// The policy checks are pure functions: these cases need no database (SPEC P3, P4, P5).
func TestPolicyChecks_NoDatabase(t *testing.T) {
	n := func(i int) *int { return &i }
	t.Run("checkChange", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			c     PolicyChange
			field Field
		}{
			{"valid", PolicyChange{Scope: ScopeProject, ScopeID: "P1", AutoExitDays: n(90), Actor: "Pat"}, ""},
			{"no actor", PolicyChange{Scope: ScopeProject, ScopeID: "P1", AutoExitDays: n(90), Actor: "  "}, FieldActor},
			{"project without ID", PolicyChange{Scope: ScopeProject, AutoExitDays: n(90), Actor: "Pat"}, FieldProjectID},
			{"default with ID", PolicyChange{Scope: ScopeDefault, ScopeID: "x", AutoExitDays: n(90), Actor: "Pat"}, FieldDefault},
			{"off and days", PolicyChange{Scope: ScopeDefault, Off: true, AutoExitDays: n(90), Actor: "Pat"}, FieldOff},
			{"no alert and alert days", PolicyChange{Scope: ScopeDefault, NoAlert: true, AlertDays: n(10), Actor: "Pat"}, FieldNoAlert},
			{"window too short (P3)", PolicyChange{Scope: ScopeDefault, AutoExitDays: n(MinAutoExitDays - 1), Actor: "Pat"}, FieldAutoExitDays},
			{"alert days zero", PolicyChange{Scope: ScopeDefault, AlertDays: n(0), Actor: "Pat"}, FieldAlertDays},
			{"unknown benchmark (P4)", PolicyChange{Scope: ScopeDefault, NbnBenchmark: "last-night", Actor: "Pat"}, FieldNbnBenchmark},
			{"nothing to set", PolicyChange{Scope: ScopeDefault, Actor: "Pat"}, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := checkChange(c.c)
				if c.name == "nothing to set" { // an InvalidError with no field of its own
					assert.ErrorIs(t, err, ErrInvalid)
					return
				}
				checkInvalid(t, err, c.field)
			})
		}
		assert.NotErrorIs(t, checkChange(PolicyChange{Scope: "county", Actor: "Pat", AutoExitDays: n(90)}), ErrInvalid,
			"an unknown scope is the caller's error, not an input")
	})
	t.Run("apply", func(t *testing.T) {
		old := &PolicyValues{AutoExitDays: n(90), AlertDays: n(80), NbnBenchmark: BenchmarkLastBedNight}
		_, err := PolicyChange{AlertDays: n(90)}.apply(old)
		checkInvalid(t, err, FieldAlertDays) // the alert comes before the exit
		_, err = PolicyChange{AutoExitDays: n(60)}.apply(old)
		checkInvalid(t, err, FieldAutoExitDays) // the stored alert (80) is not below the new window
		_, err = PolicyChange{AlertDays: n(10)}.apply(nil)
		checkInvalid(t, err, FieldAlertDays) // no window at a new scope
		v, err := PolicyChange{AutoExitDays: n(60), NoAlert: true}.apply(old)
		require.NoError(t, err)
		assert.Equal(t, PolicyValues{AutoExitDays: n(60), NbnBenchmark: BenchmarkLastBedNight, ExitDefaults: map[string]any{}}, v)
	})
	t.Run("exitDefault", func(t *testing.T) {
		for _, c := range []struct {
			d     ExitDefault
			field Field
			name  string
			value any
		}{
			{ExitDefault{"Destination", "435"}, "", "Destination", 435},
			{ExitDefault{" Destination ", " 435 "}, "", "Destination", 435},
			{ExitDefault{"OtherDestination", "  shelter  "}, "", "OtherDestination", "shelter"}, // stored trimmed
			{ExitDefault{"Destination", ""}, "", "Destination", nil},                            // removes the default
			{ExitDefault{"NoSuchColumn", "1"}, FieldExitDefault, "", nil},
			{ExitDefault{"ExitDate", "2026-01-01"}, FieldExitDefault, "", nil},  // set by the engine
			{ExitDefault{"Destination", "x"}, FieldExitDefault, "", nil},        // not a whole number
			{ExitDefault{"Destination", "999"}, FieldExitDefault, "", nil},      // not a HUD code
			{ExitDefault{"ExchangeForSex", "2"}, FieldExitDefault, "", nil},     // not a No/Yes code
			{ExitDefault{"OtherDestination", "   "}, FieldExitDefault, "", nil}, // spaces only
		} {
			name, val, err := exitDefault(c.d)
			checkInvalid(t, err, c.field)
			assert.Equal(t, c.name, name, "%v", c.d)
			assert.Equal(t, c.value, val, "%v", c.d)
		}
	})
	t.Run("checkExitDefaults", func(t *testing.T) {
		for _, c := range []struct {
			m     map[string]any
			field Field
		}{
			{map[string]any{}, ""},
			{map[string]any{"Destination": 435, "DestinationSubsidyType": 419}, ""},
			{map[string]any{"Destination": 17.0, "OtherDestination": "x"}, ""}, // a float64 as read back from jsonb
			{map[string]any{"Destination": 435}, FieldExitDefault},
			{map[string]any{"DestinationSubsidyType": 419}, FieldExitDefault},
			{map[string]any{"Destination": 17}, FieldExitDefault},
			{map[string]any{"Destination": 101, "OtherDestination": "x"}, FieldExitDefault},
		} {
			checkInvalid(t, checkExitDefaults(c.m), c.field)
		}
	})
}
