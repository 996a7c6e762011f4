-- sweep_finish: records sweep $1 as done, with its exit run $2 and its counts: households and
-- enrollments per project from the run's live engine exits (not undone), alerts per project from
-- the alerts its workflow recorded (exitflow.alert.workflow_id), the totals, and the counts $3–$7 of
-- what the workflow sent and ran. Only a running sweep is finished; returns its ID and actor (no
-- row: it is not running). IDs and counts only.
-- SPEC U1, F3, AL2, N5
-- $1 bigint: the sweep (exitflow.sweep_run.id); $2 bigint: its exit run (0: none)
-- $3 alert messages, $4 exit notices, $5 summaries, $6 executions, $7 pages (integers)
-- {counts}: sweep_counts.sql (the counts per project)
-- psql: BEGIN; PREPARE q(bigint, bigint, int, int, int, int, int) AS <this file>; EXECUTE q(1, 2, 0, 0, 0, 0, 0); ROLLBACK;
WITH s AS (
    SELECT id, workflow_id FROM exitflow.sweep_run WHERE id = $1 AND status IN ('running', 'mailing') FOR UPDATE
),
per AS ({counts})
UPDATE exitflow.sweep_run r
SET status = 'done', finished_at = now(), exit_run_id = nullif($2::bigint, 0),
    households = (SELECT coalesce(sum(households), 0) FROM per),
    enrollments = (SELECT coalesce(sum(enrollments), 0) FROM per),
    alerts = (SELECT coalesce(sum(alerts), 0) FROM per),
    alert_messages = $3::int, exit_notices = $4::int, summaries = $5::int, executions = $6::int, pages = $7::int,
    per_project = coalesce((SELECT jsonb_agg(jsonb_build_object('project_id', projectid, 'households', households,
                                'enrollments', enrollments, 'alerts', alerts) ORDER BY {natural_order}) FROM per), '[]')
FROM s
WHERE r.id = s.id
RETURNING r.id, r.actor
