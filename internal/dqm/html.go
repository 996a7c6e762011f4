package dqm

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// measureLabels are the measures in words, as the HTML report gives them.
var measureLabels = map[Measure]string{
	OpenEnrollments:        "open enrollments",
	OpenHouseholds:         "open households",
	PastWindow:             "open enrollments past the auto-exit window (auto exit on)",
	AlertWindowHouseholds:  "households in the alert window",
	ExitsCaseManager:       "exits in the period entered by case managers",
	ExitsAutoInactivity:    "exits in the period made automatically for inactivity",
	ExitsAdmin:             "exits in the period made by HMIS administrators",
	ExitsAutoHoused:        "exits in the period made automatically on housing",
	ExitsUndone:            "engine exits undone in the period",
	ExitsDestination30Pct:  "share of exits to destination 30 (no exit interview completed)",
	ExitsDestination89Pct:  "share of exits to destination 8 or 9 (client doesn't know / prefers not to answer)",
	ExitsDestination99Pct:  "share of exits to destination 99 (data not collected)",
	ExitsBeforeEntry:       "exits dated before the entry date",
	ExitsAfterAsOf:         "exits dated after the as-of date",
	NbnExitDateOff:         "night-by-night exits not dated the day after the last bed night",
	BedNightsOnOrAfterExit: "bed nights recorded on or after the exit date",
	Q6fNbnNoBedNight90d:    "night-by-night enrollments with no bed night in 90 days (APR/CAPER Q6f)",
	Q6fSoNoContact90d:      "street outreach enrollments with no contact in 90 days (APR/CAPER Q6f)",
	FutureDatedActivity:    "activity dated in the future",
	HouseholdsHohExited:    "open households whose head of household has exited",
	HouseholdsHohNotOne:    "open households without exactly one head of household",
}

// htmlProjectTypes are the HUD project types (ProjectType) in words.
var htmlProjectTypes = map[int]string{
	0: "Emergency Shelter – Entry Exit", 1: "Emergency Shelter – Night-by-Night", 2: "Transitional Housing",
	3: "PH – Permanent Supportive Housing", 4: "Street Outreach", 6: "Services Only", 7: "Other",
	8: "Safe Haven", 9: "PH – Housing Only", 10: "PH – Housing with Services", 11: "Day Shelter",
	12: "Homelessness Prevention", 13: "PH – Rapid Re-Housing", 14: "Coordinated Entry",
}

// htmlMaxFindingRows is how many rows of each finding kind the HTML lists; all are in findings.csv.
const htmlMaxFindingRows = 20

// measureLabel is m in words, or its name when it has no label.
func measureLabel(m Measure) string {
	if s, ok := measureLabels[m]; ok {
		return s
	}
	return string(m)
}

// htmlPage is what the HTML template shows.
type htmlPage struct {
	Title, Period, Created, Compare string
	OK                              bool
	Verdict                         string
	Reasons                         []string
	Total                           []htmlRow
	TotalChart                      htmlChart
	Projects                        []htmlProject
	FindingCount                    int
	Findings                        []htmlFindingKind
}

// htmlRow is one measure in words.
type htmlRow struct {
	Label, Value, Previous, Change string
}

// htmlChart is one embedded PNG chart.
type htmlChart struct {
	Src           template.HTMLAttr // src="data:image/png;base64,…", unescaped: base64 needs none
	Width, Height int
	Alt           string
}

// htmlProject is one project's section.
type htmlProject struct {
	Heading, Organization, Type, Policy, Changes string
	Rows                                         []htmlRow
	Chart                                        htmlChart
}

// htmlFindingKind is one kind of finding: its count and its first rows.
type htmlFindingKind struct {
	Label string
	Count int
	Rows  []htmlFindingRow
	More  int
}

// htmlFindingRow is one finding, IDs only.
type htmlFindingRow struct {
	ProjectID, HouseholdID, EnrollmentID, PersonalID, Date, Detail string
}

// WriteHTML writes the report as one self-contained HTML page (inline CSS, embedded PNG charts).
func WriteHTML(w io.Writer, r *Report) error {
	page, err := buildHTMLPage(r)
	if err != nil {
		return err
	}
	if err := dqmPageTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("dqm: html report: %w", err)
	}
	return nil
}

// buildHTMLPage turns r into what the template shows, drawing the charts.
func buildHTMLPage(r *Report) (*htmlPage, error) {
	scope := htmlScope(r)
	page := &htmlPage{
		Title:   fmt.Sprintf("Data quality report for %s, as of %s", scope, htmlDate(r.AsOf)),
		Period:  htmlPeriod(r.Since, r.AsOf),
		OK:      r.Verdict == WorkingAsPlanned,
		Verdict: r.Verdict,
		Total:   htmlRows(r.Total),
	}
	page.Created = fmt.Sprintf("Report %d", r.ID)
	if !r.CreatedAt.IsZero() {
		page.Created += ", made " + r.CreatedAt.Format("2006-01-02 15:04 MST")
	}
	page.Compare = "This is the first report for these projects: there is nothing to compare with."
	if r.PreviousID != 0 {
		page.Compare = fmt.Sprintf("Changes are since report %d of the same projects.", r.PreviousID)
	}
	for _, rs := range r.Reasons {
		text := rs.Text
		if text == "" {
			text = fmt.Sprintf("%s %s", groupThousands(int64(rs.Count)), measureLabel(rs.Measure))
		}
		page.Reasons = append(page.Reasons, text)
	}
	var sum [6]int
	for _, pr := range r.ProjectReports {
		for i, n := range pr.Buckets {
			sum[i] += n
		}
		hp, err := htmlProjectOf(pr)
		if err != nil {
			return nil, err
		}
		page.Projects = append(page.Projects, hp)
	}
	chart, err := htmlChartOf("All projects: open enrollments", sum, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("dqm: total chart: %w", err)
	}
	page.TotalChart = chart
	page.FindingCount = len(r.Findings)
	page.Findings = htmlFindingKinds(r.Findings)
	return page, nil
}

// htmlProjectOf is one project's section, with its chart.
func htmlProjectOf(pr ProjectReport) (htmlProject, error) {
	name := pr.ProjectName
	if name == "" {
		name = "Project"
	}
	hp := htmlProject{
		Heading:      fmt.Sprintf("%s (%s)", name, pr.ProjectID),
		Organization: htmlNameID(pr.OrganizationName, pr.OrganizationID),
		Type:         htmlProjectType(pr.ProjectType),
		Rows:         htmlRows(pr.Measures),
		Changes:      htmlChanges(pr.Measures),
	}
	var policy []string
	if pr.AlertDays != nil {
		policy = append(policy, fmt.Sprintf("alert after %d days without activity", *pr.AlertDays))
	} else {
		policy = append(policy, "no alert")
	}
	// The axes say what is counted: the title names the project, short enough for the chart's width.
	title := fmt.Sprintf("%s: open enrollments", htmlShorten(name, 44))
	if pr.AutoExitDays != nil {
		policy = append(policy, fmt.Sprintf("auto exit after %d days", *pr.AutoExitDays))
	} else {
		policy = append(policy, "auto exit off")
		title += " (auto exit off)"
	}
	hp.Policy = strings.Join(policy, "; ")
	chart, err := htmlChartOf(title, pr.Buckets, pr.AlertDays, pr.AutoExitDays)
	if err != nil {
		return hp, fmt.Errorf("dqm: chart for project %s: %w", pr.ProjectID, err)
	}
	hp.Chart = chart
	return hp, nil
}

// htmlChartOf draws a bucket chart and embeds it as a data URL.
func htmlChartOf(title string, buckets [6]int, alertDays, exitDays *int) (htmlChart, error) {
	png, err := bucketChart(title, buckets, alertDays, exitDays)
	if err != nil {
		return htmlChart{}, err
	}
	alt := make([]string, len(buckets))
	for i, n := range buckets {
		alt[i] = fmt.Sprintf("%s days: %s", BucketLabels[i], groupThousands(int64(n)))
	}
	return htmlChart{
		// #nosec G203 -- a data URL of PNG bytes we drew ourselves; base64 has no quote or ampersand
		Src:    template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `"`),
		Width:  chartWidthPx,
		Height: chartHeightPx,
		Alt:    title + ". " + strings.Join(alt, "; "),
	}, nil
}

// htmlRows are measure rows in words.
func htmlRows(rows []MeasureRow) []htmlRow {
	out := make([]htmlRow, 0, len(rows))
	for _, m := range rows {
		prev := "—"
		if m.Previous.Valid {
			prev = htmlValue(m.Measure, m.Previous)
		}
		out = append(out, htmlRow{Label: measureLabel(m.Measure), Value: htmlValue(m.Measure, m.Value),
			Previous: prev, Change: m.Change})
	}
	return out
}

// htmlChanges sums up the judged changes of a project's measures, or "" when none was judged.
func htmlChanges(rows []MeasureRow) string {
	var better, worse, same int
	for _, m := range rows {
		switch m.Change {
		case Better:
			better++
		case Worse:
			worse++
		case Same:
			same++
		}
	}
	if better+worse+same == 0 {
		return ""
	}
	return fmt.Sprintf("Since the previous report: %d better, %d worse, %d the same.", better, worse, same)
}

// htmlFindingKinds counts the findings per kind (in Measures order, then unknown kinds by name)
// and keeps the first htmlMaxFindingRows rows of each.
func htmlFindingKinds(fs []Finding) []htmlFindingKind {
	byKind := map[Measure]*htmlFindingKind{}
	for _, f := range fs {
		k := byKind[f.Finding]
		if k == nil {
			k = &htmlFindingKind{Label: measureLabel(f.Finding)}
			byKind[f.Finding] = k
		}
		k.Count++
		if len(k.Rows) >= htmlMaxFindingRows {
			k.More++
			continue
		}
		date := ""
		if f.Date != nil {
			date = htmlDate(*f.Date)
		}
		k.Rows = append(k.Rows, htmlFindingRow{ProjectID: f.ProjectID, HouseholdID: f.HouseholdID,
			EnrollmentID: f.EnrollmentID, PersonalID: f.PersonalID, Date: date, Detail: f.Detail})
	}
	order := append([]Measure(nil), Measures...)
	var extra []Measure
	for m := range byKind {
		if _, known := measureLabels[m]; !known {
			extra = append(extra, m)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	var out []htmlFindingKind
	for _, m := range append(order, extra...) {
		if k := byKind[m]; k != nil {
			out = append(out, *k)
		}
	}
	return out
}

// htmlScope is what the report covers: the whole CoC, an organization, or projects.
func htmlScope(r *Report) string {
	if r.WholeCoC {
		return "the whole CoC"
	}
	if r.OrganizationID != "" {
		name := ""
		for _, pr := range r.ProjectReports {
			if pr.OrganizationID == r.OrganizationID && pr.OrganizationName != "" {
				name = pr.OrganizationName
				break
			}
		}
		return "organization " + htmlNameID(name, r.OrganizationID)
	}
	ids := r.Projects
	if len(ids) == 0 {
		for _, pr := range r.ProjectReports {
			ids = append(ids, pr.ProjectID)
		}
	}
	const shown = 5
	switch {
	case len(ids) == 1:
		return "project " + ids[0]
	case len(ids) > shown:
		return fmt.Sprintf("projects %s and %d more", strings.Join(ids[:shown], ", "), len(ids)-shown)
	}
	return "projects " + strings.Join(ids, ", ")
}

// htmlPeriod is the period (since, asOf] in words: from the day after since to asOf.
func htmlPeriod(since, asOf time.Time) string {
	if since.IsZero() {
		return "up to and including " + htmlDate(asOf)
	}
	return fmt.Sprintf("from %s to %s, both days included", htmlDate(since.AddDate(0, 0, 1)), htmlDate(asOf))
}

// htmlDate is a date as YYYY-MM-DD.
func htmlDate(t time.Time) string { return t.Format("2006-01-02") }

// htmlNameID is "name (id)", or the id alone without a name.
func htmlNameID(name, id string) string {
	if name == "" {
		return id
	}
	return fmt.Sprintf("%s (%s)", name, id)
}

// htmlProjectType is a HUD project type in words, with its number.
func htmlProjectType(t int) string {
	if s, ok := htmlProjectTypes[t]; ok {
		return fmt.Sprintf("%s (%d)", s, t)
	}
	return fmt.Sprintf("type %d", t)
}

// htmlShorten cuts s to at most n runes, marking the cut with an ellipsis.
func htmlShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// htmlValue is a value in words: a count with thousands separators, a percentage with one
// decimal, "n/a" when it does not apply.
func htmlValue(m Measure, v Value) string {
	if !v.Valid {
		return "n/a"
	}
	if m.Percent() {
		return strconv.FormatFloat(v.N, 'f', 1, 64) + " %"
	}
	return groupThousands(int64(math.Round(v.N)))
}

// htmlNum is an int with thousands separators (the template's num).
func htmlNum(n int) string { return groupThousands(int64(n)) }

// groupThousands formats n with commas between groups of three digits.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// dqmPageTemplate is the HTML report: styles are inline on each element (mail clients drop
// <style> blocks), with no scripts and no external assets.
var dqmPageTemplate = template.Must(template.New("dqm").Funcs(template.FuncMap{"num": htmlNum}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4">
<div style="max-width:760px;margin:0 auto">
<h1 style="font-size:22px;margin:0 0 4px 0">{{.Title}}</h1>
<p style="margin:0 0 4px 0;color:#57606a">Period: {{.Period}}. {{.Created}}.</p>
<p style="margin:0 0 16px 0;color:#57606a">{{.Compare}}</p>
{{if .OK}}<div style="border-left:8px solid #1a7f37;background:#e6f4ea;padding:12px 16px;margin:0 0 20px 0">
<p style="margin:0;font-size:24px;font-weight:bold;color:#1a7f37">Verdict: {{.Verdict}}</p>
{{else}}<div style="border-left:8px solid #c01c28;background:#fdecea;padding:12px 16px;margin:0 0 20px 0">
<p style="margin:0;font-size:24px;font-weight:bold;color:#c01c28">Verdict: {{.Verdict}}</p>
{{end}}{{if .Reasons}}<p style="margin:8px 0 4px 0">Why:</p>
<ul style="margin:0;padding-left:20px">{{range .Reasons}}
<li>{{.}}</li>{{end}}
</ul>{{else if .OK}}<p style="margin:8px 0 0 0">Nothing is past its auto-exit window and no exit is invalid.</p>{{end}}
</div>

<h2 style="font-size:18px;margin:24px 0 8px 0">All projects</h2>
{{template "measures" .Total}}
{{template "chart" .TotalChart}}
{{range .Projects}}
<h2 style="font-size:18px;margin:32px 0 4px 0;border-top:1px solid #d0d7de;padding-top:16px">{{.Heading}}</h2>
<table role="presentation" style="border-collapse:collapse;margin:0 0 8px 0">
<tr><td style="padding:2px 12px 2px 0;color:#57606a">Organization</td><td style="padding:2px 0">{{.Organization}}</td></tr>
<tr><td style="padding:2px 12px 2px 0;color:#57606a">Project type</td><td style="padding:2px 0">{{.Type}}</td></tr>
<tr><td style="padding:2px 12px 2px 0;color:#57606a">Policy</td><td style="padding:2px 0">{{.Policy}}</td></tr>
</table>
{{if .Changes}}<p style="margin:0 0 8px 0">{{.Changes}}</p>{{end}}
{{template "measures" .Rows}}
{{template "chart" .Chart}}
{{end}}
<h2 style="font-size:18px;margin:32px 0 8px 0;border-top:1px solid #d0d7de;padding-top:16px">Findings</h2>
{{if .Findings}}<p style="margin:0 0 8px 0">{{num .FindingCount}} rows in all. Every row is in the attached findings.csv (IDs only); below are at most 20 of each kind.</p>
<table style="border-collapse:collapse;width:100%;margin:0 0 16px 0">
<tr><th style="text-align:left;border-bottom:2px solid #d0d7de;padding:4px 8px">Finding</th><th style="text-align:right;border-bottom:2px solid #d0d7de;padding:4px 8px">Rows</th></tr>
{{range .Findings}}<tr><td style="border-bottom:1px solid #eaeef2;padding:4px 8px">{{.Label}}</td><td style="text-align:right;border-bottom:1px solid #eaeef2;padding:4px 8px">{{num .Count}}</td></tr>
{{end}}</table>
{{range .Findings}}<h3 style="font-size:15px;margin:16px 0 4px 0">{{.Label}}: {{num .Count}}</h3>
<table style="border-collapse:collapse;width:100%;font-size:12px">
<tr><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">Project</th><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">Household</th><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">Enrollment</th><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">PersonalID</th><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">Date</th><th style="text-align:left;border-bottom:1px solid #d0d7de;padding:2px 6px">Detail</th></tr>
{{range .Rows}}<tr><td style="padding:2px 6px">{{.ProjectID}}</td><td style="padding:2px 6px">{{.HouseholdID}}</td><td style="padding:2px 6px">{{.EnrollmentID}}</td><td style="padding:2px 6px">{{.PersonalID}}</td><td style="padding:2px 6px">{{.Date}}</td><td style="padding:2px 6px">{{.Detail}}</td></tr>
{{end}}</table>
{{if .More}}<p style="margin:4px 0 0 0;color:#57606a">… and {{num .More}} more in findings.csv.</p>{{end}}
{{end}}{{else}}<p style="margin:0">No findings.</p>{{end}}
<p style="margin:32px 0 0 0;color:#57606a;font-size:12px">IDs and counts only: this report holds no client personal data. The values per project and in total are in the attached measures.csv.</p>
</div>
</body>
</html>
{{define "measures"}}<table style="border-collapse:collapse;width:100%;margin:0 0 12px 0">
<tr><th style="text-align:left;border-bottom:2px solid #d0d7de;padding:4px 8px">Measure</th><th style="text-align:right;border-bottom:2px solid #d0d7de;padding:4px 8px">Value</th><th style="text-align:right;border-bottom:2px solid #d0d7de;padding:4px 8px">Previous</th><th style="text-align:left;border-bottom:2px solid #d0d7de;padding:4px 8px">Change</th></tr>
{{range .}}<tr><td style="border-bottom:1px solid #eaeef2;padding:4px 8px">{{.Label}}</td><td style="text-align:right;border-bottom:1px solid #eaeef2;padding:4px 8px">{{.Value}}</td><td style="text-align:right;border-bottom:1px solid #eaeef2;padding:4px 8px;color:#57606a">{{.Previous}}</td>{{if eq .Change "better"}}<td style="border-bottom:1px solid #eaeef2;padding:4px 8px;color:#1a7f37;font-weight:bold">better</td>{{else if eq .Change "worse"}}<td style="border-bottom:1px solid #eaeef2;padding:4px 8px;color:#c01c28;font-weight:bold">worse</td>{{else if .Change}}<td style="border-bottom:1px solid #eaeef2;padding:4px 8px;color:#57606a">{{.Change}}</td>{{else}}<td style="border-bottom:1px solid #eaeef2;padding:4px 8px;color:#8c959f">—</td>{{end}}</tr>
{{end}}</table>{{end}}
{{define "chart"}}<p style="margin:8px 0 0 0"><img {{.Src}} width="{{.Width}}" height="{{.Height}}" alt="{{.Alt}}" style="display:block;max-width:100%;height:auto;border:0"></p>{{end}}
`))
