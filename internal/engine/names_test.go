package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numericCoC is testdata/policy with the projects PSO and PSSO renamed 9 and 10: as text, "10"
// sorts before "9".
func numericCoC(t *testing.T) *pgxpool.Pool {
	t.Helper()
	dir := t.TempDir()
	des, err := os.ReadDir("testdata/policy")
	require.NoError(t, err)
	rename := strings.NewReplacer(",PSO,", ",9,", ",PSSO,", ",10,", "\nPSO,", "\n9,", "\nPSSO,", "\n10,")
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".csv") {
			b, err := os.ReadFile(filepath.Join("testdata/policy", de.Name()))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, de.Name()), []byte(rename.Replace(string(b))), 0o644))
		}
	}
	pool, _ := importDB(t, dir)
	return pool
}

func TestNaturalOrderAndNames(t *testing.T) {
	pool := numericCoC(t)
	ctx := context.Background()
	order := func(natural bool) []string {
		var ids []string
		err := engine.Candidates(ctx, pool, engine.Options{AsOf: policyAsOf, Projects: []string{"9", "10"}, Method: engine.MethodAuto, NaturalOrder: natural},
			func(r engine.Row) error {
				if len(ids) == 0 || ids[len(ids)-1] != r.ProjectID {
					ids = append(ids, r.ProjectID)
				}
				return nil
			})
		require.NoError(t, err)
		return ids
	}
	assert.Equal(t, []string{"10", "9"}, order(false), "the CSV contract: text order")
	assert.Equal(t, []string{"9", "10"}, order(true), "tables: 9 before 10")

	eps, err := engine.EffectivePolicies(ctx, pool, []string{"9", "10"})
	require.NoError(t, err)
	require.Len(t, eps, 2)
	assert.Equal(t, "10", eps[0].ProjectID, "still sorted by ProjectID as text")
	assert.Equal(t, []string{"Services Only", "O2", "Agency Two"}, []string{eps[0].ProjectName, eps[0].OrganizationID, eps[0].OrganizationName})
	assert.Equal(t, []string{"Street Outreach", "O1", "Agency One"}, []string{eps[1].ProjectName, eps[1].OrganizationID, eps[1].OrganizationName})

	names, err := engine.ProjectNames(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, "Street Outreach", names["9"])
	assert.Equal(t, "ES Entry Exit", names["PES"])
	assert.NotContains(t, names, "PGONE", "a deleted project has no name to show")
}
