package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
)

// Filter selects notifications for List.
type Filter struct {
	To    string // only those to this address (compared without case)
	Kind  Kind   // only those of this kind
	Limit int    // the newest Limit; 0: all
}

// List returns the recorded notifications, newest first, without their bodies and attachment
// content (Get has them).
func List(ctx context.Context, q engine.Querier, f Filter) ([]Record, error) {
	var where []string
	var args []any
	if f.To != "" {
		args = append(args, strings.ToLower(strings.TrimSpace(f.To)))
		where = append(where, fmt.Sprintf("n.recipient = $%d", len(args)))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		where = append(where, fmt.Sprintf("n.kind = $%d", len(args)))
	}
	sql := "SELECT " + strings.Replace(recordColumns, "{bodies}", "'', ''", 1) + " FROM exitflow.notification n"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY n.created_at DESC, n.id DESC"
	if f.Limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("listing notifications: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) { return scanRecord(row) })
	if err != nil {
		return nil, fmt.Errorf("listing notifications: %w", err)
	}
	return list, nil
}

// Get returns notification id with its bodies and attachments, or an error wrapping ErrNotFound.
func Get(ctx context.Context, q engine.Querier, id int64) (Record, error) {
	r, err := getWhere(ctx, q, "n.id = $1", id)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("notification %d: %w (exitflow notifications list lists them)", id, ErrNotFound)
	}
	return r, err
}

// getWhere reads the one notification of cond ($1 is arg), whole; pgx.ErrNoRows if there is none.
func getWhere(ctx context.Context, q engine.Querier, cond string, arg any) (Record, error) {
	sql := "SELECT " + strings.Replace(recordColumns, "{bodies}", "n.text_body, n.html_body", 1) +
		" FROM exitflow.notification n WHERE " + cond
	r, err := scanRecord(q.QueryRow(ctx, sql, arg))
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return r, err
		}
		return r, fmt.Errorf("reading notification: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT content FROM exitflow.notification_attachment WHERE notification_id = $1 ORDER BY seq`, r.ID)
	if err != nil {
		return r, fmt.Errorf("reading the attachments of notification %d: %w", r.ID, err)
	}
	contents, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return r, fmt.Errorf("reading the attachments of notification %d: %w", r.ID, err)
	}
	if len(contents) != len(r.Attachments) { // attachments are written once, with their notification
		return r, fmt.Errorf("notification %d: %d attachments listed, %d read", r.ID, len(r.Attachments), len(contents))
	}
	for i := range r.Attachments {
		r.Attachments[i].Content = contents[i]
	}
	return r, nil
}

// Render rebuilds notification id as the RFC 5322 message it is sent as (an .eml file), with EML.
func Render(ctx context.Context, q engine.Querier, id int64) ([]byte, error) {
	r, err := Get(ctx, q, id)
	if err != nil {
		return nil, err
	}
	return EML(r)
}

// EML is record r (as Get returns it) as the RFC 5322 message it is sent as: the same headers,
// Message-ID, Date, parts and attachments; only the MIME boundaries differ from one rendering to
// the next.
func EML(r Record) ([]byte, error) {
	m, err := buildMsg(r)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("notification %d: writing the message: %w", r.ID, err)
	}
	return b.Bytes(), nil
}
