package contacts

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
)

// The input fields of contacts, besides the engine's OrganizationID and Actor; callers map them to
// their own names (the CLI to --role, --email and --name).
const (
	FieldRole  engine.Field = "Role"
	FieldEmail engine.Field = "Email"
	FieldName  engine.Field = "Name"
)

// ErrNotFound is what a NotFoundError is (errors.Is): the contact to remove is not there.
var ErrNotFound = errors.New("no such contact")

// NotFoundError is the contact that Remove did not find; nothing was removed.
type NotFoundError struct{ Change Change }

// Error names the contact.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s is not %s: nothing removed", e.Change.Email, describe(e.Change.Role, e.Change.OrganizationID))
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// describe renders a role and organization as "a liaison of organization 41" or "HMIS staff".
func describe(role Role, org string) string {
	if role == RoleHMISStaff {
		return roleNoun(role)
	}
	return roleNoun(role) + " of organization " + org
}

// roleNoun names a role in a sentence: "a liaison", "a notification contact", "HMIS staff".
func roleNoun(role Role) string {
	switch role {
	case RoleHMISStaff:
		return "HMIS staff"
	case RoleNotification:
		return "a notification contact"
	}
	return "a liaison"
}

// NormalEmail returns the address s trimmed and lower-cased (addresses are compared without
// case), or an error saying why s is not shaped like an e-mail address (name@example.org).
func NormalEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	local, domain, ok := strings.Cut(e, "@")
	switch {
	case e == "":
		return "", errors.New("is empty: want an e-mail address (name@example.org)")
	case strings.IndexFunc(e, badEmailRune) >= 0:
		return "", errors.New("not an e-mail address: it holds a space, a control character or one of <>()[],;:\"\\ (want name@example.org)")
	case !ok || strings.Contains(domain, "@"):
		return "", errors.New("not an e-mail address: want exactly one @ (name@example.org)")
	case local == "" || domain == "":
		return "", errors.New("not an e-mail address: want a name before the @ and a domain after it (name@example.org)")
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(e, ".."):
		return "", errors.New("not an e-mail address: want a domain such as example.org after the @")
	}
	return e, nil
}

func badEmailRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>()[],;:"\`, r) || r == unicode.ReplacementChar
}

// checkEmail is NormalEmail as an input error of the field Email.
func checkEmail(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", engine.Invalid(FieldEmail, nil, "is required: the contact's e-mail address (name@example.org)")
	}
	e, err := NormalEmail(s)
	if err != nil {
		return "", engine.Invalid(FieldEmail, fmt.Sprintf("%q", s), "%s", err.Error())
	}
	return e, nil
}

// Problem is one error of an assignment file, located as FILE:LINE:COLUMN (line 1 is the header;
// the column is the field number): the importer's, so that both read alike.
type Problem = importer.Problem

// MaxProblems is how many problems an ImportError keeps with their text; the rest are counted.
const MaxProblems = 100

// ImportError is an assignment file refused: its first problems (at most MaxProblems) and how many
// there are. Nothing was imported. It is an engine.ErrInvalid (errors.Is).
type ImportError struct {
	Problems []Problem
	Count    int
}

// Error renders each problem kept on a line of its own, then how many more there are.
func (e *ImportError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	if more := e.Count - len(e.Problems); more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more", more))
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, engine.ErrInvalid) true.
func (e *ImportError) Is(target error) bool { return target == engine.ErrInvalid }

// add records a problem, keeping the text of the first MaxProblems.
func (e *ImportError) add(p Problem) {
	e.Count++
	if len(e.Problems) < MaxProblems {
		e.Problems = append(e.Problems, p)
	}
}
