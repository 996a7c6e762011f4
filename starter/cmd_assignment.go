package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/spf13/cobra"
)

// assignmentCmd is `exitflow assignment`: the staff assigned to enrollments (SPEC N5).
func (a *app) assignmentCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "assignment",
		Short: "The staff assigned to enrollments (SPEC N5): import them from a CSV file",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.assignmentImportCmd())
	return c
}

func (a *app) assignmentImportCmd() *cobra.Command {
	var actor string
	c := &cobra.Command{
		Use:   "import FILE.csv --actor NAME",
		Short: "Import the staff assigned to enrollments from a CSV file",
		Long: `Loads exitflow.assignment, the staff (case managers) assigned to enrollments, from a CSV file whose
header is exactly ` + strings.Join(contacts.AssignmentHeader, ",") + `, one row per enrollment and staff member:

  EnrollmentID,StaffEmail
  1043,ana.lopez@agency.example
  1043,ben.ng@agency.example
  1187,ana.lopez@agency.example

Alerts and the notice that an auto exit was recorded go to an enrollment's assigned staff: those
of this table when it has rows for the enrollment, otherwise the e-mail of the enrollment's UserID
in User.csv (SPEC N5).

For each EnrollmentID in the file, its assignments become exactly the file's rows: addresses not
in the file are removed from it, new ones added, the others kept. Enrollments that are not in the
file keep their assignments. A row given twice (addresses compared without case) counts once.

Every row is checked: the EnrollmentID must be an enrollment of the imported Enrollment.csv, not
deleted, and StaffEmail shaped like an e-mail address. Each problem is printed where it is, as
FILE:LINE:COLUMN: message (line 1 is the header; the column is the field number), and a file with
any problem changes nothing: the import is one transaction. It is recorded in the audit log
(action assignment-import) with its counts.`,
		Example: `  exitflow assignment import assignments.csv --actor "Sam Ortiz"
  exitflow assignment import ~/Downloads/caseload-2026-11.csv --actor "Sam Ortiz"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(actor) == "" {
				return errors.New("--actor is required: the HMIS staff member who imports the assignments")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("assignment file: %w", err)
			}
			defer f.Close()
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			res, err := contacts.ImportAssignments(cmd.Context(), pool, f, args[0], actor)
			var bad *contacts.ImportError
			if errors.As(err, &bad) {
				printImportProblems(cmd.ErrOrStderr(), bad)
				return exitCode(1)
			}
			if err != nil {
				return err
			}
			printAssignments(cmd.OutOrStdout(), res)
			return nil
		},
	}
	c.Flags().StringVar(&actor, "actor", "", "the HMIS staff member who imports the assignments (required; recorded in the audit log)")
	return c
}

// printImportProblems prints the problems of a refused assignment file, then that nothing changed.
func printImportProblems(w io.Writer, e *contacts.ImportError) {
	for _, p := range e.Problems {
		fmt.Fprintln(w, "error:", p)
	}
	if more := e.Count - len(e.Problems); more > 0 {
		fmt.Fprintf(w, "… and %d more errors\n", more)
	}
	fmt.Fprintf(w, "%d %s: nothing was imported\n", e.Count, polPlural(e.Count, "error", "errors"))
}

// printAssignments prints what an assignment import did.
func printAssignments(w io.Writer, r contacts.ImportResult) {
	dup := ""
	if r.Duplicates > 0 {
		dup = fmt.Sprintf(" (%d repeated %s collapsed)", r.Duplicates, polPlural(r.Duplicates, "row", "rows"))
	}
	fmt.Fprintf(w, "imported %s: %d %s%s for %d %s: %d added, %d removed, %d kept\n", r.File, r.Rows, polPlural(r.Rows, "row", "rows"),
		dup, r.Enrollments, polPlural(r.Enrollments, "enrollment", "enrollments"), r.Added, r.Removed, r.Kept)
}
