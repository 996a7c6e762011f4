package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ScopeLabel names a scope for people: "project P1", "organization O1", "project type 6", "default", "built-in".
func ScopeLabel(scope Scope, id string) string {
	switch scope {
	case ScopeProject, ScopeOrganization:
		return string(scope) + " " + id
	case ScopeProjectType:
		return "project type " + id
	}
	return string(scope)
}

// String renders policy values for people: "auto exit 90 days, alert 80 days, NbN last-bed-night, exit defaults Destination=435 DestinationSubsidyType=431".
func (v PolicyValues) String() string {
	var b strings.Builder
	if v.AutoExitDays == nil {
		b.WriteString("auto exit off")
	} else {
		fmt.Fprintf(&b, "auto exit %d days", *v.AutoExitDays)
		if v.AlertDays != nil {
			fmt.Fprintf(&b, ", alert %d days", *v.AlertDays)
		} else {
			b.WriteString(", no alert")
		}
	}
	fmt.Fprintf(&b, ", NbN benchmark %s", v.NbnBenchmark)
	if len(v.ExitDefaults) > 0 {
		b.WriteString(", exit defaults " + v.DefaultsString())
	}
	return b.String()
}

// DefaultsString renders the exit defaults as FIELD=VALUE pairs sorted by field, "" if none.
func (v PolicyValues) DefaultsString() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v.ExitDefaults)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v.ExitDefaults[k]))
	}
	return strings.Join(parts, " ")
}
