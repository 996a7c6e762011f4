package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Histories recorded from the real dev server (worker/e2e_test.go with EXITFLOW_RECORD_HISTORY)
// replay against today's workflow code: a change that breaks determinism fails here, before it
// reaches the agreements running in production. Re-record only for a deliberate, versioned change.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories in testdata/")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(AgencyAgreement, workflow.RegisterOptions{Name: AgencyAgreementWorkflow})
			r.RegisterWorkflowWithOptions(FollowUpDQM, workflow.RegisterOptions{Name: FollowUpDQMWorkflow})
			r.RegisterWorkflowWithOptions(AutoExitSweep, workflow.RegisterOptions{Name: AutoExitSweepWorkflow})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
