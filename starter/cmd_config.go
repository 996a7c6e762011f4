package main

import (
	"fmt"

	"context"
	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/store"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"
)

func (a *app) configCmd() *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Show the effective configuration"}
	c.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets masked",
		Example: `  exitflow config show
  EXITFLOW_TIMEZONE=America/Chicago exitflow config show`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := config.Load(a.v); err != nil {
				return err
			}
			for _, l := range config.Show(a.v) {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		},
	})
	return c
}

func (a *app) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create the database if it is missing and bring its schema up to date",
		Long:  "Creates the database named in the database URL if it does not exist, then applies every pending\nmigration. Running it again changes nothing.",
		Example: `  exitflow migrate
  exitflow migrate --database-url postgres://postgres@127.0.0.1:5432/coc_test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.cfg()
			if err != nil {
				return err
			}
			created, err := store.EnsureDatabase(cmd.Context(), c.DatabaseURL)
			if err != nil {
				return err
			}
			pool, err := store.Open(cmd.Context(), c.DatabaseURL)
			if err != nil {
				return err
			}
			defer pool.Close()
			n, err := store.Migrate(cmd.Context(), pool, nil)
			if err != nil {
				return err
			}
			ver, err := store.Version(cmd.Context(), pool)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(cmd.OutOrStdout(), "created database %s\n", config.MaskURL(c.DatabaseURL))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "schema at version %d (%d migrations applied now)\n", ver, n)
			return nil
		},
	}
}

// openStore opens the database and checks it has been migrated.
func openStore(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pool, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if v, err := store.Version(ctx, pool); err != nil || v < 1 {
		pool.Close()
		return nil, fmt.Errorf("database %s has no exitflow schema: run `exitflow migrate` first", config.MaskURL(url))
	}
	return pool, nil
}
