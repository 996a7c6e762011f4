package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditActions are the actions exitflow.audit records (SPEC U1), in alphabetical order.
var AuditActions = []string{"alert", "assignment-import", "contact-add", "contact-remove", "dqm", "exit-run", "policy-change", "undo"}

// AuditEntry is one exitflow.audit row (SPEC U1): who did what, when, why, from which workflow;
// its details hold IDs and counts only (SPEC S1).
type AuditEntry struct {
	ID            int64           `json:"id"`
	At            time.Time       `json:"at"`
	Actor         string          `json:"actor"`
	Action        string          `json:"action"` // one of AuditActions
	Reason        string          `json:"reason"`
	WorkflowID    string          `json:"workflow_id"`
	WorkflowRunID string          `json:"workflow_run_id"`
	Details       json.RawMessage `json:"details"`
}

// AuditFilter selects audit entries; its zero value selects them all.
type AuditFilter struct {
	Limit  int    // at most this many, the newest (0: all)
	Actor  string // only this actor's (case does not matter; "": everyone's)
	Action string // only this action (one of AuditActions; "": every action)
}

// UnknownActionError refuses an audit action that is not one of AuditActions.
type UnknownActionError struct{ Action string }

// Error names the action and the known ones.
func (e *UnknownActionError) Error() string {
	return fmt.Sprintf("audit action %q is unknown: the known actions are %s", e.Action, strings.Join(AuditActions, ", "))
}

// Audit returns the audit entries f selects, newest first (by ID: the order they were written).
func Audit(ctx context.Context, q Querier, f AuditFilter) ([]AuditEntry, error) {
	if f.Action != "" && !slices.Contains(AuditActions, f.Action) {
		return nil, &UnknownActionError{Action: f.Action}
	}
	if f.Limit < 0 {
		return nil, fmt.Errorf("audit limit %d: want 0 (all) or more", f.Limit)
	}
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := q.Query(ctx, `SELECT id, at, actor, action, coalesce(reason, ''), coalesce(workflow_id, ''),
			coalesce(workflow_run_id, ''), details
		FROM exitflow.audit
		WHERE ($1 = '' OR lower(actor) = lower($1)) AND ($2 = '' OR action = $2)
		ORDER BY id DESC
		LIMIT $3`, strings.TrimSpace(f.Actor), f.Action, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		var details []byte
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Reason, &e.WorkflowID, &e.WorkflowRunID, &details)
		e.Details = json.RawMessage(details)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return out, nil
}
