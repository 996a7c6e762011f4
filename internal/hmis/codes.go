package hmis

import (
	"fmt"
	"slices"
)

// Code-list sections of the HUD Data Standards, for messages.
var codeSection = map[string]string{
	"ProjectType":            "2.02.6",
	"RRHSubType":             "2.02.A",
	"RelationshipToHoH":      "3.15",
	"Destination":            "3.12",
	"DestinationSubsidyType": "3.12.A",
	"RecordType":             "4.14 / 4.15 and the other service elements",
	"DataCollectionStage":    "5.03",
}

// KnownCode reports whether n is in the HUD code list named list.
func KnownCode(list string, n int) bool { return Codes[list][n] }

// OutOfListNote explains a value that is not in its HUD code list (SPEC IO3: a warning, not an
// error): what the value is where it is a code of a related or an older list, and how the engine
// reads it (docs/rules.md, "Codes outside HUD's lists").
func OutOfListNote(list string, n int) string {
	if hint := relatedCode(list, n); hint != "" {
		return hint
	}
	return fmt.Sprintf("%s %d is not in the HUD FY2026 %s list (%s); stored as sent, %s", list, n, list, codeSection[list], engineReading(list, n))
}

// relatedCode names the list an out-of-list Destination or subsidy code comes from.
func relatedCode(list string, n int) string {
	switch list {
	case "Destination":
		if Codes["DestinationSubsidyType"][n] {
			return fmt.Sprintf("Destination %d is a DestinationSubsidyType code; FY2024+ exports write Destination 435 with DestinationSubsidyType %d", n, n)
		}
		if to := legacyDestination(n); to != "" {
			return fmt.Sprintf("Destination %d is a pre-FY2024 code; FY2024+ exports write %s", n, to)
		}
	case "DestinationSubsidyType":
		if Codes["Destination"][n] {
			return fmt.Sprintf("DestinationSubsidyType %d is a Destination code, not a subsidy type (3.12.A: %s)", n, codeList("DestinationSubsidyType"))
		}
	}
	return ""
}

// legacyDestination maps a two-digit Destination of the FY2022 and earlier standards to its FY2024
// code: HUD kept the number and prefixed the category (1xx homeless … 4xx permanent); the
// subsidised rentals became 435 with a DestinationSubsidyType.
func legacyDestination(n int) string {
	if n <= 0 || n >= 100 {
		return ""
	}
	if n == 3 { // permanent housing (other than RRH) for formerly homeless persons
		return "Destination 435 with DestinationSubsidyType 439 or 440"
	}
	if Codes["DestinationSubsidyType"][400+n] {
		return fmt.Sprintf("Destination 435 with DestinationSubsidyType %d", 400+n)
	}
	for _, c := range []int{100, 200, 300, 400} {
		if Codes["Destination"][c+n] {
			return fmt.Sprintf("Destination %d", c+n)
		}
	}
	return ""
}

// engineReading says how the engine treats an unknown value of list (the conservative rules).
func engineReading(list string, n int) string {
	switch list {
	case "ProjectType":
		return "so the project gets no built-in, project-type or default policy (P1, P2), only one set for the project or its organization"
	case "RRHSubType":
		return "so it is not read as services only (D3 applies)"
	case "RelationshipToHoH":
		return "so the client is not a head of household"
	case "Destination":
		if PermanentDestination(n) {
			return "and counted as a permanent destination (a code in the 400s)"
		}
		return "and not counted as a permanent destination"
	case "DestinationSubsidyType":
		return "and ignored by the engine"
	case "RecordType":
		return "so it counts as a service (A1) but never as a bed night (A4, D2)"
	case "DataCollectionStage":
		return "so the record is not an update or annual assessment (A1)"
	}
	return "and the engine does not rely on it"
}

// PermanentDestination reports whether a Destination is a permanent one: any code in the 400s,
// including legacy subsidy codes (419, 434, 440) written in Destination (docs/rules.md).
func PermanentDestination(n int) bool { return n >= 400 && n <= 499 }

func codeList(list string) string {
	var out []int
	for v := range Codes[list] {
		out = append(out, v)
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}
