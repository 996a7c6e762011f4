package engine_test

// Exit runs (engine.WriteExits) on the fixture testdata/exits (exDB, helpers_test.go): what a run
// writes (SPEC F2, F3, P5) and which options it refuses. Resuming a run and changes made while it
// runs: exits_resume_test.go; concurrent runs and parallel writers: exits_concurrent_test.go;
// administrative runs (SPEC AD2): exits_admin_test.go.

import (
	"context"
	"testing"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exEvidence is the evidence (file, record ID) each exited enrollment must carry (SPEC F3).
var exEvidence = map[string][2]string{
	"NA1": {"Services.csv", "SA2"}, "NA2": {"Services.csv", "SA2"}, // household HA: NA2's service is the household's last
	"NB1": {"CurrentLivingSituation.csv", "LB1"},
	"ND1": {"Assessment.csv", "AD1"},
	"NE1": {"CustomActivity.csv", "CAE1"},
	"NF1": {"Enrollment.csv", "NF1"}, // no activity: the entry date
	"NG1": {"Event.csv", "EG1"},
	"NH1": {"IncomeBenefits.csv", "IH1"},
	"NO1": {"CurrentLivingSituation.csv", "LO1"},
	"NP1": {"Enrollment.csv", "NP1"},
}

func TestF3_RunWritesThePreviewsExitsWithEngineRecords(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	preview := exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto})
	require.Len(t, preview, 10)

	res := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}, Actor: "Dana Lee",
		WorkflowID: "agreement-7", WorkflowRunID: "r-1"})
	assert.Equal(t, engine.RunResult{RunID: res.RunID, Method: engine.MethodAuto, AsOf: exAsOf, Status: "done", CandidateHouseholds: 9, ProcessedHouseholds: 9,
		CandidateEnrollments: 10, Households: 9, Enrollments: 10}, res)

	// The same enrollments, exit dates and destinations as the preview.
	written := exExits(t, pool)
	require.Equal(t, keys(preview), keys(written))
	for id, p := range preview {
		assert.Equal(t, p.ExitDate, written[id].ExitDate, id)
		assert.Equal(t, p.Destination, written[id].Destination, id)
		assert.Equal(t, p.DestinationSubsidyType, written[id].Subsidy, id)
	}

	// The Exit rows: the engine's user, the latest import's ExportID, all else empty (F2).
	assert.Equal(t, 10, exCount(t, pool, `SELECT count(*) FROM hmis.exit x JOIN exitflow.engine_exit ee USING (exitid)
		WHERE x.userid = 'exitflow' AND x.exportid = 'EX1' AND x.datecreated = x.dateupdated AND x.dateupdated = ee.written_at
		  AND x.import_id IS NULL AND x.otherdestination IS NULL AND x.projectcompletionstatus IS NULL AND x.cmexitreason IS NULL
		  AND x.exitid ~ '^EF[0-9]+-[0-9]+$' AND length(x.exitid) <= 32`))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM hmis."user" WHERE userid = 'exitflow' AND userfirstname = 'exitflow'
		AND userlastname = 'engine' AND exportid = 'EX1' AND datedeleted IS NULL`))

	// The engine record beside each (F3).
	rows, err := pool.Query(ctx, `SELECT ee.enrollmentid, ee.personalid, ee.projectid, ee.householdid, ee.method, ee.reason, ee.actor,
			ee.workflow_id, ee.workflow_run_id, ee.exit_date, ee.last_activity_date, ee.last_activity_source,
			ee.evidence_file, ee.evidence_id, (ee.policy ->> 'auto_exit_days')::int, ee.policy ->> 'scope', ee.run_id
		FROM exitflow.engine_exit ee`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		var enr, personal, project, household, method, reason, actor, wf, wfRun, source, file, id, scope string
		var exitDate, last time.Time
		var days int
		var runID int64
		require.NoError(t, rows.Scan(&enr, &personal, &project, &household, &method, &reason, &actor, &wf, &wfRun,
			&exitDate, &last, &source, &file, &id, &days, &scope, &runID))
		p := preview[enr]
		assert.Equal(t, p.PersonalID, personal)
		assert.Equal(t, p.ProjectID, project)
		assert.Equal(t, p.HouseholdID, household)
		assert.Equal(t, engine.MethodAuto.Recorded(), method, "SPEC F3: the record names the method auto-inactivity")
		assert.Equal(t, "auto-inactivity", method)
		assert.Equal(t, p.Reason, reason)
		assert.Equal(t, "Dana Lee", actor)
		assert.Equal(t, "agreement-7", wf)
		assert.Equal(t, "r-1", wfRun)
		assert.Equal(t, p.ExitDate, exitDate)
		assert.Equal(t, p.LastActivityDate, last, enr)
		assert.Equal(t, p.LastActivitySource, source, enr)
		assert.Equal(t, exEvidence[enr], [2]string{file, id}, "evidence of %s", enr)
		assert.Equal(t, *p.AutoExitDays, days)
		assert.Equal(t, "built-in", scope)
		assert.Equal(t, res.RunID, runID)
		n++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, 10, n)

	// The run and its audit (U1): counts and IDs only.
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND status = 'done'
		AND method = 'auto-inactivity' AND households = 9 AND enrollments = 10 AND finished_at IS NOT NULL AND lock_pid IS NULL`, res.RunID))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run' AND actor = 'Dana Lee'
		AND workflow_id = 'agreement-7' AND (details ->> 'run_id')::bigint = $1`, res.RunID))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run'
		AND details ->> 'phase' = 'done' AND (details ->> 'enrollments')::int = 10 AND (details ->> 'households')::int = 9`))

	// Nothing left to exit: the preview lists no exit any more.
	assert.Empty(t, exPreview(t, pool, engine.Options{AsOf: exAsOf, Method: engine.MethodAuto}))
	exAssertOneExitEach(t, pool)
}

func TestF2_P5_ExitDefaultsAreWrittenAndNothingElse(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, exit_defaults, changed_by)
		VALUES ('project', 'PO', 365, 300, '{"Destination": 17, "OtherDestination": "moved in with family", "ProjectCompletionStatus": 1}', 'test')`)
	require.NoError(t, err)
	exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PO"}}})
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND destination = 17
		AND otherdestination = 'moved in with family' AND projectcompletionstatus = 1 AND destinationsubsidytype IS NULL
		AND earlyexitreason IS NULL AND housingassessment IS NULL`))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit
		WHERE policy -> 'exit_defaults' ->> 'destination' = '17' AND policy ->> 'scope' = 'project' AND policy ->> 'scope_id' = 'PO'`))
	assert.Equal(t, 2, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'`), "only the project's exits")
}

func TestRunOptionsAreValidated(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	for _, c := range []struct {
		opt  engine.RunOptions
		want string
	}{
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf}}, "needs an actor"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: "soon"}, Actor: "x"}, `Method "soon": want auto or admin`},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin}, Actor: "x"}, "give ProjectID"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}}, Actor: "x"}, "auto exit off"},
		{engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"NOPE"}}, Actor: "x"}, "no such project"},
		{engine.RunOptions{Options: engine.Options{AsOf: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, Actor: "x"}, "before the data starts"},
		{engine.RunOptions{Options: engine.Options{AsOf: time.Now().AddDate(0, 0, 3)}, Actor: "x"}, "in the future"},
		{engine.RunOptions{RunID: 4242, Actor: "x"}, "exit run 4242 does not exist"},
	} {
		_, err := engine.WriteExits(ctx, pool, c.opt)
		assert.ErrorContains(t, err, c.want)
		if c.opt.RunID == 0 { // a caller can tell bad input from a failure (SPEC: activities fail, not retry)
			assert.ErrorIs(t, err, engine.ErrInvalid)
			assert.NotContains(t, err.Error(), "--", "an engine message names no CLI flag")
		}
	}
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM exitflow.exit_run"))
	assert.Zero(t, exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'"))
}
