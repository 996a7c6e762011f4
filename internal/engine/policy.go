package engine

import (
	"time"
)

// Night-by-night benchmarks (SPEC P4, A4).
const (
	BenchmarkLastBedNight = "last-bed-night" // HUD-compliant default
	BenchmarkLastActivity = "last-activity"  // allowed, with a warning
)

// MinAutoExitDays is the shortest auto-exit window a policy may have (SPEC P3).
const MinAutoExitDays = 30

// NbnWarning is the warning every command that sets or shows the last-activity benchmark prints (SPEC P4).
const NbnWarning = "NbN benchmark last-activity is not HUD compliant (HUD measures night-by-night inactivity and exit dates by bed nights); it applies to ES night-by-night projects (type 1) only"

// ErrNotConfirmed is returned by SetPolicy for a change that enables or shortens an auto-exit window
// without confirmation (SPEC P7): the preview counts are in the result and nothing changed.
var ErrNotConfirmed error = fieldText("nothing changed; run again with {Yes} to apply")

// PolicyValues are the values of one policy (a scope row, or the built-in defaults).
type PolicyValues struct {
	AutoExitDays *int           `json:"auto_exit_days"` // nil: auto exit off
	AlertDays    *int           `json:"alert_days"`     // nil: no alert
	NbnBenchmark string         `json:"nbn_benchmark"`
	ExitDefaults map[string]any `json:"exit_defaults"` // Exit column → JSON number (integer columns) or string (SPEC P5)
}

// ExitDefault is one --exit-default FIELD=VALUE; an empty Value removes the field's default. A text
// value is stored without the spaces around it; one of spaces only is refused.
type ExitDefault struct {
	Field string
	Value string
}

// PolicyChange is one change of the policy of one scope (`exitflow policy set`).
//
// A scope with no policy row yet gets a new row made of the given fields, the rest as for "nothing
// set": auto exit off, no alert, benchmark last-bed-night, no exit defaults. A scope with a row keeps
// every field the change does not give.
type PolicyChange struct {
	Scope        Scope         // ScopeProject, ScopeOrganization, ScopeProjectType or ScopeDefault
	ScopeID      string        // ProjectID, OrganizationID or project type number; "" for ScopeDefault
	AutoExitDays *int          // nil: unchanged
	AlertDays    *int          // nil: unchanged
	NoAlert      bool          // remove the alert
	Off          bool          // switch auto exit off (auto exit days and alert days NULL)
	NbnBenchmark string        // "": unchanged
	ExitDefaults []ExitDefault // set (or with an empty value remove) these exit field defaults
	Actor        string        // who makes the change (required, SPEC P6)
}

// PreviewCounts are how many households and enrollments an auto-exit run would exit or alert on.
type PreviewCounts struct {
	ExitHouseholds   int `json:"exit_households"`
	ExitEnrollments  int `json:"exit_enrollments"`
	AlertHouseholds  int `json:"alert_households"`
	AlertEnrollments int `json:"alert_enrollments"`
}

// PolicyResult is what SetPolicy did, or (not confirmed) would do.
type PolicyResult struct {
	Scope             Scope
	ScopeID           string
	Old               *PolicyValues // nil: the scope had no policy row
	New               PolicyValues
	Changed           bool          // false: the scope already had these values, nothing was written
	NeedsConfirmation bool          // SPEC P7: the change enables or shortens an auto-exit window
	Applied           bool          // the change was committed
	Projects          []string      // the projects whose effective policy comes from this scope after the change
	AsOf              time.Time     // the date of the preview counts
	Before, After     PreviewCounts // auto-exit preview of Projects as of AsOf, before and after the change
	Warnings          []string      // SPEC P4 and auto exit switched off for projects that had it
	HistoryID         int64         // the exitflow.policy_history row written
}

// EffectivePolicy is the policy in force for one project and the scope that gave it (SPEC P1, P2).
type EffectivePolicy struct {
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"` // "" if the organization is not in the data (or deleted)
	ProjectType      int    `json:"project_type"`
	Scope            Scope  `json:"scope"`    // project, organization, project-type, default or built-in
	ScopeID          string `json:"scope_id"` // "" for default and built-in
	PolicyValues
}

// Policy is one scope's policy row.
type Policy struct {
	Scope     Scope     `json:"scope"`
	ScopeID   string    `json:"scope_id"`
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
	PolicyValues
}

// PolicyHistoryEntry is one recorded policy change (SPEC P6).
type PolicyHistoryEntry struct {
	ID        int64         `json:"id"`
	ChangedAt time.Time     `json:"changed_at"`
	Actor     string        `json:"actor"`
	Scope     Scope         `json:"scope"`
	ScopeID   string        `json:"scope_id"`
	Old       *PolicyValues `json:"old"` // nil: the scope had no policy before
	New       *PolicyValues `json:"new"`
}
