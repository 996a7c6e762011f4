package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naturalIDs is a list of IDs in CompareIDs order.
var naturalIDs = []string{"0", "00", "1", "2", "09", "9", "10", "11", "99", "0100", "100", "1000",
	"123456789012345678901234567890", "-1", "1.5", "10a", "9a", "A1", "A10", "A9", "H-10", "H-9", "PSO", "a", "é"}

func TestCompareIDsIsNatural(t *testing.T) {
	shuffled := slices.Clone(naturalIDs)
	slices.Reverse(shuffled)
	slices.SortStableFunc(shuffled, CompareIDs)
	assert.Equal(t, naturalIDs, shuffled)
	assert.Negative(t, CompareIDs("9", "10"))
	assert.Positive(t, CompareIDs("10", "9"))
	assert.Negative(t, CompareIDs("10", "A"), "IDs of digits before the others")
	assert.Zero(t, CompareIDs("9", "9"))
}

// The SQL order of the preview table is the Go order of the other tables.
func TestNaturalOrderSQLIsCompareIDs(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.ServerURL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	in := slices.Clone(naturalIDs)
	slices.Reverse(in)
	rows, err := conn.Query(ctx, "SELECT id FROM unnest($1::text[]) AS t(id) ORDER BY "+naturalOrderSQL("id"), in)
	require.NoError(t, err)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Equal(t, naturalIDs, got)
}
