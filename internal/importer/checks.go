package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5"
)

// views creates, for every file, temp views the checks read:
//   - src_<table>: the rows of this export (its staging table, or the target itself when the
//     target was empty and the rows were copied straight into it);
//   - eff_<table>: the rows the database will hold after the merge (this export's rows, plus
//     stored rows it does not replace), so a delta export may refer to rows imported earlier.
func views(ctx context.Context, tx pgx.Tx, f *hmis.File, l *fileLoad) error {
	src := stagingTable(f)
	if l != nil && l.direct {
		src = target(f)
	}
	key := hmis.Quote(f.Key().DB())
	eff := fmt.Sprintf(`SELECT * FROM %[1]s UNION ALL
		SELECT * FROM %[2]s h WHERE NOT EXISTS (SELECT 1 FROM %[1]s s WHERE s.%[3]s = h.%[3]s)`, src, target(f), key)
	if l != nil && l.direct {
		eff = "SELECT * FROM " + src
	}
	_, err := tx.Exec(ctx, fmt.Sprintf("CREATE TEMP VIEW src_%[1]s AS SELECT * FROM %[2]s; CREATE TEMP VIEW eff_%[1]s AS %[3]s",
		f.Table(), src, eff))
	return err
}

func srcView(f *hmis.File) string { return "src_" + f.Table() }

// check runs a query whose rows are (line, message) and records each as a problem in file f, column.
func (k *checker) check(ctx context.Context, f *hmis.File, column string, q string, record func(Problem), args ...any) error {
	field := 0
	if l := k.loads[f.Name]; l != nil && column != "" {
		if c, ok := f.Col(column); ok {
			for ci, sc := range f.Columns {
				if sc.Name == c.Name {
					field = l.colField[ci]
				}
			}
		}
	}
	defer k.res.phase("check "+f.Name+" "+column, time.Now())
	rows, err := k.tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("checking %s: %w", f.CSV(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var line *int32
		var msg string
		if err := rows.Scan(&line, &msg); err != nil {
			return err
		}
		pr := Problem{File: f.CSV(), Msg: msg}
		if line != nil {
			pr.Line = int(*line)
		}
		pr.Column = field
		record(pr)
	}
	return rows.Err()
}

// checker runs the set-based checks of one import.
type checker struct {
	tx       pgx.Tx
	p        *problems
	loads    map[string]*fileLoad // spec file name → its load, for field numbers
	res      *Result              // for timings
	importID int64                // rows of this import carry it
}

// crossChecks are the set-based checks across rows and files (SPEC IO3), run on the staging tables.
func (k *checker) crossChecks(ctx context.Context) error {
	for _, f := range hmis.All() {
		for _, r := range f.Refs {
			if err := k.danglingRefs(ctx, f, r); err != nil {
				return err
			}
		}
	}
	if err := k.exitErrors(ctx); err != nil {
		return err
	}
	return k.warningChecks(ctx)
}

// limit caps the rows of an error check: one more than is reported tells that there were more.
func limit() string { return fmt.Sprintf(" LIMIT %d", MaxErrors+1) }

// danglingRefs reports the rows of f whose reference r names no row of its parent file.
func (k *checker) danglingRefs(ctx context.Context, f *hmis.File, r hmis.Ref) error {
	parent := hmis.Lookup(r.File)
	col := hmis.Quote(strings.ToLower(r.Column))
	pk := hmis.Quote(parent.Key().DB())
	// Rows of the parent file rejected for their own errors are not reported again here.
	rejected := []string{} // not nil: "<> ALL(NULL)" would hide every row
	if pl := k.loads[parent.Name]; pl != nil {
		for id := range pl.skipped {
			rejected = append(rejected, id)
		}
	}
	// Two plain anti-joins (this export's parent rows, stored ones) plan as hash anti-joins;
	// one against the eff_ view (a UNION) can degrade to a nested loop.
	q := fmt.Sprintf(`SELECT c.import_line, format('%s %%L is not in %s', c.%s) FROM %s c
				WHERE c.%s IS NOT NULL AND c.%s <> ALL($1::text[])
				  AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.%s = c.%s)`,
		r.Column, parent.CSV(), col, srcView(f), col, col, srcView(parent), pk, col)
	if pl := k.loads[parent.Name]; pl == nil || !pl.direct {
		q += fmt.Sprintf(` AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.%s = c.%s)`, target(parent), pk, col)
	}
	q += " ORDER BY 1" + limit()
	return k.check(ctx, f, r.Column, q, k.p.err, rejected)
}

// exitErrors reports exits that cannot be: a second live exit of an enrollment, or an exit
// before its entry.
func (k *checker) exitErrors(ctx context.Context) error {
	exit := hmis.Lookup("Exit")
	// Two live exits for one enrollment (in this export, or this export's and one already stored).
	if err := k.check(ctx, exit, "EnrollmentID", `
		SELECT max(import_line) FILTER (WHERE import_id = $1), format('enrollment %s has %s exits (ExitIDs %s); an enrollment has at most one Exit', enrollmentid, count(*), array_to_string((array_agg(exitid ORDER BY exitid))[1:5], ', '))
		FROM eff_exit WHERE datedeleted IS NULL GROUP BY enrollmentid
		HAVING count(*) > 1 AND bool_or(import_id = $1) ORDER BY 1`+limit(), k.p.err, k.importID); err != nil {
		return err
	}
	// ExitDate before EntryDate.
	return k.check(ctx, exit, "ExitDate", `
		SELECT x.import_line, format('ExitDate %s is before the EntryDate %s of enrollment %s', x.exitdate, e.entrydate, x.enrollmentid)
		FROM src_exit x JOIN eff_enrollment e USING (enrollmentid)
		WHERE x.exitdate < e.entrydate ORDER BY 1`+limit(), k.p.err)
}

// warnf records a check's rows as warnings of one kind.
func (k *checker) warnf(kind string) func(Problem) { return func(pr Problem) { k.p.warn(kind, pr) } }

// warningChecks are the checks of what real exports get wrong but can still be imported.
func (k *checker) warningChecks(ctx context.Context) error {
	exit, enr := hmis.Lookup("Exit"), hmis.Lookup("Enrollment")
	// SPEC H: exactly one head of household; real exports break this, so it is a warning.
	if err := k.check(ctx, enr, "RelationshipToHoH", `
		SELECT min(import_line) FILTER (WHERE import_id = $1), format('household %s has %s heads of household (RelationshipToHoH 1) among %s members', householdid,
			count(*) FILTER (WHERE relationshiptohoh = 1), count(*))
		FROM eff_enrollment WHERE datedeleted IS NULL
		  AND householdid IN (SELECT householdid FROM src_enrollment)
		GROUP BY householdid HAVING count(*) FILTER (WHERE relationshiptohoh = 1) <> 1 ORDER BY 1`,
		k.warnf("household without exactly one head of household"), k.importID); err != nil {
		return err
	}
	// NbN exit on the last bed night instead of the day after (HUD; SPEC D2).
	if err := k.check(ctx, exit, "ExitDate", `
		WITH nbn AS (
			SELECT e.enrollmentid FROM eff_enrollment e JOIN eff_project p USING (projectid)
			WHERE p.projecttype = 1 AND e.enrollmentid IN (SELECT enrollmentid FROM src_exit)),
		bn AS (
			SELECT enrollmentid, max(dateprovided) AS last FROM eff_services
			WHERE recordtype = 200 AND datedeleted IS NULL AND enrollmentid IN (SELECT enrollmentid FROM nbn)
			GROUP BY enrollmentid)
		SELECT x.import_line, format('night-by-night exit %s of enrollment %s is on its last bed night; HUD expects the day after (%s)',
			x.exitdate, x.enrollmentid, x.exitdate + 1)
		FROM src_exit x JOIN bn USING (enrollmentid)
		WHERE x.datedeleted IS NULL AND x.exitdate = bn.last ORDER BY 1`,
		k.warnf("night-by-night exit on the last bed night")); err != nil {
		return err
	}
	return k.activityBeforeEntry(ctx)
}

// activityBeforeEntry warns of activity dated before its enrollment's entry date (SPEC A2: the
// engine ignores it).
func (k *checker) activityBeforeEntry(ctx context.Context) error {
	for _, a := range activityDates {
		f := hmis.Lookup(a.file)
		if err := k.check(ctx, f, a.column, fmt.Sprintf(`
			SELECT c.import_line, format('%s %%s is before the EntryDate %%s of enrollment %%s', c.%s, e.entrydate, c.enrollmentid)
			FROM %s c JOIN eff_enrollment e USING (enrollmentid)
			WHERE c.datedeleted IS NULL AND c.%s < e.entrydate ORDER BY 1`, a.column, strings.ToLower(a.column), srcView(f), strings.ToLower(a.column)),
			k.warnf("activity dated before entry")); err != nil {
			return err
		}
	}
	return nil
}

// duplicates reports IDs used on several rows of f. Imports into an empty table skip it: the
// table's primary key finds duplicates during the merge, and only then is this query run.
func (k *checker) duplicates(ctx context.Context, f *hmis.File) error {
	key := hmis.Quote(f.Key().DB())
	q := fmt.Sprintf(`SELECT min(import_line), format('%s %%s is used on %%s rows (lines %%s)', %s, count(*), array_to_string((array_agg(import_line ORDER BY import_line))[1:5], ', '))
		FROM %s GROUP BY %s HAVING count(*) > 1 ORDER BY 1 LIMIT %d`, f.Key().Name, key, srcView(f), key, MaxErrors+1)
	return k.check(ctx, f, f.Key().Name, q, k.p.err)
}

// activityDates are the activity sources of SPEC A1 and their date columns.
var activityDates = []struct{ file, column string }{
	{"Services", "DateProvided"},
	{"CurrentLivingSituation", "InformationDate"},
	{"Assessment", "AssessmentDate"},
	{"Event", "EventDate"},
	{"IncomeBenefits", "InformationDate"},
	{"HealthAndDV", "InformationDate"},
	{"Disabilities", "InformationDate"},
	{"EmploymentEducation", "InformationDate"},
	{"YouthEducationStatus", "InformationDate"},
	{"CustomActivity", "ActivityDate"},
}
