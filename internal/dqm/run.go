package dqm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Run makes a DQM report (SPEC Q1–Q3): it measures the projects opt selects as of opt.AsOf over the
// period since the previous report of the same projects (or opt.Since), compares each project with
// its previous report, gives the verdict, and stores the report with its findings in one
// transaction. Bad options change nothing and are engine.InvalidError.
func Run(ctx context.Context, pool *pgxpool.Pool, opt Options) (*Report, error) {
	if err := opt.check(ctx, pool); err != nil {
		return nil, err
	}
	projects, err := opt.projects(ctx, pool)
	if err != nil {
		return nil, err
	}
	r := &Report{AsOf: opt.AsOf, Since: opt.Since, Projects: projects, OrganizationID: opt.OrganizationID,
		WholeCoC: len(opt.Projects) == 0 && opt.OrganizationID == "", Actor: opt.Actor}
	var prevAsOf time.Time
	if r.PreviousID, prevAsOf, err = previous(ctx, pool, projects, opt.AsOf); err != nil {
		return nil, err
	}
	if r.Since.IsZero() {
		r.Since = opt.AsOf.AddDate(0, 0, -DefaultPeriodDays)
		if r.PreviousID != 0 {
			r.Since = prevAsOf
		}
	}
	if err := r.measure(ctx, pool); err != nil {
		return nil, err
	}
	r.Verdict, r.Reasons = verdict(r.Total)
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return save(ctx, tx, r, opt) })
	if err != nil {
		return nil, fmt.Errorf("storing the report: %w", err)
	}
	return r, nil
}

// measure computes the report's measures and findings (SPEC Q1) in read-only REPEATABLE READ
// transactions that share one snapshot: all measures see the same data, even while an import or an
// exit run commits, and a second connection (when the pool has one to spare) measures the exits and
// findings while the first reads the engine's list of open enrollments. Plans are custom (the
// ProjectIDs are a parameter: a generic plan guesses a short list and, on a whole CoC, is many times
// slower) and the hash joins and aggregates of a whole CoC get room in memory, as the engine's exit
// snapshot does.
func (r *Report) measure(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginTxFunc(ctx, pool, snapshotTx, func(tx pgx.Tx) error {
		if err := tuneTx(ctx, tx); err != nil {
			return err
		}
		if pool.Config().MaxConns < 2 {
			return r.measureOn(ctx, tx, tx)
		}
		var snapshot string
		if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
			return fmt.Errorf("measuring: %w", err)
		}
		return pgx.BeginTxFunc(ctx, pool, snapshotTx, func(rest pgx.Tx) error {
			if _, err := rest.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+strings.ReplaceAll(snapshot, "'", "''")+"'"); err != nil {
				return fmt.Errorf("measuring: %w", err)
			}
			if err := tuneTx(ctx, rest); err != nil {
				return err
			}
			return r.measureOn(ctx, tx, rest)
		})
	})
}

// snapshotTx are the measuring transactions' options.
var snapshotTx = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

func tuneTx(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL work_mem = '256MB'"); err != nil {
		return fmt.Errorf("measuring: %w", err)
	}
	return nil
}

// measureOn measures on q, and on rest at the same time (see measureAll), then assembles the report.
func (r *Report) measureOn(ctx context.Context, q, rest pgx.Tx) error {
	by, buckets, findings, err := measureAll(ctx, q, rest, r.Projects, r.AsOf, r.Since)
	if err != nil {
		return err
	}
	r.Findings = findings
	return r.assemble(ctx, q, by, buckets)
}

// assemble builds the project reports and totals from the counts, with the previous values.
func (r *Report) assemble(ctx context.Context, q engine.Querier, by map[string]counts, buckets map[string]*[6]int) error {
	pols, err := engine.EffectivePolicies(ctx, q, r.Projects)
	if err != nil {
		return err
	}
	prev, err := previousValues(ctx, q, r.Projects, r.AsOf, r.PreviousID, 0)
	if err != nil {
		return err
	}
	total := counts{}
	for _, p := range pols {
		c := by[p.ProjectID]
		pr := ProjectReport{ProjectID: p.ProjectID, ProjectName: p.ProjectName, OrganizationID: p.OrganizationID,
			OrganizationName: p.OrganizationName, ProjectType: p.ProjectType, AutoExitDays: p.AutoExitDays,
			AlertDays: p.AlertDays, Buckets: *buckets[p.ProjectID], Measures: measureRows(c, prev[p.ProjectID])}
		r.ProjectReports = append(r.ProjectReports, pr)
		for m, v := range c {
			if !m.Percent() {
				total[m] = count(int(total[m].N + v.N))
			}
		}
	}
	total[ExitsDestination30Pct] = percent(int(total[dest30].N), int(total[exitsAll].N))
	total[ExitsDestination89Pct] = percent(int(total[dest89].N), int(total[exitsAll].N))
	total[ExitsDestination99Pct] = percent(int(total[dest99].N), int(total[exitsAll].N))
	r.Total = measureRows(total, prev[""])
	slices.SortStableFunc(r.ProjectReports, func(a, b ProjectReport) int { return engine.CompareIDs(a.ProjectID, b.ProjectID) })
	slices.SortFunc(r.Projects, engine.CompareIDs)
	return nil
}

// measureRows are c's measures in report order, compared with prev.
func measureRows(c counts, prev map[Measure]Value) []MeasureRow {
	out := make([]MeasureRow, len(Measures))
	for i, m := range Measures {
		out[i] = MeasureRow{Measure: m, Value: c[m], Previous: prev[m]}
		out[i].Change = change(m, out[i].Value, out[i].Previous)
	}
	return out
}

// change is Better, Worse or Same for a judged measure with both values, else "".
func change(m Measure, v, prev Value) string {
	switch {
	case !m.LowerIsBetter() || !v.Valid || !prev.Valid:
		return ""
	case v.N < prev.N:
		return Better
	case v.N > prev.N:
		return Worse
	}
	return Same
}

// reasonText describes each measure that makes a verdict "needs attention".
var reasonText = map[Measure]string{
	PastWindow:       "open enrollments past the auto-exit window where auto exit is on",
	ExitsBeforeEntry: "exits dated before their entry date",
	ExitsAfterAsOf:   "exits dated after the as-of date",
	NbnExitDateOff:   "night-by-night exits not dated the day after the last bed night",
}

// reasonOne is reasonText for a count of one.
var reasonOne = map[Measure]string{
	PastWindow:       "open enrollment past the auto-exit window where auto exit is on",
	ExitsBeforeEntry: "exit dated before its entry date",
	ExitsAfterAsOf:   "exit dated after the as-of date",
	NbnExitDateOff:   "night-by-night exit not dated the day after the last bed night",
}

// verdict is SPEC Q2's: working as planned when nothing is past the window where auto exit is on
// and no exit is invalid; otherwise needs attention, with one reason per failing measure.
func verdict(total []MeasureRow) (string, []Reason) {
	reasons := []Reason{} // never nil: dqm_report.reasons is NOT NULL (a nil slice would be stored as NULL)
	for _, row := range total {
		if text, ok := reasonText[row.Measure]; ok && row.Value.N > 0 {
			n := int(row.Value.N)
			if n == 1 {
				text = reasonOne[row.Measure]
			}
			reasons = append(reasons, Reason{Measure: row.Measure, Count: n, Text: fmt.Sprintf("%d %s", n, text)})
		}
	}
	if len(reasons) == 0 {
		return WorkingAsPlanned, reasons
	}
	return NeedsAttention, reasons
}
