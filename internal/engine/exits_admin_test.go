package engine_test

// Administrative exit runs (SPEC AD2): reason, actor, dates and Destination 30.

import (
	"context"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAD2_AdminRunReasonActorAndDates(t *testing.T) {
	pool := exDB(t)
	opt := engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, WindowDays: 60}
	preview := exPreview(t, pool, opt)
	require.Equal(t, []string{"NN1"}, keys(preview))
	res := exRun(t, pool, engine.RunOptions{Options: opt, Actor: "Ann Admin"})
	assert.Equal(t, engine.MethodAdmin, res.Method)
	assert.Equal(t, 1, res.Enrollments)
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit ee JOIN hmis.exit x USING (exitid)
		WHERE ee.enrollmentid = 'NN1' AND ee.method = 'admin' AND ee.reason = $1 AND ee.actor = 'Ann Admin'
		  AND x.exitdate = '2026-03-03' AND x.destination = 30 AND ee.last_activity_date = '2026-03-02'
		  AND ee.last_activity_source = 'bed-night' AND ee.evidence_file = 'Services.csv' AND ee.evidence_id = 'SN2'
		  AND (ee.policy ->> 'window_days')::int = 60`, engine.AdminReason), "D2: the day after the last bed night")
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.exit_run WHERE id = $1 AND method = 'admin'
		AND actor = 'Ann Admin' AND window_days = 60 AND projects = '{PN}'`, res.RunID))
	assert.Equal(t, 1, exCount(t, pool, `SELECT count(*) FROM exitflow.audit WHERE action = 'exit-run' AND reason = $1
		AND details ->> 'phase' = 'done'`, engine.AdminReason))

	// A closing project: every open enrollment.
	all := exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Method: engine.MethodAdmin, Projects: []string{"PN"}, AllOpen: true}, Actor: "Ann Admin"})
	assert.Equal(t, 1, all.Enrollments, "NN2; NN1 is exited already")
	assert.Equal(t, 2, exCount(t, pool, "SELECT count(*) FROM hmis.exit x JOIN hmis.enrollment e USING (enrollmentid) WHERE e.projectid = 'PN'"))
	exAssertOneExitEach(t, pool)
}

func TestAD2_AdminExitsIgnoreTheProjectsExitDefaults(t *testing.T) {
	ctx := context.Background()
	pool := exDB(t)
	// P5 defaults are for automatic exits; an administrative exit writes Destination 30 and nothing else.
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.policy (scope, scope_id, auto_exit_days, alert_days, exit_defaults, changed_by)
		VALUES ('project', 'PO', 365, 300, '{"Destination": 17, "OtherDestination": "moved in with family", "ProjectCompletionStatus": 1}', 'test')`)
	require.NoError(t, err)
	exRun(t, pool, engine.RunOptions{Options: engine.Options{AsOf: exAsOf, Projects: []string{"PO"}, Method: engine.MethodAdmin, AllOpen: true}, Actor: "Dana Lee"})
	n := exCount(t, pool, "SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow'")
	require.Positive(t, n)
	assert.Equal(t, n, exCount(t, pool, `SELECT count(*) FROM hmis.exit WHERE userid = 'exitflow' AND destination = 30
		AND otherdestination IS NULL AND projectcompletionstatus IS NULL AND destinationsubsidytype IS NULL`))
	assert.Equal(t, n, exCount(t, pool, `SELECT count(*) FROM exitflow.engine_exit WHERE reason = 'Administrative exit' AND actor = 'Dana Lee'`))
}
