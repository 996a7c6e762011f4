package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PreviewRun counts, per project, what WriteExits then writes, and writes nothing itself.
func TestPreviewRunCountsWhatTheRunWrites(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	for _, opt := range []engine.Options{
		{AsOf: exAsOf, Method: engine.MethodAuto},
		{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, AllOpen: true},
	} {
		written := "SELECT (SELECT count(*) FROM exitflow.exit_run) + (SELECT count(*) FROM hmis.exit)"
		before := exCount(t, pool, written)
		p, err := engine.PreviewRun(ctx, pool, opt, time.UTC)
		require.NoError(t, err)
		assert.Equal(t, before, exCount(t, pool, written), "a preview writes nothing")
		assert.Equal(t, opt.Method, p.Method)
		hh, enr := 0, 0
		for i, pe := range p.Projects {
			hh, enr = hh+pe.Households, enr+pe.Enrollments
			assert.NotEmpty(t, pe.ProjectName, pe.ProjectID)
			if i > 0 {
				assert.Negative(t, engine.CompareIDs(p.Projects[i-1].ProjectID, pe.ProjectID))
			}
		}
		assert.Equal(t, [2]int{p.Households, p.Enrollments}, [2]int{hh, enr}, "the projects add up to the total")

		res := exRun(t, pool, engine.RunOptions{Options: opt})
		assert.Equal(t, [2]int{res.Households, res.Enrollments}, [2]int{p.Households, p.Enrollments}, opt.Method)
	}
	p, err := engine.PreviewRun(ctx, pool, engine.Options{AsOf: exAsOf}, time.UTC)
	require.NoError(t, err)
	assert.Equal(t, engine.RunPreview{AsOf: exAsOf, Method: engine.MethodAuto, Projects: []engine.ProjectExits{}}, p, "nothing left to exit")
}

// PreviewRun refuses what a new run refuses, as engine input errors.
func TestPreviewRunRefusesWhatARunRefuses(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	for _, c := range []struct {
		opt  engine.Options
		want string
	}{
		{engine.Options{AsOf: time.Now().AddDate(0, 0, 3)}, "is in the future"},
		{engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin}, "give ProjectID"},
		{engine.Options{AsOf: exAsOf, Projects: []string{"NOPE"}}, "no such project"},
		{engine.Options{}, "as-of date is required"},
	} {
		_, err := engine.PreviewRun(ctx, pool, c.opt, time.UTC)
		assert.ErrorIs(t, err, engine.ErrInvalid, c.want)
		assert.ErrorContains(t, err, c.want)
	}
}
