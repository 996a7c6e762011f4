package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
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

// exitsRunFlags are the flags of exits run.
type exitsRunFlags struct {
	asOfText, method, actor string
	projects                []string
	window                  int
	allOpen, asJSON, wait   bool
	yes                     bool // confirmed: without it a new run only prints its preview
	runID                   int64
}

// exitsRunCmd is exits run: its help and flags.
func (a *app) exitsRunCmd() *cobra.Command {
	o := &exitsRunFlags{}
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
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), a, cmd) },
	}
	f := c.Flags()
	f.StringVar(&o.method, "method", string(engine.MethodAuto), "auto (inactivity policy) or admin (administrative exits)")
	f.StringVar(&o.asOfText, "as-of", "", "as-of date `YYYY-MM-DD` (required for a new run)")
	f.StringArrayVar(&o.projects, "project", nil, "only this ProjectID (repeat for several; required for admin)")
	f.StringVar(&o.actor, "actor", "", "the HMIS staff member who runs the exits (required; admin: the one named on the agreement)")
	f.IntVar(&o.window, "window-days", 0, "admin: days without activity that make a household past the window (default: the project's auto-exit days)")
	f.BoolVar(&o.allOpen, "all-open", false, "admin: every open enrollment of the projects (a closing project)")
	f.Int64Var(&o.runID, "run", 0, "resume this exit run (after a crash or Ctrl-C) instead of starting a new one")
	f.BoolVar(&o.wait, "wait", false, "wait for an exit run or undo in progress instead of refusing")
	f.BoolVar(&o.yes, "yes", false, "write the exits (without it a new run only prints what it would exit, writes nothing and exits with status 3)")
	f.BoolVar(&o.asJSON, "json", false, "print the result as JSON (run ID and counts)")
	return c
}

// run starts or resumes an exit run: a new one without --yes only prints its preview.
func (o *exitsRunFlags) run(ctx context.Context, a *app, cmd *cobra.Command) error {
	if err := o.check(); err != nil {
		return err
	}
	var asOf time.Time
	if o.asOfText != "" {
		var err error
		if asOf, err = a.asOf(o.asOfText); err != nil {
			return err
		}
	}
	pool, cfg, err := a.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	opt := o.runOptions(asOf, cfg.Location(), cmd.Flags().Changed("method"))
	if o.runID != 0 {
		if len(o.projects) > 0 || o.window != 0 || o.allOpen {
			return errors.New("--run resumes a run with its own projects and window: leave out --project, --window-days and --all-open")
		}
	} else {
		// The engine validates the options (Options.Validate) for the preview and the run alike.
		if !o.yes { // the confirmation is the CLI's, as in policy set: preview, write nothing, status 3
			return previewExitRun(cmd, pool, opt, o.asJSON)
		}
	}
	res, err := o.write(ctx, cmd.ErrOrStderr(), pool, opt)
	if err != nil {
		return err
	}
	return printExitRun(cmd.OutOrStdout(), res, o.asJSON)
}

// check checks the flags that need no database.
func (o *exitsRunFlags) check() error {
	if o.actor == "" {
		return errors.New("--actor is required: the HMIS staff member who runs the exits")
	}
	if o.runID < 0 {
		return fmt.Errorf("--run %d: not a run ID", o.runID)
	}
	if o.runID == 0 && o.asOfText == "" {
		return errors.New("--as-of DATE is required: the date the exits are computed as of (YYYY-MM-DD)")
	}
	return nil
}

// runOptions are the engine's options of the run, from the flags. A resumed run keeps its own
// method unless --method is given.
func (o *exitsRunFlags) runOptions(asOf time.Time, loc *time.Location, methodChanged bool) engine.RunOptions {
	opt := engine.RunOptions{
		Options: engine.Options{AsOf: asOf, Projects: o.projects, Method: engine.Method(o.method), WindowDays: o.window, AllOpen: o.allOpen},
		Actor:   o.actor, RunID: o.runID, Location: loc, Wait: o.wait, Writers: engine.DefaultWriters,
	}
	if o.runID != 0 && !methodChanged {
		opt.Method = ""
	}
	return opt
}

// write writes the exits, with a progress bar of households on a terminal; an interrupted run
// says how to resume it.
func (o *exitsRunFlags) write(ctx context.Context, errw io.Writer, pool *pgxpool.Pool, opt engine.RunOptions) (engine.RunResult, error) {
	var bar householdsBar
	if isTerminal(errw) && !o.asJSON {
		bar.w = errw
		opt.Progress = bar.set
	}
	res, err := engine.WriteExits(ctx, pool, opt)
	bar.finish()
	if err != nil && res.RunID != 0 && ctx.Err() != nil {
		return res, fmt.Errorf("exit run %d interrupted: the households written so far stay written; resume with: exitflow exits run --run %d --actor %q",
			res.RunID, res.RunID, o.actor)
	}
	return res, err
}

// householdsBar is the progress bar of an exit run, drawn on w once a run is big enough to take
// a while (two batches or more).
type householdsBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// set is the run's Progress callback.
func (b *householdsBar) set(done, total int) {
	if total < 2*engine.DefaultBatchHouseholds {
		return
	}
	if b.bar == nil {
		b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription("households"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200e6), progressbar.OptionClearOnFinish())
	}
	_ = b.bar.Set(done)
}

// finish clears the bar, if one was drawn.
func (b *householdsBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}

// printExitRun prints what an exit run wrote, as JSON or for people.
func printExitRun(out io.Writer, res engine.RunResult, asJSON bool) error {
	if asJSON {
		return writeJSON(out, res)
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
}

// writeJSON writes v as indented JSON.
func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// exitsUndoFlags are the flags of exits undo.
type exitsUndoFlags struct {
	runText, household, project, enrollment string
	actor, reason                           string
	force, asJSON, wait                     bool
}

// exitsUndoCmd is exits undo: its help and flags.
func (a *app) exitsUndoCmd() *cobra.Command {
	o := &exitsUndoFlags{}
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
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), a, cmd) },
	}
	f := c.Flags()
	f.StringVar(&o.runText, "run", "", "undo every exit of this exit run `ID`")
	f.StringVar(&o.household, "household", "", "undo the exitflow exits of this HouseholdID (the whole household)")
	f.StringVar(&o.project, "project", "", "with --household: the household's project `ID` (needed when several projects have that HouseholdID)")
	f.StringVar(&o.enrollment, "enrollment", "", "undo the exitflow exit of this EnrollmentID")
	f.StringVar(&o.actor, "actor", "", "the HMIS staff member who undoes the exits (required)")
	f.StringVar(&o.reason, "reason", "", "why (recorded with the undo)")
	f.BoolVar(&o.force, "force", false, "also undo exitflow exits that were changed after they were written")
	f.BoolVar(&o.wait, "wait", false, "wait for an exit run or undo in progress instead of refusing")
	f.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	return c
}

// run undoes the exits the flags select.
func (o *exitsUndoFlags) run(ctx context.Context, a *app, cmd *cobra.Command) error {
	runID, err := o.check()
	if err != nil {
		return err
	}
	pool, cfg, err := a.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := engine.Undo(ctx, pool, o.undoOptions(runID, cfg.Location()))
	if err != nil {
		return err
	}
	return printUndo(cmd.OutOrStdout(), res, o.asJSON)
}

// check parses --run (0 without it). The engine checks the rest (exactly one selector, an actor,
// --project only with --household) for the CLI and the activities alike.
func (o *exitsUndoFlags) check() (runID int64, err error) {
	if o.runText == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(o.runText, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("--run %q: not a run ID", o.runText)
	}
	return id, nil
}

// undoOptions are the engine's options of the undo, from the flags.
func (o *exitsUndoFlags) undoOptions(runID int64, loc *time.Location) engine.UndoOptions {
	return engine.UndoOptions{RunID: runID, HouseholdID: o.household, ProjectID: o.project, EnrollmentID: o.enrollment,
		Actor: o.actor, Reason: o.reason, Force: o.force, Wait: o.wait, Location: loc}
}

// printUndo prints what an undo did, as JSON or for people.
func printUndo(out io.Writer, res engine.UndoResult, asJSON bool) error {
	if asJSON {
		return writeJSON(out, res)
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
}
