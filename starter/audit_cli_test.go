package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `exitflow audit` reads exitflow.audit (SPEC U1), newest first, filtered by actor and action;
// an unknown action is refused naming the known ones.
func TestAuditThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	out, errOut, code := cli(t, env, "audit")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no audit entries\n", out)

	_, errOut, code = cli(t, env, "policy", "set", "--project", "PO", "--auto-exit-days", "400", "--actor", "Pat Kim")
	require.Equal(t, 0, code, errOut)
	out, errOut, code = cli(t, env, "exits", "run", "--as-of", "2026-11-01", "--actor", "Dana Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	id := exitsRunID(t, out)
	_, errOut, code = cli(t, env, "exits", "undo", "--run", id, "--actor", "Ann Admin", "--reason", "agency asked")
	require.Equal(t, 0, code, errOut)

	out, errOut, code = cli(t, env, "audit")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^ID\s+AT\s+ACTOR\s+ACTION\s+REASON\s+WORKFLOW\s+DETAILS$`, out)
	lines := regexp.MustCompile(`(?m)^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(Pat Kim|Dana Lee|Ann Admin)\s+(\S+)`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, l := range lines {
		got = append(got, l[1]+" "+l[2])
	}
	assert.Equal(t, []string{"Ann Admin undo", "Dana Lee exit-run", "Dana Lee exit-run", "Pat Kim policy-change"}, got, out)

	// By actor (case does not matter), by action, both.
	out, errOut, code = cli(t, env, "audit", "--actor", "dana lee", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var entries []struct {
		ID      int64
		Actor   string
		Action  string
		Reason  string
		Details map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
	require.Len(t, entries, 2)
	for _, e := range entries {
		assert.Equal(t, "Dana Lee", e.Actor)
		assert.Equal(t, "exit-run", e.Action)
		assert.Equal(t, id, jsonNumber(e.Details["run_id"]))
	}
	assert.Equal(t, "done", entries[0].Details["phase"], "newest first")
	assert.Greater(t, entries[0].ID, entries[1].ID)

	out, errOut, code = cli(t, env, "audit", "--action", "undo", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
	require.Len(t, entries, 1)
	assert.Equal(t, "Ann Admin", entries[0].Actor)
	assert.Equal(t, "agency asked", entries[0].Reason)

	out, errOut, code = cli(t, env, "audit", "--action", "policy-change", "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no audit entries\n", out)
	out, errOut, code = cli(t, env, "audit", "--limit", "1", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
	require.Len(t, entries, 1)
	assert.Equal(t, "undo", entries[0].Action)

	_, errOut, code = cli(t, env, "audit", "--action", "exits")
	assert.Equal(t, 1, code)
	assert.Equal(t, "exitflow: --action \"exits\": not an audit action; the known ones are alert, assignment-import, contact-add, contact-remove, dqm, exit-run, policy-change, undo\n", errOut)
}

// jsonNumber is a JSON number as its decimal text ("" for anything else).
func jsonNumber(v any) string {
	f, ok := v.(float64)
	if !ok {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
