package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExitsRunAndUndoThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)

	// The preview's exit rows are what the run writes.
	preview, errOut, code := cli(t, env, "preview", "--as-of", "2026-11-01", "--format", "csv")
	require.Equal(t, 0, code, errOut)
	var want []string
	for _, r := range mustCSV(t, preview)[1:] {
		if r[0] == "exit" {
			want = append(want, r[3]+","+r[9]+","+r[10])
		}
	}
	require.Len(t, want, 10)

	out, errOut, code := cli(t, env, "exits", "run", "--method", "auto", "--as-of", "2026-11-01", "--actor", "Dana Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	id := exitsRunID(t, out)
	assert.Contains(t, out, "10 enrollments in 9 households")
	got := exitsPsql(t, env, `SELECT string_agg(enrollmentid || ',' || exitdate || ',' || destination, E'\n' ORDER BY projectid COLLATE "C", householdid COLLATE "C", enrollmentid COLLATE "C")
		FROM hmis.exit JOIN hmis.enrollment USING (enrollmentid, personalid) WHERE hmis.exit.userid = 'exitflow'`)
	assert.Equal(t, strings.Join(want, "\n"), got)
	assert.Equal(t, "10|Dana Lee|auto-inactivity", exitsPsql(t, env, "SELECT count(*), min(actor), min(method) FROM exitflow.engine_exit"))

	// Again: nothing doubles. Resuming the done run: nothing either.
	out, errOut, code = cli(t, env, "exits", "run", "--as-of", "2026-11-01", "--actor", "Dana Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "0 enrollments in 0 households")
	out, errOut, code = cli(t, env, "exits", "run", "--run", id, "--actor", "Dana Lee", "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, float64(10), res["enrollments"])
	assert.Equal(t, true, res["resumed"])
	assert.Equal(t, "10", exitsPsql(t, env, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))

	// Administrative exits: reason and actor (SPEC AD2).
	out, errOut, code = cli(t, env, "exits", "run", "--method", "admin", "--as-of", "2026-11-01", "--project", "PN", "--all-open", "--actor", "Ann Admin", "--yes")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "2 enrollments in 2 households")
	assert.Equal(t, "2|Administrative exit|Ann Admin", exitsPsql(t, env, "SELECT count(*), min(reason), min(actor) FROM exitflow.engine_exit WHERE method = 'admin'"))

	// Undo: person-written exits are refused; an enrollment, a household, a run; already undone.
	_, errOut, code = cli(t, env, "exits", "undo", "--enrollment", "ND2", "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "enrollment ND2: exit XD2 was written by a person")
	out, errOut, code = cli(t, env, "exits", "undo", "--enrollment", "NB1", "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "undid enrollment NB1: 1 exits soft-deleted")
	out, errOut, code = cli(t, env, "exits", "undo", "--household", "HA", "--actor", "Dana Lee", "--reason", "still engaged")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "undid household HA of project PS: 2 exits soft-deleted in 1 households")

	exitsPsql(t, env, "UPDATE hmis.exit SET dateupdated = dateupdated + interval '1 day' WHERE enrollmentid = 'NF1'")
	_, errOut, code = cli(t, env, "exits", "undo", "--run", id, "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "(enrollment NF1)")
	assert.Contains(t, errOut, "--force")
	out, errOut, code = cli(t, env, "exits", "undo", "--run", id, "--actor", "Dana Lee", "--force")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "undid run "+id+": 7 exits soft-deleted")
	assert.Contains(t, out, "3 exits of it were already undone")
	out, errOut, code = cli(t, env, "exits", "undo", "--run", id, "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "already undone")
	assert.Equal(t, "2", exitsPsql(t, env, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND datedeleted IS NULL"), "the admin run's exits stay")

	_, errOut, code = cli(t, env, "exits", "undo", "--run", "999", "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "exit run 999 does not exist")

	// The run's exits are candidates again.
	preview, _, code = cli(t, env, "preview", "--as-of", "2026-11-01", "--format", "csv")
	require.Equal(t, 0, code)
	assert.Len(t, mustCSV(t, preview), 1+10+1, "the 10 exits again and the alert")
}

func TestExitsCLIValidation(t *testing.T) {
	env := exitsCoC(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--yes"}, "--actor is required"},
		{[]string{"exits", "run", "--actor", "x", "--yes"}, "--as-of DATE is required"},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--method", "housed", "--yes"}, `--method "housed": want auto or admin`},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--all-open", "--yes"}, "are for --method admin"},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--method", "admin", "--yes"}, "give --project"},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--method", "admin", "--project", "PN", "--yes"}, "--window-days N"},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--method", "admin", "--project", "PN", "--window-days", "7", "--yes"}, "want 30 or more"},
		{[]string{"exits", "run", "--as-of", "2026-11-01", "--actor", "x", "--project", "NOPE", "--yes"}, "--project NOPE: no such project"},
		{[]string{"exits", "run", "--as-of", "2019-01-01", "--actor", "x", "--yes"}, "before the data starts"},
		{[]string{"exits", "run", "--as-of", "2026-13-01", "--actor", "x", "--yes"}, `--as-of "2026-13-01": not a calendar date (there is no month 13)`},
		{[]string{"exits", "run", "--as-of", "1 Nov 2026", "--actor", "x", "--yes"}, `--as-of "1 Nov 2026": not a date (want YYYY-MM-DD)`},
		{[]string{"exits", "run", "--run", "77", "--actor", "x"}, "exit run 77 does not exist"},
		{[]string{"exits", "undo", "--run", "1"}, "--actor is required"},
		{[]string{"exits", "undo", "--actor", "x"}, "exactly one of"},
		{[]string{"exits", "undo", "--actor", "x", "--run", "1", "--household", "HA"}, "exactly one of"},
		{[]string{"exits", "undo", "--actor", "x", "--run", "abc"}, "not a run ID"},
	} {
		_, errOut, code := cli(t, env, c.args...)
		assert.NotEqual(t, 0, code, c.args)
		assert.Contains(t, errOut, c.want, c.args)
	}
	assert.Equal(t, "0|0", exitsPsql(t, env, "SELECT (SELECT count(*) FROM exitflow.exit_run), (SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow')"))
}
