package engine

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// RunPreview is what an exit run with given options would write now: the households and
// enrollments it would exit, per project and in total. It is what HMIS staff confirm before a run.
type RunPreview struct {
	AsOf        time.Time      `json:"as_of"`
	Method      Method         `json:"method"`   // auto or admin
	Projects    []ProjectExits `json:"projects"` // projects with something to exit, in CompareIDs order
	Households  int            `json:"households"`
	Enrollments int            `json:"enrollments"`
}

// ProjectExits counts the households and enrollments a run would exit in one project.
type ProjectExits struct {
	ProjectID   string `json:"project_id"`
	ProjectName string `json:"project_name"`
	Households  int    `json:"households"`
	Enrollments int    `json:"enrollments"`
}

// PreviewRun counts what WriteExits would exit for opt now (the preview's exit rows, SPEC H2, AD1),
// per project, and writes nothing. It checks opt as a new run does: method, window, projects, an
// as-of date neither before the data nor after today in loc (nil: UTC).
func PreviewRun(ctx context.Context, q Querier, opt Options, loc *time.Location) (RunPreview, error) {
	if opt.Method == "" {
		opt.Method = MethodAuto
	}
	if err := checkRunOptions(ctx, q, opt, loc); err != nil {
		return RunPreview{}, err
	}
	p := RunPreview{AsOf: opt.AsOf, Method: opt.Method, Projects: []ProjectExits{}}
	by := map[string]*ProjectExits{}
	lastHH := ""
	err := Candidates(ctx, q, Options{AsOf: opt.AsOf, Projects: opt.Projects, Method: opt.Method, WindowDays: opt.WindowDays, AllOpen: opt.AllOpen},
		func(r Row) error {
			if r.Action != ActionExit {
				return nil
			}
			pe := by[r.ProjectID]
			if pe == nil {
				pe = &ProjectExits{ProjectID: r.ProjectID}
				by[r.ProjectID] = pe
			}
			pe.Enrollments++
			p.Enrollments++
			// Rows come sorted by project and household: a new key is a new household.
			if key := r.ProjectID + "\x00" + r.HouseholdID; key != lastHH {
				lastHH = key
				pe.Households++
				p.Households++
			}
			return nil
		})
	if err != nil {
		return p, fmt.Errorf("previewing the exit run: %w", err)
	}
	if len(by) == 0 {
		return p, nil
	}
	names, err := ProjectNames(ctx, q)
	if err != nil {
		return p, err
	}
	for _, pe := range by {
		pe.ProjectName = names[pe.ProjectID]
		p.Projects = append(p.Projects, *pe)
	}
	slices.SortFunc(p.Projects, func(a, b ProjectExits) int { return CompareIDs(a.ProjectID, b.ProjectID) })
	return p, nil
}

// checkRunOptions refuses the options of a new exit run that WriteExits would refuse: those
// Options.Validate refuses, and an as-of date after today in loc.
func checkRunOptions(ctx context.Context, q Querier, o Options, loc *time.Location) error {
	if err := o.Validate(ctx, q); err != nil {
		return err
	}
	today := hmisNow(loc).Format(time.DateOnly)
	if asOf := o.AsOf.Format(time.DateOnly); asOf > today {
		return Invalid(FieldAsOf, asOf, "is in the future (today is %s): exits are never recorded ahead of time", today)
	}
	return nil
}
