package importer

import (
	"fmt"
	"sort"
)

// Problem is one error or warning, located in the export.
type Problem struct {
	File   string `json:"file"`             // "Enrollment.csv"
	Line   int    `json:"line,omitempty"`   // 1-based line of the CSV file (the header is line 1)
	Column int    `json:"column,omitempty"` // 1-based field number of the CSV row
	Msg    string `json:"message"`
}

// String renders file:line:column: message.
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	case p.File != "":
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return p.Msg
}

// MaxErrors is how many errors are kept with their text; the rest are counted.
const MaxErrors = 100

// maxExamples is how many warnings of one kind are kept with their text.
const maxExamples = 20

// Warning is a kind of data-quality problem that does not block the import, with examples.
type Warning struct {
	Kind     string    `json:"kind"`
	Count    int       `json:"count"`
	Examples []Problem `json:"examples"`
}

type problems struct {
	errs     []Problem
	errCount int
	warns    map[string]*Warning
	codes    map[string]int // code list → distinct out-of-list values given a kind of their own
}

// maxCodeKinds bounds the distinct out-of-list values of one code list that get a warning kind of
// their own; the rest share one kind, so that a hostile file cannot grow the summary without end.
const maxCodeKinds = 50

// outOfList records a code outside its HUD list: one kind per list and value, so that a CoC lead
// sees each code with its rows.
func (p *problems) outOfList(list string, n int, pr Problem) {
	kind := fmt.Sprintf("%s %d: not a FY2026 HUD %s code (stored as sent)", list, n, list)
	if _, seen := p.warns[kind]; !seen {
		if p.codes == nil {
			p.codes = map[string]int{}
		}
		if p.codes[list] >= maxCodeKinds {
			kind = fmt.Sprintf("%s: other values outside the HUD list (stored as sent)", list)
		} else {
			p.codes[list]++
		}
	}
	p.warn(kind, pr)
}

func (p *problems) err(pr Problem) {
	pr.Msg = clipTo(pr.Msg, maxMessage)
	p.errCount++
	if len(p.errs) < MaxErrors {
		p.errs = append(p.errs, pr)
	}
}

func (p *problems) warn(kind string, pr Problem) {
	if p.warns == nil {
		p.warns = map[string]*Warning{}
	}
	w := p.warns[kind]
	if w == nil {
		w = &Warning{Kind: kind}
		p.warns[kind] = w
	}
	w.Count++
	if len(w.Examples) < maxExamples {
		pr.Msg = clipTo(pr.Msg, maxMessage)
		w.Examples = append(w.Examples, pr)
	}
}

func (p *problems) warnings() ([]Warning, int) {
	out := make([]Warning, 0, len(p.warns))
	n := 0
	for _, w := range p.warns {
		out = append(out, *w)
		n += w.Count
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, n
}
