package dqm

import (
	"context"
	"embed"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// sqlFiles are the DQM's rule queries, each headed by the SPEC rules it applies.
//
//go:embed sql/*.sql
var sqlFiles embed.FS

func sqlFile(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	exitsSQL    = sqlFile("exits")
	findingsSQL = sqlFile("findings")
	// openSQL aggregates the engine's rule query in place of its {candidates_rows}.
	openSQL = strings.Replace(sqlFile("open"), "({candidates_rows}) r", "("+candidateRows()+") r", 1)
)

// candidateRows is the engine's unordered rule query, as open.sql embeds it.
func candidateRows() string {
	sql, _ := engine.CandidateRowsQuery(engine.Options{})
	return sql
}

// counts are one project's raw measures before they become MeasureRows.
type counts map[Measure]Value

func count(n int) Value { return Value{N: float64(n), Valid: true} }

// percent is part of whole as a percentage with one decimal; not valid when whole is 0.
func percent(part, whole int) Value {
	if whole == 0 {
		return Value{}
	}
	return Value{N: float64(int(float64(part)*1000/float64(whole)+0.5)) / 10, Valid: true}
}

// measureAll computes every measure of the projects, and the findings behind them (SPEC Q1): the
// open enrollments and windows on q and, at the same time, the exits and findings on rest (another
// transaction that sees the same snapshot); when rest is q, one after the other.
func measureAll(ctx context.Context, q, rest engine.Querier, projects []string, asOf, since time.Time) (map[string]counts, map[string]*[6]int, []Finding, error) {
	by, other := make(map[string]counts, len(projects)), make(map[string]counts, len(projects))
	buckets := make(map[string]*[6]int, len(projects))
	for _, p := range projects {
		by[p], other[p] = counts{}, counts{}
		buckets[p] = &[6]int{}
	}
	var past, findings []Finding
	g, gctx := errgroup.WithContext(ctx)
	if rest == q {
		g.SetLimit(1)
	}
	g.Go(func() (err error) {
		past, err = measureOpen(gctx, q, projects, asOf, by, buckets)
		return err
	})
	g.Go(func() (err error) {
		if err := measureExits(gctx, rest, projects, asOf, since, other); err != nil {
			return err
		}
		findings, err = measureFindings(gctx, rest, projects, asOf, since, other)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	for p, c := range other {
		maps.Copy(by[p], c)
	}
	return by, buckets, append(past, findings...), nil
}

// measureOpen counts the open enrollments and households, buckets them by the household's days
// since last activity, and counts the open enrollments past the auto-exit window where auto exit is
// on (listing them as findings) and the households in the alert window, all in one pass of
// sql/open.sql over the engine's own rule query (SPEC H1, H2, AL1).
func measureOpen(ctx context.Context, q engine.Querier, projects []string, asOf time.Time, by map[string]counts, buckets map[string]*[6]int) ([]Finding, error) {
	for _, c := range by {
		c[OpenEnrollments], c[OpenHouseholds], c[PastWindow], c[AlertWindowHouseholds] = count(0), count(0), count(0), count(0)
	}
	_, args := engine.CandidateRowsQuery(engine.Options{AsOf: asOf, Projects: projects, Method: engine.MethodAdmin, AllOpen: true})
	rows, err := q.Query(ctx, openSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("counting open enrollments: %w", err)
	}
	var findings []Finding
	var kind, p, hh, enr, person, source string
	var la *time.Time
	var days, enrollments, households, past, alert int
	var b []int32
	_, err = pgx.ForEachRow(rows, []any{&kind, &p, &hh, &enr, &person, &la, &source, &days, &enrollments, &households, &past, &alert, &b}, func() error {
		if kind == "past" {
			findings = append(findings, Finding{Finding: PastWindow, ProjectID: p, HouseholdID: hh, EnrollmentID: enr, PersonalID: person, Date: la,
				Detail: fmt.Sprintf("%d days inactive (%s); auto exit due %s", days, source, asOf.Format(time.DateOnly))})
			la = nil
			return nil
		}
		c := by[p]
		c[OpenEnrollments], c[OpenHouseholds], c[PastWindow], c[AlertWindowHouseholds] = count(enrollments), count(households), count(past), count(alert)
		if bk := buckets[p]; bk != nil && len(b) == len(bk) {
			for i, n := range b {
				bk[i] = int(n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("counting open enrollments: %w", err)
	}
	return findings, nil
}

// measureExits counts the period's exits by method, the undone ones and the destination shares.
func measureExits(ctx context.Context, q engine.Querier, projects []string, asOf, since time.Time, by map[string]counts) error {
	rows, err := q.Query(ctx, exitsSQL, asOf, since, projects)
	if err != nil {
		return fmt.Errorf("counting exits: %w", err)
	}
	var p string
	var cm, auto, admin, housed, undone, exits, d30, d89, d99 int
	_, err = pgx.ForEachRow(rows, []any{&p, &cm, &auto, &admin, &housed, &undone, &exits, &d30, &d89, &d99}, func() error {
		c := by[p]
		c[ExitsCaseManager], c[ExitsAutoInactivity], c[ExitsAdmin], c[ExitsAutoHoused] = count(cm), count(auto), count(admin), count(housed)
		c[ExitsUndone] = count(undone)
		c[ExitsDestination30Pct], c[ExitsDestination89Pct], c[ExitsDestination99Pct] = percent(d30, exits), percent(d89, exits), percent(d99, exits)
		c[exitsAll], c[dest30], c[dest89], c[dest99] = count(exits), count(d30), count(d89), count(d99)
		return nil
	})
	if err != nil {
		return fmt.Errorf("counting exits: %w", err)
	}
	return nil
}

// Hidden counts that the totals' percentages are computed from (not reported).
const (
	exitsAll Measure = "_exits"
	dest30   Measure = "_dest_30"
	dest89   Measure = "_dest_8_9"
	dest99   Measure = "_dest_99"
)

// findingMeasures are the measures counted from findings.sql, one per row.
var findingMeasures = []Measure{ExitsBeforeEntry, ExitsAfterAsOf, NbnExitDateOff, BedNightsOnOrAfterExit,
	Q6fNbnNoBedNight90d, Q6fSoNoContact90d, FutureDatedActivity, HouseholdsHohExited, HouseholdsHohNotOne}

// measureFindings lists the findings and counts them per project.
func measureFindings(ctx context.Context, q engine.Querier, projects []string, asOf, since time.Time, by map[string]counts) ([]Finding, error) {
	for _, c := range by {
		for _, m := range findingMeasures {
			c[m] = count(0)
		}
	}
	rows, err := q.Query(ctx, findingsSQL, asOf, since, projects)
	if err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	var out []Finding
	var f Finding
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&kind, &f.ProjectID, &f.HouseholdID, &f.EnrollmentID, &f.PersonalID, &f.Date, &f.Detail}, func() error {
		f.Finding = Measure(kind)
		out = append(out, f)
		c := by[f.ProjectID]
		v := c[f.Finding]
		v.N++
		c[f.Finding] = v
		f = Finding{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	return out, nil
}
