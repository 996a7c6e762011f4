package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/exitflow/exitflow/internal/contacts"
	"github.com/spf13/cobra"
)

// The contact commands' own input fields, named as their flags in the errors of internal/contacts.
func init() {
	flagOf[contacts.FieldRole] = "--role"
	flagOf[contacts.FieldEmail] = "--email"
	flagOf[contacts.FieldName] = "--name"
}

// contactCmd is `exitflow contact`: agency liaisons, notification contacts and HMIS staff (SPEC N5, S2).
func (a *app) contactCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "contact",
		Short: "Agency liaisons, notification contacts and HMIS staff: add, remove, list (SPEC N5)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(a.contactAddCmd(), a.contactRemoveCmd(), a.contactListCmd())
	return c
}

// contactRoles is the roles' description every contact command's help gives.
const contactRoles = `Roles:
  liaison        an agency's liaison: gets its alerts and agreement notices, acknowledges agreements
                 (needs --organization)
  notification   an agency's notification contact, e.g. asked to name a new head of household
                 (needs --organization)
  hmis-staff     the CoC's HMIS staff, who start, extend, cancel and resume agreements; they belong
                 to the CoC, so --organization is refused

An e-mail address is compared without case and stored trimmed and lower-cased; it is unique per
role and organization (one person may be a liaison of two agencies).`

// contactFlags are the flags of contact add and contact remove.
type contactFlags struct{ role, email, name, organization, actor string }

// change is the contact the flags name.
func (o *contactFlags) change() contacts.Change {
	return contacts.Change{Role: contacts.Role(o.role), OrganizationID: o.organization, Name: o.name, Email: o.email, Actor: o.actor}
}

// identify adds the flags that name a contact.
func (o *contactFlags) identify(c *cobra.Command, verb string) {
	f := c.Flags()
	f.StringVar(&o.role, "role", "", "the contact's `ROLE`: liaison, notification or hmis-staff (required)")
	f.StringVar(&o.email, "email", "", "the contact's e-mail `ADDRESS` (required)")
	f.StringVar(&o.organization, "organization", "", "the agency's OrganizationID (required for liaison and notification, refused for hmis-staff)")
	f.StringVar(&o.actor, "actor", "", "the HMIS staff member who "+verb+" the contact (required; recorded in the audit log)")
}

func (a *app) contactAddCmd() *cobra.Command {
	o := &contactFlags{}
	c := &cobra.Command{
		Use:   "add --role ROLE --email ADDRESS [--name NAME] [--organization ID] --actor NAME",
		Short: "Add a liaison or notification contact of an agency, or an HMIS staff member",
		Long: `Adds a contact to exitflow.contact. The organization must be in the imported Organization.csv
(and not deleted there).

` + contactRoles + `

Adding a contact that is already there (same role, organization and address) is not an error: with
another --name its name is changed, otherwise nothing changes. An addition or a change of name is
recorded in the audit log (action contact-add); a refused one changes nothing.`,
		Example: `  exitflow contact add --role liaison --organization 3 --email dana.reyes@agency.example --name "Dana Reyes" --actor "Sam Ortiz"
  exitflow contact add --role notification --organization 3 --email intake@agency.example --actor "Sam Ortiz"
  exitflow contact add --role hmis-staff --email sam.ortiz@coc.example --name "Sam Ortiz" --actor "Sam Ortiz"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.add(cmd.Context(), a, cmd.OutOrStdout()) },
	}
	o.identify(c, "adds")
	c.Flags().StringVar(&o.name, "name", "", "the contact's `NAME` (optional; staff's, never a client's)")
	return c
}

// add adds the contact and says what was done.
func (o *contactFlags) add(ctx context.Context, a *app, out io.Writer) error {
	ch, err := o.change().Check()
	if err != nil {
		return err
	}
	pool, _, err := a.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := contacts.Add(ctx, pool, ch)
	if err != nil {
		return err
	}
	label := contactLabel(res.Contact)
	switch res.Status {
	case contacts.StatusAdded:
		fmt.Fprintf(out, "added %s\n", label)
	case contacts.StatusRenamed:
		fmt.Fprintf(out, "renamed %s\n", label)
	default:
		fmt.Fprintf(out, "%s is already there: nothing changed\n", label)
	}
	return nil
}

func (a *app) contactRemoveCmd() *cobra.Command {
	o := &contactFlags{}
	c := &cobra.Command{
		Use:   "remove --role ROLE --email ADDRESS [--organization ID] --actor NAME",
		Short: "Remove a contact",
		Long: `Removes a contact from exitflow.contact, named as contact add names it: --role, --email and, for a
liaison or notification contact, --organization (which need not be in the data any more).

` + contactRoles + `

A contact that is not there is an error (exit status 1): nothing is removed. A removal is recorded
in the audit log (action contact-remove).`,
		Example: `  exitflow contact remove --role liaison --organization 3 --email dana.reyes@agency.example --actor "Sam Ortiz"
  exitflow contact remove --role hmis-staff --email sam.ortiz@coc.example --actor "Sam Ortiz"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ch, err := o.change().Check()
			if err != nil {
				return err
			}
			pool, _, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			gone, err := contacts.Remove(cmd.Context(), pool, ch)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", contactLabel(gone))
			return nil
		},
	}
	o.identify(c, "removes")
	return c
}

func (a *app) contactListCmd() *cobra.Command {
	var organization, role, format string
	c := &cobra.Command{
		Use:   "list [--organization ID] [--role ROLE] [--format table|json]",
		Short: "List the contacts: HMIS staff, then each agency's liaisons and notification contacts",
		Long: `Lists exitflow.contact: the HMIS staff first, then by organization, role and address.
--organization ID keeps one agency's liaisons and notification contacts (an organization that is
neither in the data nor has contacts is refused), --role one role.

` + contactRoles + `

Formats: table (for people; times in the CoC's time zone), json (for programs).`,
		Example: `  exitflow contact list
  exitflow contact list --organization 3
  exitflow contact list --role hmis-staff --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkListFlags(format, 0); err != nil {
				return err
			}
			pool, conf, err := a.pool(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			list, err := contacts.List(cmd.Context(), pool, contacts.Filter{OrganizationID: organization, Role: contacts.Role(role)})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONList(cmd.OutOrStdout(), list)
			}
			return writeContactTable(cmd.OutOrStdout(), list, conf.Location())
		},
	}
	f := c.Flags()
	f.StringVar(&organization, "organization", "", "only this OrganizationID's contacts")
	f.StringVar(&role, "role", "", "only this `ROLE`: liaison, notification or hmis-staff")
	f.StringVar(&format, "format", "table", "table or json")
	return c
}

// writeContactTable writes contacts for people, one line each.
func writeContactTable(out io.Writer, list []contacts.Contact, loc *time.Location) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(out, "no contacts")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tORGANIZATION\tEMAIL\tNAME\tADDED")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Role, dash(named(c.OrganizationID, c.OrganizationName)), c.Email, dash(c.Name),
			c.CreatedAt.In(loc).Format(time.DateTime))
	}
	return tw.Flush()
}

// contactLabel renders a contact as "liaison dana@agency.example (Dana Reyes) of organization 3 (Agency)".
func contactLabel(c contacts.Contact) string {
	s := string(c.Role) + " " + c.Email
	if c.Name != "" {
		s += " (" + c.Name + ")"
	}
	if c.OrganizationID != "" {
		s += " of organization " + named(c.OrganizationID, c.OrganizationName)
	}
	return s
}
