package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// decodeSignal decodes one signal or update payload strictly: unknown fields, wrong types, trailing
// data and missing required fields are errors (issue 10: malformed signals are rejected).
func decodeSignal(a Action, raw json.RawMessage) (any, error) {
	v := SignalPayloads(a)
	if v == nil {
		return nil, fmt.Errorf("unknown action %q", a)
	}
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, errors.New("payload: a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	// Decoding into a struct is deterministic: no map iteration reaches a command.
	//workflowcheck:ignore
	err := dec.Decode(v)
	if err != nil {
		return nil, fmt.Errorf("payload: %s", cleanJSONError(err))
	}
	//workflowcheck:ignore
	_, err = dec.Token()
	if !errors.Is(err, io.EOF) {
		return nil, errors.New("payload: one JSON object only")
	}
	if err := required(v); err != nil {
		return nil, err
	}
	return v, nil
}

// required checks the fields each payload must carry.
func required(v any) error {
	var missing string
	switch p := v.(type) {
	case *AcknowledgeSignal:
		missing = firstEmpty("from", p.From)
	case *ReportIssueSignal:
		missing = firstEmpty("from", p.From, "description", p.Description)
	case *ResumeSignal:
		missing = firstEmpty("from", p.From)
	case *ExtendSignal:
		missing = firstEmpty("from", p.From, "period_end", p.PeriodEnd)
	case *CancelSignal:
		missing = firstEmpty("from", p.From)
	}
	if missing != "" {
		return fmt.Errorf("%s is required", missing)
	}
	return nil
}

// firstEmpty returns the first field name (of name, value pairs) whose value is blank.
func firstEmpty(pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return pairs[i]
		}
	}
	return ""
}

// cleanJSONError keeps a decode error's message short and free of the payload's values (SPEC S1).
func cleanJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s: wrong type (%s, want %s)", te.Field, te.Value, te.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// senderOf reads the payload's "from" leniently, to name the sender of a malformed signal.
func senderOf(raw json.RawMessage) string {
	var p struct {
		From any `json:"from"`
	}
	// Into a struct: deterministic.
	//workflowcheck:ignore
	err := json.Unmarshal(raw, &p)
	if err != nil {
		return ""
	}
	if s, ok := p.From.(string); ok {
		return s
	}
	return ""
}

// fromOf is a decoded payload's sender.
func fromOf(v any) string {
	switch p := v.(type) {
	case *AcknowledgeSignal:
		return p.From
	case *ReportIssueSignal:
		return p.From
	case *ResumeSignal:
		return p.From
	case *ExtendSignal:
		return p.From
	case *CancelSignal:
		return p.From
	}
	return ""
}
