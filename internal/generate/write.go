package generate

import (
	"strconv"
)

// age18 is 18 years in days (rounded down).
const age18 = 6574

var raceCols = []string{"AmIndAKNative", "Asian", "BlackAfAmerican", "HispanicLatinao", "MidEastNAfrican", "NativeHIPacific", "White"}

// stamp is a DateCreated/DateUpdated for a record about day d: that day or a few days later, never
// after the as-of date, always in office hours before the 12:00:00 export time.
func (h *household) stamp(d day) string {
	r := h.r
	lag := 0
	switch x := r.IntN(100); {
	case x < 60:
	case x < 85:
		lag = 1
	default:
		lag = 2 + r.IntN(4)
	}
	d += day(lag)
	if d > h.g.asOf {
		d = h.g.asOf
	}
	return h.g.cal.at(d, r.IntN(240))
}

func (h *household) writeClients() error {
	g, r, t := h.g, h.r, h.ws.client
	c := g.cal
	for mi := range h.mem {
		m := &h.mem[mi]
		if !m.used {
			continue
		}
		t.begin(g.exportID)
		t.set("PersonalID", m.pid)
		t.set("FirstName", "Client")
		t.set("LastName", m.pid)
		t.set("NameDataQuality", "1")
		if chance(r, 88) {
			// 9xx area numbers are never issued as SSNs: synthetic, never a real person's.
			t.set("SSN", "9"+strconv.Itoa(10000000+r.IntN(90000000)))
			t.set("SSNDataQuality", "1")
		} else {
			t.set("SSNDataQuality", "99")
		}
		t.set("DOB", c.date(m.dob))
		t.set("DOBDataQuality", "1")
		for ri, col := range raceCols {
			t.set(col, b01(ri == m.race || ri == m.race2))
		}
		if m.race < 0 {
			t.set("RaceNone", "99")
		}
		t.set("Sex", itoa(m.sex))
		if m.first-m.dob >= age18 {
			t.set("VeteranStatus", b01(m.vet))
			if m.vet {
				y, now := m.dob.time().Year(), g.asOf.time().Year()
				in := min(y+18+r.IntN(4), now)
				t.set("YearEnteredService", itoa(in))
				t.set("YearSeparated", itoa(min(in+2+r.IntN(10), now)))
				for _, w := range []string{"WorldWarII", "KoreanWar", "VietnamWar", "DesertStorm", "AfghanistanOEF", "IraqOIF", "IraqOND", "OtherTheater"} {
					t.set(w, "0")
				}
				t.set("MilitaryBranch", itoa([]int{1, 1, 2, 3, 4, 6}[r.IntN(6)]))
				t.set("DischargeStatus", itoa([]int{1, 1, 1, 2, 6, 7}[r.IntN(6)]))
			}
		}
		user := h.stays[0].p.user(r)
		cr := h.stamp(m.first)
		up := cr
		if m.last > m.first {
			up = h.stamp(m.last)
		}
		t.stamp(cr, maxStamp(cr, up), user)
		if err := t.write(); err != nil {
			return err
		}
	}
	return nil
}

// maxStamp returns the later of two HUD datetimes (their text sorts like their time).
func maxStamp(a, b string) string {
	if b > a {
		return b
	}
	return a
}

// enr is one member's enrollment in a stay; its IDs derive from the household index (no global state).
type enr struct {
	st      *stay
	m       *member
	hoh     bool
	adult   bool
	id      int64
	idStr   string
	hhID    string
	user    string
	end     day // last day this member can have activity (SPEC A1/D4: ≤ exit, ≤ as-of)
	exit    day // 0 = open
	nights  []day
	disType int // a disabling condition's DisabilityType, 0 = none
	subs    int // per-file row counters
	nCLS    int
	nStage  int
	nEvt    int
	nAsmt   int
}

func (h *household) writeStay(st *stay) error {
	r := h.r
	user := st.p.user(r)
	hhID := strconv.FormatInt(h.i*10+int64(st.n), 10)
	hhDest, hhSub, hhOther := h.destination(st, st.exit)
	for wi, mi := range st.who {
		m := &h.mem[mi]
		e := enr{
			st: st, m: m, hoh: wi == 0, adult: st.entry-m.dob >= age18,
			id: h.i*100 + int64(st.n)*10 + int64(m.n), hhID: hhID, user: user,
			end: st.last, exit: st.exit, nights: st.nights,
		}
		e.idStr = strconv.FormatInt(e.id, 10)
		dest, sub, other := hhDest, hhSub, hhOther
		// Members other than the head may leave earlier on their own (never the head: SPEC Q1
		// "open households whose HoH has exited" is a data quality problem).
		if !e.hoh && chance(r, 6) {
			if h.earlyExit(&e) {
				dest, sub, other = h.destination(st, e.exit)
			}
		}
		if chance(r, 25) || (e.adult && chance(r, 15)) {
			e.disType = []int{5, 7, 9, 10, 6}[r.IntN(5)]
		}
		if err := h.writeEnrollment(&e); err != nil {
			return err
		}
		if err := h.writeActivity(&e); err != nil {
			return err
		}
		if err := h.writeStages(&e); err != nil {
			return err
		}
		if e.exit != 0 {
			if err := h.writeExit(&e, dest, sub, other); err != nil {
				return err
			}
		}
	}
	return nil
}

// earlyExit makes a non-head member leave before the household; false if the stay is too short.
func (h *household) earlyExit(e *enr) bool {
	r, st := h.r, e.st
	if st.k == kNbN {
		if len(st.nights) < 2 {
			return false
		}
		j := r.IntN(len(st.nights) - 1)
		e.nights = st.nights[:j+1]
		e.end = st.nights[j]
		e.exit = e.end + 1 // SPEC D2: the day after the member's last bed night
		return true
	}
	lo := st.entry
	if !kinds[st.k].sameDay {
		lo++ // SPEC D3
	}
	hi := st.last // the member's exit is never after the household's last activity (SPEC H1)
	if st.exit != 0 && hi >= st.exit {
		hi = st.exit - 1
	}
	if hi < lo {
		return false
	}
	e.exit = lo + day(r.IntN(int(hi-lo)+1))
	e.end = e.exit
	return true
}

// destination draws an exit destination (3.12) for a stay exited on day exit; subsidy only with 435,
// text only with 17 (SPEC section 2).
func (h *household) destination(st *stay, exit day) (dest, sub int, other string) {
	r := h.r
	k := kinds[st.k]
	switch {
	case exit == 0:
		return 0, 0, ""
	case st.housedSub != 0:
		return 435, st.housedSub, ""
	case st.moveIn != 0 && st.moveIn <= exit:
		dest = destHoused.pick(r)
		if dest == 435 && chance(r, 70) {
			sub = destSubsidy[k.ptype]
		}
	case st.k == kHP || st.k == kSSO || st.k == kOT:
		dest = destHousedBefore.pick(r)
	default:
		dest = destHomeless.pick(r)
	}
	if dest == 435 && sub == 0 {
		sub = subsidyTypes.pick(r)
	}
	if dest == 17 {
		other = otherDests[r.IntN(len(otherDests))]
	}
	return dest, sub, other
}

func (h *household) writeEnrollment(e *enr) error {
	g, r, t := h.g, h.r, h.ws.enrollment
	c := g.cal
	st := e.st
	t.begin(g.exportID)
	t.set("EnrollmentID", e.idStr)
	t.set("PersonalID", e.m.pid)
	t.set("ProjectID", st.p.idStr)
	t.set("EntryDate", c.date(st.entry))
	t.set("HouseholdID", e.hhID)
	rel := 1
	if !e.hoh {
		rel = e.m.rel
	}
	t.set("RelationshipToHoH", itoa(rel))
	t.set("EnrollmentCoC", CoCCode)
	if e.hoh || e.adult {
		var ls int
		if st.k == kHP {
			ls = livingAtRisk.pick(r)
		} else {
			ls = livingHomeless.pick(r)
		}
		t.set("LivingSituation", itoa(ls))
		if ls == 435 {
			t.set("RentalSubsidyType", itoa(subsidyTypes.pick(r)))
		}
		homeless := ls < 200
		los := []int{10, 11, 2, 3, 4, 5}[r.IntN(6)]
		t.set("LengthOfStay", itoa(los))
		street := homeless
		if !homeless {
			under := los == 10 || los == 11
			t.set("LOSUnderThreshold", b01(under))
			if under {
				street = chance(r, 50)
				t.set("PreviousStreetESSH", b01(street))
			}
		}
		if street {
			t.set("DateToStreetESSH", c.date(st.entry-day(r.IntN(700))))
			t.set("TimesHomelessPastThreeYears", itoa(1+r.IntN(4)))
			t.set("MonthsHomelessPastThreeYears", itoa(101+r.IntN(13)))
		}
	}
	t.set("DisablingCondition", b01(e.disType != 0))
	if (st.k == kSO || st.k == kNbN) && (e.hoh || e.adult) && chance(r, 60) {
		t.set("DateOfEngagement", c.date(st.entry+day(r.IntN(int(min(30, e.end-st.entry))+1))))
	}
	if st.moveIn != 0 && (e.exit == 0 || st.moveIn <= e.exit) {
		t.set("MoveInDate", c.date(st.moveIn))
	}
	cr := h.stamp(st.entry)
	up := cr
	if e.exit != 0 {
		up = maxStamp(cr, h.stamp(e.exit))
	} else if st.moveIn != 0 {
		up = maxStamp(cr, h.stamp(st.moveIn))
	}
	t.stamp(cr, up, e.user)
	return t.write()
}

func (h *household) writeExit(e *enr, dest, sub int, other string) error {
	g, t := h.g, h.ws.exit
	t.begin(g.exportID)
	t.set("ExitID", e.idStr)
	t.set("EnrollmentID", e.idStr)
	t.set("PersonalID", e.m.pid)
	t.set("ExitDate", g.cal.date(e.exit))
	t.set("Destination", itoa(dest))
	if dest == 435 {
		t.set("DestinationSubsidyType", itoa(sub))
	}
	if dest == 17 {
		t.set("OtherDestination", other)
	}
	s := h.stamp(e.exit)
	t.stamp(s, s, e.user)
	return t.write()
}
