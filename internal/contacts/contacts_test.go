package contacts_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/exitflow/exitflow/internal/engine"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coc is a fresh migrated database holding testdata/coc.sql: organizations 41 and 7 (99 is
// deleted), enrollments E1–E3 (E4 is deleted).
func coc(t *testing.T) *pgxpool.Pool {
	t.Helper()
	return testdb.WithSQL(t, "testdata/coc.sql")
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// label is a contact as "role org email name", for comparing lists.
func labels(list []contacts.Contact) []string {
	var out []string
	for _, c := range list {
		out = append(out, string(c.Role)+" "+c.OrganizationID+" "+c.Email+" "+c.Name)
	}
	return out
}

// SPEC N5, S2: liaisons and notification contacts of an agency and the CoC's HMIS staff are added,
// listed (HMIS staff first, then by organization, 7 before 41, role and address) and removed.
func TestN5_AddListRemoveEachRole(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "  Dana.Reyes@Harbor.example ", Name: " Dana Reyes ", Actor: "Sam Ortiz"},
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "ali@harbor.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleNotification, OrganizationID: "41", Email: "intake@harbor.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleLiaison, OrganizationID: "7", Email: "dana.reyes@harbor.example", Actor: "Sam Ortiz"}, // liaison of two agencies
		{Role: contacts.RoleHMISStaff, Email: "sam.ortiz@coc.example", Name: "Sam Ortiz", Actor: "Sam Ortiz"},
	} {
		res, err := contacts.Add(ctx, pool, c)
		require.NoError(t, err, c.Email)
		assert.Equal(t, contacts.StatusAdded, res.Status)
	}
	all, err := contacts.List(ctx, pool, contacts.Filter{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"hmis-staff  sam.ortiz@coc.example Sam Ortiz",
		"liaison 7 dana.reyes@harbor.example ",
		"liaison 41 ali@harbor.example ",
		"liaison 41 dana.reyes@harbor.example Dana Reyes",
		"notification 41 intake@harbor.example ",
	}, labels(all), "stored trimmed, addresses lower-cased")
	assert.Equal(t, "Harbor House", all[2].OrganizationName)
	assert.Empty(t, all[0].OrganizationName)

	of41, err := contacts.List(ctx, pool, contacts.Filter{OrganizationID: "41"})
	require.NoError(t, err)
	assert.Len(t, of41, 3, "the agency's liaisons and notification contacts, not HMIS staff")
	staff, err := contacts.List(ctx, pool, contacts.Filter{Role: contacts.RoleHMISStaff})
	require.NoError(t, err)
	assert.Equal(t, []string{"hmis-staff  sam.ortiz@coc.example Sam Ortiz"}, labels(staff))

	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "DANA.REYES@harbor.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleNotification, OrganizationID: "41", Email: "intake@harbor.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleHMISStaff, Email: "sam.ortiz@coc.example", Actor: "Sam Ortiz"},
	} {
		gone, err := contacts.Remove(ctx, pool, c)
		require.NoError(t, err, c.Email)
		assert.Equal(t, c.Role, gone.Role)
	}
	all, err = contacts.List(ctx, pool, contacts.Filter{})
	require.NoError(t, err)
	assert.Equal(t, []string{"liaison 7 dana.reyes@harbor.example ", "liaison 41 ali@harbor.example "}, labels(all),
		"only the contact named is removed: the same address of another agency stays")

	_, err = contacts.List(ctx, pool, contacts.Filter{OrganizationID: "NOPE"})
	assert.EqualError(t, err, "OrganizationID NOPE: no such organization (not in the imported Organization.csv)")
	_, err = contacts.List(ctx, pool, contacts.Filter{OrganizationID: "99"})
	assert.EqualError(t, err, "OrganizationID 99 is deleted in the imported Organization.csv (DateDeleted is set)")
	// An agency deleted in the HMIS after its contacts were added: they are listed, and can be removed.
	_, err = pool.Exec(ctx, `INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('liaison', '99', 'old@closed.example')`)
	require.NoError(t, err)
	old, err := contacts.List(ctx, pool, contacts.Filter{OrganizationID: "99"})
	require.NoError(t, err)
	assert.Equal(t, []string{"liaison 99 old@closed.example "}, labels(old))
	assert.Empty(t, old[0].OrganizationName)
	_, err = contacts.Remove(ctx, pool, contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "99", Email: "old@closed.example", Actor: "Sam Ortiz"})
	require.NoError(t, err)
	_, err = contacts.List(ctx, pool, contacts.Filter{Role: "boss"})
	assert.EqualError(t, err, "Role boss: want liaison, notification or hmis-staff")
}

// Liaisons and notification contacts need an organization, HMIS staff refuse one; every input is
// checked and named, and a refused change writes nothing.
func TestN5_ChecksNameTheFieldAndChangeNothing(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	for _, tc := range []struct {
		c   contacts.Change
		err string
	}{
		{contacts.Change{Role: contacts.RoleLiaison, Email: "a@b.org", Actor: "S"},
			"OrganizationID is required for a liaison: the OrganizationID of the agency (Organization.csv)"},
		{contacts.Change{Role: contacts.RoleNotification, OrganizationID: "  ", Email: "a@b.org", Actor: "S"},
			"OrganizationID is required for a notification contact: the OrganizationID of the agency (Organization.csv)"},
		{contacts.Change{Role: contacts.RoleHMISStaff, OrganizationID: "41", Email: "a@b.org", Actor: "S"},
			"OrganizationID 41 and Role hmis-staff: HMIS staff belong to the CoC, not to an organization: leave out OrganizationID"},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "NOPE", Email: "a@b.org", Actor: "S"},
			"OrganizationID NOPE: no such organization (not in the imported Organization.csv)"},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "99", Email: "a@b.org", Actor: "S"},
			"OrganizationID 99 is deleted in the imported Organization.csv (DateDeleted is set)"},
		{contacts.Change{OrganizationID: "41", Email: "a@b.org", Actor: "S"}, "Role is required: liaison, notification or hmis-staff"},
		{contacts.Change{Role: "Liaison", OrganizationID: "41", Email: "a@b.org", Actor: "S"}, "Role Liaison: want liaison, notification or hmis-staff"},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Actor: "S"}, "Email is required: the contact's e-mail address (name@example.org)"},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana at harbor", Actor: "S"},
			`Email "dana at harbor": not an e-mail address: it holds a space, a control character or one of <>()[],;:"\ (want name@example.org)`},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana@harbor", Actor: "S"},
			`Email "dana@harbor": not an e-mail address: want a domain such as example.org after the @`},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "a@b.org", Name: "Dana\nReyes", Actor: "S"},
			`Name "Dana\nReyes": holds a control character (a line break or a tab): want a name on one line`},
		{contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "a@b.org", Actor: " "},
			"Actor is required: the HMIS staff member who makes the change"},
	} {
		_, err := contacts.Add(ctx, pool, tc.c)
		assert.EqualError(t, err, tc.err)
		assert.ErrorIs(t, err, engine.ErrInvalid, tc.err)
	}
	_, err := contacts.Remove(ctx, pool, contacts.Change{Role: contacts.RoleHMISStaff, OrganizationID: "41", Email: "a@b.org", Actor: "S"})
	assert.ErrorContains(t, err, "HMIS staff belong to the CoC")
	assert.Zero(t, count(t, pool, "SELECT count(*) FROM exitflow.contact"))
	assert.Zero(t, count(t, pool, "SELECT count(*) FROM exitflow.audit"))
}

// Adding a contact that is there (the address in any case) changes nothing and is not audited;
// with another name it renames it. Removing one that is not there is a NotFoundError.
func TestN5_AddTwiceIsIdempotentAndRemovingAMissingContactIsAnError(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	add := contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana@harbor.example", Name: "Dana Reyes", Actor: "Sam Ortiz"}
	res, err := contacts.Add(ctx, pool, add)
	require.NoError(t, err)
	first := res.Contact

	again := add
	again.Email, again.Name = "Dana@HARBOR.example", ""
	res, err = contacts.Add(ctx, pool, again)
	require.NoError(t, err)
	assert.Equal(t, contacts.StatusUnchanged, res.Status)
	assert.Equal(t, first, res.Contact, "the name is kept when none is given")
	res, err = contacts.Add(ctx, pool, add)
	require.NoError(t, err)
	assert.Equal(t, contacts.StatusUnchanged, res.Status)

	again.Name = "Dana R. Reyes"
	res, err = contacts.Add(ctx, pool, again)
	require.NoError(t, err)
	assert.Equal(t, contacts.StatusRenamed, res.Status)
	assert.Equal(t, "Dana R. Reyes", res.Contact.Name)
	assert.Equal(t, first.CreatedAt, res.Contact.CreatedAt)
	assert.Equal(t, 1, count(t, pool, "SELECT count(*) FROM exitflow.contact"))
	assert.Equal(t, 2, count(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'contact-add'"), "the addition and the rename")

	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "nobody@harbor.example", Actor: "Sam Ortiz"},
		{Role: contacts.RoleNotification, OrganizationID: "41", Email: "dana@harbor.example", Actor: "Sam Ortiz"}, // another role
		{Role: contacts.RoleLiaison, OrganizationID: "7", Email: "dana@harbor.example", Actor: "Sam Ortiz"},       // another agency
	} {
		_, err := contacts.Remove(ctx, pool, c)
		assert.ErrorIs(t, err, contacts.ErrNotFound, c.Email)
	}
	_, err = contacts.Remove(ctx, pool, contacts.Change{Role: contacts.RoleHMISStaff, Email: "dana@harbor.example", Actor: "Sam Ortiz"})
	assert.EqualError(t, err, "dana@harbor.example is not HMIS staff: nothing removed")
	_, err = contacts.Remove(ctx, pool, contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "7", Email: "dana@harbor.example", Actor: "Sam Ortiz"})
	assert.EqualError(t, err, "dana@harbor.example is not a liaison of organization 7: nothing removed")
	assert.Equal(t, 1, count(t, pool, "SELECT count(*) FROM exitflow.contact"))
	assert.Zero(t, count(t, pool, "SELECT count(*) FROM exitflow.audit WHERE action = 'contact-remove'"))
}

// SPEC U1: each addition and removal is in exitflow.audit with its actor, reason and details (role,
// organization, address), which engine.Audit reads.
func TestU1_ContactChangesAreAudited(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	_, err := contacts.Add(ctx, pool, contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana@harbor.example", Name: "Dana Reyes", Actor: "Sam Ortiz"})
	require.NoError(t, err)
	_, err = contacts.Add(ctx, pool, contacts.Change{Role: contacts.RoleHMISStaff, Email: "pat@coc.example", Actor: "Sam Ortiz"})
	require.NoError(t, err)
	_, err = contacts.Remove(ctx, pool, contacts.Change{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana@harbor.example", Actor: "Pat Kim"})
	require.NoError(t, err)

	entries, err := engine.Audit(ctx, pool, engine.AuditFilter{})
	require.NoError(t, err)
	require.Len(t, entries, 3)
	type details struct {
		Role           string `json:"role"`
		OrganizationID string `json:"organization_id"`
		Email          string `json:"email"`
		Status         string `json:"status"`
	}
	var got []string
	for _, e := range entries {
		assert.Contains(t, engine.AuditActions, e.Action)
		var d details
		require.NoError(t, json.Unmarshal(e.Details, &d))
		got = append(got, e.Actor+" | "+e.Action+" | "+e.Reason+" | "+d.Role+" "+d.OrganizationID+" "+d.Email+" "+d.Status)
	}
	assert.Equal(t, []string{
		"Pat Kim | contact-remove | contact remove: dana@harbor.example as a liaison of organization 41 | liaison 41 dana@harbor.example ",
		"Sam Ortiz | contact-add | contact add: pat@coc.example as HMIS staff | hmis-staff  pat@coc.example added",
		"Sam Ortiz | contact-add | contact add: dana@harbor.example as a liaison of organization 41 | liaison 41 dana@harbor.example added",
	}, got)
	assert.NotContains(t, string(entries[2].Details), "Dana Reyes", "addresses and IDs only")
}

// SPEC AG1, AG6, S2: the lookups the agreement workflows check their actors with.
func TestS2_LookupsOfLiaisonsAndHMISStaff(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	for _, c := range []contacts.Change{
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "dana@harbor.example", Actor: "S"},
		{Role: contacts.RoleLiaison, OrganizationID: "41", Email: "ali@harbor.example", Actor: "S"},
		{Role: contacts.RoleNotification, OrganizationID: "7", Email: "intake@north.example", Actor: "S"},
		{Role: contacts.RoleHMISStaff, Email: "sam@coc.example", Actor: "S"},
	} {
		_, err := contacts.Add(ctx, pool, c)
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		org, email string
		want       bool
	}{
		{"41", "dana@harbor.example", true},
		{" 41 ", " DANA@Harbor.Example ", true},
		{"7", "dana@harbor.example", false},    // a liaison of another agency
		{"7", "intake@north.example", false},   // a notification contact is no liaison
		{"41", "sam@coc.example", false},       // HMIS staff are no liaison
		{"", "dana@harbor.example", false},     // no agency
		{"41", "not an address", false},        // nobody's
		{"NOPE", "dana@harbor.example", false}, // no such agency
	} {
		ok, err := contacts.IsLiaison(ctx, pool, tc.org, tc.email)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ok, "%s %s", tc.org, tc.email)
	}
	for email, want := range map[string]bool{"sam@coc.example": true, "SAM@coc.example": true, "dana@harbor.example": false, "": false} {
		ok, err := contacts.IsHMISStaff(ctx, pool, email)
		require.NoError(t, err)
		assert.Equal(t, want, ok, email)
	}
	liaisons, err := contacts.Liaisons(ctx, pool, "41")
	require.NoError(t, err)
	assert.Equal(t, []string{"liaison 41 ali@harbor.example ", "liaison 41 dana@harbor.example "}, labels(liaisons))
	liaisons, err = contacts.Liaisons(ctx, pool, "7")
	require.NoError(t, err)
	assert.Empty(t, liaisons, "7 has a notification contact only")
	staff, err := contacts.HMISStaff(ctx, pool)
	require.NoError(t, err)
	assert.Equal(t, []string{"hmis-staff  sam@coc.example "}, labels(staff))
}

// The database keeps the rules whoever writes the tables (psql, a script): HMIS staff have no
// organization and the others one; addresses are stored trimmed and lower-cased and are unique per
// role and organization (HMIS staff included, whose organization is NULL).
func TestN5_TheDatabaseKeepsTheContactRules(t *testing.T) {
	ctx := context.Background()
	pool := coc(t)
	_, err := pool.Exec(ctx, `INSERT INTO exitflow.contact (role, organizationid, email) VALUES
		('hmis-staff', NULL, ' Sam@CoC.example '), ('liaison', '41', 'Dana@Harbor.example')`)
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, pool, `SELECT count(*) FROM exitflow.contact WHERE email = 'sam@coc.example' AND name = ''`))
	for _, sql := range []string{
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('hmis-staff', NULL, 'sam@coc.example')`,
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('liaison', '41', 'DANA@harbor.example')`,
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('hmis-staff', '41', 'x@coc.example')`,
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('liaison', NULL, 'x@coc.example')`,
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('boss', '41', 'x@coc.example')`,
		`INSERT INTO exitflow.contact (role, organizationid, email) VALUES ('liaison', '41', 'no-at-sign')`,
		`INSERT INTO exitflow.assignment (enrollmentid, email) VALUES ('E1', 'no-at-sign')`,
	} {
		_, err := pool.Exec(ctx, sql)
		assert.Error(t, err, sql)
	}
	_, err = pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, email) VALUES ('E1', ' Ana@Harbor.example ')`)
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, pool, `SELECT count(*) FROM exitflow.assignment WHERE email = 'ana@harbor.example' AND staff_name = ''`))
	_, err = pool.Exec(ctx, `INSERT INTO exitflow.assignment (enrollmentid, email) VALUES ('E1', 'ANA@harbor.example')`)
	assert.Error(t, err, "one assignment per enrollment and address, whatever its case")
}
