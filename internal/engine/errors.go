package engine

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is what every InvalidError is (errors.Is): an input the engine refuses, which
// retrying cannot fix.
var ErrInvalid = errors.New("invalid input")

// Field names an input of the engine: a HUD column (Destination) or an option (AutoExitDays,
// AsOf, ProjectID). Callers map it to their own vocabulary (the CLI to its flags).
type Field string

// The engine's input fields.
const (
	FieldAsOf           Field = "AsOf"
	FieldProjectID      Field = "ProjectID"
	FieldOrganizationID Field = "OrganizationID"
	FieldProjectType    Field = "ProjectType"
	FieldDefault        Field = "Default"
	FieldMethod         Field = "Method"
	FieldWindowDays     Field = "WindowDays"
	FieldAllOpen        Field = "AllOpen"
	FieldAutoExitDays   Field = "AutoExitDays"
	FieldAlertDays      Field = "AlertDays"
	FieldNoAlert        Field = "NoAlert"
	FieldOff            Field = "Off"
	FieldNbnBenchmark   Field = "NbnBenchmark"
	FieldExitDefault    Field = "ExitDefault"
	FieldActor          Field = "Actor"
	FieldRunID          Field = "RunID"
	FieldHouseholdID    Field = "HouseholdID"
	FieldEnrollmentID   Field = "EnrollmentID"
	FieldKey            Field = "Key" // an idempotency key (a workflow: its ID and step)
	FieldSince          Field = "Since"
	FieldForce          Field = "Force"
	FieldYes            Field = "Yes" // the confirmation a change that exits households now needs (SPEC P7)
)

// Renderer is an engine error whose text names engine fields: Render names them as the caller
// does (the CLI as its flags); Error names them as the engine does.
type Renderer interface {
	error
	Render(name func(f Field, value string) string) string
}

// plainName is the engine's own rendering of a field and its value.
func plainName(f Field, v string) string { return strings.TrimSpace(string(f) + " " + v) }

// renderFields replaces each {Field} of text with name(field, "").
func renderFields(text string, name func(f Field, value string) string) string {
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			return text
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return text
		}
		text = text[:i] + name(Field(text[i+1:i+j]), "") + text[i+j+1:]
	}
}

// fieldText is an error of fixed text that names fields as {Field}.
type fieldText string

func (t fieldText) Error() string { return renderFields(string(t), plainName) }

// Render names the fields as name does.
func (t fieldText) Render(name func(f Field, value string) string) string {
	return renderFields(string(t), name)
}

// InvalidError is an input the engine refuses: the field, the value given and the reason. The
// reason may name other fields as {Field} (for example "give {AutoExitDays} too"): Error renders
// them as field names, a caller's Render as its own names for them.
type InvalidError struct {
	Field  Field
	Value  string // as given; "" when the field has no value (a switch, or a missing input)
	Reason string
	// And is a second field the error is about (two inputs that conflict), or "".
	And      Field
	AndValue string
}

// Invalid returns an InvalidError; reason is a format for args.
func Invalid(field Field, value any, reason string, args ...any) *InvalidError {
	v := ""
	if value != nil {
		v = fmt.Sprint(value)
	}
	return &InvalidError{Field: field, Value: v, Reason: fmt.Sprintf(reason, args...)}
}

// Error renders the error with the engine's field names.
func (e *InvalidError) Error() string { return e.Render(plainName) }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Render renders the error with name(field, value) for the field and for each {Field} of the
// reason (with an empty value): "<field value>: <reason>", "<field value> <reason>" when the
// reason reads on from it ("is …", "has …", "takes …", "needs …", "are …"), or the reason alone without a field.
func (e *InvalidError) Render(name func(f Field, value string) string) string {
	reason := renderFields(e.Reason, name)
	if e.Field == "" {
		return reason
	}
	subject := name(e.Field, e.Value)
	if e.And != "" {
		subject += " and " + name(e.And, e.AndValue)
	}
	for _, verb := range []string{"is ", "has ", "takes ", "needs ", "are "} { // "AsOf 2001-01-01 is before the data starts"
		if strings.HasPrefix(reason, verb) {
			return subject + " " + reason
		}
	}
	return subject + ": " + reason
}

// Conflict returns an InvalidError about two inputs given together that exclude each other.
func Conflict(a Field, av any, b Field, bv any, reason string, args ...any) *InvalidError {
	e := Invalid(a, av, reason, args...)
	e.And = b
	if bv != nil {
		e.AndValue = fmt.Sprint(bv)
	}
	return e
}

// NotFoundError is returned for a run, household or enrollment that has nothing to act on.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }
