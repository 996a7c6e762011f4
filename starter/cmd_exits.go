package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func (a *app) exitsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "exits",
		Short: "Write inactivity and administrative exits, or undo them",
		Long: `Writes the exits that exitflow preview lists (Action exit) as real HMIS Exit rows, with an
engine record beside each (method, reason, actor, evidence, policy values), or undoes them, and
lists the runs and undos done (exitflow exits list).`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(a.exitsRunCmd(), a.exitsUndoCmd(), a.exitsListCmd())
	return c
}

func (a *app) exitsRunCmd() *cobra.Command {
	var asOfText, method, actor string
	var projects []string
	var window int
	var allOpen, asJSON, wait, yes bool
	var runID int64
	c := &cobra.Command{
		Use:   "run",
		Short: "Write the exits of households past their window (auto) or administrative exits (admin)",
		Long: `Writes, as of a date, an Exit row for every enrollment that exitflow preview lists with Action exit
(same households, exit dates and destinations), and the engine record beside it. Each run gets a
run ID; it is printed (exitflow exits list shows it again), and the exits of a run can be undone
with exitflow exits undo --run ID.

Confirmation: a new run first prints what it would exit, the households and enrollments per
project and in total, and writes nothing unless --yes is given: read the preview, then run the same
command again with --yes. Resuming a run with --run ID needs no --yes (the run was confirmed when
it started).

--method auto follows each project's effective policy (SPEC H2): every open member of a household
with no activity for the project's auto-exit days is exited, on the household's last activity date.
--method admin writes administrative exits (SPEC AD1, AD2) for the given projects: households past
the project's auto-exit window or past --window-days N, or every open enrollment with --all-open (a
closing project); their reason is "Administrative exit" and their actor the HMIS staff member
named with --actor.

Households are written whole, ` + exitsRunBatches + `.
A member that already has an exit keeps it, and no enrollment ever gets a second Exit: running a
run again, or resuming it with --run ID after a crash or Ctrl-C, writes only what is missing. Only
one exit run or undo runs at a time; another one is refused, naming the run in progress (or waits,
with --wait).

Exit status: 0 written (or resumed, or nothing to exit), 1 refused or failed (the reason is
printed), 3 not written because a new run needs --yes (the preview is printed; nothing changed).`,
		Example: `  exitflow exits run --method auto --as-of 2026-11-01 --actor "Dana Lee"         # preview only: status 3
  exitflow exits run --method auto --as-of 2026-11-01 --actor "Dana Lee" --yes   # after reading the preview
  exitflow exits run --method auto --as-of 2026-11-01 --project 1362 --project 1401 --actor "Dana Lee" --yes
  exitflow exits run --method admin --as-of 2026-11-01 --project 1362 --window-days 90 --actor "Dana Lee" --yes
  exitflow exits run --method admin --as-of 2026-11-01 --project 1551 --all-open --actor "Dana Lee" --yes
  exitflow exits run --run 17 --actor "Dana Lee"     # resume run 17 after a crash (no --yes needed)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if actor == "" {
				return errors.New("--actor is required: the HMIS staff member who runs the exits")
			}
			if runID < 0 {
				return fmt.Errorf("--run %d: not a run ID", runID)
			}
			if runID == 0 && asOfText == "" {
				return errors.New("--as-of DATE is required: the date the exits are computed as of (YYYY-MM-DD)")
			}
			var asOf time.Time
			if asOfText != "" {
				var err error
				if asOf, err = a.asOf(asOfText); err != nil {
					return err
				}
			}
			pool, cfg, err := a.pool(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			opt := engine.RunOptions{
				Options: engine.Options{AsOf: asOf, Projects: projects, Method: method, WindowDays: window, AllOpen: allOpen},
				Actor:   actor, RunID: runID, Location: cfg.Location(), Wait: wait, Writers: engine.DefaultWriters,
			}
			if runID != 0 {
				if !cmd.Flags().Changed("method") {
					opt.Method = ""
				}
				if len(projects) > 0 || window != 0 || allOpen {
					return errors.New("--run resumes a run with its own projects and window: leave out --project, --window-days and --all-open")
				}
			} else {
				// The engine validates the options (Options.Validate) for the preview and the run alike.
				if !yes { // the confirmation is the CLI's, as in policy set: preview, write nothing, status 3
					return previewExitRun(cmd, pool, opt, asJSON)
				}
			}
			errw := cmd.ErrOrStderr()
			var bar *progressbar.ProgressBar
			if isTerminal(errw) && !asJSON {
				opt.Progress = func(done, total int) {
					if total < 2*engine.DefaultBatchHouseholds {
						return
					}
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(errw), progressbar.OptionSetDescription("households"),
							progressbar.OptionShowCount(), progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
					}
					_ = bar.Set(done)
				}
			}
			res, err := engine.WriteExits(ctx, pool, opt)
			if bar != nil {
				_ = bar.Finish()
			}
			if err != nil {
				if res.RunID != 0 && ctx.Err() != nil {
					return fmt.Errorf("exit run %d interrupted: the households written so far stay written; resume with: exitflow exits run --run %d --actor %q",
						res.RunID, res.RunID, actor)
				}
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			verb := "done"
			if res.Resumed {
				verb = "done (resumed)"
			}
			fmt.Fprintf(out, "exit run %d %s: %s as of %s\n", res.RunID, verb, res.Method, res.AsOf.Format(time.DateOnly))
			fmt.Fprintf(out, "  exits written:      %d enrollments in %d households\n", res.Enrollments, res.Households)
			fmt.Fprintf(out, "  already exited:     %d enrollments (their exits are kept)\n", res.AlreadyExited)
			if res.Skipped > 0 {
				fmt.Fprintf(out, "  skipped:            %d enrollments in %d households (new activity or changes since the run's list was made)\n",
					res.Skipped, res.SkippedHouseholds)
			}
			fmt.Fprintf(out, "undo with: exitflow exits undo --run %d --actor NAME\n", res.RunID)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&method, "method", engine.MethodAuto, "auto (inactivity policy) or admin (administrative exits)")
	f.StringVar(&asOfText, "as-of", "", "as-of date `YYYY-MM-DD` (required for a new run)")
	f.StringArrayVar(&projects, "project", nil, "only this ProjectID (repeat for several; required for admin)")
	f.StringVar(&actor, "actor", "", "the HMIS staff member who runs the exits (required; admin: the one named on the agreement)")
	f.IntVar(&window, "window-days", 0, "admin: days without activity that make a household past the window (default: the project's auto-exit days)")
	f.BoolVar(&allOpen, "all-open", false, "admin: every open enrollment of the projects (a closing project)")
	f.Int64Var(&runID, "run", 0, "resume this exit run (after a crash or Ctrl-C) instead of starting a new one")
	f.BoolVar(&wait, "wait", false, "wait for an exit run or undo in progress instead of refusing")
	f.BoolVar(&yes, "yes", false, "write the exits (without it a new run only prints what it would exit, writes nothing and exits with status 3)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON (run ID and counts)")
	return c
}

func (a *app) exitsUndoCmd() *cobra.Command {
	var runText, household, project, enrollment, actor, reason string
	var force, asJSON, wait bool
	c := &cobra.Command{
		Use:   "undo",
		Short: "Undo exits written by exitflow: a whole run, a household or an enrollment",
		Long: `Undoes exits that exitflow wrote (SPEC U2): the Exit rows are soft-deleted (DateDeleted and
DateUpdated set to now), so the next export, also exitflow export --changed-since, tells the source
HMIS to delete them, and the enrollments are open again.

Give exactly one of --run ID (every exit of that run), --household ID (every exitflow exit of the
household, together) or --enrollment ID. HUD makes a HouseholdID unique only within its project:
--household alone undoes the household of the one project that has exitflow exits for that ID, and
when several projects have, it is refused, naming them: then give its project with --project ID.

Exits written by people are never touched. An exitflow exit that was changed after it was written
(its DateUpdated is not the one exitflow wrote, for example edited in the HMIS and imported again)
is not undone unless you add --force. Undoing something already undone changes nothing and says so.`,
		Example: `  exitflow exits undo --run 17 --actor "Dana Lee"
  exitflow exits undo --household HH-2231 --actor "Dana Lee" --reason "client was still engaged"
  exitflow exits undo --household HH-2231 --project 1362 --actor "Dana Lee"   # a HouseholdID two projects use
  exitflow exits undo --enrollment 88231 --actor "Dana Lee"
  exitflow exits undo --run 17 --actor "Dana Lee" --force   # also exits edited since`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if actor == "" {
				return errors.New("--actor is required: the HMIS staff member who undoes the exits")
			}
			if project != "" && household == "" {
				return errors.New("--project goes with --household: it names the project of the household to undo")
			}
			opt := engine.UndoOptions{HouseholdID: household, ProjectID: project, EnrollmentID: enrollment, Actor: actor, Reason: reason, Force: force, Wait: wait}
			n := 0
			if runText != "" {
				id, err := strconv.ParseInt(runText, 10, 64)
				if err != nil || id <= 0 {
					return fmt.Errorf("--run %q: not a run ID", runText)
				}
				opt.RunID = id
				n++
			}
			if household != "" {
				n++
			}
			if enrollment != "" {
				n++
			}
			if n != 1 {
				return errors.New("give exactly one of --run ID, --household ID, --enrollment ID")
			}
			pool, cfg, err := a.pool(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			opt.Location = cfg.Location()
			res, err := engine.Undo(ctx, pool, opt)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			if res.Undone == 0 && res.AlreadyUndone > 0 && res.Households == 0 {
				fmt.Fprintf(out, "%s: already undone", res.Selector)
				if res.UndoneBy != "" {
					fmt.Fprintf(out, " (on %s by %s)", res.UndoneAt.Format(time.DateOnly), res.UndoneBy)
				}
				fmt.Fprintf(out, "; nothing changed\n")
				return nil
			}
			fmt.Fprintf(out, "undid %s: %d exits soft-deleted in %d households; those enrollments are open again\n",
				res.Selector, res.Undone, res.Households)
			if res.AlreadyUndone > 0 {
				fmt.Fprintf(out, "  %d exits of it were already undone\n", res.AlreadyUndone)
			}
			if len(res.Forced) > 0 {
				fmt.Fprintf(out, "  forced: %d exits changed after exitflow wrote them\n", len(res.Forced))
			}
			if len(res.PersonWritten) > 0 {
				fmt.Fprintf(out, "  kept: the exits of enrollment %v were written by people and are never undone\n", res.PersonWritten)
			}
			fmt.Fprintln(out, "the next export (exitflow export --changed-since) carries the deletions")
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&runText, "run", "", "undo every exit of this exit run `ID`")
	f.StringVar(&household, "household", "", "undo the exitflow exits of this HouseholdID (the whole household)")
	f.StringVar(&project, "project", "", "with --household: the household's project `ID` (needed when several projects have that HouseholdID)")
	f.StringVar(&enrollment, "enrollment", "", "undo the exitflow exit of this EnrollmentID")
	f.StringVar(&actor, "actor", "", "the HMIS staff member who undoes the exits (required)")
	f.StringVar(&reason, "reason", "", "why (recorded with the undo)")
	f.BoolVar(&force, "force", false, "also undo exitflow exits that were changed after they were written")
	f.BoolVar(&wait, "wait", false, "wait for an exit run or undo in progress instead of refusing")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
