package notify

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/wneessen/go-mail"
)

// Headers exitflow adds: what the message is, for receivers' filters and for Mailpit's search.
const (
	headerKind         mail.Header = "X-Exitflow-Kind"
	headerNotification mail.Header = "X-Exitflow-Notification"
	headerAutoSubmit   mail.Header = "Auto-Submitted"
)

// buildMsg is the message of record r, built from what is recorded only, so that every delivery
// and every `notifications show` of it carries the same headers, Message-ID, Date and parts.
func buildMsg(r Record) (*mail.Msg, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(r.From); err != nil {
		return nil, fmt.Errorf("notification %d: From %q: %w", r.ID, r.From, err)
	}
	if err := m.To(r.To); err != nil {
		return nil, fmt.Errorf("notification %d: To %q: %w", r.ID, r.To, err)
	}
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(r.MessageID)
	m.SetDateWithValue(r.CreatedAt.UTC()) // the same Date wherever it is rendered
	m.SetUserAgent("exitflow")
	m.SetGenHeader(headerKind, string(r.Kind))
	m.SetGenHeader(headerNotification, strconv.FormatInt(r.ID, 10))
	m.SetGenHeader(headerAutoSubmit, "auto-generated") // RFC 3834: no out-of-office replies
	m.SetBodyString(mail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	}
	for _, a := range r.Attachments {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Content), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("notification %d: attachment %s: %w", r.ID, a.Name, err)
		}
	}
	return m, nil
}
