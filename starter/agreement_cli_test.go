package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/workflows"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
)

// parseStart runs agreement start's flag parsing and input checks on args.
func parseStart(t *testing.T, args ...string) (workflows.AgreementInput, error) {
	t.Helper()
	c := &cobra.Command{Use: "start"}
	o := &agreementFlags{}
	o.add(c)
	require.NoError(t, c.ParseFlags(args))
	return o.input(c)
}

func TestAgreementFlagsMapToEveryInputField(t *testing.T) {
	in, err := parseStart(t, "--agreement-id", "A1", "--organization", "3", "--project", "5", "--project", "7",
		"--method", "admin", "--period-end", "2027-01-31", "--liaison", "a@x.example", "--liaison", "b@x.example",
		"--hmis-staff", "s@coc.example", "--auto-exit-days", "90", "--alert-days", "80", "--window-days", "60",
		"--all-open", "--dqm-every", "monthly")
	require.NoError(t, err)
	assert.Equal(t, workflows.AgreementInput{AgreementID: "A1", OrganizationID: "3", ProjectIDs: []string{"5", "7"},
		Method: workflows.MethodAdmin, PeriodEnd: "2027-01-31", Liaisons: []string{"a@x.example", "b@x.example"},
		HMISStaff: "s@coc.example", AutoExitDays: 90, AlertDays: 80, WindowDays: 60, AllOpen: true, DQMEvery: workflows.Monthly}, in)
	// Every JSON field of the input has its flag.
	names, _ := jsonFields(reflectTypeOf(in))
	for _, n := range names {
		assert.NotEmpty(t, inputFlags[n], "AgreementInput field %s has no flag", n)
	}
}

func TestAgreementFlagErrorsNameTheFlag(t *testing.T) {
	base := []string{"--agreement-id", "A1", "--organization", "3", "--project", "5", "--liaison", "a@x.example", "--hmis-staff", "s@coc.example"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(base, "--method", "manual", "--period-days", "30"), `--method "manual": want auto or admin`},
		{append(base, "--method", "auto"), "give exactly one of --period-days and --period-end"},
		{append(base, "--method", "auto", "--period-days", "30", "--period-end", "2027-01-01"), "give exactly one of --period-days and --period-end"},
		{append(base, "--method", "auto", "--period-end", "2027-02-30"), "--period-end"},
		{append(base, "--method", "auto", "--period-days", "30", "--dqm-every", "weekly"), `--dqm-every "weekly": want quarterly or monthly`},
		{[]string{"--organization", "3", "--method", "auto", "--period-days", "30"}, "--agreement-id is required"},
		{[]string{"--agreement-id", "A1", "--organization", "3", "--project", "5", "--method", "auto", "--period-days", "30", "--hmis-staff", "s@coc.example"}, "--liaison is required"},
		{[]string{"--file", "x.json", "--method", "auto"}, "--file and --method"},
	} {
		_, err := parseStart(t, tc.args...)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want, tc.args)
	}
}

func TestAgreementFileIsReadStrictly(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	good := `{"agreement_id":"A1","organization_id":"3","project_ids":["5"],"method":"auto","period_days":30,` +
		`"liaisons":["dana.reyes@agency.example"],"hmis_staff":"sam.ortiz@coc.example","auto_exit_days":90,"alert_days":80,"dqm_every":"quarterly"}`
	in, err := parseStart(t, "--file", write("good.json", good))
	require.NoError(t, err)
	assert.Equal(t, "A1", in.AgreementID)
	assert.Equal(t, []string{"5"}, in.ProjectIDs)
	assert.Equal(t, 30, in.PeriodDays)

	for _, tc := range []struct{ body, want string }{
		{strings.Replace(good, `"method"`, `"methd"`, 1), `unknown field "methd"`},
		{strings.Replace(good, `"period_days":30`, `"period_days":"30"`, 1), `field "period_days": want a whole number, got a JSON string`},
		{strings.Replace(good, `"project_ids":["5"]`, `"project_ids":"5"`, 1), `field "project_ids": want an array of strings`},
		{strings.Replace(good, `"hmis_staff":"sam.ortiz@coc.example",`, ``, 1), `field "hmis_staff" is missing`},
		{good + `{}`, "more than one JSON value"},
		{`[1]`, "want one JSON object"},
		{``, "empty"},
		{`{"agreement_id":`, "bad.json"},
		{strings.Replace(good, `"method":"auto"`, `"method":"manual"`, 1), `field method "manual": want auto or admin`},
	} {
		p := write("bad.json", tc.body)
		_, err := parseStart(t, "--file", p)
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), tc.want, tc.body)
		assert.Contains(t, err.Error(), "bad.json", tc.body)
	}
	_, err = parseStart(t, "--file", filepath.Join(dir, "none.json"))
	assert.ErrorContains(t, err, "--file")
}

func TestAgreementSignalPayloadIsCheckedStrictly(t *testing.T) {
	act, p, err := signalPayload("acknowledge", `{"from":"dana.reyes@agency.example","note":"ok"}`)
	require.NoError(t, err)
	assert.Equal(t, workflows.ActionAcknowledge, act)
	assert.Equal(t, &workflows.AcknowledgeSignal{From: "dana.reyes@agency.example", Note: "ok"}, p)
	for _, tc := range []struct{ action, json, want string }{
		{"ack", `{}`, `ACTION "ack": want one of acknowledge, report-issue, resume, extend, cancel`},
		{"extend", ``, `--json is required: the extend object with fields "from", "period_end", "reason"`},
		{"extend", `{"from":"s@coc.example","period_end":"2027-01-01"}`, `--json: field "reason" is missing`},
		{"cancel", `{"from":"s@coc.example","reason":"x","note":"y"}`, `--json: unknown field "note"`},
		{"report-issue", `{"from":1,"description":"x"}`, `--json: field "from": want a string, got a JSON number`},
	} {
		_, _, err := signalPayload(tc.action, tc.json)
		require.Error(t, err, tc.json)
		assert.Contains(t, err.Error(), tc.want)
	}
	for _, a := range workflows.Actions {
		assert.NotNil(t, workflows.SignalPayloads(a), a)
	}
}

func TestAgreementDuplicateStartMessage(t *testing.T) {
	err := duplicateStartError("A1", "agreement-A1", "0199-run", enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING)
	assert.EqualError(t, err, "--agreement-id A1: agreement A1 was already started as workflow agreement-A1 (run 0199-run, status Running); one agreement per ID: choose another --agreement-id")
	err = duplicateStartError("A1", "agreement-A1", "r", enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED)
	assert.Contains(t, err.Error(), "unknown status")
}

func TestAgreementListQueryAndWorkflowIDs(t *testing.T) {
	q, err := agreementQuery("")
	require.NoError(t, err)
	assert.Equal(t, "WorkflowType = 'AgencyAgreement'", q)
	q, err = agreementQuery("period")
	require.NoError(t, err)
	assert.Equal(t, "WorkflowType = 'AgencyAgreement' AND ExitflowPhase = 'period'", q)
	_, err = agreementQuery("x' OR 1=1")
	assert.ErrorContains(t, err, "--phase")
	assert.Equal(t, "agreement-A1", agreementWorkflowID("A1"))
	assert.Equal(t, "agreement-A1", agreementWorkflowID("agreement-A1"))
}

func TestAgreementCommandsWithoutServer(t *testing.T) {
	env := []string{"EXITFLOW_TEMPORAL_ADDRESS=127.0.0.1:1"}
	_, errOut, code := cli(t, env, "agreement", "status", "A1")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no Temporal server at 127.0.0.1:1 (EXITFLOW_TEMPORAL_ADDRESS): start one with make run")
	_, errOut, code = cli(t, env, "agreement", "signal", "A1", "acknowledge", "--json", `{"from":"x"}`)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `field "note" is missing`, "checked before dialling")
}

// reflectTypeOf is reflect.TypeOf, kept here so the test reads as the code does.
func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }

// The README's start JSON is what --file, the Web UI and the Temporal CLI take: it must pass the
// strict decoding, and the Temporal CLI example must give the same object.
func TestAgreementReadmeStartJSONIsValid(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	text := string(b)
	i := strings.Index(text, "## Agency agreements on Temporal")
	require.GreaterOrEqual(t, i, 0)
	m := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindStringSubmatch(text[i:])
	require.NotNil(t, m, "no JSON block in the section")
	p := filepath.Join(t.TempDir(), "agreement-A1.json")
	require.NoError(t, os.WriteFile(p, []byte(m[1]), 0o644))
	in, err := parseStart(t, "--file", p)
	require.NoError(t, err)
	assert.Equal(t, "3", in.OrganizationID)
	assert.Contains(t, text[i:], "--input '"+m[1]+"'", "the Temporal CLI example starts the same agreement")
}
