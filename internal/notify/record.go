package notify

import (
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Status is what became of a notification.
type Status string

// The notification statuses.
const (
	StatusPending Status = "pending" // recorded, not delivered yet (or its delivery was cut off)
	StatusSent    Status = "sent"    // the SMTP server took it
	StatusFailed  Status = "failed"  // the last delivery failed (last_error says why); a retry delivers it
)

// Record is one exitflow.notification row. List leaves Text, HTML and the attachments' Content
// empty; Get and Send fill them.
type Record struct {
	ID          int64           `json:"id"`
	Key         string          `json:"idempotency_key"`
	Kind        Kind            `json:"kind"`
	To          string          `json:"to"`
	From        string          `json:"from"`
	Subject     string          `json:"subject"`
	About       json.RawMessage `json:"about"`
	MessageID   string          `json:"message_id"`
	Text        string          `json:"text,omitempty"`
	HTML        string          `json:"html,omitempty"`
	Attachments []Attachment    `json:"attachments"`
	Status      Status          `json:"status"`
	Attempts    int             `json:"attempts"`
	LastError   string          `json:"last_error,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	AttemptedAt *time.Time      `json:"attempted_at,omitempty"`
	SentAt      *time.Time      `json:"sent_at,omitempty"`
	// Delivered: this Send call delivered it (false when it was sent before, or for a record read back).
	Delivered bool `json:"-"`
}

// recordColumns are the columns scanRecord reads; {bodies} is the bodies' pair of columns.
const recordColumns = `n.id, n.idempotency_key, n.kind, n.recipient, n.sender, n.subject, n.about, n.message_id,
	{bodies}, n.status, n.attempts, n.last_error, n.created_at, n.attempted_at, n.sent_at,
	coalesce((SELECT json_agg(json_build_object('name', a.name, 'content_type', a.content_type, 'size', a.size) ORDER BY a.seq)
		FROM exitflow.notification_attachment a WHERE a.notification_id = n.id), '[]')`

// scanRecord reads one row of recordColumns (the attachments without their content).
func scanRecord(row pgx.Row) (Record, error) {
	var r Record
	var about, attachments []byte
	err := row.Scan(&r.ID, &r.Key, &r.Kind, &r.To, &r.From, &r.Subject, &about, &r.MessageID, &r.Text, &r.HTML,
		&r.Status, &r.Attempts, &r.LastError, &r.CreatedAt, &r.AttemptedAt, &r.SentAt, &attachments)
	if err != nil {
		return r, err
	}
	r.About = about
	if err := json.Unmarshal(attachments, &r.Attachments); err != nil {
		return r, err
	}
	return r, nil
}
