package dqm_test

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	_, pool := testdb.New(t)
	_, err := importer.Run(ctx, pool, "../engine/testdata/exits", importer.Options{})
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, err = engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: asOf}, Actor: "Dana"})
	require.NoError(t, err)
	r, err := dqm.Run(ctx, pool, dqm.Options{AsOf: time.Now().UTC().Truncate(24 * time.Hour), Actor: "Dana"})
	require.NoError(t, err)
	t.Logf("%s %v since %s", r.Verdict, r.Reasons, r.Since)
	for _, m := range r.Total {
		t.Logf("%s %v %v %s", m.Measure, m.Value, m.Previous, m.Change)
	}
	for _, f := range r.Findings {
		t.Logf("%+v", f)
	}
	l, err := dqm.Load(ctx, pool, r.ID)
	require.NoError(t, err)
	require.Equal(t, r.Total, l.Total)
	r2, err := dqm.Run(ctx, pool, dqm.Options{AsOf: time.Now().UTC().Truncate(24 * time.Hour), Actor: "Dana"})
	require.NoError(t, err)
	t.Logf("second previous %d", r2.PreviousID)
}
