package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC U2: HUD makes a HouseholdID unique within its project only. The exits fixture plus
// testdata/exits_household_twice has a household HA in PS (NA1, NA2) and another in PO (NQ1).
func TestU2_UndoByHouseholdNeedsItsProjectThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	data, _ := filepath.Abs("../internal/engine/testdata/exits_household_twice")
	_, errOut, code := cli(t, env, "import", data)
	require.Equal(t, 0, code, errOut)
	// The run goes through the engine, so that this test does not depend on how exits run confirms.
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, strings.TrimPrefix(env[0], "EXITFLOW_DATABASE_URL="))
	require.NoError(t, err)
	run, err := engine.WriteExits(ctx, pool, engine.RunOptions{Options: engine.Options{AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, Actor: "Dana Lee"})
	pool.Close()
	require.NoError(t, err)
	require.Equal(t, 11, run.Enrollments)
	live := `SELECT string_agg(enrollmentid, ',' ORDER BY enrollmentid) FROM hmis.exit WHERE enrollmentid IN ('NA1', 'NA2', 'NQ1') AND datedeleted IS NULL`
	require.Equal(t, "NA1,NA2,NQ1", exitsPsql(t, env, live))

	_, errOut, code = cli(t, env, "exits", "undo", "--household", "HA", "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "household HA has exits written by exitflow in 2 projects (PO, PS)")
	assert.Contains(t, errOut, "give its project with --project ID")
	assert.Equal(t, "NA1,NA2,NQ1", exitsPsql(t, env, live), "nothing was undone")

	out, errOut, code := cli(t, env, "exits", "undo", "--household", "HA", "--project", "PS", "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "undid household HA of project PS: 2 exits soft-deleted in 1 households")
	assert.Equal(t, "NQ1", exitsPsql(t, env, live), "HA of PO stays exited")

	// A HouseholdID that one project has needs no --project.
	out, errOut, code = cli(t, env, "exits", "undo", "--household", "HB", "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "undid household HB of project PS: 1 exits soft-deleted")

	_, errOut, code = cli(t, env, "exits", "undo", "--project", "PS", "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--project goes with --household")

	help, _, code := cli(t, nil, "exits", "undo", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, help, "--household HH-2231 --project 1362")
	assert.Regexp(t, `--project ID\s+with --household`, help)
}

// The exits run help gives the batch size the engine uses (engine.DefaultBatchHouseholds).
func TestExitsRunHelpGivesTheBatchSize(t *testing.T) {
	help, _, code := cli(t, nil, "exits", "run", "--help")
	require.Equal(t, 0, code)
	plain := strings.ReplaceAll(help, ",", "") // 10,000 or 10000
	assert.Contains(t, plain, "in batches of "+strconv.Itoa(engine.DefaultBatchHouseholds)+" households")
	assert.Contains(t, plain, strconv.Itoa(engine.DefaultWriters)+" batches at a time")
}
