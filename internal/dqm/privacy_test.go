package dqm_test

// SPEC N2, S1: a DQM report carries IDs, dates and counts only: no client's name, SSN or date of
// birth appears in it, as returned, as read back, in the history or in what is stored.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/dqm"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQ3_NoPersonalData(t *testing.T) {
	t.Parallel()
	pool := fixture(t, "open.sql", "exits.sql", "engine.sql")
	ctx := context.Background()
	writeExits(t, pool, engine.MethodAuto)
	_, err := engine.Undo(ctx, pool, engine.UndoOptions{HouseholdID: "H91", ProjectID: "PA", Actor: "Dana Lee"})
	require.NoError(t, err)

	var texts []string
	for _, opt := range []dqm.Options{{AsOf: asOf, Since: since}, {AsOf: today()}, {AsOf: asOf, Since: since, OrganizationID: "O2"}} {
		r := runOpt(t, pool, opt)
		require.NotEmpty(t, r.Findings)
		for _, v := range []any{r, load(t, pool, r.ID)} {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			texts = append(texts, string(b))
		}
	}
	h, err := dqm.History(ctx, pool, "", 0)
	require.NoError(t, err)
	b, err := json.Marshal(h)
	require.NoError(t, err)
	texts = append(texts, string(b))
	for _, table := range []string{"exitflow.dqm_report", "exitflow.dqm_measure", "exitflow.dqm_project", "exitflow.dqm_finding",
		"(SELECT * FROM exitflow.audit WHERE action = 'dqm')"} {
		var s string
		require.NoError(t, pool.QueryRow(ctx, `SELECT coalesce(string_agg(row_to_json(t)::text, E'\n'), '') FROM `+table+` t`).Scan(&s))
		texts = append(texts, s)
	}
	all := strings.Join(texts, "\n")
	require.Contains(t, all, `"E1"`, "the findings name enrollments")

	rows, err := pool.Query(ctx, `SELECT firstname, lastname, ssn, to_char(dob, 'YYYY-MM-DD') FROM hmis.client`)
	require.NoError(t, err)
	defer rows.Close()
	clients := 0
	for rows.Next() {
		var first, last, ssn, dob string
		require.NoError(t, rows.Scan(&first, &last, &ssn, &dob))
		for _, pii := range []string{first, last, ssn, dob} {
			assert.NotContains(t, all, pii)
		}
		clients++
	}
	require.NoError(t, rows.Err())
	assert.Greater(t, clients, 50)
}
