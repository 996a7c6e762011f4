package generate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/exitflow/exitflow/internal/hmis"
)

// cocWriter writes the CoC's files from one random stream of its own: the order of its draws
// fixes the output, so the steps draw in the order writeCoC calls them.
type cocWriter struct {
	g  *gen
	ws *tables
	r  *rand.Rand
}

// created is a DateCreated/DateUpdated on day d, in office hours.
func (w *cocWriter) created(d day) string { return w.g.cal.at(d, w.r.IntN(240)) }

// writeCoC writes Organization, User, Project, Funder, ProjectCoC, Inventory, Affiliation (header only),
// HMISParticipation and CEParticipation.
func (g *gen) writeCoC(ws *tables) error {
	var p rand.PCG
	seedPCG(&p, g.seed, 1<<62)
	w := &cocWriter{g: g, ws: ws, r: rand.New(&p)}
	if err := w.users(); err != nil {
		return err
	}
	if err := w.orgs(); err != nil {
		return err
	}
	for _, pr := range g.projects {
		if err := w.project(pr); err != nil {
			return err
		}
	}
	return nil
}

// users writes User.csv.
func (w *cocWriter) users() error {
	g, r := w.g, w.r
	for _, u := range g.users {
		t := w.ws.user
		t.begin(g.exportID)
		t.set("UserID", u.id)
		t.set("UserFirstName", u.first)
		t.set("UserLastName", u.last)
		t.set("UserPhone", fmt.Sprintf("555%07d", r.IntN(10000000)))
		t.set("UserEmail", u.email)
		t.row[t.created] = w.created(u.created)
		t.row[t.updated] = w.created(u.created + day(r.IntN(int(g.asOf-u.created)+1)))
		if err := t.write(); err != nil {
			return err
		}
	}
	return nil
}

// orgs writes Organization.csv.
func (w *cocWriter) orgs() error {
	g, r := w.g, w.r
	for _, o := range g.orgs {
		t := w.ws.org
		t.begin(g.exportID)
		t.set("OrganizationID", o.idStr)
		t.set("OrganizationName", o.name)
		t.set("VictimServiceProvider", "0")
		t.set("OrganizationCommonName", initials(o.name))
		d := g.start - day(3000+r.IntN(2000))
		t.stamp(w.created(d), w.created(d+day(r.IntN(1000))), g.admin)
		if err := t.write(); err != nil {
			return err
		}
	}
	return nil
}

// projectStamp is the DateCreated and DateUpdated every record of one project's setup shares.
type projectStamp struct{ created, updated string }

// project writes one project's rows: Project, Funder, ProjectCoC, Inventory (residential
// projects), HMISParticipation and CEParticipation (CE and permanent housing projects).
func (w *cocWriter) project(pr *project) error {
	k := kinds[pr.kind]
	cr := w.created(pr.opStart)
	st := projectStamp{cr, w.created(pr.opStart + day(w.r.IntN(int(w.g.start-pr.opStart))))}
	steps := []func(*project, projectStamp) error{w.projectRow, w.funder, w.projectCoC}
	if k.housing != 0 {
		steps = append(steps, w.inventory)
	}
	steps = append(steps, w.hmisParticipation)
	if k.ptype == 14 || k.ph() {
		steps = append(steps, w.ceParticipation)
	}
	for _, step := range steps {
		if err := step(pr, st); err != nil {
			return err
		}
	}
	return nil
}

// projectRow writes the project's Project.csv row.
func (w *cocWriter) projectRow(pr *project, st projectStamp) error {
	k := kinds[pr.kind]
	t := w.ws.project
	t.begin(w.g.exportID)
	t.set("ProjectID", pr.idStr)
	t.set("OrganizationID", pr.org.idStr)
	t.set("ProjectName", pr.name)
	t.set("ProjectCommonName", initials(pr.org.name)+" "+kindShort(pr.kind))
	t.set("OperatingStartDate", w.g.cal.date(pr.opStart))
	t.set("ContinuumProject", "1")
	t.set("ProjectType", itoa(k.ptype))
	if k.housing != 0 {
		t.set("HousingType", itoa(k.housing))
	}
	if k.ptype == 13 {
		t.set("RRHSubType", itoa(k.rrhSub))
	}
	if k.ptype == 6 {
		t.set("ResidentialAffiliation", "0")
	}
	t.set("TargetPopulation", "4")
	t.set("HOPWAMedAssistedLivingFac", "2")
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// funder writes the project's Funder.csv row.
func (w *cocWriter) funder(pr *project, st projectStamp) error {
	t := w.ws.funder
	t.begin(w.g.exportID)
	t.set("FunderID", pr.idStr)
	t.set("ProjectID", pr.idStr)
	funder, other := funderOf(pr.kind)
	t.set("Funder", itoa(funder))
	t.set("OtherFunder", other)
	t.set("GrantID", fmt.Sprintf("%s%02d%04d", strings.ReplaceAll(CoCCode, "-", ""), pr.kind, pr.id))
	t.set("StartDate", w.g.cal.date(pr.opStart))
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// projectCoC writes the project's ProjectCoC.csv row: its CoC and a made-up address.
func (w *cocWriter) projectCoC(pr *project, st projectStamp) error {
	r := w.r
	t := w.ws.projectCoC
	t.begin(w.g.exportID)
	t.set("ProjectCoCID", pr.idStr)
	t.set("ProjectID", pr.idStr)
	t.set("CoCCode", CoCCode)
	t.set("Geocode", fmt.Sprintf("%06d", 199000+r.IntN(999)))
	t.set("Address1", fmt.Sprintf("%d %s", 10+r.IntN(990), []string{"Main St", "Oak Ave", "River Rd", "Pine St", "Market St"}[r.IntN(5)]))
	t.set("City", "Riverton")
	t.set("State", "XX")
	t.set("ZIP", fmt.Sprintf("%05d", 86000+r.IntN(999)))
	t.set("GeographyType", itoa(1+r.IntN(3)))
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// inventory writes the Inventory.csv row of a residential project: its beds and units.
func (w *cocWriter) inventory(pr *project, st projectStamp) error {
	r, k := w.r, kinds[pr.kind]
	t := w.ws.inventory
	t.begin(w.g.exportID)
	t.set("InventoryID", pr.idStr)
	t.set("ProjectID", pr.idStr)
	t.set("CoCCode", CoCCode)
	hhType := 1 // households without children
	if r.IntN(2) == 0 {
		hhType = 3 // households with at least one adult and one child
	}
	beds := 10 + r.IntN(90)
	units := beds
	if hhType == 3 {
		units = beds / 3
	}
	vet := 0
	if r.IntN(4) == 0 {
		vet = beds / 5
	}
	t.set("HouseholdType", itoa(hhType))
	if k.ptype == 0 || k.ptype == 1 {
		t.set("Availability", "1") // year-round
		t.set("ESBedType", "1")    // facility-based
	}
	t.set("UnitInventory", itoa(units))
	t.set("BedInventory", itoa(beds))
	t.set("CHVetBedInventory", "0")
	t.set("YouthVetBedInventory", "0")
	t.set("VetBedInventory", itoa(vet))
	t.set("CHYouthBedInventory", "0")
	t.set("YouthBedInventory", "0")
	t.set("CHBedInventory", "0")
	t.set("OtherBedInventory", itoa(beds-vet))
	t.set("InventoryStartDate", w.g.cal.date(pr.opStart))
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// hmisParticipation writes the project's HMISParticipation.csv row: SPEC PD7, CE projects need
// HMIS participation and CE participation records in effect.
func (w *cocWriter) hmisParticipation(pr *project, st projectStamp) error {
	t := w.ws.hmisPart
	t.begin(w.g.exportID)
	t.set("HMISParticipationID", pr.idStr)
	t.set("ProjectID", pr.idStr)
	t.set("HMISParticipationType", "1")
	t.set("HMISParticipationStatusStartDate", w.g.cal.date(pr.opStart))
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// ceParticipation writes the CEParticipation.csv row of a CE project (an access point) or a
// permanent housing project (it receives referrals).
func (w *cocWriter) ceParticipation(pr *project, st projectStamp) error {
	k := kinds[pr.kind]
	t := w.ws.cePart
	t.begin(w.g.exportID)
	t.set("CEParticipationID", pr.idStr)
	t.set("ProjectID", pr.idStr)
	ce := k.ptype == 14
	t.set("AccessPoint", b01(ce))
	t.set("PreventionAssessment", b01(ce))
	t.set("CrisisAssessment", b01(ce))
	t.set("HousingAssessment", b01(ce))
	t.set("DirectServices", "0")
	t.set("ReceivesReferrals", b01(!ce))
	t.set("CEParticipationStatusStartDate", w.g.cal.date(pr.opStart))
	t.stamp(st.created, st.updated, w.g.admin)
	return t.write()
}

// writeExport writes Export.csv, the last file: one row whose ExportID every other row repeats.
func (g *gen) writeExport(ws *tables, dir string) error {
	t := ws.export
	file, err := os.Create(filepath.Join(dir, t.f.CSV()))
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	defer file.Close()
	w, err := hmis.NewWriter(file, t.f)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	t.w = w
	c := g.cal
	t.begin(g.exportID)
	t.set("SourceType", "1")
	t.set("SourceID", CoCCode)
	t.set("SourceName", "Riverton CoC HMIS (synthetic)")
	t.set("SourceContactFirst", "HMIS")
	t.set("SourceContactLast", "Lead")
	t.set("SourceContactEmail", "hmis-lead@example.org")
	t.set("ExportDate", c.date(g.asOf)+" 12:00:00")
	t.set("ExportStartDate", c.date(g.start))
	t.set("ExportEndDate", c.date(g.asOf))
	t.set("SoftwareName", "exitflow generate")
	t.set("SoftwareVersion", "1")
	t.set("CSVVersion", "2026 v1.0")
	t.set("ExportPeriodType", "4") // full export
	t.set("ExportDirective", "2")  // full refresh
	t.set("HashStatus", "1")       // unhashed
	t.set("ImplementationID", "exitflow-synthetic-"+CoCCode)
	if err := t.write(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("generate: writing %s: %w", t.f.CSV(), err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("generate: closing %s: %w", t.f.CSV(), err)
	}
	return nil
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		if w[0] >= '0' && w[0] <= '9' {
			b.WriteString(" " + w)
			continue
		}
		b.WriteByte(w[0])
	}
	return b.String()
}

func kindShort(k int) string {
	return [numKinds]string{"ES", "ES-NbN", "TH", "PSH", "SO", "SSO", "OTH", "SH", "PH-HO", "PH-HS", "DAY", "HP", "RRH-SSO", "RRH", "CE"}[k]
}

// funderOf is a plausible HUD funder (2.06.1) for a kind; OtherFunder text only with 46.
func funderOf(k int) (int, string) {
	switch k {
	case kES, kNbN:
		return 8, "" // HUD:ESG - Emergency Shelter
	case kTH:
		return 5, "" // HUD:CoC - Transitional Housing
	case kPSH, kPHO, kPHS:
		return 2, "" // HUD:CoC - Permanent Supportive Housing
	case kSO:
		return 11, "" // HUD:ESG - Street Outreach
	case kSSO:
		return 4, "" // HUD:CoC - Supportive Services Only
	case kSH:
		return 6, "" // HUD:CoC - Safe Haven
	case kHP:
		return 9, "" // HUD:ESG - Homelessness Prevention
	case kRRH, kRRHSO:
		return 3, "" // HUD:CoC - Rapid Re-Housing
	case kCE:
		return 4, "" // HUD:CoC - SSO (Coordinated Entry)
	default:
		return 46, "County general fund"
	}
}
