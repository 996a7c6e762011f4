package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `exits list` shows the runs and undos, newest first, so the ID `exits undo --run` needs is not
// only printed once.
func TestExitsListShowsRunsAndUndosThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	out, errOut, code := cli(t, env, "exits", "list")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no exit runs or undos yet\n", out)

	out, errOut, code = cli(t, env, "exits", "run", "--as-of", "2026-11-01", "--actor", "Dana Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	id := exitsRunID(t, out)
	out, errOut, code = cli(t, env, "exits", "list")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^ID\s+KIND\s+METHOD\s+AS OF\s+PROJECTS\s+ACTOR\s+WORKFLOW\s+HOUSEHOLDS\s+ENROLLMENTS\s+STATUS\s+STARTED\s+FINISHED$`, out)
	assert.Regexp(t, `(?m)^`+id+`\s+run\s+auto\s+2026-11-01\s+all\s+Dana Lee\s+-\s+9\s+10\s+done\s+2026-`, out)

	_, errOut, code = cli(t, env, "exits", "undo", "--run", id, "--actor", "Pat Kim", "--reason", "agency asked")
	require.Equal(t, 0, code, errOut)
	out, errOut, code = cli(t, env, "exits", "list")
	require.Equal(t, 0, code, errOut)
	undo := regexp.MustCompile(`(?m)^audit \d+\s+undo run ` + id + `\s+auto\s+2026-11-01\s+all\s+Pat Kim\s+-\s+9\s+10\s+done\s`).FindStringIndex(out)
	run := regexp.MustCompile(`(?m)^` + id + `\s+run\s+.*\s+done, undone\s`).FindStringIndex(out)
	require.NotNil(t, undo, out)
	require.NotNil(t, run, out)
	assert.Less(t, undo[0], run[0], "newest first")

	out, errOut, code = cli(t, env, "exits", "list", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows), out)
	require.Len(t, rows, 2)
	assert.Equal(t, "undo", rows[0]["kind"])
	assert.Equal(t, "run "+id, rows[0]["undid"])
	assert.Equal(t, "agency asked", rows[0]["reason"])
	assert.Equal(t, "run", rows[1]["kind"])
	assert.Equal(t, id, strconv.FormatFloat(rows[1]["id"].(float64), 'f', -1, 64))
	assert.Equal(t, float64(10), rows[1]["enrollments"])
	assert.NotNil(t, rows[1]["undone_at"])

	out, errOut, code = cli(t, env, "exits", "list", "--limit", "1", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	require.Len(t, rows, 1)
	assert.Equal(t, "undo", rows[0]["kind"])

	for args, want := range map[[2]string]string{{"--format", "csv"}: `--format "csv": want table or json`, {"--limit", "-1"}: "--limit -1: want 0 (all) or more"} {
		_, errOut, code = cli(t, env, "exits", "list", args[0], args[1])
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, want)
	}
}
