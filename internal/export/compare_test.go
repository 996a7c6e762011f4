package export_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/hmis"
	"github.com/jackc/pgx/v5/pgxpool"
)

// compareColumns are the columns of f a round trip must keep: all but ExportID (an export replaces
// it), and without the FY2024-only columns when legacy is false (an FY2026 export drops them).
func compareColumns(f *hmis.File, legacy bool) []string {
	var cols []string
	for _, c := range f.Columns {
		if c.Name == "ExportID" || (c.Legacy && !legacy) {
			continue
		}
		cols = append(cols, hmis.Quote(c.DB()))
	}
	return cols
}

// tableDigest is the row count and an md5 of every row's compared columns, in key order.
func tableDigest(ctx context.Context, pool *pgxpool.Pool, f *hmis.File, cols []string) (n int64, sum string, err error) {
	q := fmt.Sprintf(`SELECT count(*), coalesce(md5(string_agg(ROW(%s)::text, E'\n' ORDER BY %s)), '')
		FROM hmis.%s`, strings.Join(cols, ", "), hmis.Quote(f.Key().DB()), hmis.Quote(f.Table()))
	err = pool.QueryRow(ctx, q).Scan(&n, &sum)
	return n, sum, err
}

// tableRows maps each row's key to the text of its compared columns.
func tableRows(ctx context.Context, pool *pgxpool.Pool, f *hmis.File, cols []string) (map[string]string, error) {
	q := fmt.Sprintf(`SELECT %s, ROW(%s)::text FROM hmis.%s`, hmis.Quote(f.Key().DB()), strings.Join(cols, ", "), hmis.Quote(f.Table()))
	rows, err := pool.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// compareDatabases checks every data table (Export aside) holds the same rows in a and b; it
// returns the number of rows compared.
func compareDatabases(t *testing.T, a, b *pgxpool.Pool, legacy bool) int64 {
	t.Helper()
	ctx := context.Background()
	var total int64
	for _, f := range hmis.Files {
		if f.Name == "Export" {
			continue
		}
		cols := compareColumns(f, legacy)
		na, sa, err := tableDigest(ctx, a, f, cols)
		if err != nil {
			t.Fatalf("%s: %v", f.Table(), err)
		}
		nb, sb, err := tableDigest(ctx, b, f, cols)
		if err != nil {
			t.Fatalf("%s: %v", f.Table(), err)
		}
		total += na
		if na == nb && sa == sb {
			continue
		}
		ra, err := tableRows(ctx, a, f, cols)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := tableRows(ctx, b, f, cols)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for k, va := range ra {
			if vb, ok := rb[k]; !ok || va != vb {
				if shown++; shown <= 3 {
					t.Errorf("%s %s:\n before %s\n  after %s", f.Table(), k, va, vb)
				}
			}
		}
		for k := range rb {
			if _, ok := ra[k]; !ok {
				if shown++; shown <= 3 {
					t.Errorf("%s %s: only after the round trip", f.Table(), k)
				}
			}
		}
		t.Errorf("%s: %d rows before, %d after, %d differ", f.Table(), na, nb, shown)
	}
	return total
}
