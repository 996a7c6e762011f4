package engine

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// sqlFiles are the rule queries, one statement or reusable fragment per file, so that an HMIS
// analyst can read them and run them in psql. Each file opens with a comment header: what it
// returns, the SPEC rules it applies, its parameters and placeholders, and how to run it.
//
// This file is the only place they are put together: a file names another statement or a piece of
// text as a placeholder, {name}, and the variables below fill each one in, once, at package
// initialization (a missing file or a placeholder left over panics there). To see a statement as
// it is sent, with every placeholder filled in: `exitflow sql NAME` (Statement), or all of them
// into files:
//
//	go test ./internal/engine -run TestQueriesDump -args -sqldump DIR
//
//go:embed sql/*.sql
var sqlFiles embed.FS

// The statements, assembled once. Go initializes each after the ones it names, and alerts.go's
// insertAlertsSQL after candidatesSQL.
var (
	// candidatesRowsSQL is the rule query of previews, exits, alerts and the report, unordered.
	candidatesRowsSQL = assembled("candidates_rows", "candidates_rows", nil)
	// candidatesSQL lists, as of $1, the open enrollments of households to exit or alert, one row
	// per enrollment, in the text order of the CSV contract. $2 ProjectIDs (NULL: all), $3 method,
	// $4 admin window days (NULL: the policy's), $5 admin all-open.
	candidatesSQL = assembled("candidates", "candidates", vars{"candidates_rows": candidatesRowsSQL})
	// candidatesNaturalSQL is candidatesSQL sorted by CompareIDs.
	candidatesNaturalSQL = assembled("candidates_natural", "candidates_natural", vars{
		"candidates_rows": candidatesRowsSQL,
		"natural_order":   naturalOrderSQL("d.projectid", "d.householdid", "d.enrollmentid"),
	})
	// snapshotSQL lists the enrollments of exit run $6 (the exit rows of candidatesSQL).
	snapshotSQL = assembled("snapshot", "snapshot", vars{"candidates": candidatesSQL})
	// reportSQL is the candidate-project report of candidatesSQL's admin all-open rows; $6 the reference window.
	reportSQL = assembled("report", "report", vars{"candidates": candidatesSQL})
	// agreementSnapshotSQL records candidatesSQL's exit rows as agreement $6's candidates (SPEC AG2).
	agreementSnapshotSQL = assembled("agreement_snapshot", "agreement_snapshot", vars{"candidates": candidatesSQL})
	// agreementCountsSQL counts what became of agreement $1's candidates (SPEC AG5, AG8).
	agreementCountsSQL = assembled("agreement_counts", "agreement_counts", nil)

	// allStateSQL is each enrollment's exitflow.enrollment_state row, for every enrollment.
	allStateSQL = assembled("state_all", "state", vars{
		"activity": assembled("activity_all", "activity", vars{"in": ""}),
		"in_e":     "",
	})
	// touchedStateSQL is allStateSQL for the enrollments in the temporary table state_touched.
	touchedStateSQL = assembled("state_touched", "state", vars{
		"activity": assembled("activity_touched", "activity", vars{"in": touchedIn}),
		"in_e":     touchedInE,
	})
	// RefreshState's statements: write the touched rows, rebuild the table, compare it with the HMIS tables.
	refreshStateSQL    = assembled("state_refresh", "state_refresh", vars{"state_touched": touchedStateSQL})
	rebuildStateSQL    = assembled("state_rebuild", "state_rebuild", vars{"state_all": allStateSQL})
	stateMismatchesSQL = assembled("state_mismatches", "state_mismatches", vars{"state_all": allStateSQL})

	// insertAlertsSQL records the alerts of candidatesSQL's alert rows; alertRecipientsSQL their recipients.
	insertAlertsSQL    = assembled("alerts_insert", "alerts_insert", vars{"candidates": candidatesSQL})
	alertRecipientsSQL = assembled("alert_recipients", "alert_recipients", nil)

	// staleSQL skips the candidates of a batch that changed since the run's snapshot.
	staleSQL = assembled("stale", "stale", nil)
	// writeFreshSQL and writeGuardedSQL write a batch's Exit rows; exitColumns fills in their
	// exit-default columns, which are this database's (hmis.exit may carry more than HUD's).
	writeFreshSQL = assembled("write_fresh", "write_fresh", vars{
		"insert_exits": fragment("exit_insert", vars{"from": freshFrom, "engine_user": quoted(EngineUserID), "cols": "{cols}", "vals": "{vals}"}),
		"batch_done":   fragment("batch_done", nil),
	})
	writeGuardedSQL = assembled("write_guarded", "write_guarded", vars{
		"insert_exits": fragment("exit_insert", vars{"from": "b", "engine_user": quoted(EngineUserID), "cols": "{cols}", "vals": "{vals}"}),
		"batch_done":   fragment("batch_done", nil),
	})
)

// freshFrom is write_fresh's {from}: the batch's candidates, aliased b.
const freshFrom = "exitflow.exit_run_candidate b WHERE b.run_id = $1 AND b.hh_seq >= $2 AND b.hh_seq <= $3 AND b.status IS NULL"

// perRun are the placeholders left in a statement to be filled in per run (exitColumns).
var perRun = []string{"{cols}", "{vals}"}

// exitColumns fills in the exit-default columns {cols} and their values {vals} of a write statement.
func exitColumns(sql, cols, vals string) string {
	return strings.NewReplacer("{cols}", cols, "{vals}", vals).Replace(sql)
}

// quoted is s as an SQL string literal.
func quoted(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// StatementNames are the names of the engine's assembled rule statements, sorted (exitflow sql).
func StatementNames() []string { return slices.Sorted(maps.Keys(statements)) }

// Statement is the named statement as the engine sends it, headed by its file's header, for psql;
// a write statement's exit-default columns are left out (each database has its own).
func Statement(name string) (string, bool) {
	sql, ok := statements[name]
	if !ok {
		return "", false
	}
	b, err := fs.ReadFile(sqlFiles, "sql/"+statementFile[name]+".sql")
	if err != nil {
		return "", false
	}
	header, _ := splitHeader(string(b))
	return strings.TrimRight(header, "\n") + "\n" + exitColumns(sql, "", "") + ";\n", true
}

// The restrictions of activity.sql ({in}) and state.sql ({in_e}) to the enrollments RefreshState
// lists in the temporary table state_touched.
const (
	touchedIn  = "AND enrollmentid IN (SELECT enrollmentid FROM state_touched)"
	touchedInE = "AND e.enrollmentid IN (SELECT enrollmentid FROM state_touched)"
)

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

// vars fill in the placeholders of one file: {name} becomes vars["name"].
type vars map[string]string

// statements are the assembled statements by name, and sqlFilesUsed the files they came from,
// for the tests (every statement prepares, every file is used).
var (
	statements    = map[string]string{}
	statementFile = map[string]string{}
	sqlFilesUsed  = map[string]bool{}
)

// assembled is the statement of sql/<file>.sql with v filled in, recorded as name; it panics
// on an error, which can only be a mistake in this file or in the .sql files.
func assembled(name, file string, v vars) string {
	sql, err := assemble(sqlFiles, file, v)
	if err != nil {
		panic(err)
	}
	if _, dup := statements[name]; dup {
		panic(fmt.Sprintf("engine: statement %s assembled twice", name))
	}
	statements[name] = sql
	statementFile[name] = file
	sqlFilesUsed[file] = true
	return sql
}

// fragment is sql/<file>.sql with v filled in, a part of other statements (not prepared alone).
func fragment(file string, v vars) string {
	sql, err := assemble(sqlFiles, file, v)
	if err != nil {
		panic(err)
	}
	sqlFilesUsed[file] = true
	return sql
}

// placeholderRE matches a placeholder; '{}' (an empty JSON object) is none.
var placeholderRE = regexp.MustCompile(`\{[a-z][a-z0-9_]*\}`)

// assemble reads sql/<file>.sql from fsys, drops its header and fills in its placeholders from v.
// Every placeholder must have a value and every value a placeholder.
func assemble(fsys fs.FS, file string, v vars) (string, error) {
	b, err := fs.ReadFile(fsys, "sql/"+file+".sql")
	if err != nil {
		return "", fmt.Errorf("engine: statement %s: %w", file, err)
	}
	_, body := splitHeader(string(b))
	found := placeholderRE.FindAllString(body, -1)
	var pairs []string
	for name, value := range v {
		if !slices.Contains(found, "{"+name+"}") {
			return "", fmt.Errorf("engine: statement %s has no placeholder {%s}", file, name)
		}
		if strings.Contains(value, "\n") { // a statement: a comment on its last line must not swallow what follows
			value = "\n" + value + "\n"
		}
		pairs = append(pairs, "{"+name+"}", value)
	}
	// One pass: the values are finished statements, not read again for placeholders.
	var left []string
	for _, p := range found {
		if _, ok := v[p[1:len(p)-1]]; !ok {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		return "", fmt.Errorf("engine: statement %s: no value for %s", file, strings.Join(left, ", "))
	}
	return strings.NewReplacer(pairs...).Replace(body), nil
}

// splitHeader splits a .sql file into its header (the comment and blank lines it opens with) and
// its statement, without the surrounding space.
func splitHeader(text string) (header, body string) {
	rest := text
	for rest != "" {
		line, next, _ := strings.Cut(rest, "\n")
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			break
		}
		rest = next
	}
	return text[:len(text)-len(rest)], strings.TrimSpace(rest)
}
