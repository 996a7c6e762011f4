package hmis

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestLegacyDestinationsNameRealFY2024Codes(t *testing.T) {
	num := regexp.MustCompile(`(Destination|DestinationSubsidyType) (\d+)`)
	for old, to := range legacyDestinations {
		if Codes["Destination"][old] {
			t.Errorf("%d is an FY2026 Destination, not a legacy one", old)
		}
		for _, m := range num.FindAllStringSubmatch(to, -1) {
			n, _ := strconv.Atoi(m[2])
			if !Codes[m[1]][n] {
				t.Errorf("legacy %d maps to %s %d, which is not in the %s list", old, m[1], n, m[1])
			}
		}
	}
	// FY2024's new subsidy types (436-440) had no two-digit Destination before.
	for _, n := range []int{35, 36, 37, 38, 39, 40} {
		if strings.Contains(OutOfListNote("Destination", n), "pre-FY2024") {
			t.Errorf("Destination %d is named as a pre-FY2024 code: %s", n, OutOfListNote("Destination", n))
		}
	}
}

func TestOutOfListNoteSaysHowTheEngineReadsIt(t *testing.T) {
	for _, tc := range []struct {
		list string
		n    int
		want string
	}{
		{"Destination", 19, "FY2024+ exports write Destination 435 with DestinationSubsidyType 419; stored as sent, and not counted as a permanent destination"},
		{"Destination", 419, "with DestinationSubsidyType 419; stored as sent, and counted as a permanent destination (a code in the 400s)"},
		{"Destination", 10, "write Destination 410; stored as sent, and not counted as a permanent destination"},
		{"DestinationSubsidyType", 410, "is a Destination code, not a subsidy type"},
		{"ProjectType", 5, "only one set for the project or its organization"},
	} {
		if got := OutOfListNote(tc.list, tc.n); !strings.Contains(got, tc.want) {
			t.Errorf("%s %d: %q does not say %q", tc.list, tc.n, got, tc.want)
		}
	}
	if !PermanentDestination(440) || PermanentDestination(40) {
		t.Error("PermanentDestination is not the 400s")
	}
}
