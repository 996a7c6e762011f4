package main

import (
	"fmt"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/spf13/cobra"
)

// sqlCmd is `exitflow sql [NAME]`: the engine's rule statements as it sends them, for psql.
func (a *app) sqlCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sql [NAME]",
		Short: "Print the engine's rule queries as SQL for psql (writes nothing)",
		Long: `Prints one of the SQL statements that apply the exit rules, exactly as the engine sends it to
PostgreSQL (the files of internal/engine/sql put together), headed by what it returns, the SPEC
rules it applies, its parameters and how to run it in psql. Without NAME, lists the statements.

The statements take parameters ($1, $2, …): run one with PREPARE and EXECUTE, as its header shows,
inside BEGIN … ROLLBACK for those that write. The write statements are printed without the
project exit-default columns (hmis.exit's columns beyond those exitflow sets), which an exit run
adds from the database it writes to.`,
		Example: `  exitflow sql                          # the statements
  exitflow sql candidates > candidates.sql
  exitflow sql report | less`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				for _, name := range engine.StatementNames() {
					fmt.Fprintln(out, name)
				}
				return nil
			}
			text, ok := engine.Statement(args[0])
			if !ok {
				return fmt.Errorf("sql %q: no such statement; the statements are %s", args[0], strings.Join(engine.StatementNames(), ", "))
			}
			_, err := fmt.Fprint(out, text)
			return err
		},
	}
}
