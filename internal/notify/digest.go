package notify

import (
	"slices"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/engine"
)

// AlertDigest is one recipient's auto-alert digest (SPEC AL3): the address and the message's data.
type AlertDigest struct {
	To   string    // the recipient's email, trimmed and lower-cased
	Data AutoAlert // Compose(KindAutoAlert, Data)
}

// AlertDigests groups alerts into one digest per recipient email (lower-cased; SPEC AL2, AL3): a
// liaison gets every household of the alerts that name them, with all its open enrollments; an
// assigned staff member gets only the enrollments assigned to them (Recipient.EnrollmentIDs).
// Ordered by email; households by project, household ID (engine.CompareIDs). A recipient who is
// both liaison and assigned staff gets one digest (role liaison, all enrollments). A recipient
// without an email, or staff with no enrollment, is left out.
func AlertDigests(asOf time.Time, alerts []engine.Alert) []AlertDigest {
	type entry struct {
		role       string
		households map[int64]*AlertHousehold // by alert: one household and episode each
	}
	byEmail := map[string]*entry{}
	for _, a := range alerts {
		for _, r := range a.Recipients {
			email := strings.ToLower(strings.TrimSpace(r.Email))
			ids := a.EnrollmentIDs
			if r.Role != engine.RoleLiaison {
				ids = r.EnrollmentIDs
			}
			if email == "" || len(ids) == 0 {
				continue
			}
			e := byEmail[email]
			if e == nil {
				e = &entry{role: engine.RoleAssignedStaff, households: map[int64]*AlertHousehold{}}
				byEmail[email] = e
			}
			if r.Role == engine.RoleLiaison {
				e.role = engine.RoleLiaison
			}
			h := e.households[a.ID]
			if h == nil {
				h = &AlertHousehold{ProjectID: a.ProjectID, HouseholdID: a.HouseholdID, LastActivity: a.LastActivityDate,
					DaysInactive: a.DaysInactive, ExitOn: a.ExitOn, ExitDate: a.ExitDate}
				e.households[a.ID] = h
			}
			h.EnrollmentIDs = sortedIDs(append(h.EnrollmentIDs, ids...))
		}
	}
	out := make([]AlertDigest, 0, len(byEmail))
	for email, e := range byEmail {
		d := AlertDigest{To: email, Data: AutoAlert{AsOf: asOf, Role: e.role}}
		for _, h := range e.households {
			d.Data.Households = append(d.Data.Households, *h)
		}
		slices.SortFunc(d.Data.Households, compareHouseholds)
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y AlertDigest) int { return strings.Compare(x.To, y.To) })
	return out
}

// compareHouseholds orders a digest's households by project, household ID, then episode.
func compareHouseholds(x, y AlertHousehold) int {
	if c := engine.CompareIDs(x.ProjectID, y.ProjectID); c != 0 {
		return c
	}
	if c := engine.CompareIDs(x.HouseholdID, y.HouseholdID); c != 0 {
		return c
	}
	return x.LastActivity.Compare(y.LastActivity)
}

// sortedIDs is ids in engine.CompareIDs order without repeats (a new slice).
func sortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.SortFunc(out, engine.CompareIDs)
	return slices.Compact(out)
}
