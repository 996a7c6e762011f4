package activities

import (
	"github.com/exitflow/exitflow/workflows"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
)

// RegisterActivities registers a's activities under the names the workflows call them by
// (workflows/api.go).
func RegisterActivities(w worker.ActivityRegistry, a *Activities) {
	for name, fn := range map[string]any{
		workflows.ActivityValidateAgreement:  a.ValidateAgreement,
		workflows.ActivitySnapshotCandidates: a.SnapshotCandidates,
		workflows.ActivityAgreementCounts:    a.AgreementCounts,
		workflows.ActivityRunExits:           a.RunExits,
		workflows.ActivityNotify:             a.Notify,
		workflows.ActivityRecordStep:         a.RecordStep,
		workflows.ActivityCreateDQMSchedule:  a.CreateDQMSchedule,
		workflows.ActivityRunFollowUpDQM:     a.RunFollowUpDQM,
		workflows.ActivityBeginSweep:         a.BeginSweep,
		workflows.ActivitySweepExitsPage:     a.SweepExitsPage,
		workflows.ActivitySweepAlerts:        a.SweepAlerts,
		workflows.ActivitySweepNotices:       a.SweepNotices,
		workflows.ActivityFinishSweep:        a.FinishSweep,
	} {
		w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}
