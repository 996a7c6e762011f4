package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// Policy scopes (SPEC P1), most specific first; ScopeBuiltIn is the P2 fallback and has no row.
const (
	ScopeProject      = "project"
	ScopeOrganization = "organization"
	ScopeProjectType  = "project-type"
	ScopeDefault      = "default"
	ScopeBuiltIn      = "built-in"
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
	Scope        string        // ScopeProject, ScopeOrganization, ScopeProjectType or ScopeDefault
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
	Scope             string
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

// policyLockKey serialises policy changes (pg_advisory_xact_lock): two changes at once each read the
// values the other wrote, so no history row is lost and the P7 preview is consistent.
const policyLockKey int64 = 0x65786974706f6c // "exitpol"

// TxBeginner starts transactions: a *pgxpool.Pool or a pgx.Conn.
type TxBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ScopeLabel names a scope for people: "project P1", "organization O1", "project type 6", "default", "built-in".
func ScopeLabel(scope, id string) string {
	switch scope {
	case ScopeProject, ScopeOrganization:
		return scope + " " + id
	case ScopeProjectType:
		return "project type " + id
	}
	return scope
}

// scopeField is the input field that names a scope, for messages.
func scopeField(scope string) Field {
	return map[string]Field{ScopeProject: FieldProjectID, ScopeOrganization: FieldOrganizationID,
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

// checkScopeID checks that the scope's ID exists (not soft-deleted) and returns it in stored form.
func checkScopeID(ctx context.Context, q Querier, scope, id string) (string, error) {
	id = strings.TrimSpace(id)
	var table string
	switch scope {
	case ScopeDefault:
		return "", nil
	case ScopeProjectType:
		n, err := strconv.Atoi(id)
		if err != nil || !hmis.Codes["ProjectType"][n] {
			return "", Invalid(FieldProjectType, id, "not a HUD project type (2.02.6: %s)", codeList(hmis.Codes["ProjectType"]))
		}
		return strconv.Itoa(n), nil
	case ScopeProject:
		table = "project"
	case ScopeOrganization:
		table = "organization"
	}
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hmis.`+table+` WHERE `+table+`id = $1 AND datedeleted IS NULL)`, id).Scan(&ok); err != nil {
		return "", fmt.Errorf("checking %s %s: %w", scope, id, err)
	}
	if !ok {
		file := map[string]string{ScopeProject: "Project.csv", ScopeOrganization: "Organization.csv"}[scope]
		return "", Invalid(scopeField(scope), id, "no such %s (not in the imported %s)", scope, file)
	}
	return id, nil
}

// readPolicy reads the row of one scope, nil if there is none.
func readPolicy(ctx context.Context, q Querier, scope, id string) (*PolicyValues, error) {
	var v PolicyValues
	err := q.QueryRow(ctx, `SELECT auto_exit_days, alert_days, nbn_benchmark, exit_defaults FROM exitflow.policy
		WHERE scope = $1 AND scope_id = $2 FOR UPDATE`, scope, id).Scan(&v.AutoExitDays, &v.AlertDays, &v.NbnBenchmark, &v.ExitDefaults)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the %s policy: %w", ScopeLabel(scope, id), err)
	}
	v.ExitDefaults = normalizeDefaults(v.ExitDefaults)
	return &v, nil
}

// windows returns each project's effective auto-exit days (nil: off) and the scope that gave them.
func windows(ctx context.Context, q Querier) (map[string]EffectivePolicy, error) {
	eps, err := EffectivePolicies(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	m := make(map[string]EffectivePolicy, len(eps))
	for _, e := range eps {
		m[e.ProjectID] = e
	}
	return m, nil
}

// CountPreview counts the households and enrollments an auto-exit run as of asOf would exit or
// alert on in the given projects (none: zero counts, not every project).
func CountPreview(ctx context.Context, q Querier, asOf time.Time, projects []string) (PreviewCounts, error) {
	var c PreviewCounts
	by, err := countByProject(ctx, q, asOf, projects)
	for _, p := range by {
		c.add(p)
	}
	return c, err
}

func (c *PreviewCounts) add(o PreviewCounts) {
	c.ExitHouseholds += o.ExitHouseholds
	c.ExitEnrollments += o.ExitEnrollments
	c.AlertHouseholds += o.AlertHouseholds
	c.AlertEnrollments += o.AlertEnrollments
}

// countByProject is CountPreview per project.
func countByProject(ctx context.Context, q Querier, asOf time.Time, projects []string) (map[string]PreviewCounts, error) {
	out := map[string]PreviewCounts{}
	if len(projects) == 0 {
		return out, nil
	}
	seen := map[string]bool{}
	err := Candidates(ctx, q, Options{AsOf: asOf, Projects: projects, Method: MethodAuto}, func(r Row) error {
		key := r.Action + "\x00" + r.ProjectID + "\x00" + r.HouseholdID
		newHH := 0
		if !seen[key] {
			seen[key], newHH = true, 1
		}
		c := out[r.ProjectID]
		if r.Action == ActionExit {
			c.ExitEnrollments++
			c.ExitHouseholds += newHH
		} else {
			c.AlertEnrollments++
			c.AlertHouseholds += newHH
		}
		out[r.ProjectID] = c
		return nil
	})
	return out, err
}

// covers reports whether a scope can give its policy to the project of e.
func covers(e EffectivePolicy, scope, id string) bool {
	switch scope {
	case ScopeProject:
		return e.ProjectID == id
	case ScopeOrganization:
		return e.OrganizationID == id
	case ScopeProjectType:
		return strconv.Itoa(e.ProjectType) == id
	}
	return true
}

// shorter reports whether window after is on and shorter than before (nil: off).
func shorter(after, before *int) bool {
	return after != nil && (before == nil || *after < *before)
}

// SetPolicy applies one policy change in a transaction (SPEC P1–P7). It validates the change and
// refuses it as a whole when a value is wrong (P3, P5); previews, as of asOf (today in the CoC's
// time zone), what an auto-exit run would exit in the projects whose effective policy the scope
// gives, before and after the change (P7); and writes the row, a policy_history row and an audit
// row (P6). A change that enables or shortens a window is only applied with confirm; otherwise the
// result carries the preview and the error is ErrNotConfirmed.
func SetPolicy(ctx context.Context, db TxBeginner, c PolicyChange, asOf time.Time, confirm bool) (PolicyResult, error) {
	res := PolicyResult{Scope: c.Scope, AsOf: asOf}
	if err := checkChange(c); err != nil {
		return res, err
	}
	if asOf.IsZero() {
		return res, fmt.Errorf("policy change: no as-of date for the preview (SPEC P7)")
	}
	c.Actor = strings.TrimSpace(c.Actor)
	tx, err := db.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("starting the policy change: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	// Concurrency: one policy change at a time, so each reads what the previous one wrote.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", policyLockKey); err != nil {
		return res, fmt.Errorf("locking the policies: %w", err)
	}
	if res.ScopeID, err = checkScopeID(ctx, tx, c.Scope, c.ScopeID); err != nil {
		return res, err
	}
	if res.Old, err = readPolicy(ctx, tx, c.Scope, res.ScopeID); err != nil {
		return res, err
	}
	if res.New, err = c.apply(res.Old); err != nil { // SPEC P3, P5
		return res, err
	}
	if res.New.NbnBenchmark == BenchmarkLastActivity { // SPEC P4: every command that sets or shows it warns
		res.Warnings = append(res.Warnings, NbnWarning)
	}
	res.Changed = res.Old == nil || !reflect.DeepEqual(*res.Old, res.New)
	if !res.Changed {
		return res, nil
	}

	before, err := windows(ctx, tx)
	if err != nil {
		return res, err
	}
	var candidates []string // the projects the scope covers: those that may get their policy from it
	for _, id := range slices.Sorted(maps.Keys(before)) {
		if covers(before[id], c.Scope, res.ScopeID) {
			candidates = append(candidates, id)
		}
	}
	beforeCounts, err := countByProject(ctx, tx, asOf, candidates)
	if err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), $7)
		ON CONFLICT (scope, scope_id) DO UPDATE SET auto_exit_days = EXCLUDED.auto_exit_days, alert_days = EXCLUDED.alert_days,
			nbn_benchmark = EXCLUDED.nbn_benchmark, exit_defaults = EXCLUDED.exit_defaults, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
		c.Scope, res.ScopeID, res.New.AutoExitDays, res.New.AlertDays, res.New.NbnBenchmark, res.New.ExitDefaults, c.Actor); err != nil {
		return res, fmt.Errorf("writing the %s policy: %w", ScopeLabel(c.Scope, res.ScopeID), err)
	}
	after, err := windows(ctx, tx)
	if err != nil {
		return res, err
	}
	var off []string
	for _, id := range candidates {
		a := after[id]
		if a.Scope != c.Scope || a.ScopeID != res.ScopeID {
			continue
		}
		res.Projects = append(res.Projects, id)
		b := before[id]
		if shorter(a.AutoExitDays, b.AutoExitDays) { // SPEC P7: enables or shortens
			res.NeedsConfirmation = true
		}
		if a.AutoExitDays == nil && b.AutoExitDays != nil {
			off = append(off, fmt.Sprintf("%s (was %d days, %s)", id, *b.AutoExitDays, ScopeLabel(b.Scope, b.ScopeID)))
		}
	}
	if len(res.Projects) == 0 { // no project takes its policy from this scope: compare the scope's own window
		var was *int
		if res.Old != nil {
			was = res.Old.AutoExitDays
		}
		res.NeedsConfirmation = shorter(res.New.AutoExitDays, was)
	}
	if len(off) > 0 {
		more := ""
		if len(off) > 10 {
			more, off = fmt.Sprintf(" and %d more", len(off)-10), off[:10]
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("auto exit is now off for project %s%s", strings.Join(off, ", "), more))
	}
	afterCounts, err := countByProject(ctx, tx, asOf, res.Projects)
	if err != nil {
		return res, err
	}
	for _, id := range res.Projects {
		res.Before.add(beforeCounts[id])
		res.After.add(afterCounts[id])
	}
	// SPEC P7, by its purpose: whatever makes more households exit now (a benchmark switched back to
	// last-bed-night can) needs the same confirmation as a window enabled or shortened.
	if res.After.ExitHouseholds > res.Before.ExitHouseholds {
		res.NeedsConfirmation = true
	}
	if res.NeedsConfirmation && !confirm { // SPEC P7: the deferred Rollback undoes the change
		return res, ErrNotConfirmed
	}

	// SPEC P6: history and audit (IDs and counts only).
	var old any
	if res.Old != nil {
		old = res.Old
	}
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.policy_history (changed_at, actor, scope, scope_id, old_values, new_values)
		VALUES (clock_timestamp(), $1, $2, $3, $4, $5) RETURNING id`, c.Actor, c.Scope, res.ScopeID, old, res.New).Scan(&res.HistoryID); err != nil {
		return res, fmt.Errorf("writing the policy history: %w", err)
	}
	details := map[string]any{"scope": c.Scope, "scope_id": res.ScopeID, "old": old, "new": res.New,
		"history_id": res.HistoryID, "projects": len(res.Projects), "as_of": asOf.Format(time.DateOnly),
		"preview_before": res.Before, "preview_after": res.After, "confirmed": confirm}
	if _, err := tx.Exec(ctx, `INSERT INTO exitflow.audit (at, actor, action, reason, details) VALUES (clock_timestamp(), $1, 'policy-change', $2, $3)`,
		c.Actor, "policy set "+ScopeLabel(c.Scope, res.ScopeID), details); err != nil {
		return res, fmt.Errorf("writing the audit record: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("committing the policy change: %w", err)
	}
	res.Applied = true
	return res, nil
}

// EffectivePolicy is the policy in force for one project and the scope that gave it (SPEC P1, P2).
type EffectivePolicy struct {
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"` // "" if the organization is not in the data (or deleted)
	ProjectType      int    `json:"project_type"`
	Scope            string `json:"scope"`    // project, organization, project-type, default or built-in
	ScopeID          string `json:"scope_id"` // "" for default and built-in
	PolicyValues
}

// EffectivePolicies returns the effective policy of the given projects (none: every project),
// sorted by ProjectID; an unknown project is an error.
func EffectivePolicies(ctx context.Context, q Querier, projects []string) ([]EffectivePolicy, error) {
	if err := CheckProjects(ctx, q, projects); err != nil {
		return nil, err
	}
	var filter any
	if len(projects) > 0 {
		filter = projects
	}
	rows, err := q.Query(ctx, `SELECT e.projectid, p.projectname, e.organizationid, coalesce(o.organizationname, ''), e.projecttype,
		       e.scope, e.scope_id, e.auto_exit_days, e.alert_days, e.nbn_benchmark, e.exit_defaults
		FROM exitflow.effective_policy e
		JOIN hmis.project p ON p.projectid = e.projectid
		LEFT JOIN hmis.organization o ON o.organizationid = e.organizationid AND o.datedeleted IS NULL
		WHERE $1::text[] IS NULL OR e.projectid = ANY ($1) ORDER BY e.projectid COLLATE "C"`, filter)
	if err != nil {
		return nil, fmt.Errorf("reading effective policies: %w", err)
	}
	defer rows.Close()
	var out []EffectivePolicy
	for rows.Next() {
		var e EffectivePolicy
		if err := rows.Scan(&e.ProjectID, &e.ProjectName, &e.OrganizationID, &e.OrganizationName, &e.ProjectType, &e.Scope, &e.ScopeID,
			&e.AutoExitDays, &e.AlertDays, &e.NbnBenchmark, &e.ExitDefaults); err != nil {
			return nil, fmt.Errorf("reading effective policies: %w", err)
		}
		e.ExitDefaults = normalizeDefaults(e.ExitDefaults)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading effective policies: %w", err)
	}
	return out, nil
}

// Policy is one scope's policy row.
type Policy struct {
	Scope     string    `json:"scope"`
	ScopeID   string    `json:"scope_id"`
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
	PolicyValues
}

// Policies returns every scope's policy row, most specific scope first, then by ID.
func Policies(ctx context.Context, q Querier) ([]Policy, error) {
	rows, err := q.Query(ctx, `SELECT scope, scope_id, changed_at, changed_by, auto_exit_days, alert_days, nbn_benchmark, exit_defaults
		FROM exitflow.policy
		ORDER BY array_position(ARRAY['project', 'organization', 'project-type', 'default'], scope),
		         CASE WHEN scope = 'project-type' THEN lpad(scope_id, 4, '0') ELSE scope_id END COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("reading policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		var p Policy
		if err := rows.Scan(&p.Scope, &p.ScopeID, &p.ChangedAt, &p.ChangedBy, &p.AutoExitDays, &p.AlertDays, &p.NbnBenchmark, &p.ExitDefaults); err != nil {
			return nil, fmt.Errorf("reading policies: %w", err)
		}
		p.ExitDefaults = normalizeDefaults(p.ExitDefaults)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading policies: %w", err)
	}
	return out, nil
}

// PolicyHistoryEntry is one recorded policy change (SPEC P6).
type PolicyHistoryEntry struct {
	ID        int64         `json:"id"`
	ChangedAt time.Time     `json:"changed_at"`
	Actor     string        `json:"actor"`
	Scope     string        `json:"scope"`
	ScopeID   string        `json:"scope_id"`
	Old       *PolicyValues `json:"old"` // nil: the scope had no policy before
	New       *PolicyValues `json:"new"`
}

// PolicyHistory returns the recorded policy changes, newest first (by ID: IDs are taken under the
// policy lock, in the order the changes were made); limit 0 means all.
func PolicyHistory(ctx context.Context, q Querier, limit int) ([]PolicyHistoryEntry, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := q.Query(ctx, `SELECT id, changed_at, actor, scope, scope_id, old_values, new_values
		FROM exitflow.policy_history ORDER BY id DESC LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("reading the policy history: %w", err)
	}
	defer rows.Close()
	var out []PolicyHistoryEntry
	for rows.Next() {
		var h PolicyHistoryEntry
		if err := rows.Scan(&h.ID, &h.ChangedAt, &h.Actor, &h.Scope, &h.ScopeID, &h.Old, &h.New); err != nil {
			return nil, fmt.Errorf("reading the policy history: %w", err)
		}
		for _, v := range []*PolicyValues{h.Old, h.New} {
			if v != nil {
				v.ExitDefaults = normalizeDefaults(v.ExitDefaults)
			}
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the policy history: %w", err)
	}
	return out, nil
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
