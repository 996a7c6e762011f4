package generate

import (
	"math/rand/v2"
	"strconv"
)

// member is one client of a family.
type member struct {
	n     int // 1..5 within the family; 1 is the head of household
	pid   string
	rel   int // RelationshipToHoH when not the head: 2 child, 3 spouse/partner, 4 other relative, 5 other
	dob   day
	sex   int
	vet   bool
	race  int // index into raceCols, or -1 for RaceNone
	race2 int // second race or -1
	used  bool
	first day // first entry date
	last  day // latest entry, exit or move-in date (Client.DateUpdated)
}

// stay is one household stay in one project: one HouseholdID, one enrollment per member.
type stay struct {
	n      int // 1-based within the family; part of HouseholdID and EnrollmentID
	k      int // kind
	p      *project
	entry  day
	last   day // household last activity (NbN: last bed night); the head has a record on it
	exit   day // household exit date, 0 = open
	moveIn day // PH move-in date, 0 = none
	who    []int
	nights []day // NbN bed nights of the household
	// CE stay closed by a PH move-in (SPEC PD3/PD4): exit with 435 and this subsidy type.
	housedSub int
}

// forced is a scripted stay for the first households, so that even a small export has every
// project type and every SPEC P2 window (tests rely on it).
type forced struct{ k, class int }

var script = []forced{
	{kSSO, classAlert}, {kSSO, classPast}, {kSO, classPast}, {kSO, classAlert}, {kOT, classAlert}, {kOT, classPast},
	{kSSO, classRecent}, {kSO, classRecent}, {kES, -1}, {kNbN, -1}, {kTH, -1}, {kPSH, -1}, {kSH, -1}, {kPHO, -1},
	{kPHS, -1}, {kDS, -1}, {kHP, -1}, {kRRHSO, -1}, {kRRH, -1}, {kCE, -1},
}

// maxStays is the most stays a family can have: IDs give a stay one decimal digit.
const maxStays = 9

// household generates one family and everything about it; it is reused from one family to the next.
type household struct {
	g   *gen
	ws  *tables
	pcg rand.PCG
	r   *rand.Rand

	i     int64 // household index, 1-based
	mem   []member
	stays []stay
	buf   []day // scratch dates

	svc  svcIdx
	clsI clsIdx
	stg  stageIdx
	dis  disIdx
}

func newHousehold(g *gen, ws *tables) *household {
	h := &household{g: g, ws: ws, svc: newSvcIdx(ws.services), clsI: newClsIdx(ws.cls),
		stg: newStageIdx(ws.income), dis: newDisIdx(ws.disab)}
	h.r = rand.New(&h.pcg)
	h.mem = make([]member, 0, 5)
	h.stays = make([]stay, 0, 8)
	return h
}

// generate makes and writes household i. Its random stream depends only on (seed, i).
func (h *household) generate(i int) error {
	g, r := h.g, h.r
	seedPCG(&h.pcg, g.seed, uint64(i))
	h.i = int64(i)
	h.makeFamily()
	h.stays = h.stays[:0]

	var f *forced
	if i <= len(script) {
		f = &script[i-1]
	}
	// The residential path: shelter, transitional and permanent housing stays one after the other.
	nres := resCount.pick(r)
	first := -1
	if f != nil && kinds[f.k].res {
		first = f.k
		nres = max(nres, 1)
	}
	c := g.start + day(r.IntN(640))
	for j := 0; j < nres && c < g.asOf; j++ {
		k := resKinds.pick(r)
		if j == 0 && first >= 0 {
			k = first
		}
		st := h.addStay(k, h.everyone())
		h.planResidential(st, c)
		next := st.exit
		if next == 0 {
			if st.last >= g.asOf-30 {
				break
			}
			next = st.last
		}
		c = next + expDays(r, 30)
	}
	// Side stays: outreach, services, prevention, Coordinated Entry, at any time.
	nside := sideCount.pick(r)
	if f != nil && !kinds[f.k].res {
		h.planSide(h.addStay(f.k, h.sideMembers(f.k)), f.class)
	}
	for j := 0; j < nside; j++ {
		k := sideKinds.pick(r)
		h.planSide(h.addStay(k, h.sideMembers(k)), -1)
	}
	// Coordinated Entry before permanent housing; its exit follows the move-in (SPEC PD3).
	for j, n := 0, len(h.stays); j < n && len(h.stays) < maxStays; j++ {
		if kinds[h.stays[j].k].ph() && chance(r, 35) {
			h.planCEBeforePH(j)
		}
	}
	if len(h.stays) == 0 {
		h.planSide(h.addStay(kSSO, h.sideMembers(kSSO)), -1)
	}

	for si := range h.stays {
		st := &h.stays[si]
		for _, mi := range st.who {
			m := &h.mem[mi]
			if !m.used || st.entry < m.first {
				m.first = st.entry
			}
			if !m.used || st.entry > m.last {
				m.last = st.entry
			}
			m.used = true
		}
	}
	if err := h.writeClients(); err != nil {
		return err
	}
	for si := range h.stays {
		if err := h.writeStay(&h.stays[si]); err != nil {
			return err
		}
	}
	return nil
}

// everyone is the whole family (member indexes; 0 is the head of household).
func (h *household) everyone() []int { return allMembers[:len(h.mem)] }

var allMembers = []int{0, 1, 2, 3, 4}

// sideMembers: outreach, services and day shelter usually serve the head alone.
func (h *household) sideMembers(k int) []int {
	switch k {
	case kSO, kSSO, kOT, kDS:
		if chance(h.r, 75) {
			return h.everyone()[:1]
		}
	}
	return h.everyone()
}

func (h *household) addStay(k int, who []int) *stay {
	n := len(h.stays)
	if n >= maxStays {
		panic("generate: a family has more stays than its IDs allow")
	}
	if n == cap(h.stays) {
		h.stays = append(h.stays, stay{})[:n]
	}
	h.stays = h.stays[:n+1]
	st := &h.stays[n]
	nights := st.nights[:0]
	*st = stay{n: n + 1, k: k, who: who, nights: nights}
	ps := h.g.byKind[k]
	st.p = ps[h.r.IntN(len(ps))]
	return st
}

// makeFamily draws the family: its size, relationships, ages, sex, race and veteran status.
func (h *household) makeFamily() {
	g, r := h.g, h.r
	size := familySize.pick(r)
	h.mem = h.mem[:size]
	for n := 1; n <= size; n++ {
		m := &h.mem[n-1]
		*m = member{n: n, pid: strconv.FormatInt(h.i*10+int64(n), 10), rel: 2}
		adult := true
		switch {
		case n == 1:
			m.rel = 1
		case n == 2 && chance(r, 40):
			m.rel = 3
		case n >= 3 && chance(r, 15):
			m.rel = 4 + r.IntN(2)
		default:
			adult = false
		}
		if adult {
			years := 25 + r.IntN(46)
			if chance(r, 12) {
				years = 18 + r.IntN(7)
			}
			m.dob = g.start - day(years*365+r.IntN(365))
			m.vet = chance(r, 7)
		} else {
			m.dob = g.start - day(r.IntN(17*365))
		}
		m.sex = r.IntN(2)
		if size > 1 && n == 1 && chance(r, 70) {
			m.sex = 0
		}
		m.race, m.race2 = raceIdx.pick(r), -1
		if m.race >= 0 && chance(r, 10) {
			m.race2 = raceIdx.pick(r)
		}
	}
}

var raceIdx = weights(0, 3, 1, 4, 2, 38, 3, 18, 4, 2, 5, 1, 6, 30, -1, 4)

// planResidential places a shelter, transitional or PH stay starting on day e.
func (h *household) planResidential(st *stay, e day) {
	r := h.r
	st.entry = e
	if st.k == kNbN {
		h.planNbN(st)
		return
	}
	var dur day
	switch st.k {
	case kES:
		dur = 1 + expDays(r, 35)
	case kTH:
		dur = 30 + expDays(r, 180)
	case kSH:
		dur = 10 + expDays(r, 120)
	case kPSH:
		dur = 60 + expDays(r, 500)
	case kPHO, kPHS:
		dur = 30 + expDays(r, 365)
	case kRRH:
		dur = 30 + expDays(r, 200)
	default: // kRRHSO
		dur = expDays(r, 120)
	}
	h.finish(st, e+dur, 6)
	if kinds[st.k].moveIn() && chance(r, 85) {
		wait := 75
		if st.k == kPSH {
			wait = 30
		}
		st.moveIn = e + day(r.IntN(min(wait, int(st.last-e))+1))
	}
}

// finish ends a stay whose activity would stop on day x: open if x is not before the as-of date,
// else exited shortly after x (or, with probability abandonPct, left open and inactive).
func (h *household) finish(st *stay, x day, abandonPct int) {
	g, r := h.g, h.r
	T := g.asOf
	if x >= T {
		st.last = max(st.entry, T-day(r.IntN(14)))
		return
	}
	st.last = x
	if chance(r, abandonPct) {
		return
	}
	exit := x + day(r.IntN(4))
	if !kinds[st.k].sameDay && exit == st.entry {
		exit++ // SPEC D3: no same-day exits in this project type
	}
	if exit > T {
		exit = T
	}
	if !kinds[st.k].sameDay && exit == st.entry {
		return // entered on the as-of date: stays open
	}
	st.exit = exit
}

// planNbN: bed nights on most nights of the stay; the exit is the day after the last bed night (SPEC D2).
func (h *household) planNbN(st *stay) {
	r, T := h.r, h.g.asOf
	last := st.entry + expDays(r, 30)
	open := last >= T
	if open {
		last = T
	}
	st.nights = st.nights[:0]
	for d := st.entry; d <= last; d++ {
		if d == st.entry || d == last || chance(r, 80) {
			st.nights = append(st.nights, d)
		}
	}
	st.last = last
	if !open && !chance(r, 12) {
		st.exit = last + 1 // ≤ T because last < T
	}
}

// planSide places an outreach, services, day shelter, prevention or CE stay. For projects with a
// SPEC P2 window, class says whether it is exited, open and recently active, open inside the alert
// window or open past the auto-exit window (-1: drawn at random).
func (h *household) planSide(st *stay, class int) {
	g, r := h.g, h.r
	S, T := g.start, g.asOf
	k := kinds[st.k]
	var dur day
	switch st.k {
	case kSO:
		dur = expDays(r, 150)
	case kSSO:
		dur = expDays(r, 100)
	case kOT:
		dur = expDays(r, 60)
	case kDS:
		dur = expDays(r, 30)
	case kHP:
		dur = 1 + expDays(r, 60)
	default: // kCE
		dur = expDays(r, 90)
	}
	if class < 0 && k.exitDays > 0 {
		class = inactivityClass.pick(r)
	}
	if k.exitDays == 0 || class == classExited {
		st.entry = S + day(r.IntN(int(T-S)+1))
		h.finish(st, st.entry+dur, 8)
		return
	}
	var ago int // days from the last activity to the as-of date (SPEC P2, AL1)
	switch class {
	case classRecent:
		ago = r.IntN(k.alertDays)
	case classAlert:
		ago = k.alertDays + r.IntN(k.exitDays-k.alertDays)
	default:
		ago = k.exitDays + r.IntN(int(T-S)-k.exitDays)
	}
	st.last = T - day(ago)
	st.entry = max(S, st.last-dur)
}

// planCEBeforePH adds a Coordinated Entry stay that starts before PH stay j; when the household
// moves in, the CE enrollment is usually exited on the move-in date to 435 with the PD4 subsidy type,
// else it is left open (a housed-exit candidate, SPEC PD3).
func (h *household) planCEBeforePH(j int) {
	g, r := h.g, h.r
	ph := h.stays[j]
	st := h.addStay(kCE, ph.who)
	st.entry = max(g.start, ph.entry-14-day(r.IntN(100)))
	switch {
	case ph.moveIn != 0 && chance(r, 60):
		st.last = st.entry + day(r.IntN(int(ph.moveIn-st.entry)+1))
		st.exit = ph.moveIn
		st.housedSub = destSubsidy[kinds[ph.k].ptype]
	case ph.moveIn != 0:
		st.last = st.entry + day(r.IntN(int(ph.moveIn-st.entry)+1))
	default:
		h.finish(st, ph.entry+expDays(r, 30), 10)
	}
}
