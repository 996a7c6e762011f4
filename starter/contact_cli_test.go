package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SPEC N5, S2, U1: contact add, list and remove for each role through the CLI, over the exits
// fixture (organization O1, Agency One); a second add changes nothing, each change is audited.
func TestContactAddListRemoveThroughTheCLI(t *testing.T) {
	env := exitsCoC(t)
	out, errOut, code := cli(t, env, "contact", "list")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "no contacts\n", out)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--role", "liaison", "--organization", "O1", "--email", "Dana@Agency.example", "--name", "Dana Reyes"},
			"added liaison dana@agency.example (Dana Reyes) of organization O1 (Agency One)\n"},
		{[]string{"--role", "liaison", "--organization", "O1", "--email", "dana@agency.example"},
			"liaison dana@agency.example (Dana Reyes) of organization O1 (Agency One) is already there: nothing changed\n"},
		{[]string{"--role", "notification", "--organization", "O1", "--email", "intake@agency.example"},
			"added notification intake@agency.example of organization O1 (Agency One)\n"},
		{[]string{"--role", "hmis-staff", "--email", "sam@coc.example", "--name", "Sam Ortiz"},
			"added hmis-staff sam@coc.example (Sam Ortiz)\n"},
	} {
		out, errOut, code := cli(t, env, append(append([]string{"contact", "add"}, tc.args...), "--actor", "Sam Ortiz")...)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, tc.want, out)
	}

	out, errOut, code = cli(t, env, "contact", "list")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `(?m)^ROLE\s+ORGANIZATION\s+EMAIL\s+NAME\s+ADDED\n`+
		`hmis-staff\s+-\s+sam@coc.example\s+Sam Ortiz\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n`+
		`liaison\s+O1 \(Agency One\)\s+dana@agency.example\s+Dana Reyes\s+\S+ \S+\n`+
		`notification\s+O1 \(Agency One\)\s+intake@agency.example\s+-\s+\S+ \S+\n$`, out)
	out, errOut, code = cli(t, env, "contact", "list", "--organization", "O1", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var list []struct {
		Role, Email, Name string
		OrganizationID    string `json:"organization_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list), out)
	require.Len(t, list, 2, "the agency's contacts, not HMIS staff")
	assert.Equal(t, "liaison", list[0].Role)
	assert.Equal(t, "O1", list[0].OrganizationID)
	out, errOut, code = cli(t, env, "contact", "list", "--role", "hmis-staff", "--format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &list), out)
	require.Len(t, list, 1)
	assert.Equal(t, "sam@coc.example", list[0].Email)

	out, errOut, code = cli(t, env, "contact", "remove", "--role", "liaison", "--organization", "O1", "--email", "DANA@agency.example", "--actor", "Pat Kim")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "removed liaison dana@agency.example (Dana Reyes) of organization O1 (Agency One)\n", out)
	out, errOut, code = cli(t, env, "contact", "remove", "--role", "hmis-staff", "--email", "sam@coc.example", "--actor", "Pat Kim")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "removed hmis-staff sam@coc.example (Sam Ortiz)\n", out)
	_, errOut, code = cli(t, env, "contact", "remove", "--role", "liaison", "--organization", "O1", "--email", "dana@agency.example", "--actor", "Pat Kim")
	assert.Equal(t, 1, code)
	assert.Equal(t, "exitflow: dana@agency.example is not a liaison of organization O1: nothing removed\n", errOut)
	assert.Equal(t, "notification|O1|intake@agency.example", exitsPsql(t, env, "SELECT role || '|' || organizationid || '|' || email FROM exitflow.contact"))

	out, errOut, code = cli(t, env, "audit", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var entries []struct{ Actor, Action string }
	require.NoError(t, json.Unmarshal([]byte(out), &entries), out)
	var got []string
	for _, e := range entries {
		got = append(got, e.Actor+" "+e.Action)
	}
	assert.Equal(t, []string{"Pat Kim contact-remove", "Pat Kim contact-remove", "Sam Ortiz contact-add", "Sam Ortiz contact-add", "Sam Ortiz contact-add"}, got,
		"the add that changed nothing is not audited, nor the failed remove")
	out, errOut, code = cli(t, env, "audit", "--action", "contact-remove")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "contact remove: sam@coc.example as HMIS staff")
}

// A wrong or missing flag is refused naming the flag and what is expected, and changes nothing.
func TestContactCLIValidation(t *testing.T) {
	env := exitsCoC(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--role", "liaison", "--email", "a@b.org"}, "--organization is required for a liaison: the OrganizationID of the agency (Organization.csv)"},
		{[]string{"add", "--role", "notification", "--email", "a@b.org"}, "--organization is required for a notification contact"},
		{[]string{"add", "--role", "hmis-staff", "--organization", "O1", "--email", "a@b.org"},
			"--organization O1 and --role hmis-staff: HMIS staff belong to the CoC, not to an organization: leave out --organization"},
		{[]string{"add", "--role", "liaison", "--organization", "NOPE", "--email", "a@b.org"},
			"--organization NOPE: no such organization (not in the imported Organization.csv)"},
		{[]string{"add", "--role", "agency", "--organization", "O1", "--email", "a@b.org"}, "--role agency: want liaison, notification or hmis-staff"},
		{[]string{"add", "--organization", "O1", "--email", "a@b.org"}, "--role is required: liaison, notification or hmis-staff"},
		{[]string{"add", "--role", "liaison", "--organization", "O1"}, "--email is required: the contact's e-mail address (name@example.org)"},
		{[]string{"add", "--role", "liaison", "--organization", "O1", "--email", "dana.agency.example"},
			`--email "dana.agency.example": not an e-mail address: want exactly one @ (name@example.org)`},
		{[]string{"add", "--role", "liaison", "--organization", "O1", "--email", "a@b.org", "--name", "A\tB"}, `--name "A\tB": holds a control character`},
		{[]string{"remove", "--role", "hmis-staff", "--organization", "O1", "--email", "a@b.org"}, "--organization O1 and --role hmis-staff: HMIS staff belong"},
		{[]string{"remove", "--role", "liaison", "--email", "a@b.org"}, "--organization is required for a liaison"},
		{[]string{"list", "--organization", "NOPE"}, "--organization NOPE: no such organization (not in the imported Organization.csv)"},
		{[]string{"list", "--role", "boss"}, "--role boss: want liaison, notification or hmis-staff"},
		{[]string{"list", "--format", "csv"}, `--format "csv": want table or json`},
	} {
		args := append([]string{"contact"}, tc.args...)
		if tc.args[0] != "list" {
			args = append(args, "--actor", "Sam Ortiz")
		}
		_, errOut, code := cli(t, env, args...)
		assert.Equal(t, 1, code, "%v", tc.args)
		assert.Contains(t, errOut, "exitflow: "+tc.want, "%v", tc.args)
	}
	_, errOut, code := cli(t, env, "contact", "add", "--role", "liaison", "--organization", "O1", "--email", "a@b.org")
	assert.Equal(t, 1, code)
	assert.Equal(t, "exitflow: --actor is required: the HMIS staff member who makes the change\n", errOut)
	assert.Equal(t, "0|0", exitsPsql(t, env, "SELECT (SELECT count(*) FROM exitflow.contact) || '|' || (SELECT count(*) FROM exitflow.audit)"))

	out, _, code := cli(t, env, "contact", "add", "--help")
	require.Equal(t, 0, code)
	for _, s := range []string{"--role ROLE", "--organization", "--actor", "hmis-staff", "refused", "Examples:"} {
		assert.Contains(t, out, s)
	}
}
