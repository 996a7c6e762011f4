package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
)

// Each kind has templates/<kind>.tmpl with three templates: "subject" and "text" (run with
// text/template) and "body" (run with html/template inside layout.tmpl's "html"). They get the
// kind's data struct (data.go) and nothing else: IDs, counts and dates (SPEC N2).

//go:embed templates/*.tmpl
var templateFS embed.FS

// kindData is the data type each kind's templates take.
var kindData = map[Kind]reflect.Type{
	KindAgreementNotice:         reflect.TypeFor[AgreementNotice](),
	KindPeriodEndingReminder:    reflect.TypeFor[PeriodEndingReminder](),
	KindProcessBegins:           reflect.TypeFor[ProcessBegins](),
	KindCompletion:              reflect.TypeFor[Completion](),
	KindAcknowledgementReminder: reflect.TypeFor[AcknowledgementReminder](),
	KindEscalation:              reflect.TypeFor[Escalation](),
	KindAgreementChange:         reflect.TypeFor[AgreementChange](),
	KindAutoAlert:               reflect.TypeFor[AutoAlert](),
	KindAutoExitDone:            reflect.TypeFor[AutoExitDone](),
	KindHousedExitProposal:      reflect.TypeFor[HousedExitProposal](),
	KindHoHRedesignation:        reflect.TypeFor[HoHRedesignation](),
	KindDQMReport:               reflect.TypeFor[DQMReport](),
	KindSweepSummary:            reflect.TypeFor[SweepSummary](),
}

// DataType is the type of the data Compose takes for kind (nil for an unknown kind).
func DataType(kind Kind) reflect.Type { return kindData[kind] }

// templateFuncs are the functions the templates may call.
var templateFuncs = map[string]any{
	"date":  func(t time.Time) string { return dateText(t) },
	"count": func(n int, noun string) string { return countText(n, noun) },
	"join":  func(list any) string { return strings.Join(listText(list), ", ") },
	"wrap":  func(list any) string { return wrapText(listText(list), 76, "  ") },
}

// kindTemplates are one kind's parsed templates.
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates parses every kind's templates once.
var templates = sync.OnceValues(func() (map[Kind]kindTemplates, error) {
	out := map[Kind]kindTemplates{}
	for _, k := range Kinds {
		file := "templates/" + string(k) + ".tmpl"
		tt, err := texttemplate.New(string(k)).Funcs(templateFuncs).Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.tmpl", file)
		if err != nil {
			return nil, fmt.Errorf("notification templates of %s: %w", k, err)
		}
		ht, err := htmltemplate.New(string(k)).Funcs(templateFuncs).Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.tmpl", file)
		if err != nil {
			return nil, fmt.Errorf("notification templates of %s: %w", k, err)
		}
		out[k] = kindTemplates{text: tt, html: ht}
	}
	return out, nil
})

// Compose renders kind's templates with data (the kind's struct of data.go, by value) into a
// message with its Kind, Subject, Text, HTML and About (the data) set; the caller adds Key and
// To, and for a DQM report the report as HTML and its CSVs as Attachments.
func Compose(kind Kind, data any) (Message, error) {
	want, ok := kindData[kind]
	if !ok {
		return Message{}, &InvalidError{Field: "Kind", Reason: fmt.Sprintf("%q is not a kind (%s)", kind, KindNames())}
	}
	if data == nil || reflect.TypeOf(data) != want {
		return Message{}, &InvalidError{Field: "About", Reason: fmt.Sprintf("a %s notification takes a notify.%s, not %T", kind, want.Name(), data)}
	}
	all, err := templates()
	if err != nil {
		return Message{}, err
	}
	t := all[kind]
	parts := map[string]string{}
	for _, p := range []struct {
		name string
		exec func(io.Writer, string, any) error
	}{{"subject", t.text.ExecuteTemplate}, {"text", t.text.ExecuteTemplate}, {"html", t.html.ExecuteTemplate}} {
		var b bytes.Buffer
		if err := p.exec(&b, p.name, data); err != nil {
			return Message{}, fmt.Errorf("rendering the %s of a %s notification: %w", p.name, kind, err)
		}
		parts[p.name] = b.String()
	}
	return Message{Kind: kind, Subject: strings.Join(strings.Fields(parts["subject"]), " "),
		Text: tidyText(parts["text"]), HTML: parts["html"], About: data}, nil
}

// blankLines are runs of more than one empty line.
var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText drops trailing blanks and repeated empty lines, so that templates can be laid out
// for reading; the text ends with one newline.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "-- " { // the signature separator keeps its blank
			lines[i] = strings.TrimRight(l, " \t")
		}
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")) + "\n"
}

// dateText is a calendar date as YYYY-MM-DD ("-" for none).
func dateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateOnly)
}

// countText is "1 enrollment", "3 enrollments".
func countText(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listText is each element of a slice as text ("none" for an empty one).
func listText(list any) []string {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice || v.Len() == 0 {
		return []string{"none"}
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = fmt.Sprint(v.Index(i).Interface())
	}
	return out
}

// wrapText joins items with ", " into lines of at most width characters, each after indent.
func wrapText(items []string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		if line != indent && len(line)+1+len(it) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += it
	}
	b.WriteString(line)
	return b.String()
}
