package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `exits run` writes real exits: without --yes a new run prints what it would exit (per project
// and in total), writes nothing and exits with status 3, as `policy set` does; with --yes it writes.
func TestExitsRunNeedsYesThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	written := "SELECT (SELECT count(*) FROM hmis.exit) || '|' || (SELECT count(*) FROM exitflow.exit_run) || '|' || (SELECT count(*) FROM exitflow.audit)"
	before := exitsPsql(t, env, written)

	out, errOut, code := cli(t, env, "exits", "run", "--method", "auto", "--as-of", "2026-11-01", "--actor", "Dana Lee")
	assert.Equal(t, exitNotConfirmed, code, errOut)
	assert.Contains(t, out, "exit run preview as of 2026-11-01 (auto): would exit 9 households (10 enrollments) in 2 projects:\n")
	assert.Contains(t, out, "  project PO (Street Outreach): 2 households (2 enrollments)\n")
	assert.Contains(t, out, "  project PS (Services Only): 7 households (8 enrollments)\n")
	assert.Contains(t, errOut, "exitflow: this run writes real HMIS exits: it would exit 9 households (10 enrollments) now\n")
	assert.Contains(t, errOut, "exitflow: nothing written; run again with --yes to write them\n")
	assert.Equal(t, before, exitsPsql(t, env, written), "no Exit row, no run, no audit entry")

	// For programs: the same preview as JSON, and the same status.
	out, errOut, code = cli(t, env, "exits", "run", "--method", "admin", "--project", "PN", "--all-open", "--as-of", "2026-11-01", "--actor", "Ann Admin", "--json")
	assert.Equal(t, exitNotConfirmed, code, errOut)
	var p struct {
		Households, Enrollments int
		Written                 bool
		Projects                []struct {
			ProjectID   string `json:"project_id"`
			Enrollments int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &p), out)
	assert.Equal(t, 2, p.Households)
	assert.Equal(t, 2, p.Enrollments)
	assert.False(t, p.Written)
	require.Len(t, p.Projects, 1)
	assert.Equal(t, "PN", p.Projects[0].ProjectID)
	assert.Equal(t, before, exitsPsql(t, env, written))

	// Refusals come before the preview, with status 1.
	_, errOut, code = cli(t, env, "exits", "run", "--as-of", "2099-01-01", "--actor", "Dana Lee")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--as-of 2099-01-01 is in the future")

	// --yes writes.
	out, errOut, code = cli(t, env, "exits", "run", "--method", "auto", "--as-of", "2026-11-01", "--actor", "Dana Lee", "--yes")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "10 enrollments in 9 households")
	assert.Equal(t, "10", exitsPsql(t, env, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
	id := exitsRunID(t, out)

	// Nothing left to exit: nothing to confirm, status 0, no run started.
	out, errOut, code = cli(t, env, "exits", "run", "--as-of", "2026-11-01", "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "no household to exit")
	assert.Contains(t, out, "no exit run was started")
	assert.Equal(t, "1", exitsPsql(t, env, "SELECT count(*) FROM exitflow.exit_run"))

	// Resuming a run needs no --yes: it was confirmed when it started.
	out, errOut, code = cli(t, env, "exits", "run", "--run", id, "--actor", "Dana Lee")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exit run "+id+" done (resumed)")

	help, _, code := cli(t, nil, "exits", "run", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, help, `--actor "Dana Lee" --yes`)
	assert.Contains(t, help, "3 not written because a new run needs --yes")
	assert.Regexp(t, `--yes\s+write the exits`, help)
}
