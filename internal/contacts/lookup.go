package contacts

import (
	"context"
	"fmt"
	"strings"

	"github.com/exitflow/exitflow/internal/engine"
)

// The lookups the agreement workflows' checks need (SPEC AG1, AG6, S2): who is a liaison of an
// agency, who is HMIS staff. Addresses are compared without case or surrounding blanks; an
// address that is not one is nobody's.

// IsLiaison reports whether email is a liaison of the organization org.
func IsLiaison(ctx context.Context, q engine.Querier, org, email string) (bool, error) {
	return exists(ctx, q, RoleLiaison, strings.TrimSpace(org), email)
}

// IsHMISStaff reports whether email is one of the CoC's HMIS staff.
func IsHMISStaff(ctx context.Context, q engine.Querier, email string) (bool, error) {
	return exists(ctx, q, RoleHMISStaff, "", email)
}

// Liaisons returns the liaisons of the organization org, by address (none for an unknown one).
func Liaisons(ctx context.Context, q engine.Querier, org string) ([]Contact, error) {
	org = strings.TrimSpace(org)
	if org == "" {
		return nil, nil
	}
	out, err := list(ctx, q, RoleLiaison, org, "", false)
	if err != nil {
		return nil, fmt.Errorf("reading the liaisons of organization %s: %w", org, err)
	}
	return out, nil
}

// HMISStaff returns the CoC's HMIS staff, by address.
func HMISStaff(ctx context.Context, q engine.Querier) ([]Contact, error) {
	out, err := list(ctx, q, RoleHMISStaff, "", "", false)
	if err != nil {
		return nil, fmt.Errorf("reading the HMIS staff: %w", err)
	}
	return out, nil
}

// exists reports whether email is a contact of role (of org, unless role is HMIS staff).
func exists(ctx context.Context, q engine.Querier, role Role, org, email string) (bool, error) {
	e, err := NormalEmail(email)
	if err != nil || (role != RoleHMISStaff && org == "") {
		return false, nil
	}
	var found bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM exitflow.contact
			WHERE role = $1 AND organizationid IS NOT DISTINCT FROM nullif($2, '') AND email = $3)`, string(role), org, e).Scan(&found); err != nil {
		return false, fmt.Errorf("looking up %s: %w", describe(role, org), err)
	}
	return found, nil
}
