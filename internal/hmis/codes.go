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

// relatedCode names the list an out-of-list Destination or subsidy code comes from, and how the
// engine reads it.
func relatedCode(list string, n int) string {
	switch list {
	case "Destination":
		if Codes["DestinationSubsidyType"][n] {
			return fmt.Sprintf("Destination %d is a DestinationSubsidyType code; FY2024+ exports write Destination 435 with DestinationSubsidyType %d; stored as sent, %s",
				n, n, engineReading(list, n))
		}
		if to, ok := legacyDestinations[n]; ok {
			return fmt.Sprintf("Destination %d is a pre-FY2024 code; FY2024+ exports write %s; stored as sent, %s", n, to, engineReading(list, n))
		}
	case "DestinationSubsidyType":
		if Codes["Destination"][n] {
			return fmt.Sprintf("DestinationSubsidyType %d is a Destination code, not a subsidy type (3.12.A: %s); stored as sent, %s", n, codeList("DestinationSubsidyType"), engineReading(list, n))
		}
	}
	return ""
}

// legacyDestinations are the two-digit Destination codes of the FY2022 and earlier standards that
// FY2024 replaced, with what replaced them: HUD kept the number behind a category digit (1xx
// homeless … 4xx permanent), and the subsidised rentals became 435 with a DestinationSubsidyType.
var legacyDestinations = map[int]string{
	1: "Destination 101", 16: "Destination 116", 18: "Destination 118",
	4: "Destination 204", 5: "Destination 205", 6: "Destination 206", 7: "Destination 207", 15: "Destination 215", 25: "Destination 225",
	2: "Destination 302", 12: "Destination 312", 13: "Destination 313", 14: "Destination 314", 27: "Destination 327", 29: "Destination 329", 32: "Destination 332",
	10: "Destination 410", 11: "Destination 411", 21: "Destination 421", 22: "Destination 422", 23: "Destination 423", 26: "Destination 426",
	3:  "Destination 435 with DestinationSubsidyType 439 or 440",
	19: "Destination 435 with DestinationSubsidyType 419", 20: "Destination 435 with DestinationSubsidyType 420",
	28: "Destination 435 with DestinationSubsidyType 428", 31: "Destination 435 with DestinationSubsidyType 431",
	33: "Destination 435 with DestinationSubsidyType 433", 34: "Destination 435 with DestinationSubsidyType 434",
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
