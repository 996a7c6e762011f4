package engine

import (
	"context"
	"strconv"
	"time"
)

// CountPreview counts the households and enrollments an auto-exit run as of asOf would exit or
// alert on in the given projects (none: zero counts, not every project).
func CountPreview(ctx context.Context, q Querier, asOf time.Time, projects []string) (PreviewCounts, error) {
	var c PreviewCounts
	by, err := countByProject(ctx, q, asOf, projects)
	for _, p := range by {
		c.add(p)
	}
	return c, err
}

func (c *PreviewCounts) add(o PreviewCounts) {
	c.ExitHouseholds += o.ExitHouseholds
	c.ExitEnrollments += o.ExitEnrollments
	c.AlertHouseholds += o.AlertHouseholds
	c.AlertEnrollments += o.AlertEnrollments
}

// countByProject is CountPreview per project.
func countByProject(ctx context.Context, q Querier, asOf time.Time, projects []string) (map[string]PreviewCounts, error) {
	out := map[string]PreviewCounts{}
	if len(projects) == 0 {
		return out, nil
	}
	seen := map[string]bool{}
	err := Candidates(ctx, q, Options{AsOf: asOf, Projects: projects, Method: MethodAuto}, func(r Row) error {
		key := r.Action + "\x00" + r.ProjectID + "\x00" + r.HouseholdID
		newHH := 0
		if !seen[key] {
			seen[key], newHH = true, 1
		}
		c := out[r.ProjectID]
		if r.Action == ActionExit {
			c.ExitEnrollments++
			c.ExitHouseholds += newHH
		} else {
			c.AlertEnrollments++
			c.AlertHouseholds += newHH
		}
		out[r.ProjectID] = c
		return nil
	})
	return out, err
}

// windows returns each project's effective auto-exit days (nil: off) and the scope that gave them.
func windows(ctx context.Context, q Querier) (map[string]EffectivePolicy, error) {
	eps, err := EffectivePolicies(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	m := make(map[string]EffectivePolicy, len(eps))
	for _, e := range eps {
		m[e.ProjectID] = e
	}
	return m, nil
}

// covers reports whether a scope can give its policy to the project of e.
func covers(e EffectivePolicy, scope Scope, id string) bool {
	switch scope {
	case ScopeProject:
		return e.ProjectID == id
	case ScopeOrganization:
		return e.OrganizationID == id
	case ScopeProjectType:
		return strconv.Itoa(e.ProjectType) == id
	}
	return true
}

// shorter reports whether window after is on and shorter than before (nil: off).
func shorter(after, before *int) bool {
	return after != nil && (before == nil || *after < *before)
}
