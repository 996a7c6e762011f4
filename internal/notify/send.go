package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Send records msg under its idempotency key and delivers it, so that a retry never sends it
// twice (SPEC N4):
//
//   - the message is recorded (status pending) and committed before anything is sent;
//   - a key already recorded as sent returns that record and sends nothing;
//   - a key recorded for another message (recipient, kind, subject, parts, about or attachments
//     differ) is a *ConflictError, which Permanent reports;
//   - a failed delivery is recorded (status failed, last_error) and returned as a *DeliveryError,
//     retryable unless the server refused the message for good; a later Send with the key
//     delivers it then;
//   - two Sends of one key at once take turns (a session advisory lock per key): the second
//     finds the first one's result.
//
// The one window left: if the process dies after the SMTP server took the message and before
// its status is recorded, the record stays pending and the next Send delivers it again. Both
// copies carry the same Message-ID (MessageID), by which receivers drop the second; the record
// notes that an attempt was cut off.
func (m *Mailer) Send(ctx context.Context, pool *pgxpool.Pool, msg Message) (Record, error) {
	msg, about, err := msg.normalize()
	if err != nil {
		return Record{}, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return Record{}, fmt.Errorf("notification %q: connecting to the database: %w", msg.Key, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", lockClass, msg.Key); err != nil {
		_ = conn.Conn().Close(context.WithoutCancel(ctx)) // it may have been granted as ctx ended: drop the session
		return Record{}, fmt.Errorf("notification %q: waiting for its lock: %w", msg.Key, err)
	}
	defer unlockKey(ctx, conn, msg.Key)
	rec, err := record(ctx, conn, msg, about, m.From)
	if err != nil || rec.Status == StatusSent {
		return rec, err
	}
	return m.attempt(ctx, conn, rec)
}

// lockClass is the first key of Send's advisory locks ('EFNT'); the second is the key's hash
// (two keys with one hash only take turns).
const lockClass = 0x45464e54

// unlockKey releases the key's lock; if that fails, the session is closed, which releases it.
func unlockKey(ctx context.Context, conn *pgxpool.Conn, key string) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := conn.Exec(bg, "SELECT pg_advisory_unlock($1, hashtext($2))", lockClass, key); err != nil {
		_ = conn.Conn().Close(bg) // the pool drops a closed connection
	}
}

// record inserts msg (with its attachments) unless its key is recorded, and returns the record;
// a recorded key must name the same message.
func record(ctx context.Context, conn *pgxpool.Conn, msg Message, about []byte, from string) (Record, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return Record{}, fmt.Errorf("notification %q: %w", msg.Key, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO exitflow.notification (idempotency_key, kind, recipient, sender, subject, about,
			message_id, text_body, html_body)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		msg.Key, string(msg.Kind), msg.To, from, msg.Subject, string(about), MessageID(msg.Key, from), msg.Text, msg.HTML).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) { // recorded before: by an earlier attempt, or for another message
		rec, err := getWhere(ctx, tx, "n.idempotency_key = $1", msg.Key)
		if err != nil {
			return rec, fmt.Errorf("notification %q: %w", msg.Key, err)
		}
		if diff := differs(rec, msg, about); len(diff) > 0 {
			return rec, &ConflictError{Key: msg.Key, ID: rec.ID, Fields: diff}
		}
		return rec, nil
	}
	if err != nil {
		return Record{}, fmt.Errorf("recording notification %q: %w", msg.Key, err)
	}
	for i, a := range msg.Attachments {
		if _, err := tx.Exec(ctx, `INSERT INTO exitflow.notification_attachment (notification_id, seq, name, content_type, size, content)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, i+1, a.Name, a.ContentType, a.Size, a.Content); err != nil {
			return Record{}, fmt.Errorf("recording notification %q: attachment %s: %w", msg.Key, a.Name, err)
		}
	}
	rec, err := getWhere(ctx, tx, "n.id = $1", id)
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		return Record{}, fmt.Errorf("recording notification %q: %w", msg.Key, err)
	}
	return rec, nil
}

// differs names what of msg differs from the recorded rec.
func differs(rec Record, msg Message, about []byte) []string {
	var diff []string
	add := func(field string, same bool) {
		if !same {
			diff = append(diff, field)
		}
	}
	add("To", rec.To == msg.To)
	add("Kind", rec.Kind == msg.Kind)
	add("Subject", rec.Subject == msg.Subject)
	add("Text", rec.Text == msg.Text)
	add("HTML", rec.HTML == msg.HTML)
	add("About", sameJSON(rec.About, about))
	same := len(rec.Attachments) == len(msg.Attachments)
	for i := 0; same && i < len(msg.Attachments); i++ {
		a, b := rec.Attachments[i], msg.Attachments[i]
		same = a.Name == b.Name && a.ContentType == b.ContentType && bytes.Equal(a.Content, b.Content)
	}
	add("Attachments", same)
	return diff
}

// sameJSON reports whether a and b are the same JSON value (jsonb reorders an object's keys).
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// cutOff is recorded when an attempt starts on a record still pending after an earlier attempt:
// that one was cut off (the key's lock is held, so it is not running) and may have delivered it.
const cutOff = "an earlier delivery attempt was cut off before its result was recorded: it may have been delivered (the same Message-ID lets the receiver drop a second copy)"

// attempt delivers rec (holding its key's lock), recording the attempt before and its result after.
func (m *Mailer) attempt(ctx context.Context, conn *pgxpool.Conn, rec Record) (Record, error) {
	if err := conn.QueryRow(ctx, `UPDATE exitflow.notification SET attempts = attempts + 1, attempted_at = now(),
			last_error = CASE WHEN status = 'pending' AND attempts > 0 THEN $2 ELSE last_error END
		WHERE id = $1 RETURNING attempts, attempted_at, last_error`, rec.ID, cutOff).Scan(&rec.Attempts, &rec.AttemptedAt, &rec.LastError); err != nil {
		return rec, fmt.Errorf("notification %d: recording the delivery attempt: %w", rec.ID, err)
	}
	msg, err := buildMsg(rec)
	if err != nil {
		return rec, err
	}
	refused, sendErr := m.deliver(ctx, msg)
	// The result is recorded even when ctx ended during the delivery.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if sendErr == nil {
		if err := conn.QueryRow(bg, `UPDATE exitflow.notification SET status = 'sent', sent_at = now() WHERE id = $1 RETURNING sent_at`,
			rec.ID).Scan(&rec.SentAt); err != nil {
			return rec, fmt.Errorf("notification %d was delivered, but recording that failed (a retry delivers it again, with the same Message-ID): %w", rec.ID, err)
		}
		rec.Status, rec.Delivered = StatusSent, true
		return rec, nil
	}
	de := &DeliveryError{ID: rec.ID, Key: rec.Key, To: rec.To, Attempt: rec.Attempts, Refused: refused, Err: sendErr}
	rec.Status, rec.LastError = StatusFailed, fmt.Sprintf("attempt %d %s: %v", de.Attempt, de.what(), sendErr) // the row names the rest
	if _, err := conn.Exec(bg, `UPDATE exitflow.notification SET status = 'failed', last_error = $2 WHERE id = $1`, rec.ID, rec.LastError); err != nil {
		return rec, errors.Join(de, fmt.Errorf("recording the failure: %w", err))
	}
	return rec, de
}
