package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
)

// Message is one notification to send. Compose fills Kind, Subject, Text, HTML and About from a
// kind's data; the caller sets Key and To, and may replace HTML or add Attachments.
type Message struct {
	// Key is the idempotency key: one key, one message. A workflow uses its ID, the step and the
	// recipient (agreement-A17/notice/liaison@agency.org), so that a retried activity repeats it.
	Key         string
	Kind        Kind
	To          string // one address, without a display name; stored trimmed and lower-cased
	Subject     string
	Text        string // the plain-text part (required)
	HTML        string // the HTML part; "" sends plain text only
	About       any    // what it is about, stored as a JSON object: IDs, counts and dates only (SPEC N2)
	Attachments []Attachment
}

// Attachment is a file attached to a message.
type Attachment struct {
	Name        string `json:"name"`         // the file name, without a folder
	ContentType string `json:"content_type"` // default: by the name's extension
	Size        int    `json:"size"`         // bytes; set from Content
	Content     []byte `json:"-"`
}

// maxKey bounds an idempotency key (a workflow ID and a step are far shorter).
const maxKey = 500

// normalize checks m and returns it as it is stored (the address lower-cased, attachment types
// and sizes set) with its About as JSON.
func (m Message) normalize() (Message, []byte, error) {
	m.Key = strings.TrimSpace(m.Key)
	m.To = strings.ToLower(strings.TrimSpace(m.To))
	switch {
	case m.Key == "":
		return m, nil, &InvalidError{"Key", "is required: the idempotency key that makes a retry send nothing twice"}
	case len(m.Key) > maxKey:
		return m, nil, &InvalidError{"Key", fmt.Sprintf("is %d bytes long: at most %d", len(m.Key), maxKey)}
	case !slices.Contains(Kinds, m.Kind):
		return m, nil, &InvalidError{"Kind", fmt.Sprintf("%q is not a kind (%s)", m.Kind, KindNames())}
	case strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n"):
		return m, nil, &InvalidError{"Subject", "must be one line of text"}
	case strings.TrimSpace(m.Text) == "":
		return m, nil, &InvalidError{"Text", "is required: every message has a plain-text part"}
	}
	if a, err := mail.ParseAddress(m.To); err != nil || a.Name != "" || a.Address != m.To {
		return m, nil, &InvalidError{"To", fmt.Sprintf("%q is not an e-mail address (want one address such as liaison@agency.org)", m.To)}
	}
	about, err := aboutJSON(m.About)
	if err != nil {
		return m, nil, err
	}
	m.Attachments, err = normalAttachments(m.Attachments)
	return m, about, err
}

// aboutJSON is v as a JSON object ({} for nil).
func aboutJSON(v any) ([]byte, error) {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &InvalidError{"About", err.Error()}
	}
	if !bytes.HasPrefix(b, []byte("{")) {
		return nil, &InvalidError{"About", fmt.Sprintf("must be a JSON object (a struct or a map), not %T", v)}
	}
	return b, nil
}

// normalAttachments checks the names (plain, unique) and sets each type and size.
func normalAttachments(list []Attachment) ([]Attachment, error) {
	out := make([]Attachment, len(list))
	seen := map[string]bool{}
	for i, a := range list {
		if a.Name == "" || a.Name != filepath.Base(a.Name) || strings.ContainsAny(a.Name, `/\"`+"\r\n") {
			return nil, &InvalidError{"Attachments", fmt.Sprintf("%q is not a plain file name", a.Name)}
		}
		if seen[a.Name] {
			return nil, &InvalidError{"Attachments", fmt.Sprintf("%q is attached twice", a.Name)}
		}
		seen[a.Name] = true
		if a.ContentType == "" {
			a.ContentType = mime.TypeByExtension(filepath.Ext(a.Name))
		}
		if a.ContentType == "" {
			a.ContentType = "application/octet-stream"
		}
		a.Size = len(a.Content)
		out[i] = a
	}
	return out, nil
}

// MessageID is the Message-ID (without angle brackets) of the message with idempotency key key
// sent from the address from: a digest of the key at the sender's domain. Every delivery of one
// notification carries it, so a receiver can drop a second copy.
func MessageID(key, from string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "exitflow.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "exitflow." + hex.EncodeToString(sum[:16]) + "@" + domain
}
