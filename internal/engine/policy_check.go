package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/exitflow/exitflow/internal/hmis"
)

// scopeField is the input field that names a scope, for messages.
func scopeField(scope Scope) Field {
	return map[Scope]Field{ScopeProject: FieldProjectID, ScopeOrganization: FieldOrganizationID,
		ScopeProjectType: FieldProjectType}[scope] // "" for the default scope: a field of its own
}

// exitDefaultExcluded are the Exit columns a default may not set (SPEC P5: IDs, dates, audit columns).
var exitDefaultExcluded = map[string]bool{"ExitID": true, "EnrollmentID": true, "PersonalID": true, "ExitDate": true,
	"DateCreated": true, "DateUpdated": true, "UserID": true, "DateDeleted": true, "ExportID": true}

// noYesCodes are the HUD "No / Yes / Client doesn't know / prefers not to answer / not collected"
// fields of Exit.csv (R15 commercial sexual exploitation, R16 labor exploitation).
var noYesCodes = map[string]bool{"ExchangeForSex": true, "ExchangeForSexPastThreeMonths": true,
	"AskedOrForcedToExchangeForSex": true, "AskedOrForcedToExchangeForSexPastThreeMonths": true,
	"WorkplaceViolenceThreats": true, "WorkplacePromiseDifference": true, "CoercedToContinueWork": true,
	"LaborExploitPastThreeMonths": true}

// codeList renders a HUD code list, sorted, for messages.
func codeList(m map[int]bool) string {
	codes := slices.Sorted(maps.Keys(m))
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ", ")
}

// checkChange refuses inconsistent flags and values that are wrong whatever is stored (SPEC P3, P4).
func checkChange(c PolicyChange) error {
	if strings.TrimSpace(c.Actor) == "" {
		return Invalid(FieldActor, nil, "is required: name the person making the change (it is recorded in the policy history)")
	}
	switch c.Scope {
	case ScopeProject, ScopeOrganization, ScopeProjectType:
		if strings.TrimSpace(c.ScopeID) == "" {
			return Invalid(scopeField(c.Scope), nil, "give an ID")
		}
	case ScopeDefault:
		if c.ScopeID != "" {
			return Invalid(FieldDefault, nil, "takes no ID")
		}
	default:
		return fmt.Errorf("scope %q: want %s, %s, %s or %s", c.Scope, ScopeProject, ScopeOrganization, ScopeProjectType, ScopeDefault)
	}
	if c.Off && c.AutoExitDays != nil {
		return Conflict(FieldOff, nil, FieldAutoExitDays, *c.AutoExitDays, "give one or the other ({Off} switches auto exit off)")
	}
	if c.Off && c.AlertDays != nil {
		return Conflict(FieldOff, nil, FieldAlertDays, *c.AlertDays, "give one or the other (with auto exit off there is no alert)")
	}
	if c.NoAlert && c.AlertDays != nil {
		return Conflict(FieldNoAlert, nil, FieldAlertDays, *c.AlertDays, "give one or the other")
	}
	// SPEC P3
	if d := c.AutoExitDays; d != nil && *d < MinAutoExitDays {
		return Invalid(FieldAutoExitDays, *d, "must be %d or more (a shorter window is almost always a typing error that would mass-exit a project)", MinAutoExitDays)
	}
	if d := c.AlertDays; d != nil && *d < 1 {
		return Invalid(FieldAlertDays, *d, "must be 1 or more (and less than the auto-exit days)")
	}
	// SPEC P4
	if b := c.NbnBenchmark; b != "" && b != BenchmarkLastBedNight && b != BenchmarkLastActivity {
		return Invalid(FieldNbnBenchmark, strconv.Quote(b), "want %s or %s", BenchmarkLastBedNight, BenchmarkLastActivity)
	}
	if c.AutoExitDays == nil && c.AlertDays == nil && !c.NoAlert && !c.Off && c.NbnBenchmark == "" && len(c.ExitDefaults) == 0 {
		return Invalid("", nil, "nothing to set: give {AutoExitDays}, {AlertDays}, {NoAlert}, {Off}, {NbnBenchmark} or {ExitDefault}")
	}
	return nil
}

// apply returns the values of a scope after the change: old (nil: no row yet) with the given fields
// replaced, checked as a whole (SPEC P3, P5).
func (c PolicyChange) apply(old *PolicyValues) (PolicyValues, error) {
	v := PolicyValues{NbnBenchmark: BenchmarkLastBedNight, ExitDefaults: map[string]any{}}
	if old != nil {
		v.AutoExitDays, v.AlertDays, v.NbnBenchmark = old.AutoExitDays, old.AlertDays, old.NbnBenchmark
		maps.Copy(v.ExitDefaults, old.ExitDefaults)
	}
	switch {
	case c.Off:
		v.AutoExitDays, v.AlertDays = nil, nil
	case c.AutoExitDays != nil:
		d := *c.AutoExitDays
		v.AutoExitDays = &d
	}
	if c.NoAlert {
		v.AlertDays = nil
	}
	if c.AlertDays != nil {
		d := *c.AlertDays
		v.AlertDays = &d
	}
	if c.NbnBenchmark != "" {
		v.NbnBenchmark = c.NbnBenchmark
	}
	// SPEC P3: alert days < auto-exit days of the resulting policy.
	if v.AlertDays != nil {
		switch {
		case v.AutoExitDays == nil && c.AlertDays != nil:
			return v, Invalid(FieldAlertDays, *c.AlertDays, "auto exit is off at this scope and an alert needs an auto-exit window: give {AutoExitDays} N too")
		case v.AutoExitDays == nil: // an old alert without a window (not written by this code)
			v.AlertDays = nil
		case *v.AlertDays >= *v.AutoExitDays && c.AlertDays != nil:
			return v, Invalid(FieldAlertDays, *v.AlertDays, "must be less than the auto-exit days (%d): the alert comes before the exit", *v.AutoExitDays)
		case *v.AlertDays >= *v.AutoExitDays:
			return v, Invalid(FieldAutoExitDays, *v.AutoExitDays, "the alert at this scope is at %d days, which must be less: give {AlertDays} N (below %d) or {NoAlert} too", *v.AlertDays, *v.AutoExitDays)
		}
	}
	// SPEC P5
	for _, d := range c.ExitDefaults {
		name, val, err := exitDefault(d)
		if err != nil {
			return v, err
		}
		if val == nil {
			delete(v.ExitDefaults, name)
		} else {
			v.ExitDefaults[name] = val
		}
	}
	return v, checkExitDefaults(v.ExitDefaults)
}

// exitDefault checks one --exit-default FIELD=VALUE against the Exit.csv spec and returns the HUD
// column name and the JSON value (nil: remove). SPEC P5.
func exitDefault(d ExitDefault) (string, any, error) {
	fv := d.Field + "=" + d.Value // the field's value as given, FIELD=VALUE
	col, ok := hmis.Lookup("Exit").Col(strings.TrimSpace(d.Field))
	if !ok {
		return "", nil, Invalid(FieldExitDefault, fv, "%q is not a column of Exit.csv", d.Field)
	}
	if exitDefaultExcluded[col.Name] {
		return "", nil, Invalid(FieldExitDefault, fv, "%s cannot have a default (IDs, the exit date and audit columns are set by the engine)", col.Name)
	}
	if col.Legacy {
		return "", nil, Invalid(FieldExitDefault, fv, "%s is an FY2024-only column, not written in FY2026 exits", col.Name)
	}
	val := strings.TrimSpace(d.Value)
	if val == "" && d.Value != "" && col.Type == hmis.String {
		return "", nil, Invalid(FieldExitDefault, fmt.Sprintf("%s=%q", d.Field, d.Value), "the text is empty (spaces only): give the text, or %s= to remove the default",
			col.Name)
	}
	if val == "" {
		return col.Name, nil, nil
	}
	switch col.Type {
	case hmis.String:
		return col.Name, val, nil // stored trimmed
	case hmis.Integer:
		n, err := strconv.Atoi(val)
		if err != nil {
			return "", nil, Invalid(FieldExitDefault, fv, "%s is an integer HUD field: %q is not a whole number", col.Name, val)
		}
		switch {
		case col.Codes != "" && !hmis.Codes[col.Codes][n]:
			return "", nil, Invalid(FieldExitDefault, fv, "%d is not a HUD %s code (%s)", n, col.Codes, codeList(hmis.Codes[col.Codes]))
		case noYesCodes[col.Name] && !map[int]bool{0: true, 1: true, 8: true, 9: true, 99: true}[n]:
			return "", nil, Invalid(FieldExitDefault, fv, "%d is not a HUD code for %s (0, 1, 8, 9, 99)", n, col.Name)
		case n < 0:
			return "", nil, Invalid(FieldExitDefault, fv, "%s cannot be negative", col.Name)
		}
		return col.Name, n, nil
	}
	return "", nil, Invalid(FieldExitDefault, fv, "%s is a date: a fixed date is not a sensible default for every exit", col.Name)
}

// checkExitDefaults checks the HUD dependencies of a policy's exit defaults as a whole (SPEC 2, P5):
// DestinationSubsidyType when and only when Destination is 435, OtherDestination when and only
// when Destination is 17.
func checkExitDefaults(m map[string]any) error {
	dest, hasDest := m["Destination"]
	destIs := func(code int) bool { return hasDest && intValue(dest) == code }
	destText := "no Destination default (destination 30)"
	if hasDest {
		destText = fmt.Sprintf("the Destination default is %d", intValue(dest))
	}
	if s, ok := m["DestinationSubsidyType"]; ok && !destIs(435) {
		return Invalid(FieldExitDefault, fmt.Sprintf("DestinationSubsidyType=%v", s), "only allowed when the Destination default is 435 (%s); remove it with {ExitDefault} DestinationSubsidyType=", destText)
	}
	if _, ok := m["DestinationSubsidyType"]; destIs(435) && !ok {
		return Invalid(FieldExitDefault, "Destination=435", "needs {ExitDefault} DestinationSubsidyType=N too (HUD 3.12.A: %s)", codeList(hmis.Codes["DestinationSubsidyType"]))
	}
	if s, ok := m["OtherDestination"]; ok && !destIs(17) {
		return Invalid(FieldExitDefault, fmt.Sprintf("OtherDestination=%v", s), "only allowed when the Destination default is 17 (%s); remove it with {ExitDefault} OtherDestination=", destText)
	}
	if _, ok := m["OtherDestination"]; destIs(17) && !ok {
		return Invalid(FieldExitDefault, "Destination=17", "needs {ExitDefault} OtherDestination=TEXT too (the destination's description)")
	}
	return nil
}

// intValue reads an integer exit default: an int (built here) or a float64 (read back from jsonb).
func intValue(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	case json.Number:
		n, _ := x.Int64()
		return int(n)
	}
	return -1
}

// normalizeDefaults turns the float64 numbers of decoded jsonb into ints, so values compare equal.
func normalizeDefaults(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if f, ok := v.(float64); ok && f == float64(int(f)) {
			v = int(f)
		}
		out[k] = v
	}
	return out
}
