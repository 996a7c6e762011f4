// Package contacts keeps who exitflow tells and who may act (SPEC N5, S2): each agency's liaisons
// and notification contacts and the CoC's HMIS staff (exitflow.contact), and the staff assigned to
// enrollments (exitflow.assignment). Every change is audited (SPEC U1). Names and e-mail addresses
// are staff's, never clients'.
package contacts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/exitflow/exitflow/internal/engine"
	"github.com/jackc/pgx/v5"
)

// Role is what a contact is for.
type Role string

// The contact roles.
const (
	RoleLiaison      Role = "liaison"      // an agency's liaison: told about alerts and agreements, acknowledges them
	RoleNotification Role = "notification" // an agency's notification contact (e.g. asked for a new head of household)
	RoleHMISStaff    Role = "hmis-staff"   // the CoC's HMIS staff: start, extend, cancel and resume agreements
)

// Roles are the contact roles, in the order lists show them.
var Roles = []Role{RoleHMISStaff, RoleLiaison, RoleNotification}

// Contact is one exitflow.contact row; OrganizationID is empty for HMIS staff.
type Contact struct {
	Role             Role      `json:"role" db:"role"`
	OrganizationID   string    `json:"organization_id,omitempty" db:"organizationid"`
	OrganizationName string    `json:"organization_name,omitempty" db:"organizationname"`
	Name             string    `json:"name" db:"name"`
	Email            string    `json:"email" db:"email"`
	CreatedAt        time.Time `json:"created_at" db:"created_at"`
}

// Change is a contact to add or remove, and who adds or removes it (SPEC U1).
type Change struct {
	Role           Role
	OrganizationID string // required for liaisons and notification contacts, refused for HMIS staff
	Name           string // Add only: "" keeps the name of a contact that is already there
	Email          string // compared without case; stored trimmed and lower-cased
	Actor          string
}

// Check refuses a change with a missing, malformed or misplaced input before anything is read,
// naming the field; it returns the change in stored form (trimmed, the address lower-cased).
func (c Change) Check() (Change, error) {
	if !slices.Contains(Roles, c.Role) {
		if c.Role == "" {
			return c, engine.Invalid(FieldRole, nil, "is required: liaison, notification or hmis-staff")
		}
		return c, engine.Invalid(FieldRole, c.Role, "want liaison, notification or hmis-staff")
	}
	c.OrganizationID, c.Name, c.Actor = strings.TrimSpace(c.OrganizationID), strings.TrimSpace(c.Name), strings.TrimSpace(c.Actor)
	switch {
	case c.Role == RoleHMISStaff && c.OrganizationID != "":
		return c, engine.Conflict(engine.FieldOrganizationID, c.OrganizationID, FieldRole, c.Role,
			"HMIS staff belong to the CoC, not to an organization: leave out {OrganizationID}")
	case c.Role != RoleHMISStaff && c.OrganizationID == "":
		return c, engine.Invalid(engine.FieldOrganizationID, nil, "is required for %s: the OrganizationID of the agency (Organization.csv)", roleNoun(c.Role))
	case strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
		return c, engine.Invalid(FieldName, fmt.Sprintf("%q", c.Name), "holds a control character (a line break or a tab): want a name on one line")
	case c.Actor == "":
		return c, engine.Invalid(engine.FieldActor, nil, "is required: the HMIS staff member who makes the change")
	}
	var err error
	c.Email, err = checkEmail(c.Email)
	return c, err
}

// Status is what Add did.
type Status string

// What Add did.
const (
	StatusAdded     Status = "added"     // a new contact
	StatusRenamed   Status = "renamed"   // the contact was there: its name is now the one given
	StatusUnchanged Status = "unchanged" // the contact was there as given: nothing changed, nothing audited
)

// AddResult is the contact Add left in place and what it did.
type AddResult struct {
	Contact Contact `json:"contact"`
	Status  Status  `json:"status"`
}

// Add adds a contact (an organization must be one of the imported, not deleted Organization.csv
// rows). Adding a contact that is there (same role, organization and address, whatever its case)
// is not an error: with another name it renames it, otherwise it changes nothing. A change is
// audited as contact-add (SPEC U1); nothing changes when an input is refused.
func Add(ctx context.Context, db engine.TxBeginner, c Change) (AddResult, error) {
	c, err := c.Check()
	if err != nil {
		return AddResult{}, err
	}
	var res AddResult
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if c.Role != RoleHMISStaff {
			if err := checkOrganization(ctx, tx, c.OrganizationID); err != nil {
				return err
			}
		}
		found, err := list(ctx, tx, c.Role, c.OrganizationID, c.Email, true)
		if err != nil {
			return err
		}
		switch {
		case len(found) == 0:
			res.Status = StatusAdded
			_, err = tx.Exec(ctx, `INSERT INTO exitflow.contact (role, organizationid, name, email) VALUES ($1, nullif($2, ''), $3, $4)`,
				string(c.Role), c.OrganizationID, c.Name, c.Email)
		case c.Name != "" && c.Name != found[0].Name:
			res.Status = StatusRenamed
			_, err = tx.Exec(ctx, `UPDATE exitflow.contact SET name = $3 WHERE role = $1 AND organizationid IS NOT DISTINCT FROM nullif($2, '') AND email = $4`,
				string(c.Role), c.OrganizationID, c.Name, c.Email)
		default:
			res.Status, res.Contact = StatusUnchanged, found[0]
			return nil
		}
		if err != nil {
			return err
		}
		if found, err = list(ctx, tx, c.Role, c.OrganizationID, c.Email, false); err != nil {
			return err
		}
		res.Contact = found[0] // just written, in this transaction
		return audit(ctx, tx, c.Actor, "contact-add", "contact add: "+c.Email+" as "+describe(c.Role, c.OrganizationID),
			details(c, res.Status))
	})
	if err != nil {
		return AddResult{}, refusedOr(err, "adding the contact")
	}
	return res, nil
}

// Remove removes a contact (its organization need not be in the data any more) and returns it; a
// contact that is not there is a NotFoundError. The removal is audited as contact-remove (SPEC U1).
func Remove(ctx context.Context, db engine.TxBeginner, c Change) (Contact, error) {
	c.Name = ""
	c, err := c.Check()
	if err != nil {
		return Contact{}, err
	}
	var gone Contact
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		found, err := list(ctx, tx, c.Role, c.OrganizationID, c.Email, true)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return &NotFoundError{Change: c}
		}
		gone = found[0]
		if _, err := tx.Exec(ctx, `DELETE FROM exitflow.contact WHERE role = $1 AND organizationid IS NOT DISTINCT FROM nullif($2, '') AND email = $3`,
			string(c.Role), c.OrganizationID, c.Email); err != nil {
			return err
		}
		return audit(ctx, tx, c.Actor, "contact-remove", "contact remove: "+c.Email+" as "+describe(c.Role, c.OrganizationID),
			details(c, ""))
	})
	if err != nil {
		return Contact{}, refusedOr(err, "removing the contact")
	}
	return gone, nil
}

// refusedOr returns err as it is when it refuses an input or names a contact not found (its text
// names the fields), else wrapped as an error of what was being done.
func refusedOr(err error, doing string) error {
	if errors.Is(err, engine.ErrInvalid) || errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// Filter selects contacts; its zero value selects them all.
type Filter struct {
	OrganizationID string // only this organization's liaisons and notification contacts ("": every contact)
	Role           Role   // only this role ("": every role)
}

// List returns the contacts f selects: HMIS staff first, then by organization, role and address.
// An organization that is neither in the data nor has contacts is refused, naming the field.
func List(ctx context.Context, q engine.Querier, f Filter) ([]Contact, error) {
	org := strings.TrimSpace(f.OrganizationID)
	if f.Role != "" && !slices.Contains(Roles, f.Role) {
		return nil, engine.Invalid(FieldRole, f.Role, "want liaison, notification or hmis-staff")
	}
	if org != "" && f.Role == RoleHMISStaff {
		return nil, engine.Conflict(engine.FieldOrganizationID, org, FieldRole, f.Role,
			"HMIS staff belong to the CoC, not to an organization: leave out {OrganizationID}")
	}
	out, err := list(ctx, q, f.Role, org, "", false)
	if err != nil {
		return nil, fmt.Errorf("listing the contacts: %w", err)
	}
	if org != "" && len(out) == 0 {
		if err := checkOrganization(ctx, q, org); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// list reads the contacts of role ("": all) of org (only when given; HMIS staff have none) with
// address email ("": all), sorted, locking them for update when lock is set.
func list(ctx context.Context, q engine.Querier, role Role, org, email string, lock bool) ([]Contact, error) {
	sql := `SELECT c.role, coalesce(c.organizationid, '') AS organizationid, coalesce(o.organizationname, '') AS organizationname,
			c.name, c.email, c.created_at
		FROM exitflow.contact c
		LEFT JOIN hmis.organization o ON o.organizationid = c.organizationid AND o.datedeleted IS NULL
		WHERE ($1 = '' OR c.role = $1) AND ($2 = '' OR c.organizationid = $2) AND ($3 = '' OR c.email = $3)`
	if lock {
		sql += ` FOR UPDATE OF c`
	}
	rows, err := q.Query(ctx, sql, string(role), org, email)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Contact])
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, compareContacts)
	return out, nil
}

// compareContacts orders HMIS staff (no organization) first, then by organization (IDs made of
// digits as numbers), role and address.
func compareContacts(a, b Contact) int {
	if (a.OrganizationID == "") != (b.OrganizationID == "") {
		if a.OrganizationID == "" {
			return -1
		}
		return 1
	}
	return cmp.Or(engine.CompareIDs(a.OrganizationID, b.OrganizationID),
		cmp.Compare(slices.Index(Roles, a.Role), slices.Index(Roles, b.Role)), strings.Compare(a.Email, b.Email))
}

// checkOrganization refuses an OrganizationID that is not in the imported Organization.csv, or is
// deleted there.
func checkOrganization(ctx context.Context, q engine.Querier, org string) error {
	var live bool
	err := q.QueryRow(ctx, `SELECT datedeleted IS NULL FROM hmis.organization WHERE organizationid = $1`, org).Scan(&live)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return engine.Invalid(engine.FieldOrganizationID, org, "no such organization (not in the imported Organization.csv)")
	case err != nil:
		return fmt.Errorf("checking the organization: %w", err)
	case !live:
		return engine.Invalid(engine.FieldOrganizationID, org, "is deleted in the imported Organization.csv (DateDeleted is set)")
	}
	return nil
}

// details are the audit details of a contact change: its role, organization (none for HMIS
// staff) and address, and status when given.
func details(c Change, status Status) map[string]any {
	d := map[string]any{"role": string(c.Role), "email": c.Email}
	if c.OrganizationID != "" {
		d["organization_id"] = c.OrganizationID
	}
	if status != "" {
		d["status"] = string(status)
	}
	return d
}

// audit records a contact or assignment change in exitflow.audit (SPEC U1); details hold IDs,
// addresses and counts only.
func audit(ctx context.Context, tx pgx.Tx, actor, action, reason string, details map[string]any) error {
	if _, err := tx.Exec(ctx, `INSERT INTO exitflow.audit (actor, action, reason, details) VALUES ($1, $2, $3, $4)`,
		actor, action, reason, details); err != nil {
		return fmt.Errorf("recording the audit: %w", err)
	}
	return nil
}
