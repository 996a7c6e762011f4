package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Kinds of a ListedRun.
const (
	KindRun  = "run"  // an exit run (exitflow.exit_run)
	KindUndo = "undo" // an undo (its exitflow.audit row)
)

// ListedRun is one exit run or undo as exitflow exits list shows it (IDs and counts only, SPEC S1).
type ListedRun struct {
	ID            int64      `json:"id"`          // the exit run's ID (kind run), or the undo's exitflow.audit ID (kind undo)
	Kind          string     `json:"kind"`        // KindRun or KindUndo
	Method        string     `json:"method"`      // a Method (auto or admin); an undo: that of the run(s) it undid, "auto, admin" for both
	AsOf          *time.Time `json:"as_of"`       // an undo of exits from runs of several dates: nil
	Projects      []string   `json:"projects"`    // a run (and an undo of a run): the projects it was limited to, empty for every project; an undo of a household or an enrollment: its project
	Actor         string     `json:"actor"`       // who ran or undid it
	WorkflowID    string     `json:"workflow_id"` // the Temporal workflow and run (SPEC U1); empty from the CLI
	WorkflowRunID string     `json:"workflow_run_id"`
	Households    int        `json:"households"`       // households with exits written (run) or undone (undo)
	Enrollments   int        `json:"enrollments"`      // exits written or undone
	Status        RunStatus  `json:"status"`           // run: running, interrupted, done or failed; undo: done (one transaction)
	StartedAt     time.Time  `json:"started_at"`       // an undo: its time
	FinishedAt    *time.Time `json:"finished_at"`      // nil: not finished
	UndoneAt      *time.Time `json:"undone_at"`        // a run: when exits undo --run undid it
	Error         string     `json:"error,omitempty"`  // a failed run: why
	Undid         string     `json:"undid,omitempty"`  // an undo: "run 5", "household H1", "enrollment N1"
	RunIDs        []int64    `json:"run_ids"`          // an undo: the runs whose exits it undid
	Reason        string     `json:"reason,omitempty"` // an undo: the reason given
}

// listRunsSQL lists the exit runs, newest first. A running run whose session no longer holds the
// exits lock is interrupted. $1 limit (NULL: all), $2, $3 the exits lock's keys.
const listRunsSQL = `
SELECT r.id, r.method, r.as_of, r.projects, r.actor, coalesce(r.workflow_id, ''), coalesce(r.workflow_run_id, ''),
       r.households, r.enrollments,
       CASE WHEN r.status = 'running' AND NOT EXISTS (
                SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.classid = $2::bigint::oid AND l.objid = $3::bigint::oid
                  AND l.objsubid = 2 AND l.granted AND l.pid = r.lock_pid)
            THEN 'interrupted' ELSE r.status END,
       r.started_at, r.finished_at, r.undone_at, coalesce(r.error, '')
FROM exitflow.exit_run r
ORDER BY r.started_at DESC, r.id DESC
LIMIT $1`

// listUndosSQL lists the undos from their audit rows, newest first: an undo of a run takes the
// run's method, date and projects; an undo of a household or an enrollment those of the exits it
// names (exit_ids). $1 limit (NULL: all).
const listUndosSQL = `
SELECT a.id, a.at, a.actor, coalesce(a.reason, ''), coalesce(a.workflow_id, ''), coalesce(a.workflow_run_id, ''),
       coalesce((a.details ->> 'undone')::int, 0), coalesce((a.details ->> 'households')::int, 0),
       coalesce(a.details ->> 'run_id', ''), coalesce(a.details ->> 'household_id', ''),
       coalesce(a.details ->> 'project_id', ''), coalesce(a.details ->> 'enrollment_id', ''),
       CASE WHEN r.id IS NOT NULL THEN ARRAY[r.method] ELSE coalesce(x.methods, '{}') END,
       CASE WHEN r.id IS NOT NULL THEN r.as_of WHEN x.first_as_of = x.last_as_of THEN x.first_as_of END,
       CASE WHEN r.id IS NOT NULL THEN r.projects ELSE coalesce(x.projects, '{}') END,
       CASE WHEN r.id IS NOT NULL THEN ARRAY[r.id] ELSE coalesce(x.run_ids, '{}') END
FROM exitflow.audit a
LEFT JOIN exitflow.exit_run r ON a.details ? 'run_id' AND r.id = (a.details ->> 'run_id')::bigint
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT xr.method) AS methods, min(xr.as_of) AS first_as_of, max(xr.as_of) AS last_as_of,
           array_agg(DISTINCT c.projectid) AS projects, array_agg(DISTINCT xr.id) AS run_ids
    FROM exitflow.exit_run_candidate c JOIN exitflow.exit_run xr ON xr.id = c.run_id
    WHERE NOT a.details ? 'run_id' AND jsonb_typeof(a.details -> 'exit_ids') = 'array'
      AND c.exitid IN (SELECT jsonb_array_elements_text(a.details -> 'exit_ids'))
) x ON true
WHERE a.action = 'undo'
ORDER BY a.at DESC, a.id DESC
LIMIT $1`

// ListRuns returns the exit runs and undos, newest first (by start), at most limit of them (0:
// all). A run not done has the counts of its committed batches.
func ListRuns(ctx context.Context, q Querier, limit int) ([]ListedRun, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	runs, err := listRuns(ctx, q, lim)
	if err != nil {
		return nil, err
	}
	undos, err := listUndos(ctx, q, lim)
	if err != nil {
		return nil, err
	}
	out := append(runs, undos...)
	slices.SortStableFunc(out, func(a, b ListedRun) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(b.ID, a.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// listRuns reads the exit runs (listRunsSQL).
func listRuns(ctx context.Context, q Querier, limit any) ([]ListedRun, error) {
	rows, err := q.Query(ctx, listRunsSQL, limit, lockClass, lockObj)
	if err != nil {
		return nil, fmt.Errorf("listing the exit runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ListedRun, error) {
		r := ListedRun{Kind: KindRun, RunIDs: []int64{}}
		var asOf time.Time
		var method string
		err := row.Scan(&r.ID, &method, &asOf, &r.Projects, &r.Actor, &r.WorkflowID, &r.WorkflowRunID,
			&r.Households, &r.Enrollments, &r.Status, &r.StartedAt, &r.FinishedAt, &r.UndoneAt, &r.Error)
		r.AsOf, r.Method = &asOf, string(methodOfRecord(method))
		if r.Projects == nil {
			r.Projects = []string{}
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the exit runs: %w", err)
	}
	for i, r := range out {
		slices.SortFunc(out[i].Projects, CompareIDs)
		if r.Status == StatusDone {
			continue
		}
		// Counts are recorded when a run is done: before, count its committed batches.
		c, err := runCounts(ctx, q, r.ID, RunResult{})
		if err != nil {
			return nil, err
		}
		out[i].Households, out[i].Enrollments = c.Households, c.Enrollments
	}
	return out, nil
}

// listUndos reads the undos (listUndosSQL).
func listUndos(ctx context.Context, q Querier, limit any) ([]ListedRun, error) {
	rows, err := q.Query(ctx, listUndosSQL, limit)
	if err != nil {
		return nil, fmt.Errorf("listing the undos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ListedRun, error) {
		r := ListedRun{Kind: KindUndo, Status: StatusDone}
		var run, household, project, enrollment string
		var methods []string
		err := row.Scan(&r.ID, &r.StartedAt, &r.Actor, &r.Reason, &r.WorkflowID, &r.WorkflowRunID, &r.Enrollments, &r.Households,
			&run, &household, &project, &enrollment, &methods, &r.AsOf, &r.Projects, &r.RunIDs)
		if err != nil {
			return r, err
		}
		finished := r.StartedAt
		r.FinishedAt = &finished
		r.Undid = undoSelector(run, household, project, enrollment)
		for i, m := range methods {
			methods[i] = string(methodOfRecord(m))
		}
		slices.Sort(methods)
		r.Method = strings.Join(methods, ", ")
		slices.SortFunc(r.Projects, CompareIDs)
		slices.Sort(r.RunIDs)
		return r, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the undos: %w", err)
	}
	return out, nil
}

// undoSelector names what an undo undid, from the IDs its audit row holds.
func undoSelector(run, household, project, enrollment string) string {
	switch {
	case run != "":
		return "run " + run
	case household != "" && project != "":
		return "household " + household + " of project " + project
	case household != "":
		return "household " + household
	case enrollment != "":
		return "enrollment " + enrollment
	}
	return ""
}
