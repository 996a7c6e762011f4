package engine

import (
	"context"
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

// policyLockKey serialises policy changes (pg_advisory_xact_lock): two changes at once each read the
// values the other wrote, so no history row is lost and the P7 preview is consistent.
const policyLockKey int64 = 0x65786974706f6c // "exitpol"

// TxBeginner starts transactions: a *pgxpool.Pool or a pgx.Conn.
type TxBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// checkScopeID checks that the scope's ID exists (not soft-deleted) and returns it in stored form.
func checkScopeID(ctx context.Context, q Querier, scope Scope, id string) (string, error) {
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
		file := map[Scope]string{ScopeProject: "Project.csv", ScopeOrganization: "Organization.csv"}[scope]
		return "", Invalid(scopeField(scope), id, "no such %s (not in the imported %s)", scope, file)
	}
	return id, nil
}

// readPolicy reads the row of one scope, nil if there is none.
func readPolicy(ctx context.Context, q Querier, scope Scope, id string) (*PolicyValues, error) {
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
	if err := resolvePolicyChange(ctx, tx, c, &res); err != nil {
		return res, err
	}
	if !res.Changed {
		return res, nil
	}
	if err := previewPolicyChange(ctx, tx, c, &res); err != nil {
		return res, err
	}
	if res.NeedsConfirmation && !confirm { // SPEC P7: the deferred Rollback undoes the change
		return res, ErrNotConfirmed
	}
	if err := recordPolicyChange(ctx, tx, c, confirm, &res); err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("committing the policy change: %w", err)
	}
	res.Applied = true
	return res, nil
}

// resolvePolicyChange fills in res the scope's stored ID, its old values and the new ones, and
// whether they differ.
func resolvePolicyChange(ctx context.Context, tx pgx.Tx, c PolicyChange, res *PolicyResult) error {
	var err error
	if res.ScopeID, err = checkScopeID(ctx, tx, c.Scope, c.ScopeID); err != nil {
		return err
	}
	if res.Old, err = readPolicy(ctx, tx, c.Scope, res.ScopeID); err != nil {
		return err
	}
	if res.New, err = c.apply(res.Old); err != nil { // SPEC P3, P5
		return err
	}
	if res.New.NbnBenchmark == BenchmarkLastActivity { // SPEC P4: every command that sets or shows it warns
		res.Warnings = append(res.Warnings, NbnWarning)
	}
	res.Changed = res.Old == nil || !reflect.DeepEqual(*res.Old, res.New)
	return nil
}

// previewPolicyChange writes the new row and counts, in the projects that take their policy from
// the scope after it, what an auto-exit run would exit before and after (SPEC P7). It tells in
// res whether the change needs confirmation, and warns of projects whose auto exit it switches off.
func previewPolicyChange(ctx context.Context, tx pgx.Tx, c PolicyChange, res *PolicyResult) error {
	before, err := windows(ctx, tx)
	if err != nil {
		return err
	}
	candidates := coveredProjects(before, c.Scope, res.ScopeID)
	beforeCounts, err := countByProject(ctx, tx, res.AsOf, candidates)
	if err != nil {
		return err
	}
	if err := upsertPolicy(ctx, tx, c, *res); err != nil {
		return err
	}
	after, err := windows(ctx, tx)
	if err != nil {
		return err
	}
	if off := compareWindows(res, c, candidates, before, after); len(off) > 0 {
		res.Warnings = append(res.Warnings, offWarning(off))
	}
	afterCounts, err := countByProject(ctx, tx, res.AsOf, res.Projects)
	if err != nil {
		return err
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
	return nil
}

// coveredProjects lists, sorted, the projects a scope covers: those that may get their policy
// from it.
func coveredProjects(windows map[string]EffectivePolicy, scope Scope, id string) []string {
	var candidates []string
	for _, p := range slices.Sorted(maps.Keys(windows)) {
		if covers(windows[p], scope, id) {
			candidates = append(candidates, p)
		}
	}
	return candidates
}

// upsertPolicy writes the scope's policy row with the new values.
func upsertPolicy(ctx context.Context, tx pgx.Tx, c PolicyChange, res PolicyResult) error {
	if _, err := tx.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, nbn_benchmark, exit_defaults, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), $7)
		ON CONFLICT (scope, scope_id) DO UPDATE SET auto_exit_days = EXCLUDED.auto_exit_days, alert_days = EXCLUDED.alert_days,
			nbn_benchmark = EXCLUDED.nbn_benchmark, exit_defaults = EXCLUDED.exit_defaults, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
		c.Scope, res.ScopeID, res.New.AutoExitDays, res.New.AlertDays, res.New.NbnBenchmark, res.New.ExitDefaults, c.Actor); err != nil {
		return fmt.Errorf("writing the %s policy: %w", ScopeLabel(c.Scope, res.ScopeID), err)
	}
	return nil
}

// compareWindows sets res.Projects, the candidates that take their policy from the scope after
// the change, and res.NeedsConfirmation when the change enables or shortens a window. It returns
// the projects whose auto exit the change switches off, described for a warning.
func compareWindows(res *PolicyResult, c PolicyChange, candidates []string, before, after map[string]EffectivePolicy) (off []string) {
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
	return off
}

// offWarning is the warning for the projects whose auto exit a change switched off, the first
// ten named.
func offWarning(off []string) string {
	more := ""
	if len(off) > 10 {
		more, off = fmt.Sprintf(" and %d more", len(off)-10), off[:10]
	}
	return fmt.Sprintf("auto exit is now off for project %s%s", strings.Join(off, ", "), more)
}

// recordPolicyChange writes the change's policy_history row and its audit row (SPEC P6: IDs and
// counts only).
func recordPolicyChange(ctx context.Context, tx pgx.Tx, c PolicyChange, confirm bool, res *PolicyResult) error {
	var old any
	if res.Old != nil {
		old = res.Old
	}
	if err := tx.QueryRow(ctx, `INSERT INTO exitflow.policy_history (changed_at, actor, scope, scope_id, old_values, new_values)
		VALUES (clock_timestamp(), $1, $2, $3, $4, $5) RETURNING id`, c.Actor, c.Scope, res.ScopeID, old, res.New).Scan(&res.HistoryID); err != nil {
		return fmt.Errorf("writing the policy history: %w", err)
	}
	details := map[string]any{"scope": c.Scope, "scope_id": res.ScopeID, "old": old, "new": res.New,
		"history_id": res.HistoryID, "projects": len(res.Projects), "as_of": res.AsOf.Format(time.DateOnly),
		"preview_before": res.Before, "preview_after": res.After, "confirmed": confirm}
	return writeAudit(ctx, tx, c.Actor, "policy-change", "policy set "+ScopeLabel(c.Scope, res.ScopeID), "", "", details)
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
