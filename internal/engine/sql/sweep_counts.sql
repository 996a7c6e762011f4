-- sweep_counts: what sweep $1 did so far, per project: households and enrollments from its exit
-- run $2's live engine exits (not undone), alerts from the alerts its workflow recorded
-- (exitflow.alert.workflow_id); every project with an exit or an alert, in natural ID order. The
-- sweep summary to HMIS staff is made of it before the sweep is finished. IDs and counts only.
-- SPEC F3, AL2, N3
-- $1 bigint: the sweep (exitflow.sweep_run.id); $2 bigint: its exit run (0: none)
-- psql: PREPARE q(bigint, bigint) AS <this file>; EXECUTE q(1, 2);
WITH ex AS (
    SELECT projectid, count(DISTINCT householdid)::int AS households, count(*)::int AS enrollments
    FROM exitflow.engine_exit WHERE run_id = nullif($2::bigint, 0) AND undone_at IS NULL GROUP BY projectid
),
al AS (
    SELECT a.projectid, count(*)::int AS alerts
    FROM exitflow.alert a JOIN exitflow.sweep_run s ON s.id = $1 AND a.workflow_id = s.workflow_id
    GROUP BY a.projectid
)
SELECT coalesce(ex.projectid, al.projectid) AS projectid, coalesce(ex.households, 0) AS households,
       coalesce(ex.enrollments, 0) AS enrollments, coalesce(al.alerts, 0) AS alerts
FROM ex FULL JOIN al ON al.projectid = ex.projectid
ORDER BY {natural_order}
