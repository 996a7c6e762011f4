package engine_test

import (
	"testing"

	"github.com/exitflow/exitflow/internal/engine"
)

// ---------------------------------------------------------------------------------------------
// D: exit dates

func TestD1_ExitDateIsHouseholdLastActivity(t *testing.T) {
	t.Parallel()
	pool := rulesHouseholds(t)
	// Exit dates = household last activity: HH1 the spouse's CLS, HH4 the exited member's service
	// (not E41's own 02-01), HH6/HH7 the service; only HH9 moves (D3).
	rulesSame(t, "D1", rulesCandidates(t, pool, engine.Options{}), rulesHouseholdRows...)
	// Services Only: every source's date is the exit date.
	pool = rulesActivity(t)
	rulesSame(t, "D1 SSO", rulesCandidates(t, pool, engine.Options{Projects: []string{"PS"}}), rulesActivityRows...)
}

func TestD2_NbnExitDayAfterLastBedNight(t *testing.T) {
	t.Parallel()
	pool := rulesActivity(t)
	rulesSame(t, "D2 (PN, last-bed-night)", rulesCandidates(t, pool, engine.Options{Projects: []string{"PN"}}), rulesNbnRows...)
}

func TestD3_NoSameDayExits(t *testing.T) {
	t.Parallel()
	pool := rulesLoad(t, "sameday")
	rulesPolicy(t, pool, "default", "", 30, 0, "", "")
	rulesPolicy(t, pool, "project", "T01L", 30, 0, "last-activity", "") // NbN dated by D1, so D3 alone moves it
	// Each T<type> project has one client entered 2024-03-01 with no activity: its exit date is the
	// entry date, moved a day in types 0, 1, 2, 3, 4, 8, 9, 10 and 13 (RRH housing, RRHSubType 2) but
	// not in 6, 7, 11, 12, 14 and RRH services-only (RRHSubType 1). HF00: a later service is not
	// moved. HG<type>: the exit date (the HoH's service 03-05) is the child's entry date.
	rulesSame(t, "D3", rulesCandidates(t, pool, engine.Options{}),
		rulesExit("T00/HF00/F00a", "2024-03-10", "service", "2024-03-10"),
		rulesExit("T00/HG00/G00a", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T00/HG00/G00b", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T00/HT00/ET00", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T01/HT01/ET01", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T01L/HT01L/ET01L", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T02/HT02/ET02", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T03/HT03/ET03", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T04/HT04/ET04", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T06/HG06/G06a", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T06/HG06/G06b", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T06/HT06/ET06", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T07/HT07/ET07", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T08/HT08/ET08", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T09/HT09/ET09", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T10/HT10/ET10", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T11/HT11/ET11", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T12/HT12/ET12", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T13H/HG13H/G13Ha", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T13H/HG13H/G13Hb", "2024-03-05", "service", "2024-03-06"),
		rulesExit("T13H/HT13H/ET13H", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("T13S/HG13S/G13Sa", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T13S/HG13S/G13Sb", "2024-03-05", "service", "2024-03-05"),
		rulesExit("T13S/HT13S/ET13S", "2024-03-01", "entry", "2024-03-01"),
		rulesExit("T14/HT14/ET14", "2024-03-01", "entry", "2024-03-01"))
}

func TestD4_ExitDateBetweenEntryAndAsOf(t *testing.T) {
	t.Parallel()
	// Never before entry: NbN household HN08, N08's last bed night 02-10 (D2 would give 02-11) but
	// N09 entered 03-01: the exit date is 03-01, then 03-02 by D3.
	pool := rulesActivity(t)
	rulesSame(t, "D4 before entry", rulesOnly(rulesCandidates(t, pool, engine.Options{Projects: []string{"PN"}}), "N08", "N09"),
		rulesExit("PN/HN08/N08", "2024-03-01", "entry", "2024-03-02"),
		rulesExit("PN/HN08/N09", "2024-03-01", "entry", "2024-03-02"))

	// Never after as-of: admin --all-open of PX (ES entry/exit). X4's last activity is in the
	// future (08-01); X5 entered on T itself (D3 would say T+1); X7 enters after T and is not listed.
	pool = rulesLoad(t, "admin")
	rows := rulesCandidates(t, pool, engine.Options{Method: engine.MethodAdmin, AllOpen: true, Projects: []string{"PX"}})
	rulesSame(t, "D4 after as-of", rulesOnly(rows, "X4", "X5", "X7"),
		rulesExit("PX/HX4/X4", "2024-08-01", "service", "2024-06-30"),
		rulesExit("PX/HX5/X5", "2024-06-30", "entry", "2024-06-30"))
}
