package generate

import (
	"strconv"
)

// svcIdx are the positions of the Services columns (the biggest file: no name lookups per row).
type svcIdx struct{ id, enr, pid, date, rt, tp, other, moving, sub, fa, fas, fae, ref int }

func newSvcIdx(t *table) svcIdx {
	return svcIdx{
		id: t.c("ServicesID"), enr: t.c("EnrollmentID"), pid: t.c("PersonalID"), date: t.c("DateProvided"),
		rt: t.c("RecordType"), tp: t.c("TypeProvided"), other: t.c("OtherTypeProvided"),
		moving: t.c("MovingOnOtherType"), sub: t.c("SubTypeProvided"), fa: t.c("FAAmount"),
		fas: t.c("FAStartDate"), fae: t.c("FAEndDate"), ref: t.c("ReferralOutcome"),
	}
}

// schedule returns days from..to with gaps of about mean days; with hit the last one is to.
func (h *household) schedule(from, to day, mean float64, hit bool) []day {
	r := h.r
	h.buf = h.buf[:0]
	for d := from; d <= to; d += 1 + expDays(r, mean-1) {
		h.buf = append(h.buf, d)
	}
	if hit && h.buf[len(h.buf)-1] != to {
		h.buf = append(h.buf, to)
	}
	return h.buf
}

// service writes one Services row; fa is a FAAmount in cents (0 = none).
func (h *household) service(e *enr, d day, rt, tp, fa int) error {
	g, t, x := h.g, h.ws.services, &h.svc
	c := g.cal
	row := t.begin(g.exportID)
	e.subs++
	row[x.id] = strconv.FormatInt(e.id*10000+int64(e.subs), 10)
	row[x.enr] = e.idStr
	row[x.pid] = e.m.pid
	row[x.date] = c.date(d)
	row[x.rt] = itoa(rt)
	row[x.tp] = itoa(tp)
	if fa > 0 {
		row[x.fa] = money(fa)
		row[x.fas] = c.date(d)
		row[x.fae] = c.date(min(d+29, e.end))
	}
	if rt == 161 {
		row[x.ref] = itoa(1 + h.r.IntN(3))
	}
	if rt == 300 && tp == 5 {
		row[x.moving] = "Furniture and household goods"
	}
	s := h.stamp(d)
	t.stamp(s, s, e.user)
	return t.write()
}

// mean days between services of the head of household, by kind (other members: twice as long).
var serviceGap = [numKinds]float64{
	kES: 2, kTH: 6, kPSH: 8, kSO: 6, kSSO: 4, kOT: 5, kSH: 4, kPHO: 10, kPHS: 8, kDS: 2, kHP: 5,
	kRRHSO: 5, kRRH: 7, kCE: 25,
}

// writeActivity writes the records that show engagement (SPEC A1): services, bed nights, current
// living situations, CE assessments and events, all between entry and the member's end. The head of
// household always has a record on the household's last activity date, so the household's last
// activity is exactly the one planned (SPEC H1).
func (h *household) writeActivity(e *enr) error {
	r, st := h.r, e.st
	hit := e.hoh
	switch st.k {
	case kNbN:
		for _, d := range e.nights {
			if err := h.service(e, d, 200, 200, 0); err != nil { // bed night
				return err
			}
		}
		if e.hoh {
			return h.cls(e, st.entry, 101, "")
		}
		return nil
	case kSO:
		mean := serviceGap[kSO]
		if !e.hoh {
			mean *= 2
		}
		for _, d := range h.schedule(st.entry, e.end, mean, hit) {
			if err := h.cls(e, d, clsSO.pick(r), soPlaces[r.IntN(len(soPlaces))]); err != nil {
				return err
			}
			if chance(r, 85) {
				if err := h.service(e, d, 141, soPATH.pick(r), 0); err != nil { // PATH service
					return err
				}
			}
			if chance(r, 5) {
				if err := h.service(e, d, 161, 1+r.IntN(7), 0); err != nil { // PATH referral
					return err
				}
			}
		}
		return nil
	case kCE:
		if !e.hoh {
			return nil
		}
		if err := h.cls(e, st.entry, clsCE.pick(r), ""); err != nil {
			return err
		}
		if err := h.assessment(e, st.entry, 1); err != nil { // crisis needs
			return err
		}
		if st.last > st.entry && chance(r, 60) {
			if err := h.assessment(e, st.entry+day(r.IntN(int(st.last-st.entry)+1)), 2); err != nil { // housing needs
				return err
			}
		}
		for _, d := range h.schedule(st.entry, e.end, serviceGap[kCE], hit) {
			if err := h.event(e, d); err != nil {
				return err
			}
		}
		return nil
	}
	mean := serviceGap[st.k]
	if !e.hoh {
		mean *= 2
	}
	for _, d := range h.schedule(st.entry, e.end, mean, hit) {
		rt, tp, fa := h.serviceType(st.k)
		if err := h.service(e, d, rt, tp, fa); err != nil {
			return err
		}
	}
	if st.k == kRRH && e.hoh && st.moveIn != 0 {
		for d := st.moveIn; d <= e.end; d += 30 {
			if err := h.service(e, d, 152, 1, (500+r.IntN(1300))*100); err != nil { // rental assistance
				return err
			}
		}
	}
	return nil
}

var (
	soPATH   = weights(1, 30, 2, 15, 4, 5, 5, 5, 6, 30, 14, 10, 10, 5)
	soPlaces = []string{"", "", "Riverside underpass", "Main St library", "Encampment by the rail yard", "Bus terminal", "Central Park"}
	svcSSVF  = weights(1, 10, 2, 60, 6, 15, 9, 10, 10, 5)
	svcRHY   = weights(2, 10, 7, 20, 8, 25, 12, 30, 17, 15)
	svcHOPWA = weights(1, 5, 2, 40, 3, 5, 4, 5, 5, 5, 6, 5, 7, 10, 8, 5, 9, 5, 10, 5, 11, 3, 12, 2, 13, 3, 14, 2)
)

// serviceType draws RecordType, TypeProvided and a financial-assistance amount (cents) for a kind.
func (h *household) serviceType(k int) (rt, tp, fa int) {
	r := h.r
	switch k {
	case kTH:
		return 142, svcRHY.pick(r), 0 // RHY service connections
	case kSSO:
		if chance(r, 10) {
			return 152, 1 + r.IntN(5), (50 + r.IntN(1500)) * 100 // SSVF financial assistance
		}
	case kOT:
		if chance(r, 20) {
			return 151, 2 + r.IntN(4), (100 + r.IntN(1200)) * 100 // HOPWA financial assistance
		}
		return 143, svcHOPWA.pick(r), 0 // HOPWA service
	case kHP:
		if chance(r, 60) {
			return 152, 1 + r.IntN(5), (100+r.IntN(1700))*100 + r.IntN(100)
		}
		return 144, 2, 0
	case kPSH, kPHO, kPHS:
		if chance(r, 2) {
			return 300, 1 + r.IntN(5), 0 // C2 Moving On assistance
		}
		return 144, 2, 0
	case kRRH:
		return 144, 2, 0
	}
	return 144, svcSSVF.pick(r), 0 // SSVF services
}

// cls writes one CurrentLivingSituation row.
func (h *household) cls(e *enr, d day, sit int, where string) error {
	g, r, t := h.g, h.r, h.ws.cls
	t.begin(g.exportID)
	e.nCLS++
	t.row[h.clsI.id] = strconv.FormatInt(e.id*1000+int64(e.nCLS), 10)
	t.row[h.clsI.enr] = e.idStr
	t.row[h.clsI.pid] = e.m.pid
	t.row[h.clsI.date] = g.cal.date(d)
	t.row[h.clsI.sit] = itoa(sit)
	if sit == 435 {
		t.row[h.clsI.sub] = itoa(subsidyTypes.pick(r))
	}
	t.row[h.clsI.where] = where
	s := h.stamp(d)
	t.stamp(s, s, e.user)
	return t.write()
}

type clsIdx struct{ id, enr, pid, date, sit, sub, where int }

func newClsIdx(t *table) clsIdx {
	return clsIdx{id: t.c("CurrentLivingSitID"), enr: t.c("EnrollmentID"), pid: t.c("PersonalID"),
		date: t.c("InformationDate"), sit: t.c("CurrentLivingSituation"), sub: t.c("CLSSubsidyType"),
		where: t.c("LocationDetails")}
}

// assessment writes a CE assessment with its questions and result.
func (h *household) assessment(e *enr, d day, level int) error {
	g, r := h.g, h.r
	e.nAsmt++
	aid := e.id*100 + int64(e.nAsmt)
	aidStr := strconv.FormatInt(aid, 10)
	s := h.stamp(d)
	t := h.ws.assessment
	t.begin(g.exportID)
	t.set("AssessmentID", aidStr)
	t.set("EnrollmentID", e.idStr)
	t.set("PersonalID", e.m.pid)
	t.set("AssessmentDate", g.cal.date(d))
	t.set("AssessmentLocation", e.st.p.name)
	t.set("AssessmentType", itoa(1+r.IntN(3)))
	t.set("AssessmentLevel", itoa(level))
	t.set("PrioritizationStatus", itoa(1+r.IntN(2)))
	t.stamp(s, s, e.user)
	if err := t.write(); err != nil {
		return err
	}
	score := 0
	for q := 1; q <= 3; q++ {
		a := r.IntN(5)
		score += a
		t = h.ws.aq
		t.begin(g.exportID)
		t.set("AssessmentQuestionID", strconv.FormatInt(aid*10+int64(q), 10))
		t.set("AssessmentID", aidStr)
		t.set("EnrollmentID", e.idStr)
		t.set("PersonalID", e.m.pid)
		t.set("AssessmentQuestionGroup", "Housing needs")
		t.set("AssessmentQuestionOrder", itoa(q))
		t.set("AssessmentQuestion", assessmentQuestions[q-1])
		t.set("AssessmentAnswer", itoa(a))
		t.stamp(s, s, e.user)
		if err := t.write(); err != nil {
			return err
		}
	}
	t = h.ws.ar
	t.begin(g.exportID)
	t.set("AssessmentResultID", aidStr)
	t.set("AssessmentID", aidStr)
	t.set("EnrollmentID", e.idStr)
	t.set("PersonalID", e.m.pid)
	t.set("AssessmentResultType", "Vulnerability score")
	t.set("AssessmentResult", itoa(score))
	t.stamp(s, s, e.user)
	return t.write()
}

// eventTarget is the kind of project a CE referral event (4.20) refers to.
var eventTarget = map[int]int{10: kES, 11: kTH, 12: kTH, 13: kRRH, 14: kPSH, 15: kPHS, 17: kES}

var assessmentQuestions = []string{"Nights slept outside in the last 3 months (0-4)", "Emergency room visits (0-4)", "Risk of harm (0-4)"}

// event writes a CE event; a referral's result date is never after the member's last activity.
func (h *household) event(e *enr, d day) error {
	g, r, t := h.g, h.r, h.ws.event
	e.nEvt++
	ev := ceEvents.pick(r)
	t.begin(g.exportID)
	t.set("EventID", strconv.FormatInt(e.id*1000+int64(e.nEvt), 10))
	t.set("EnrollmentID", e.idStr)
	t.set("PersonalID", e.m.pid)
	t.set("EventDate", g.cal.date(d))
	t.set("Event", itoa(ev))
	switch {
	case ev == 2:
		t.set("ProbSolDivRRResult", b01(chance(r, 40)))
	case ev == 5:
		t.set("ReferralCaseManageAfter", b01(chance(r, 50)))
	case ev >= 10 && ev <= 15 || ev == 17:
		ps := g.byKind[eventTarget[ev]]
		t.set("LocationCrisisOrPHHousing", ps[r.IntN(len(ps))].name)
		if chance(r, 80) {
			t.set("ReferralResult", itoa(1+r.IntN(3)))
			t.set("ResultDate", g.cal.date(min(e.end, d+day(r.IntN(21)))))
		}
	}
	s := h.stamp(d)
	t.stamp(s, s, e.user)
	return t.write()
}
