package activities

import (
	"context"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/workflows"
)

// candidateOptions are the engine options that list an agreement's candidates as of asOf: the
// enrollments past the agreed window (auto: its auto-exit days, before the policy is on; admin:
// its window or all open), SPEC AG2, AD1.
func candidateOptions(ag workflows.Agreement, asOf string) (engine.Options, error) {
	d, err := day(asOf)
	if err != nil {
		return engine.Options{}, invalid("as_of", "%q is not a YYYY-MM-DD date", asOf)
	}
	opt := engine.Options{AsOf: d, Projects: ag.ProjectIDs, Method: engine.MethodAdmin, WindowDays: ag.WindowDays, AllOpen: ag.AllOpen}
	if ag.Method == workflows.MethodAuto {
		opt.WindowDays, opt.AllOpen = ag.AutoExitDays, false
	}
	return opt, nil
}

// SnapshotCandidates keeps the agreement's candidates in PostgreSQL as of the day it validated
// (SPEC AG2); a retry returns the same counts and changes nothing.
func (a *Activities) SnapshotCandidates(ctx context.Context, in workflows.SnapshotInput) (workflows.SnapshotResult, error) {
	opt, err := candidateOptions(in.Agreement, in.Agreement.Today)
	if err != nil {
		return workflows.SnapshotResult{}, err
	}
	c, err := engine.SnapshotAgreement(ctx, a.Pool, engine.AgreementSnapshot{AgreementID: in.Agreement.AgreementID, Options: opt})
	if err != nil {
		return workflows.SnapshotResult{}, classify("snapshotting the candidates", err)
	}
	return workflows.SnapshotResult{Enrollments: c.Candidates, Households: c.Households}, nil
}

// AgreementCounts counts what became of the agreement's candidates so far (SPEC AG5, AG8).
func (a *Activities) AgreementCounts(ctx context.Context, in workflows.CountsInput) (workflows.Counts, error) {
	c, err := engine.CountAgreement(ctx, a.Pool, in.AgreementID)
	if err != nil {
		return workflows.Counts{}, classify("counting the candidates", err)
	}
	return counts(c), nil
}

// counts is the engine's counts as the workflows keep them.
func counts(c engine.AgreementCounts) workflows.Counts {
	return workflows.Counts{CandidateEnrollments: c.Candidates, CandidateHouseholds: c.Households,
		ExitedByAgency: c.ExitedByPeople, ExitedByEngine: c.ExitedByEngine, StillOpen: c.StillOpen}
}
