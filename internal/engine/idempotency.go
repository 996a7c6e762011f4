package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A Temporal activity is retried at any moment, so every action it starts (exit run, undo, alert
// pass) takes an idempotency key: a second call with the key resumes or returns the first one
// (SPEC H2, H3, AL2). An exit run keeps its key on exitflow.exit_run (it spans many
// transactions); an undo and an alert pass record theirs in exitflow.action_key, in their one
// transaction, with what was asked and what was done.

// keyedAction is an action of exitflow.action_key.
type keyedAction string

const (
	keyedUndo  keyedAction = "undo"
	keyedAlert keyedAction = "alert"
)

// OptionDiff is one option of a repeated or resumed action that differs from the action's own.
type OptionDiff struct {
	Field Field
	Was   string // the action's own value
	Given string // the value given now
}

// MismatchError refuses to resume or repeat an action with options other than its own: the
// idempotency key (or run ID) names an action that was started with different ones.
type MismatchError struct {
	Action string // "exit run 5", "undo", "alert pass"
	Key    string // "" when the action was named by its run ID
	Diffs  []OptionDiff
}

// Is makes errors.Is(err, ErrInvalid) true: repeating the call cannot fix it.
func (e *MismatchError) Is(target error) bool { return target == ErrInvalid }

// Error names the differences with the engine's field names.
func (e *MismatchError) Error() string { return e.Render(plainName) }

// Render names the differing fields as name does.
func (e *MismatchError) Render(name func(f Field, value string) string) string {
	parts := make([]string, len(e.Diffs))
	for i, d := range e.Diffs {
		parts[i] = fmt.Sprintf("%s, not %s", name(d.Field, shown(d.Was)), shown(d.Given))
	}
	key := ""
	if e.Key != "" {
		key = fmt.Sprintf(" (idempotency key %q)", e.Key)
	}
	return fmt.Sprintf("%s%s was started with other options: %s; repeat it with its own options, or start a new one",
		e.Action, key, strings.Join(parts, "; "))
}

func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// dateText is d as YYYY-MM-DD, "" for the zero date.
func dateText(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// projectsText is a list of ProjectIDs in a canonical form: sorted, without repeats.
func projectsText(ids []string) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

// keyOptions are the options of a keyed undo or alert pass, by field, as text.
type keyOptions map[Field]string

// diff lists the fields whose values differ, in field order.
func (was keyOptions) diff(given keyOptions) []OptionDiff {
	fields := maps.Clone(was)
	maps.Copy(fields, given)
	var out []OptionDiff
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if was[f] != given[f] {
			out = append(out, OptionDiff{Field: f, Was: was[f], Given: given[f]})
		}
	}
	return out
}

// lookupKey serialises the callers of key (a transaction lock on it) and returns the result the
// action recorded with it, if any, into result. An action recorded with other options, or a key
// used by another kind of action, is a *MismatchError.
func lookupKey(ctx context.Context, tx pgx.Tx, action keyedAction, key string, opt keyOptions, result any) (bool, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "exitflow.action_key:"+key); err != nil {
		return false, fmt.Errorf("idempotency key %q: %w", key, err)
	}
	var was keyedAction
	var wasOpt keyOptions
	var raw []byte
	err := tx.QueryRow(ctx, "SELECT action, options, result FROM exitflow.action_key WHERE key = $1", key).Scan(&was, &wasOpt, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("idempotency key %q: %w", key, err)
	}
	if was != action {
		return false, Invalid(FieldKey, key, "names an earlier %s, not an %s: give each action a key of its own", was, action)
	}
	if d := wasOpt.diff(opt); len(d) > 0 {
		return false, &MismatchError{Action: string(action), Key: key, Diffs: d}
	}
	if err := json.Unmarshal(raw, result); err != nil {
		return false, fmt.Errorf("idempotency key %q: reading its result: %w", key, err)
	}
	return true, nil
}

// saveKey records key with the action's options and result, in the action's transaction.
func saveKey(ctx context.Context, tx pgx.Tx, action keyedAction, key, actor string, opt keyOptions, result any) error {
	_, err := tx.Exec(ctx, "INSERT INTO exitflow.action_key (key, action, options, result, actor) VALUES ($1, $2, $3, $4, $5)",
		key, action, opt, result, actor)
	if err != nil {
		return fmt.Errorf("recording idempotency key %q: %w", key, err)
	}
	return nil
}

// runByKey is the ID of the exit run started with key (0: none).
func runByKey(ctx context.Context, q Querier, key string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM exitflow.exit_run WHERE idempotency_key = $1", key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("idempotency key %q: %w", key, err)
	}
	return id, nil
}

// runDiffs lists the options given to resume run that differ from its own. complete: every
// option counts as given (a keyed call repeats the whole input); otherwise only those set.
func runDiffs(run runRow, opt Options, complete bool) []OptionDiff {
	own := run.options()
	var out []OptionDiff
	add := func(f Field, was, given string, set bool) {
		if (complete || set) && was != given {
			out = append(out, OptionDiff{Field: f, Was: was, Given: given})
		}
	}
	method := opt.Method
	if method == "" && complete {
		method = MethodAuto
	}
	add(FieldMethod, string(own.Method), string(method), method != "")
	add(FieldAsOf, dateText(own.AsOf), dateText(opt.AsOf), !opt.AsOf.IsZero())
	add(FieldProjectID, projectsText(own.Projects), projectsText(opt.Projects), len(opt.Projects) > 0)
	add(FieldWindowDays, intText(own.WindowDays), intText(opt.WindowDays), opt.WindowDays != 0)
	add(FieldAllOpen, boolText(own.AllOpen), boolText(opt.AllOpen), opt.AllOpen)
	return out
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func boolText(b bool) string {
	if !b {
		return ""
	}
	return "true"
}
