package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Actions of a preview row.
const (
	ActionExit  = "exit"
	ActionAlert = "alert"
)

// AdminReason is the Reason of administrative exits (SPEC F3, AD2; source 000 section 4.3).
const AdminReason = "Administrative exit"

// Options select what to preview or exit.
type Options struct {
	AsOf       time.Time // the as-of date T (a calendar date)
	Projects   []string  // ProjectIDs; empty: every project
	Method     Method    // MethodAuto or MethodAdmin ("": MethodAuto)
	WindowDays int       // admin: days of inactivity that make a household past the window (0: the project's auto-exit days)
	AllOpen    bool      // admin: every open enrollment (a closing project), SPEC AD1
	// NaturalOrder sorts Candidates by CompareIDs (IDs of digits as numbers: 9 before 10), for
	// tables people read; false keeps the text order of the CSV contract.
	NaturalOrder bool
}

// Row is one enrollment the engine would exit or alert on (the preview CSV contract).
type Row struct {
	Action                 string
	ProjectID              string
	HouseholdID            string
	EnrollmentID           string
	PersonalID             string
	LastActivityDate       time.Time // the household's last activity (SPEC H1)
	LastActivitySource     string
	DaysInactive           int
	ExitOn                 time.Time // the date the exit is (exit) or would be (alert) recorded
	ExitDate               time.Time // SPEC D1–D4
	Destination            int       // SPEC F1, P5
	DestinationSubsidyType *int
	Reason                 string
	ProjectType            int
	PolicyScope            Scope // the scope that gave the policy (SPEC P1)
	AutoExitDays           *int
	AlertDays              *int
	NbnBenchmark           string
	EvidenceEnrollmentID   string // the member whose activity is the household's last
}

// CompareIDs orders HMIS IDs naturally, for tables people read: IDs made only of digits come
// first, by their number (9 before 10; 09 just before 9), then every other ID as text (byte order).
func CompareIDs(a, b string) int {
	da, db := allDigits(a), allDigits(b)
	switch {
	case da && db:
		ta, tb := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if c := cmp.Compare(len(ta), len(tb)); c != 0 {
			return c
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
	case da:
		return -1
	case db:
		return 1
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ProjectNames returns the name of every project that is not deleted, by ProjectID.
func ProjectNames(ctx context.Context, q Querier) (map[string]string, error) {
	rows, err := q.Query(ctx, "SELECT projectid, projectname FROM hmis.project WHERE datedeleted IS NULL")
	if err != nil {
		return nil, fmt.Errorf("reading project names: %w", err)
	}
	names, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var p [2]string
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading project names: %w", err)
	}
	m := make(map[string]string, len(names))
	for _, p := range names {
		m[p[0]] = p[1]
	}
	return m, nil
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ErrNoWindow is returned for an admin preview of a project with auto exit off and no window given.
var ErrNoWindow = errors.New("no window")

func (o Options) args() []any {
	var projects any
	if len(o.Projects) > 0 {
		projects = o.Projects
	}
	var window any
	if o.WindowDays > 0 {
		window = o.WindowDays
	}
	method := o.Method
	if method == "" {
		method = MethodAuto
	}
	return []any{o.AsOf, projects, string(method), window, o.AllOpen}
}

// CandidateRowsQuery is the unordered rule query of previews and exits (candidates_rows.sql, its
// parameters $1–$5) and its arguments for opt, for reports that aggregate the candidates in SQL
// (the DQM), so that they count exactly the rows Candidates lists.
func CandidateRowsQuery(opt Options) (string, []any) { return candidatesRowsSQL, opt.args() }

// Candidates calls fn for each enrollment the engine would exit or alert on, sorted by ProjectID,
// HouseholdID, EnrollmentID (as text, or by CompareIDs with opt.NaturalOrder). It writes nothing.
func Candidates(ctx context.Context, q Querier, opt Options, fn func(Row) error) error {
	sql := candidatesSQL
	if opt.NaturalOrder {
		sql = candidatesNaturalSQL
	}
	rows, err := q.Query(ctx, sql, opt.args()...)
	if err != nil {
		return fmt.Errorf("listing candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.Action, &r.ProjectID, &r.HouseholdID, &r.EnrollmentID, &r.PersonalID,
			&r.LastActivityDate, &r.LastActivitySource, &r.DaysInactive, &r.ExitOn, &r.ExitDate,
			&r.Destination, &r.DestinationSubsidyType, &r.Reason,
			&r.ProjectType, &r.PolicyScope, &r.AutoExitDays, &r.AlertDays, &r.NbnBenchmark, &r.EvidenceEnrollmentID); err != nil {
			return fmt.Errorf("reading candidates: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing candidates: %w", err)
	}
	return nil
}
