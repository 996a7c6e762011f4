package main

import (
	"testing"

	"github.com/exitflow/exitflow/internal/samples"
	"github.com/stretchr/testify/assert"
)

// The report's window and projects are the engine's checks (engine.ReportOptions.Validate); the CLI
// prints them, as it always did, with its flags for the engine's fields.
func TestReportCandidatesEngineChecksKeepTheirMessages(t *testing.T) {
	env := importedCoC(t, samples.Dir(t, samples.FY2026))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--window-days", "29"}, "exitflow: --window-days 29: want 30 or more (a shorter window is almost always a typing error)\n"},
		{[]string{"--window-days", "0"}, "exitflow: --window-days 0: want 30 or more (a shorter window is almost always a typing error)\n"},
		{[]string{"--window-days", "-5", "--format", "csv"}, "exitflow: --window-days -5: want 30 or more (a shorter window is almost always a typing error)\n"},
		{[]string{"--project", "nope", "--project", "zz"}, "exitflow: --project nope, zz: no such project (not in the imported Project.csv)\n"},
	} {
		out, errOut, code := cli(t, env, append([]string{"report", "candidates"}, tc.args...)...)
		assert.Equal(t, 1, code, tc.args)
		assert.Equal(t, tc.want, errOut, tc.args)
		assert.Empty(t, out, tc.args)
	}
}
