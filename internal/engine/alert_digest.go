package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// alertDigestSQL lists the recipient rows of alerts $1 by recipient email (sql/alert_digest.sql).
var alertDigestSQL = assembled("alert_digest", "alert_digest", nil)

// EachAlertRecipient calls fn once per recipient of alerts ids, by lower-case email (SPEC AL3, N5).
//
// fn gets the email (lower-case, trimmed, as a digest's To) and that person's alerts by project
// and household, each filled as RecordAlerts fills it but with Recipients holding only this
// person's rows (liaison first): notify.AlertDigests on them gives this person's one digest. The
// rows are streamed, so memory holds one recipient's alerts at a time; fn runs while the query is
// open (it may use q only if q is a pool). An error of fn ends the pass and is returned as is.
func EachAlertRecipient(ctx context.Context, q Querier, ids []int64, fn func(email string, alerts []Alert) error) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, alertDigestSQL, ids)
	if err != nil {
		return fmt.Errorf("reading alert recipients: %w", err)
	}
	defer rows.Close()
	var key string
	var alerts []Alert
	for rows.Next() {
		a, r, err := scanAlertRecipient(rows)
		if err != nil {
			return fmt.Errorf("reading alert recipients: %w", err)
		}
		k := strings.ToLower(strings.TrimSpace(r.Email))
		if k == "" {
			continue // AL3: nobody to mail (AlertDigests skips it too)
		}
		if k != key && len(alerts) > 0 {
			if err := fn(key, alerts); err != nil {
				return err
			}
			alerts = nil
		}
		key = k
		if n := len(alerts); n > 0 && alerts[n-1].ID == a.ID {
			alerts[n-1].Recipients = append(alerts[n-1].Recipients, r)
			continue
		}
		a.Recipients = []Recipient{r}
		alerts = append(alerts, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading alert recipients: %w", err)
	}
	if len(alerts) > 0 {
		return fn(key, alerts)
	}
	return nil
}

// scanAlertRecipient reads one row of alertDigestSQL: the alert (no recipients yet) and the
// recipient, normalized as loadAlerts does (a liaison lists no enrollments; staff's sorted).
func scanAlertRecipient(rows pgx.Rows) (Alert, Recipient, error) {
	var a Alert
	var r Recipient
	var k string
	err := rows.Scan(&k, &r.Role, &r.Source, &r.Name, &r.Email, &r.EnrollmentIDs,
		&a.ID, &a.ProjectID, &a.OrganizationID, &a.HouseholdID, &a.EnrollmentIDs, &a.LastActivityDate,
		&a.LastActivitySource, &a.DaysInactive, &a.ExitOn, &a.ExitDate, &a.CreatedAt, &a.Unassigned)
	if r.Role == RoleLiaison {
		r.EnrollmentIDs = nil
	} else {
		slices.Sort(r.EnrollmentIDs)
	}
	if len(a.Unassigned) == 0 {
		a.Unassigned = nil
	}
	return a, r, err
}
