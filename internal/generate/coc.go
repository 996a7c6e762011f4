package generate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
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
