package main

import (
	"github.com/exitflow/exitflow/worker"
	"github.com/spf13/cobra"
)

// workerCmd is `exitflow worker`: the Temporal worker of the agency agreements.
func (a *app) workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker of the agency agreements and the follow-up DQM",
		Long: `Runs exitflow's Temporal worker until interrupted (Ctrl-C, SIGTERM): it hosts the agency agreement
and follow-up DQM workflows and their activities (exits, notices, the DQM schedule) on the task
queue --task-queue of the Temporal server --temporal-address, namespace --temporal-namespace.

It needs the database (--database-url, migrated) and, to send notices, an SMTP server (--smtp-host,
--smtp-port, --smtp-from); without one it runs, and every notice is counted as not delivered.
Several workers may run on one task queue; each runs at most as many activities at once as its
database pool has connections, less a margin. On a stop it finishes what it runs (up to 30 s);
Temporal retries what is cut off, and every activity is idempotent (a retry exits and mails nothing twice).`,
		Example: `  exitflow worker
  exitflow worker --temporal-address temporal.coc.internal:7233 --task-queue exitflow
  EXITFLOW_SMTP_HOST=127.0.0.1 EXITFLOW_SMTP_PORT=1025 exitflow worker   # the Mailpit of make run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.cfg()
			if err != nil {
				return err
			}
			return worker.Run(cmd.Context(), worker.FromConfig(c, a.log))
		},
	}
}
