package generate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/hmis"
)

// CoCCode is the Continuum of Care code of every generated project and enrollment.
const CoCCode = "XX-501"

// kind is a project type (and RRH subtype) with how households use it.
type kind struct {
	ptype     int    // HUD ProjectType (2.02.6)
	rrhSub    int    // RRHSubType, only for ProjectType 13
	name      string // used in project names
	weight    int    // share of the projects beyond the first of each kind
	res       bool   // a stay on the household's residential path (else a side stay)
	sameDay   bool   // same-day exits allowed (SPEC D3)
	exitDays  int    // SPEC P2 built-in auto-exit window, 0 = off
	alertDays int    // SPEC P2 built-in alert window
	housing   int    // HousingType (residential projects only)
}

// Kinds, in the order their first project is created.
const (
	kES = iota
	kNbN
	kTH
	kPSH
	kSO
	kSSO
	kOT
	kSH
	kPHO
	kPHS
	kDS
	kHP
	kRRHSO
	kRRH
	kCE
	numKinds
)

var kinds = [numKinds]kind{
	kES:    {ptype: 0, name: "Emergency Shelter", weight: 14, res: true, housing: 1},
	kNbN:   {ptype: 1, name: "Night Shelter", weight: 8, res: true, housing: 1},
	kTH:    {ptype: 2, name: "Transitional Housing", weight: 8, res: true, housing: 2},
	kPSH:   {ptype: 3, name: "Permanent Supportive Housing", weight: 10, res: true, housing: 3},
	kSO:    {ptype: 4, name: "Street Outreach", weight: 8, sameDay: false, exitDays: 365, alertDays: 300},
	kSSO:   {ptype: 6, name: "Supportive Services", weight: 10, sameDay: true, exitDays: 90, alertDays: 80},
	kOT:    {ptype: 7, name: "Community Services", weight: 4, sameDay: true, exitDays: 90, alertDays: 80},
	kSH:    {ptype: 8, name: "Safe Haven", weight: 2, res: true, housing: 1},
	kPHO:   {ptype: 9, name: "Housing Only", weight: 3, res: true, housing: 3},
	kPHS:   {ptype: 10, name: "Housing with Services", weight: 3, res: true, housing: 2},
	kDS:    {ptype: 11, name: "Day Center", weight: 3, sameDay: true},
	kHP:    {ptype: 12, name: "Prevention", weight: 6, sameDay: true},
	kRRHSO: {ptype: 13, rrhSub: 1, name: "RRH Services", weight: 3, res: true, sameDay: true},
	kRRH:   {ptype: 13, rrhSub: 2, name: "Rapid Re-Housing", weight: 10, res: true, housing: 3},
	kCE:    {ptype: 14, name: "Coordinated Entry", weight: 3, sameDay: true},
}

// permanent housing project types (SPEC section 2).
func (k kind) ph() bool { return k.ptype == 3 || k.ptype == 9 || k.ptype == 10 || k.ptype == 13 }

// moveIn tells whether the project records a housing move-in date (RRH services-only does not).
func (k kind) moveIn() bool { return k.ph() && k.rrhSub != 1 }

type org struct {
	id    int
	idStr string
	name  string
	users []string // UserIDs of the agency's staff
}

type project struct {
	id      int
	idStr   string
	org     *org
	kind    int
	name    string
	opStart day
}

// gen holds what every household needs: the as-of date, the calendar and the CoC (O(projects)).
type gen struct {
	seed       uint64
	asOf       day // SPEC: the export's end date; no activity after it
	start      day // export start: as-of minus two years
	exportID   string
	cal        *calendar
	households int

	orgs     []*org
	projects []*project
	byKind   [numKinds][]*project
	admin    string // the HMIS lead's user
	users    []userRow
}

type userRow struct {
	id, first, last, email string
	org                    *org
	created                day
}

func newGen(seed uint64, asOf time.Time, households int) *gen {
	T := dayOf(asOf)
	S := dayOf(asOf.AddDate(-2, 0, 0))
	g := &gen{
		seed:       seed,
		asOf:       T,
		start:      S,
		exportID:   fmt.Sprintf("%s%d", asOf.Format("20060102"), seed),
		cal:        newCalendar(T-366*25, T+1),
		households: households,
	}
	g.buildCoC()
	return g
}

// mix is splitmix64: it turns (seed, stream) into well-spread PCG state.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// seedPCG seeds p for one stream of the run (0 = the CoC, i = household i).
func seedPCG(p *rand.PCG, seed, stream uint64) {
	a := mix(seed ^ mix(stream))
	p.Seed(a, mix(a^0x5851f42d4c957f2d))
}

var orgNames = []string{
	"Harbor Light Services", "Maple Street Mission", "Northside Family Center", "Riverbend Housing Partners",
	"Open Door Outreach", "Cedar Grove Shelter", "Lighthouse Youth Services", "Second Chance Veterans Alliance",
	"Bridgeway Housing", "Cornerstone Community Action", "Summit Health Services", "Pine Valley Housing Trust",
	"Willow Creek Family Services", "Eastside Neighbors", "Unity Coordinated Access", "Sunrise Recovery Center",
}

var firstNames = []string{"Alex", "Jordan", "Maria", "Sam", "Priya", "Chen", "Fatima", "Luis", "Grace", "Omar", "Dana", "Kim"}
var lastNames = []string{"Rivera", "Nguyen", "Okafor", "Smith", "Haddad", "Kowalski", "Johnson", "Patel", "Garcia", "Lee"}

// buildCoC creates organizations, users and projects: ~1 project per 500 households, at least one of
// every kind, ~6 projects per organization.
func (g *gen) buildCoC() {
	var p rand.PCG
	seedPCG(&p, g.seed, 0)
	r := rand.New(&p)

	nProj := max(numKinds, g.households/500)
	nOrg := max(4, (nProj+5)/6)
	for i := 1; i <= nOrg; i++ {
		name := orgNames[(i-1)%len(orgNames)]
		if i > len(orgNames) {
			name = fmt.Sprintf("%s %d", name, (i-1)/len(orgNames)+1)
		}
		g.orgs = append(g.orgs, &org{id: i, idStr: itoa(i), name: name})
	}
	// Users: the HMIS lead's administrator, then two staff per agency.
	uid := 1
	addUser := func(o *org) string {
		id := itoa(uid)
		uid++
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		domain := "hmis-lead.example.org"
		if o != nil {
			domain = "agency" + o.idStr + ".example.org"
		}
		g.users = append(g.users, userRow{
			id: id, first: first, last: last, org: o,
			email:   strings.ToLower(first+"."+last+id) + "@" + domain,
			created: g.start - day(200+r.IntN(2500)),
		})
		return id
	}
	g.admin = addUser(nil)
	for _, o := range g.orgs {
		o.users = append(o.users, addUser(o), addUser(o))
	}

	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	used := map[string]int{}
	for i := 1; i <= nProj; i++ {
		k := i - 1
		if k >= numKinds {
			x := r.IntN(total)
			for k = 0; x >= kinds[k].weight; k++ {
				x -= kinds[k].weight
			}
		}
		o := g.orgs[r.IntN(len(g.orgs))]
		if k == kCE && i <= numKinds {
			o = g.orgs[len(g.orgs)-1] // the first CE project belongs to the last agency
		}
		name := o.name + " " + kinds[k].name
		used[name]++
		if n := used[name]; n > 1 {
			name = fmt.Sprintf("%s %d", name, n)
		}
		pr := &project{
			id: i, idStr: itoa(i), org: o, kind: k, name: name,
			opStart: g.start - day(365+r.IntN(365*12)),
		}
		g.projects = append(g.projects, pr)
		g.byKind[k] = append(g.byKind[k], pr)
	}
}

// user picks one of the agency's staff.
func (pr *project) user(r *rand.Rand) string { return pr.org.users[r.IntN(len(pr.org.users))] }

// writeCoC writes Organization, User, Project, Funder, ProjectCoC, Inventory, Affiliation (header only),
// HMISParticipation and CEParticipation.
func (g *gen) writeCoC(ws *tables) error {
	var p rand.PCG
	seedPCG(&p, g.seed, 1<<62)
	r := rand.New(&p)
	c := g.cal
	x := g.exportID
	created := func(d day) string { return c.at(d, r.IntN(240)) }

	for _, u := range g.users {
		t := ws.user
		t.begin(x)
		t.set("UserID", u.id)
		t.set("UserFirstName", u.first)
		t.set("UserLastName", u.last)
		t.set("UserPhone", fmt.Sprintf("555%07d", r.IntN(10000000)))
		t.set("UserEmail", u.email)
		t.row[t.created] = created(u.created)
		t.row[t.updated] = created(u.created + day(r.IntN(int(g.asOf-u.created)+1)))
		if err := t.write(); err != nil {
			return err
		}
	}
	for _, o := range g.orgs {
		t := ws.org
		t.begin(x)
		t.set("OrganizationID", o.idStr)
		t.set("OrganizationName", o.name)
		t.set("VictimServiceProvider", "0")
		t.set("OrganizationCommonName", initials(o.name))
		d := g.start - day(3000+r.IntN(2000))
		t.stamp(created(d), created(d+day(r.IntN(1000))), g.admin)
		if err := t.write(); err != nil {
			return err
		}
	}
	for _, pr := range g.projects {
		k := kinds[pr.kind]
		cr := created(pr.opStart)
		up := created(pr.opStart + day(r.IntN(int(g.start-pr.opStart))))

		t := ws.project
		t.begin(x)
		t.set("ProjectID", pr.idStr)
		t.set("OrganizationID", pr.org.idStr)
		t.set("ProjectName", pr.name)
		t.set("ProjectCommonName", initials(pr.org.name)+" "+kindShort(pr.kind))
		t.set("OperatingStartDate", c.date(pr.opStart))
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
		t.stamp(cr, up, g.admin)
		if err := t.write(); err != nil {
			return err
		}

		t = ws.funder
		t.begin(x)
		t.set("FunderID", pr.idStr)
		t.set("ProjectID", pr.idStr)
		funder, other := funderOf(pr.kind)
		t.set("Funder", itoa(funder))
		t.set("OtherFunder", other)
		t.set("GrantID", fmt.Sprintf("%s%02d%04d", strings.ReplaceAll(CoCCode, "-", ""), pr.kind, pr.id))
		t.set("StartDate", c.date(pr.opStart))
		t.stamp(cr, up, g.admin)
		if err := t.write(); err != nil {
			return err
		}

		t = ws.projectCoC
		t.begin(x)
		t.set("ProjectCoCID", pr.idStr)
		t.set("ProjectID", pr.idStr)
		t.set("CoCCode", CoCCode)
		t.set("Geocode", fmt.Sprintf("%06d", 199000+r.IntN(999)))
		t.set("Address1", fmt.Sprintf("%d %s", 10+r.IntN(990), []string{"Main St", "Oak Ave", "River Rd", "Pine St", "Market St"}[r.IntN(5)]))
		t.set("City", "Riverton")
		t.set("State", "XX")
		t.set("ZIP", fmt.Sprintf("%05d", 86000+r.IntN(999)))
		t.set("GeographyType", itoa(1+r.IntN(3)))
		t.stamp(cr, up, g.admin)
		if err := t.write(); err != nil {
			return err
		}

		if k.housing != 0 {
			t = ws.inventory
			t.begin(x)
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
			t.set("InventoryStartDate", c.date(pr.opStart))
			t.stamp(cr, up, g.admin)
			if err := t.write(); err != nil {
				return err
			}
		}

		// SPEC PD7: CE projects need HMIS participation and CE participation records in effect.
		t = ws.hmisPart
		t.begin(x)
		t.set("HMISParticipationID", pr.idStr)
		t.set("ProjectID", pr.idStr)
		t.set("HMISParticipationType", "1")
		t.set("HMISParticipationStatusStartDate", c.date(pr.opStart))
		t.stamp(cr, up, g.admin)
		if err := t.write(); err != nil {
			return err
		}

		if k.ptype == 14 || k.ph() {
			t = ws.cePart
			t.begin(x)
			t.set("CEParticipationID", pr.idStr)
			t.set("ProjectID", pr.idStr)
			ce := k.ptype == 14
			t.set("AccessPoint", b01(ce))
			t.set("PreventionAssessment", b01(ce))
			t.set("CrisisAssessment", b01(ce))
			t.set("HousingAssessment", b01(ce))
			t.set("DirectServices", "0")
			t.set("ReceivesReferrals", b01(!ce))
			t.set("CEParticipationStatusStartDate", c.date(pr.opStart))
			t.stamp(cr, up, g.admin)
			if err := t.write(); err != nil {
				return err
			}
		}
	}
	return nil
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
