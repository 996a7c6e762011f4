package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/exitflow/exitflow/internal/notify"
	"github.com/spf13/cobra"
)

// notificationsCmd is `exitflow notifications`: the log of the mail exitflow sent (SPEC N1).
func (a *app) notificationsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "notifications",
		Short: "The notifications exitflow mailed: list them, write one as an .eml file (SPEC N1)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.notificationsListCmd(), a.notificationsShowCmd())
	return c
}

func (a *app) notificationsListCmd() *cobra.Command {
	var to, kind, format string
	var limit int
	c := &cobra.Command{
		Use:   "list [--to ADDRESS] [--kind KIND] [--limit N] [--format table|json]",
		Short: "List the recorded notifications, newest first, with what became of each",
		Long: `Lists exitflow.notification, newest first: every message exitflow mailed or is mailing, recorded
before it was sent (SPEC N1): its ID, when it was recorded (in the CoC's time zone), kind,
recipient, status (pending, sent, failed), delivery attempts, subject, and the last delivery error.

A message is sent once per idempotency key (SPEC N4): a retried step finds its record and sends
nothing; a failed delivery stays "failed" until a retry delivers it.

--to ADDRESS keeps the messages to one address (case does not matter), --kind KIND those of one
kind (` + notify.KindNames() + `). --limit N shows the N newest (default 20; 0: all).
--format json also prints the idempotency key, the Message-ID, what each message is about (IDs,
counts and dates) and its attachments' names and sizes. exitflow notifications show writes one
message whole.`,
		Example: `  exitflow notifications list
  exitflow notifications list --to liaison@agency.example.org --limit 5
  exitflow notifications list --kind dqm-report --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, limit); err != nil {
				return err
			}
			f := notify.Filter{To: to, Limit: limit}
			if kind != "" {
				k, err := notify.ParseKind(kind)
				if err != nil {
					return fmt.Errorf("--%w", err)
				}
				f.Kind = k
			}
			pool, conf, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			list, err := notify.List(cmd.Context(), pool, f)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONList(cmd.OutOrStdout(), list)
			}
			return writeNotificationTable(cmd.OutOrStdout(), list, conf.Location())
		},
	}
	fl := c.Flags()
	fl.StringVar(&to, "to", "", "only the messages to this `ADDRESS`")
	fl.StringVar(&kind, "kind", "", "only the messages of this `KIND`: "+notify.KindNames())
	fl.IntVar(&limit, "limit", 20, "only the `N` newest messages (0: all)")
	fl.StringVar(&format, "format", "table", "table or json")
	return c
}

// writeNotificationTable writes notifications for people, one line each.
func writeNotificationTable(out io.Writer, list []notify.Record, loc *time.Location) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(out, "no notifications")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tKIND\tTO\tSTATUS\tATTEMPTS\tSUBJECT\tLAST ERROR")
	for _, r := range list {
		lastError := r.LastError
		if r.Status == notify.StatusSent {
			lastError = "" // delivered: an earlier attempt's error is history (--format json keeps it)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.CreatedAt.In(loc).Format("2006-01-02 15:04"), r.Kind, r.To,
			r.Status, r.Attempts, clip(r.Subject, 90), dash(clip(lastError, 120)))
	}
	return tw.Flush()
}

// clip shortens s to n characters, ending in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func (a *app) notificationsShowCmd() *cobra.Command {
	var out string
	var force bool
	c := &cobra.Command{
		Use:   "show ID --out FILE [--force]",
		Short: "Write a recorded notification as an .eml file (RFC 5322), as it was sent",
		Long: `Writes notification ID (from exitflow notifications list) into FILE as the message it was sent
as: the same headers, Message-ID and Date, the plain-text and HTML parts and the attachments (a
DQM report's measures.csv and findings.csv), rebuilt from its record; only the MIME boundaries
differ. Any mail program opens the file. A message that was not delivered yet is written too.

FILE must not exist; --force replaces it.`,
		Example: `  exitflow notifications show 12 --out notice-12.eml
  exitflow notifications show 12 --out notice-12.eml --force`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("ID %q: not a notification ID (exitflow notifications list lists them)", args[0])
			}
			if err := checkOutFile(out, force); err != nil {
				return err
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			rec, err := notify.Get(cmd.Context(), pool, id)
			if errors.Is(err, notify.ErrNotFound) {
				return fmt.Errorf("notification %d does not exist (exitflow notifications list lists them)", id)
			}
			if err != nil {
				return err
			}
			eml, err := notify.EML(rec)
			if err != nil {
				return err
			}
			if err := writeFileAtomic(out, eml); err != nil {
				return fmt.Errorf("--out %s: %w", out, err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: notification %d (%s to %s, %s, %d bytes)\n", out, id, rec.Kind, rec.To, rec.Status, len(eml))
			return err
		},
	}
	c.Flags().StringVar(&out, "out", "", "the `FILE` to write the message into, e.g. notice-12.eml (required)")
	c.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	return c
}

// checkOutFile refuses a missing --out, a folder, an existing file (without force) and a file
// whose folder does not exist, before the database is read.
func checkOutFile(file string, force bool) error {
	if strings.TrimSpace(file) == "" {
		return errors.New("--out FILE is required: the .eml file to write the message into")
	}
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if di, err := os.Stat(filepath.Dir(filepath.Clean(file))); err != nil || !di.IsDir() {
			return fmt.Errorf("--out %s: its folder %s does not exist", file, filepath.Dir(filepath.Clean(file)))
		}
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", file, err)
	case fi.IsDir():
		return fmt.Errorf("--out %s: a folder, not a file", file)
	case !force:
		return fmt.Errorf("--out %s: the file exists; give another name, or --force to replace it", file)
	}
	return nil
}

// writeFileAtomic writes b into file through a temporary file renamed into place.
func writeFileAtomic(file string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(filepath.Clean(file)), "."+filepath.Base(file)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}
