package importer_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outOfList are values outside the HUD code lists of each coded field, the row and warning each
// must get, and the stored value that proves the row was kept as sent.
var outOfList = []struct {
	name  string
	edits map[string]func(string) string
	want  string // one warning example, file:line:column: message
	check string // a query that returns the value as stored
	value string
}{
	{"ProjectType", map[string]func(string) string{"Project.csv": replace("1,4,,", "1,5,,")},
		`Project.csv:3:6: ProjectType 5 is not in the HUD FY2026 ProjectType list (2.02.6); stored as sent, so the project gets no built-in`,
		"SELECT projecttype::text FROM hmis.project WHERE projectid = 'P2'", "5"},
	{"RRHSubType", map[string]func(string) string{"Project.csv": replace("1,6,,", "1,6,3,")},
		`Project.csv:4:7: RRHSubType 3 is not in the HUD FY2026 RRHSubType list`,
		"SELECT rrhsubtype::text FROM hmis.project WHERE projectid = 'P3'", "3"},
	{"RelationshipToHoH", map[string]func(string) string{"Enrollment.csv": replace("H1,2,", "H1,7,")},
		`Enrollment.csv:3:6: RelationshipToHoH 7 is not in the HUD FY2026 RelationshipToHoH list (3.15); stored as sent, so the client is not a head of household`,
		"SELECT relationshiptohoh::text FROM hmis.enrollment WHERE enrollmentid = 'N2'", "7"},
	{"Destination: a subsidy code", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",419,,")},
		`Exit.csv:2:5: Destination 419 is a DestinationSubsidyType code; FY2024+ exports write Destination 435 with DestinationSubsidyType 419`,
		"SELECT destination::text FROM hmis.exit WHERE exitid = 'X1'", "419"},
	{"Destination: a pre-FY2024 code", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",10,,")},
		`Exit.csv:2:5: Destination 10 is a pre-FY2024 code; FY2024+ exports write Destination 410`,
		"SELECT destination::text FROM hmis.exit WHERE exitid = 'X1'", "10"},
	{"Destination: a pre-FY2024 subsidised rental", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",19,,")},
		`Exit.csv:2:5: Destination 19 is a pre-FY2024 code; FY2024+ exports write Destination 435 with DestinationSubsidyType 419`,
		"SELECT destination::text FROM hmis.exit WHERE exitid = 'X1'", "19"},
	{"Destination: unknown", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",999,,")},
		`Exit.csv:2:5: Destination 999 is not in the HUD FY2026 Destination list (3.12); stored as sent, and not counted as a permanent destination`,
		"SELECT destination::text FROM hmis.exit WHERE exitid = 'X1'", "999"},
	{"DestinationSubsidyType", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",435,432,")},
		`Exit.csv:2:6: DestinationSubsidyType 432 is not in the HUD FY2026 DestinationSubsidyType list (3.12.A)`,
		"SELECT destinationsubsidytype::text FROM hmis.exit WHERE exitid = 'X1'", "432"},
	{"DestinationSubsidyType: a Destination code", map[string]func(string) string{"Exit.csv": replace(",435,431,", ",435,410,")},
		`Exit.csv:2:6: DestinationSubsidyType 410 is a Destination code, not a subsidy type`,
		"SELECT destinationsubsidytype::text FROM hmis.exit WHERE exitid = 'X1'", "410"},
	{"RecordType", map[string]func(string) string{"Services.csv": replace(",144,3,", ",145,3,")},
		`Services.csv:5:5: RecordType 145 is not in the HUD FY2026 RecordType list`,
		"SELECT recordtype::text FROM hmis.services WHERE servicesid = 'S4'", "145"},
	{"DataCollectionStage", map[string]func(string) string{"HealthAndDV.csv": appendRow("D1,N3,C3,2024-02-01,4,2024-02-01 10:00:00,2024-02-01 10:00:00,E1")},
		`HealthAndDV.csv:2:5: DataCollectionStage 4 is not in the HUD FY2026 DataCollectionStage list (5.03); stored as sent, so the record is not an update or annual assessment`,
		"SELECT datacollectionstage::text FROM hmis.healthanddv WHERE healthanddvid = 'D1'", "4"},
}

func TestCodesOutsideHUDListsAreWarningsAndStoredAsSent(t *testing.T) { // SPEC IO3, docs/rules.md "Codes outside HUD's lists"
	for _, version := range []string{"2026 v1.0", "2024 v1.3"} {
		t.Run(version, func(t *testing.T) {
			for _, tc := range outOfList {
				t.Run(tc.name, func(t *testing.T) {
					_, pool := testdb.New(t)
					edits := map[string]func(string) string{"Export.csv": replace("2026 v1.0", version)}
					for k, v := range tc.edits {
						edits[k] = v
					}
					res, err := importer.Run(context.Background(), pool, fixture(t, edits), importer.Options{})
					require.NoError(t, err, "%v", res)
					require.Len(t, res.Warnings, 1, "%+v", res.Warnings)
					w := res.Warnings[0]
					assert.Equal(t, 1, w.Count)
					require.Len(t, w.Examples, 1)
					assert.Contains(t, w.Examples[0].String(), tc.want)
					var got string
					require.NoError(t, pool.QueryRow(context.Background(), tc.check).Scan(&got))
					assert.Equal(t, tc.value, got, "the row is stored as sent")
				})
			}
		})
	}
}

func TestEachOutOfListCodeIsItsOwnKindWithItsRows(t *testing.T) { // SPEC IO3
	_, pool := testdb.New(t)
	rows := []string{
		"X2,N3,C3,2024-04-01,434,,,2024-04-02 10:00:00,2024-04-02 10:00:00,U1,,E1",
		"X3,N1,C1,2024-04-01,419,,,2024-04-02 10:00:00,2024-04-02 10:00:00,U1,,E1",
		"X4,N2,C2,2024-04-01,419,,,2024-04-02 10:00:00,2024-04-02 10:00:00,U1,,E1",
	}
	res, err := importer.Run(context.Background(), pool, fixture(t, map[string]func(string) string{
		"Exit.csv": func(s string) string { return s + strings.Join(rows, "\n") + "\n" },
	}), importer.Options{})
	require.NoError(t, err, "%v", res)
	got := map[string][]string{}
	for _, w := range res.Warnings {
		for _, e := range w.Examples {
			got[w.Kind] = append(got[w.Kind], e.String()[:len("Exit.csv:3:5")])
		}
	}
	assert.Equal(t, map[string][]string{
		"Destination 419: not a FY2026 HUD Destination code (stored as sent)": {"Exit.csv:4:5", "Exit.csv:5:5"},
		"Destination 434: not a FY2026 HUD Destination code (stored as sent)": {"Exit.csv:3:5"},
	}, got)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM hmis.exit").Scan(&n))
	assert.Equal(t, 4, n)
}

func TestOutOfListKindsAreBounded(t *testing.T) { // a hostile file cannot grow the summary without end
	_, pool := testdb.New(t)
	var b strings.Builder
	for i := 0; i < 120; i++ {
		b.WriteString("S" + strings.Repeat("z", 1) + string(rune('A'+i/26)) + string(rune('a'+i%26)) + ",N3,C3,2024-03-16," + strconv.Itoa(1000+i) + ",3,,2024-03-16 12:00:00,2024-03-16 12:00:00,U1,,E1\n")
	}
	res, err := importer.Run(context.Background(), pool, fixture(t, map[string]func(string) string{
		"Services.csv": func(s string) string { return s + b.String() },
	}), importer.Options{})
	require.NoError(t, err, "%v", res)
	assert.Len(t, res.Warnings, 51)
	assert.Equal(t, 120, res.WarningCount)
	assert.Equal(t, "RecordType: other values outside the HUD list (stored as sent)", res.Warnings[len(res.Warnings)-1].Kind)
}
