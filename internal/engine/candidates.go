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

// Methods of exit the engine previews and writes.
const (
	MethodAuto  = "auto"  // SPEC H, D, AL: inactivity auto exits and alerts
	MethodAdmin = "admin" // SPEC AD: administrative exits
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
	Method     string    // MethodAuto or MethodAdmin
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
	PolicyScope            string // the scope that gave the policy (SPEC P1)
	AutoExitDays           *int
	AlertDays              *int
	NbnBenchmark           string
	EvidenceEnrollmentID   string // the member whose activity is the household's last
}

// candidatesSQL lists, as of $1, the open enrollments of households to exit or alert, one row per
// enrollment. $2 ProjectIDs (NULL: all), $3 method, $4 admin window days (NULL: the policy's),
// $5 admin all-open. Each step names the SPEC rule it applies.
const candidatesSQL = candidatesRowsSQL + `
ORDER BY d.projectid COLLATE "C", d.householdid COLLATE "C", d.enrollmentid COLLATE "C"`

// candidatesRowsSQL is candidatesSQL without its order.
const candidatesRowsSQL = `
WITH pol AS (
    SELECT * FROM exitflow.effective_policy
    WHERE ($2::text[] IS NULL OR projectid = ANY ($2))
      AND (CASE WHEN $3 = 'auto' THEN auto_exit_days IS NOT NULL                          -- P1, P2: auto exit on
                ELSE $5 OR coalesce($4, auto_exit_days) IS NOT NULL END)                 -- AD1
),
member AS ( -- every member, open or already exited (H1, H4), of the policy projects' households, as of $1;
            -- A1–A4: each one's latest activity, never before its entry date (the entry date stands in)
    SELECT s.projectid, s.householdid, s.enrollmentid, s.personalid, s.entrydate, s.open, b.by_bed_night,
           CASE WHEN b.by_bed_night THEN greatest(s.entrydate, s.last_bed_night) ELSE greatest(s.entrydate, s.last_date) END AS la,
           CASE WHEN b.by_bed_night THEN CASE WHEN s.last_bed_night >= s.entrydate THEN 'bed-night' ELSE 'entry' END
                ELSE CASE WHEN s.last_date >= s.entrydate THEN s.last_source ELSE 'entry' END END AS la_source
    FROM exitflow.enrollment_state s -- soft-deleted enrollments have no row
    JOIN pol p USING (projectid)
    CROSS JOIN LATERAL (SELECT p.projecttype = 1 AND p.nbn_benchmark = 'last-bed-night' AS by_bed_night) b -- A4
    WHERE s.projectid = ANY (ARRAY (SELECT projectid FROM pol)) AND s.entrydate <= $1
),
household AS ( -- H1: each member beside its household's values; the household's last activity is the latest of all its members
    SELECT m.*,
           max(la) OVER h AS hh_la,
           -- the member whose activity is the household's last: latest first, an activity before an
           -- entry date on ties, then the lowest EnrollmentID; one sortable text key (days before
           -- 9999-12-31, 0/1 entry, EnrollmentID, chr(1), source), so no sort per household
           min(lpad((date '9999-12-31' - la)::text, 7, '0') || (la_source = 'entry')::int || enrollmentid COLLATE "C" || chr(1) || la_source) OVER h AS last_key,
           max(la) FILTER (WHERE by_bed_night AND la_source = 'bed-night') OVER h AS last_bed_night,
           max(entrydate) FILTER (WHERE open) OVER h AS last_open_entry
    FROM member m
    WINDOW h AS (PARTITION BY projectid, householdid)
),
decided AS ( -- H2, H3: the open members of each household (a household without one has no row here)
    SELECT h.projectid, h.householdid, h.enrollmentid, h.personalid, h.hh_la AS la,
           -- the key's collation is "C": back to the default, or lookups by EnrollmentID miss the indexes
           split_part(h.last_key, chr(1), 2) COLLATE "default" AS la_source,
           substr(split_part(h.last_key, chr(1), 1), 9) COLLATE "default" AS evidence,
           h.last_open_entry,
           pol.projecttype, pol.rrhsubtype, pol.scope, pol.auto_exit_days, pol.alert_days, pol.nbn_benchmark, pol.exit_defaults,
           ($1::date - h.hh_la) AS days,
           coalesce($4, pol.auto_exit_days) AS window_days,
           -- D1: the household's last activity; D2: NbN by bed nights, the day after the last bed night
           -- (no bed night: the entry date, and D3 applies); D4: never before an open member's entry
           greatest(CASE WHEN h.by_bed_night AND h.last_bed_night IS NOT NULL THEN h.last_bed_night + 1 ELSE h.hh_la END,
                    h.last_open_entry) AS base_date
    FROM household h JOIN pol USING (projectid)
    WHERE h.open
),
dated AS (
    SELECT d.*,
           CASE WHEN $3 = 'admin' AND ($5 OR d.days >= d.window_days) THEN 'exit'              -- AD1
                WHEN $3 = 'auto' AND d.days >= d.auto_exit_days THEN 'exit'                    -- H2
                WHEN $3 = 'auto' AND d.alert_days IS NOT NULL AND d.days >= d.alert_days THEN 'alert' -- AL1
           END AS action,
           -- D3: no same-day exits in types 0, 1, 2, 3, 4, 8, 9, 10, 13 (but RRH services-only): the
           -- base date is an open member's entry date exactly when it is the latest one (it is never
           -- earlier); D4: never after the as-of date
           least($1::date, CASE WHEN d.projecttype IN (0, 1, 2, 3, 4, 8, 9, 10, 13)
                                 AND NOT (d.projecttype = 13 AND d.rrhsubtype IS NOT DISTINCT FROM 1)
                                 AND d.base_date = d.last_open_entry
                                THEN d.base_date + 1 ELSE d.base_date END) AS exit_date
    FROM decided d
)
SELECT d.action, d.projectid, d.householdid, d.enrollmentid, d.personalid,
       d.la, d.la_source, d.days,
       CASE WHEN d.action = 'exit' THEN $1::date ELSE d.la + d.auto_exit_days END AS exit_on,
       d.exit_date,
       -- F1, P5: 30 unless the project's defaults for automatic exits say otherwise;
       -- AD2: administrative exits are not automatic exits: always 30, nothing else
       CASE WHEN $3 = 'admin' THEN 30 ELSE coalesce((d.exit_defaults ->> 'Destination')::int, 30) END AS destination,
       CASE WHEN $3 = 'admin' THEN NULL ELSE (d.exit_defaults ->> 'DestinationSubsidyType')::int END AS subsidy,
       CASE WHEN $3 = 'admin' THEN 'Administrative exit'
            WHEN d.action = 'exit' THEN format('No activity for %s days; auto exit after %s days (%s policy)', d.days, d.auto_exit_days, d.scope)
            ELSE format('No activity for %s days; alert at %s days, auto exit on %s', d.days, d.alert_days, d.la + d.auto_exit_days)
       END AS reason,
       d.projecttype, d.scope, d.auto_exit_days, d.alert_days, d.nbn_benchmark, d.evidence
FROM dated d
WHERE d.action IS NOT NULL`

// candidatesNaturalSQL is candidatesSQL sorted by CompareIDs.
var candidatesNaturalSQL = candidatesRowsSQL + "\nORDER BY " + naturalOrderSQL("d.projectid", "d.householdid", "d.enrollmentid")

// naturalOrderSQL is the ORDER BY list that sorts by each column in turn as CompareIDs does: IDs
// of digits first, by their number (length and digits without leading zeros, then as written), the
// others after them as text.
func naturalOrderSQL(cols ...string) string {
	var keys []string
	for _, c := range cols {
		digits := c + ` ~ '^[0-9]+$'`
		keys = append(keys, "NOT ("+digits+")",
			"CASE WHEN "+digits+" THEN length(ltrim("+c+", '0')) END",
			"CASE WHEN "+digits+" THEN ltrim("+c+", '0') END COLLATE \"C\"",
			c+` COLLATE "C"`)
	}
	return strings.Join(keys, ", ")
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
	return []any{o.AsOf, projects, method, window, o.AllOpen}
}

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
