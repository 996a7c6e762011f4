package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report's entry point checks its options itself, so an activity gets the checks the CLI
// gets: an as-of date, a reference window of 30 days or more (as SPEC P3), projects that exist.
func TestQ4_ReportRefusesBadOptions(t *testing.T) {
	ctx := context.Background()
	_, pool := testdb.New(t)
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		opt   engine.ReportOptions
		field engine.Field
		text  string
	}{
		{engine.ReportOptions{AsOf: asOf, ReferenceDays: 29}, engine.FieldWindowDays,
			"WindowDays 29: want 30 or more (a shorter window is almost always a typing error)"},
		{engine.ReportOptions{AsOf: asOf, ReferenceDays: -1}, engine.FieldWindowDays,
			"WindowDays -1: want 30 or more (a shorter window is almost always a typing error)"},
		{engine.ReportOptions{ReferenceDays: 90}, engine.FieldAsOf, "AsOf: an as-of date is required"},
		{engine.ReportOptions{AsOf: asOf, Projects: []string{"nope"}}, engine.FieldProjectID,
			"ProjectID nope: no such project (not in the imported Project.csv)"},
	} {
		rep, err := engine.CandidateReport(ctx, pool, tc.opt)
		require.ErrorIs(t, err, engine.ErrInvalid, tc.text)
		assert.Nil(t, rep)
		var inv *engine.InvalidError
		require.ErrorAs(t, err, &inv)
		assert.Equal(t, tc.field, inv.Field)
		assert.Equal(t, tc.text, err.Error())
		assert.Equal(t, err, tc.opt.Validate(ctx, pool), "CandidateReport refuses what Validate refuses")
	}

	// 0 is the default window; 30 is the shortest.
	for _, days := range []int{0, engine.MinAutoExitDays} {
		_, err := engine.CandidateReport(ctx, pool, engine.ReportOptions{AsOf: asOf, ReferenceDays: days})
		assert.NoError(t, err, days)
	}
	assert.NoError(t, engine.CheckReferenceDays(30))
	assert.ErrorIs(t, engine.CheckReferenceDays(0), engine.ErrInvalid)
}
