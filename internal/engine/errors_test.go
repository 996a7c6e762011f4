package engine

import (
	"errors"
	"fmt"
	"testing"
)

func TestInvalidErrorRendersFieldsForEachCaller(t *testing.T) {
	flag := func(f Field, v string) string {
		name := map[Field]string{FieldAutoExitDays: "--auto-exit-days", FieldOff: "--off", FieldAlertDays: "--alert-days"}[f]
		if v == "" {
			return name
		}
		return name + " " + v
	}
	for _, tc := range []struct {
		err          *InvalidError
		engine, flag string
	}{
		{Invalid(FieldAutoExitDays, 20, "must be %d or more", 30), "AutoExitDays 20: must be 30 or more", "--auto-exit-days 20: must be 30 or more"},
		{Invalid(FieldAlertDays, 10, "auto exit is off: give {AutoExitDays} N too"), "AlertDays 10: auto exit is off: give AutoExitDays N too",
			"--alert-days 10: auto exit is off: give --auto-exit-days N too"},
		{Conflict(FieldOff, nil, FieldAutoExitDays, 90, "give one or the other ({Off} switches auto exit off)"),
			"Off and AutoExitDays 90: give one or the other (Off switches auto exit off)",
			"--off and --auto-exit-days 90: give one or the other (--off switches auto exit off)"},
	} {
		if got := tc.err.Error(); got != tc.engine {
			t.Errorf("Error() = %q, want %q", got, tc.engine)
		}
		if got := tc.err.Render(flag); got != tc.flag {
			t.Errorf("Render(flag) = %q, want %q", got, tc.flag)
		}
		wrapped := fmt.Errorf("setting a policy: %w", tc.err)
		var ie *InvalidError
		if !errors.Is(wrapped, ErrInvalid) || !errors.As(wrapped, &ie) {
			t.Errorf("%v is not ErrInvalid", wrapped)
		}
	}
}
