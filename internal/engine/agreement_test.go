package engine_test

import (
	"context"
	"slices"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// agreementOpts are the admin candidates of the exits fixture's projects PS and PO past 90 days.
var agreementOpts = engine.Options{AsOf: exAsOf, Projects: []string{"PS", "PO"}, Method: engine.MethodAdmin, WindowDays: 90}

// recordAgreement records agreement A1 of organization O1 for the fixture's projects PS and PO.
func recordAgreement(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	require.NoError(t, engine.RecordAgreement(context.Background(), pool, engine.Agreement{
		AgreementID: "A1", WorkflowID: "agreement-A1", OrganizationID: "O1", Projects: []string{"PO", "PS"},
		Method: engine.MethodAdmin, PeriodEnd: exAsOf, HMISStaff: "staff@coc.org", Liaisons: []string{"l@agency.org"},
	}))
}

func TestAgreementSnapshotIsIdempotent(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	recordAgreement(t, pool)
	preview := exPreview(t, pool, agreementOpts)
	require.NotEmpty(t, preview)

	first, err := engine.SnapshotAgreement(ctx, pool, engine.AgreementSnapshot{AgreementID: "A1", Options: agreementOpts})
	require.NoError(t, err)
	assert.Equal(t, len(preview), first.Candidates)
	assert.Equal(t, len(preview), first.StillOpen)
	assert.Zero(t, first.ExitedByPeople)
	assert.Positive(t, first.Households)

	// A retry after the candidates changed keeps the first snapshot (SPEC AG2).
	_, err = pool.Exec(ctx, `UPDATE hmis.enrollment SET datedeleted = now() WHERE enrollmentid = $1`, keys(preview)[0])
	require.NoError(t, err)
	again, err := engine.SnapshotAgreement(ctx, pool, engine.AgreementSnapshot{AgreementID: "A1", Options: agreementOpts})
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, len(preview), exCount(t, pool, `SELECT count(*) FROM exitflow.agreement_candidate WHERE agreement_id = 'A1'`))

	ids, err := engine.AgreementCandidateIDs(ctx, pool, "A1", false)
	require.NoError(t, err)
	want := keys(preview)
	slices.SortFunc(want, engine.CompareIDs)
	assert.Equal(t, want, ids)

	_, err = engine.SnapshotAgreement(ctx, pool, engine.AgreementSnapshot{AgreementID: "nope", Options: agreementOpts})
	assert.True(t, engine.Permanent(err), "%v", err)
}

func TestAgreementCountsByPeopleAndByEngine(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	recordAgreement(t, pool)
	first, err := engine.SnapshotAgreement(ctx, pool, engine.AgreementSnapshot{AgreementID: "A1", Options: agreementOpts})
	require.NoError(t, err)
	ids, err := engine.AgreementCandidateIDs(ctx, pool, "A1", false)
	require.NoError(t, err)

	// A case manager exits one candidate during the period.
	var personal string
	require.NoError(t, pool.QueryRow(ctx, `SELECT personalid FROM hmis.enrollment WHERE enrollmentid = $1`, ids[0]).Scan(&personal))
	_, err = pool.Exec(ctx, `INSERT INTO hmis.exit (exitid, enrollmentid, personalid, exitdate, destination, datecreated, dateupdated, userid, exportid)
		VALUES ('CM-A1', $1, $2, '2026-10-30', 410, '2026-10-30 09:00', '2026-10-30 09:00', 'U1', 'EX1')`, ids[0], personal)
	require.NoError(t, err)

	res := exRun(t, pool, engine.RunOptions{Options: agreementOpts, Actor: "staff@coc.org", WorkflowID: "agreement-A1",
		WorkflowRunID: "r1", Key: "agreement-A1/exits"})
	c, err := engine.CountAgreement(ctx, pool, "A1")
	require.NoError(t, err)
	assert.Equal(t, first.Candidates, c.Candidates)
	assert.GreaterOrEqual(t, c.ExitedByPeople, 1) // the household's other members may have been exited by the CM too
	assert.Equal(t, res.Enrollments, c.ExitedByEngine)
	assert.Equal(t, c.Candidates, c.ExitedByPeople+c.ExitedByEngine+c.StillOpen)

	exits, runs, err := engine.WorkflowExits(ctx, pool, "agreement-A1")
	require.NoError(t, err)
	assert.Len(t, exits, res.Enrollments)
	assert.Equal(t, []int64{res.RunID}, runs)

	_, err = engine.CountAgreement(ctx, pool, "nope")
	assert.True(t, engine.Permanent(err))
}

func TestAgreementStepIsAudited(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	require.NoError(t, engine.RecordAgreementStep(ctx, pool, "", "notice", "sent", "agreement-A1", "r1", "", map[string]any{"sent": 2}))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'agreement-notice' AND actor = 'exitflow' AND workflow_id = 'agreement-A1'`))
}

// SPEC U1: a step recorded again with its key (an activity's retry) is audited once; another key
// (the same step later, e.g. a second rejected signal) is a line of its own.
func TestAgreementStepWithAKeyIsAuditedOnce(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	for _, key := range []string{"agreement-A1/r1/5", "agreement-A1/r1/5", "agreement-A1/r1/9"} {
		require.NoError(t, engine.RecordAgreementStep(ctx, pool, "sam@coc.example", "signal-rejected", "wrong person",
			"agreement-A1", "r1", key, map[string]any{"action": "acknowledge"}))
	}
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'agreement-signal-rejected'`))
}
