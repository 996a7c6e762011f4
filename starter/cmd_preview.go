package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

// PreviewHeader is the CSV contract of `exitflow preview --format csv`.
var PreviewHeader = []string{"Action", "ProjectID", "HouseholdID", "EnrollmentID", "PersonalID", "LastActivityDate",
	"LastActivitySource", "DaysInactive", "ExitOn", "ExitDate", "Destination", "DestinationSubsidyType", "Reason"}

func (a *app) previewCmd() *cobra.Command {
	var asOfText, method, format string
	var projects []string
	var window int
	var allOpen bool
	c := &cobra.Command{
		Use:   "preview",
		Short: "List the enrollments the engine would exit or alert on (writes nothing)",
		Long: `Lists, as of a date, every open enrollment the engine would exit (Action exit) or that is in
the alert window (Action alert), with the household's last activity, the days inactive, the date
the exit is or would be recorded (ExitOn), the exit date it gets and its destination. Nothing is
written.

--method auto (default) follows each project's effective policy (see exitflow policy show).
--method admin lists what administrative exits would do for the given projects: households past
the project's auto-exit window, or past --window-days N, or every open enrollment with --all-open
(a closing project).

Formats: table (for people, grouped by project with its name, with totals; IDs of digits in
numeric order, 9 before 10), csv (the columns below, one row per enrollment, sorted by ProjectID,
HouseholdID, EnrollmentID as text), json (for programs, in the CSV order).
CSV columns: Action,ProjectID,HouseholdID,EnrollmentID,PersonalID,LastActivityDate,LastActivitySource,
DaysInactive,ExitOn,ExitDate,Destination,DestinationSubsidyType,Reason`,
		Example: `  exitflow preview
  exitflow preview --as-of 2026-11-01 --format csv > preview.csv
  exitflow preview --project 1362 --project 1401 --format json
  exitflow preview --method admin --project 1362 --window-days 90
  exitflow preview --method admin --project 1362 --all-open      # a closing project`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return fmt.Errorf("--format %q: want table, csv or json", format)
			}
			asOf, err := a.asOf(asOfText)
			if err != nil {
				return err
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			ctx := cmd.Context()
			opt := engine.Options{AsOf: asOf, Projects: projects, Method: engine.Method(method), WindowDays: window, AllOpen: allOpen, NaturalOrder: format == "table"}
			if err := opt.Validate(ctx, pool); err != nil { // the engine's checks, as for a run
				return err
			}
			w, err := newPreviewWriter(ctx, pool, format, cmd.OutOrStdout(), opt)
			if err != nil {
				return err
			}
			if err := engine.Candidates(ctx, pool, opt, w.row); err != nil {
				return err
			}
			return w.close()
		},
	}
	f := c.Flags()
	f.StringVar(&asOfText, "as-of", "", "as-of date `YYYY-MM-DD` (default today in the CoC time zone)")
	f.StringArrayVar(&projects, "project", nil, "only this ProjectID (repeat for several)")
	f.StringVar(&method, "method", string(engine.MethodAuto), "auto (inactivity policy) or admin (administrative exits)")
	f.StringVar(&format, "format", "table", "table, csv or json")
	f.IntVar(&window, "window-days", 0, "admin: days without activity that make a household past the window (default: the project's auto-exit days)")
	f.BoolVar(&allOpen, "all-open", false, "admin: every open enrollment of the projects (a closing project)")
	return c
}

// previewTotals counts households and enrollments per action.
type previewTotals struct {
	ExitHouseholds   int `json:"exit_households"`
	ExitEnrollments  int `json:"exit_enrollments"`
	AlertHouseholds  int `json:"alert_households"`
	AlertEnrollments int `json:"alert_enrollments"`
}

func (t *previewTotals) add(r engine.Row, newHousehold bool) {
	if r.Action == engine.ActionExit {
		t.ExitEnrollments++
		if newHousehold {
			t.ExitHouseholds++
		}
	} else {
		t.AlertEnrollments++
		if newHousehold {
			t.AlertHouseholds++
		}
	}
}

// previewWriter streams preview rows in one of the three formats.
type previewWriter struct {
	format  string
	out     io.Writer
	opt     engine.Options
	csv     *csv.Writer
	names   map[string]string // table: project names by ProjectID
	n       int
	lastHH  string
	project string
	proj    previewTotals
	all     previewTotals
}

// newPreviewWriter starts the output; the table format reads the project names it shows.
func newPreviewWriter(ctx context.Context, q engine.Querier, format string, out io.Writer, opt engine.Options) (*previewWriter, error) {
	w := &previewWriter{format: format, out: out, opt: opt}
	switch format {
	case "csv":
		w.csv = csv.NewWriter(out)
		_ = w.csv.Write(PreviewHeader)
	case "json":
		fmt.Fprintf(out, `{"as_of":%q,"method":%q,"rows":[`, opt.AsOf.Format(time.DateOnly), opt.Method)
	default:
		var err error
		if w.names, err = engine.ProjectNames(ctx, q); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

func (w *previewWriter) fields(r engine.Row) []string {
	subsidy := ""
	if r.DestinationSubsidyType != nil {
		subsidy = strconv.Itoa(*r.DestinationSubsidyType)
	}
	return []string{r.Action, r.ProjectID, r.HouseholdID, r.EnrollmentID, r.PersonalID, date(r.LastActivityDate),
		r.LastActivitySource, strconv.Itoa(r.DaysInactive), date(r.ExitOn), date(r.ExitDate), strconv.Itoa(r.Destination), subsidy, r.Reason}
}

func (w *previewWriter) row(r engine.Row) error {
	key := r.ProjectID + "\x00" + r.HouseholdID
	newHH := key != w.lastHH
	w.lastHH = key
	switch w.format {
	case "csv":
		return w.csv.Write(w.fields(r))
	case "json":
		obj := map[string]any{}
		for i, v := range w.fields(r) {
			obj[PreviewHeader[i]] = v
		}
		obj["DaysInactive"], obj["Destination"] = r.DaysInactive, r.Destination
		if r.DestinationSubsidyType != nil {
			obj["DestinationSubsidyType"] = *r.DestinationSubsidyType
		} else {
			obj["DestinationSubsidyType"] = nil
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		if w.n > 0 {
			fmt.Fprint(w.out, ",")
		}
		_, err = fmt.Fprintf(w.out, "\n%s", b)
		w.n++
		w.all.add(r, newHH)
		return err
	}
	// table
	if r.ProjectID != w.project {
		w.projectFooter()
		w.project = r.ProjectID
		w.proj = previewTotals{}
		scope := r.PolicyScope
		window := "off"
		if r.AutoExitDays != nil {
			window = fmt.Sprintf("auto exit %d days", *r.AutoExitDays)
			if r.AlertDays != nil {
				window += fmt.Sprintf(", alert %d", *r.AlertDays)
			}
		}
		name := ""
		if n := w.names[r.ProjectID]; n != "" {
			name = n + ", "
		}
		fmt.Fprintf(w.out, "\nProject %s (%stype %d), policy from %s: %s\n", r.ProjectID, name, r.ProjectType, scope, window)
		fmt.Fprintf(w.out, "  %-6s %-16s %-16s %-12s %-10s %-24s %5s %-10s %-10s %4s\n",
			"action", "household", "enrollment", "personal", "last act.", "source", "days", "exit on", "exit date", "dest")
	}
	w.proj.add(r, newHH)
	w.all.add(r, newHH)
	_, err := fmt.Fprintf(w.out, "  %-6s %-16s %-16s %-12s %-10s %-24s %5d %-10s %-10s %4d\n",
		r.Action, r.HouseholdID, r.EnrollmentID, r.PersonalID, date(r.LastActivityDate), r.LastActivitySource,
		r.DaysInactive, date(r.ExitOn), date(r.ExitDate), r.Destination)
	return err
}

func (w *previewWriter) projectFooter() {
	if w.project == "" {
		return
	}
	fmt.Fprintf(w.out, "  project %s: exit %d households (%d enrollments), alert %d households (%d enrollments)\n",
		w.project, w.proj.ExitHouseholds, w.proj.ExitEnrollments, w.proj.AlertHouseholds, w.proj.AlertEnrollments)
}

func (w *previewWriter) close() error {
	switch w.format {
	case "csv":
		w.csv.Flush()
		return w.csv.Error()
	case "json":
		t, _ := json.Marshal(w.all)
		_, err := fmt.Fprintf(w.out, "\n],\"totals\":%s}\n", t)
		return err
	}
	w.projectFooter()
	_, err := fmt.Fprintf(w.out, "\nas of %s (%s): exit %d households (%d enrollments), alert %d households (%d enrollments)\n",
		date(w.opt.AsOf), w.opt.Method, w.all.ExitHouseholds, w.all.ExitEnrollments, w.all.AlertHouseholds, w.all.AlertEnrollments)
	return err
}
