package hmis

import (
	"fmt"
	"strings"
)

// indexes are the secondary indexes the engine and the import checks need, per file.
var indexes = map[string][]string{
	"Project":                {"OrganizationID"},
	"Enrollment":             {"PersonalID", "ProjectID", "HouseholdID"},
	"Exit":                   {"PersonalID"},
	"Services":               {"EnrollmentID, DateProvided"},
	"CurrentLivingSituation": {"EnrollmentID, InformationDate"},
	"Assessment":             {"EnrollmentID, AssessmentDate"},
	"Event":                  {"EnrollmentID, EventDate"},
	"IncomeBenefits":         {"EnrollmentID"},
	"HealthAndDV":            {"EnrollmentID"},
	"EmploymentEducation":    {"EnrollmentID"},
	"Disabilities":           {"EnrollmentID"},
	"YouthEducationStatus":   {"EnrollmentID"},
	"CustomActivity":         {"EnrollmentID, ActivityDate"},
	"AssessmentQuestions":    {"AssessmentID"},
	"AssessmentResults":      {"AssessmentID"},
}

// DDL is the PostgreSQL schema for every file of the spec (schema hmis). The migration
// internal/store/migrations/00001_hmis.sql is generated from it (go generate ./internal/store).
func DDL() string {
	var b strings.Builder
	b.WriteString("CREATE SCHEMA IF NOT EXISTS hmis;\n")
	for _, f := range All() {
		fmt.Fprintf(&b, "\nCREATE TABLE hmis.%s (\n", Quote(f.Table()))
		for _, c := range f.Columns {
			null := ""
			if c.Required && f.Name != "Export" {
				null = " NOT NULL"
			}
			fmt.Fprintf(&b, "    %s %s%s,\n", Quote(c.DB()), c.Type.SQL(), null)
		}
		// Provenance: which import (exitflow.import_run) wrote the row, from which line of its CSV file.
		b.WriteString("    import_id bigint,\n    import_line integer,\n")
		fmt.Fprintf(&b, "    PRIMARY KEY (%s)\n);\n", Quote(f.Key().DB()))
		for _, ix := range indexes[f.Name] {
			cols := strings.Split(ix, ", ")
			for i := range cols {
				cols[i] = Quote(strings.ToLower(cols[i]))
			}
			fmt.Fprintf(&b, "CREATE INDEX ON hmis.%s (%s);\n", Quote(f.Table()), strings.Join(cols, ", "))
		}
	}
	// SPEC H3: an enrollment never has two live Exit rows; the schema enforces it, not only code.
	b.WriteString("\nCREATE UNIQUE INDEX exit_one_per_enrollment ON hmis.exit (enrollmentid) WHERE datedeleted IS NULL;\n")
	return b.String()
}

// reserved are the HUD names that are SQL keywords and must be quoted.
var reserved = map[string]bool{"user": true}

// Quote quotes an identifier when PostgreSQL needs it.
func Quote(id string) string {
	if reserved[id] {
		return `"` + id + `"`
	}
	return id
}
