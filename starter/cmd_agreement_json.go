package main

// Strict JSON decoding of agreement inputs and signal payloads: one object, no unknown fields, every
// field without omitempty present, and each error naming the source and the field.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// decodeStrict reads exactly one JSON object from r into v (a pointer to a struct); source names
// where it came from (a file name, --json) in the errors.
func decodeStrict(r io.Reader, source string, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", source, jsonProblem(err, v))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: more than one JSON value: want exactly one object", source)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return fmt.Errorf("%s: %w", source, jsonProblem(err, v))
	}
	for _, name := range requiredFields(v) {
		if _, ok := fields[name]; !ok {
			return fmt.Errorf("%s: field %q is missing (want %s)", source, name, fieldList(v))
		}
	}
	return nil
}

// jsonProblem rewrites a decoding error so that it names the field and what it expects.
func jsonProblem(err error, v any) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("want one JSON object with fields %s, got a JSON %s", fieldList(v), te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("field %q: want %s, got a JSON %s", te.Field, jsonKind(te.Type), te.Value)
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON at byte %d: %w", se.Offset, err)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("empty: want one JSON object with fields %s", fieldList(v))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return fmt.Errorf("unknown field %s (want %s)", name, fieldList(v))
	}
	return err
}

// jsonKind says in JSON terms what a Go type takes.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(jsonKind(t.Elem()), "a ") + "s"
	}
	return t.String()
}

// jsonFields are the JSON names of a struct's fields (embedded ones flattened), and whether each
// is required (has no omitempty).
func jsonFields(t reflect.Type) (names []string, required []bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			n, r := jsonFields(f.Type)
			names, required = append(names, n...), append(required, r...)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names, required = append(names, name), append(required, !strings.Contains(opts, "omitempty"))
	}
	return names, required
}

// requiredFields are the JSON fields of v that must be present.
func requiredFields(v any) []string {
	names, req := jsonFields(reflect.TypeOf(v))
	var out []string
	for i, n := range names {
		if req[i] {
			out = append(out, n)
		}
	}
	return out
}

// fieldList names v's JSON fields for a message: "from", "note".
func fieldList(v any) string {
	names, _ := jsonFields(reflect.TypeOf(v))
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
