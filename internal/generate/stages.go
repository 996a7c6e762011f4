package generate

import "strconv"

// Data collection stages (SPEC section 2).
const (
	stageEntry  = 1
	stageUpdate = 2
	stageExit   = 3
	stageAnnual = 5
)

// stageIdx are column positions of the per-stage files, looked up once.
type stageIdx struct {
	ibSources, ibAmounts, ibBenefits, ibInsurance []int
}

func newStageIdx(t *table) stageIdx {
	var x stageIdx
	for _, s := range []string{"Earned", "Unemployment", "SSI", "SSDI", "VADisabilityService", "VADisabilityNonService",
		"PrivateDisability", "WorkersComp", "TANF", "GA", "SocSecRetirement", "Pension", "ChildSupport", "Alimony"} {
		x.ibSources = append(x.ibSources, t.c(s))
		x.ibAmounts = append(x.ibAmounts, t.c(s+"Amount"))
	}
	x.ibSources = append(x.ibSources, t.c("OtherIncomeSource"))
	x.ibAmounts = append(x.ibAmounts, t.c("OtherIncomeAmount"))
	for _, s := range []string{"SNAP", "WIC", "TANFChildCare", "TANFTransportation", "OtherTANF", "OtherBenefitsSource"} {
		x.ibBenefits = append(x.ibBenefits, t.c(s))
	}
	for _, s := range []string{"Medicaid", "Medicare", "SCHIP", "VHAServices", "EmployerProvided", "COBRA", "PrivatePay",
		"StateHealthIns", "IndianHealthServices", "OtherInsurance"} {
		x.ibInsurance = append(x.ibInsurance, t.c(s))
	}
	return x
}

// incomeSource: index into ibSources (Earned, SSI, SSDI, TANF, SocSecRetirement, ChildSupport) by weight.
var incomeSource = weights(0, 50, 2, 18, 3, 14, 8, 6, 10, 8, 12, 4)

// writeStages writes the assessments collected at entry, update, annual assessment and exit (SPEC A1:
// updates and annual assessments count as activity, so they are never after the member's end).
func (h *household) writeStages(e *enr) error {
	r, st := h.r, e.st
	if err := h.stageRecords(e, st.entry, stageEntry); err != nil {
		return err
	}
	if e.end-st.entry >= 45 && chance(r, 20) {
		d := st.entry + 1 + day(r.IntN(int(e.end-st.entry)))
		if err := h.stageRecords(e, d, stageUpdate); err != nil {
			return err
		}
	}
	// Annual assessments: within 30 days before each anniversary of entry.
	for y := 1; ; y++ {
		d := st.entry + day(365*y-r.IntN(31))
		if d > e.end {
			break
		}
		if err := h.stageRecords(e, d, stageAnnual); err != nil {
			return err
		}
	}
	if e.exit != 0 {
		return h.stageRecords(e, e.exit, stageExit)
	}
	return nil
}

// stageRecords writes one stage: income and benefits and health/DV for the head and adults, employment
// for adults, disabilities for everyone (entry and exit), school status for school-age children.
func (h *household) stageRecords(e *enr, d day, stage int) error {
	sr := h.newStageRec(e, d, stage)
	if e.hoh || e.adult {
		if err := h.writeIncome(sr); err != nil {
			return err
		}
		if err := h.writeHealth(sr); err != nil {
			return err
		}
	}
	if e.adult && sr.full {
		if err := h.writeEmployment(sr); err != nil {
			return err
		}
	}
	if sr.full {
		if err := h.writeDisabilities(sr); err != nil {
			return err
		}
	}
	age := int(d-e.m.dob) / 365
	if sr.full && !e.adult && age >= 5 && kinds[e.st.k].res {
		return h.writeYouthEducation(sr)
	}
	return nil
}

// stageRec is what the records of one member's stage share.
type stageRec struct {
	e     *enr
	rid   int64  // the stage's record ID: the enrollment's, then the stage's number
	id    string // rid as text
	date  string // InformationDate
	stage string // DataCollectionStage
	stamp string // DateCreated and DateUpdated
	full  bool   // entry or exit: the stages that collect every element
}

// newStageRec numbers the enrollment's next stage and stamps it (a draw from h.r).
func (h *household) newStageRec(e *enr, d day, stage int) stageRec {
	e.nStage++
	rid := e.id*100 + int64(e.nStage)
	return stageRec{
		e: e, rid: rid, id: strconv.FormatInt(rid, 10), date: h.g.cal.date(d), stage: itoa(stage),
		stamp: h.stamp(d), full: stage == stageEntry || stage == stageExit,
	}
}

// beginStage starts a row of a per-stage file t with the columns every one has.
func (h *household) beginStage(t *table, idCol string, sr stageRec) {
	t.begin(h.g.exportID)
	t.set(idCol, sr.id)
	t.set("EnrollmentID", sr.e.idStr)
	t.set("PersonalID", sr.e.m.pid)
	t.set("InformationDate", sr.date)
}

// endStage completes a row begun with beginStage and writes it.
func (h *household) endStage(t *table, sr stageRec) error {
	t.set("DataCollectionStage", sr.stage)
	t.stamp(sr.stamp, sr.stamp, sr.e.user)
	return t.write()
}

// writeIncome writes the stage's IncomeBenefits row: one income source, SNAP, and Medicaid or
// Medicare, each for some of the members.
func (h *household) writeIncome(sr stageRec) error {
	r, t, x := h.r, h.ws.income, &h.stg
	h.beginStage(t, "IncomeBenefitsID", sr)
	if chance(r, 45) {
		t.set("IncomeFromAnySource", "1")
		for _, i := range x.ibSources {
			t.row[i] = "0"
		}
		src := incomeSource.pick(r)
		amount := (200+r.IntN(2400))*100 + r.IntN(100)
		t.row[x.ibSources[src]] = "1"
		t.row[x.ibAmounts[src]] = money(amount)
		t.set("TotalMonthlyIncome", money(amount))
	} else {
		t.set("IncomeFromAnySource", "0")
		t.set("TotalMonthlyIncome", "0.00")
	}
	if chance(r, 40) {
		t.set("BenefitsFromAnySource", "1")
		for _, i := range x.ibBenefits {
			t.row[i] = "0"
		}
		t.row[x.ibBenefits[0]] = "1" // SNAP
	} else {
		t.set("BenefitsFromAnySource", "0")
	}
	if chance(r, 65) {
		t.set("InsuranceFromAnySource", "1")
		for _, i := range x.ibInsurance {
			t.row[i] = "0"
		}
		t.row[x.ibInsurance[r.IntN(2)]] = "1" // Medicaid or Medicare
	} else {
		t.set("InsuranceFromAnySource", "0")
	}
	return h.endStage(t, sr)
}

// writeHealth writes the stage's HealthAndDV row.
func (h *household) writeHealth(sr stageRec) error {
	r, t := h.r, h.ws.health
	h.beginStage(t, "HealthAndDVID", sr)
	if chance(r, 15) {
		t.set("DomesticViolenceSurvivor", "1")
		t.set("WhenOccurred", itoa(1+r.IntN(4)))
		t.set("CurrentlyFleeing", b01(chance(r, 30)))
	} else {
		t.set("DomesticViolenceSurvivor", "0")
	}
	return h.endStage(t, sr)
}

// writeEmployment writes the stage's EmploymentEducation row (adults, entry and exit).
func (h *household) writeEmployment(sr stageRec) error {
	r, t := h.r, h.ws.employment
	h.beginStage(t, "EmploymentEducationID", sr)
	t.set("LastGradeCompleted", itoa([]int{2, 3, 4, 5, 5, 5, 7, 10, 11, 12, 14}[r.IntN(11)]))
	if chance(r, 25) {
		t.set("Employed", "1")
		t.set("EmploymentType", itoa(1+r.IntN(3)))
	} else {
		t.set("Employed", "0")
		t.set("NotEmployedReason", itoa(1+r.IntN(3)))
	}
	return h.endStage(t, sr)
}

// writeDisabilities writes the stage's Disabilities rows, one per disability type (5–10): the
// member's disability, if any, is the one answered yes. Columns are set by index (h.dis, looked
// up once): the file has six rows per member and stage.
func (h *household) writeDisabilities(sr stageRec) error {
	r, t, e := h.r, h.ws.disab, sr.e
	for dt := 5; dt <= 10; dt++ {
		t.begin(h.g.exportID)
		t.row[h.dis.id] = strconv.FormatInt(sr.rid*10+int64(dt-4), 10)
		t.row[h.dis.enr] = e.idStr
		t.row[h.dis.pid] = e.m.pid
		t.row[h.dis.date] = sr.date
		t.row[h.dis.typ] = smallInts[dt]
		resp := 0
		if dt == e.disType {
			resp = 1
			if dt == 10 {
				resp = 1 + r.IntN(3) // alcohol, drug or both
			}
		}
		t.row[h.dis.resp] = smallInts[resp]
		if resp != 0 && dt != 6 && dt != 8 {
			t.row[h.dis.indef] = "1"
		}
		t.row[h.dis.stage] = sr.stage
		t.stamp(sr.stamp, sr.stamp, e.user)
		if err := t.write(); err != nil {
			return err
		}
	}
	return nil
}

// writeYouthEducation writes the stage's YouthEducationStatus row (school-age children).
func (h *household) writeYouthEducation(sr stageRec) error {
	r, t := h.r, h.ws.youth
	h.beginStage(t, "YouthEducationStatusID", sr)
	if chance(r, 90) {
		t.set("CurrentSchoolAttend", "2")
		t.set("CurrentEdStatus", "0")
	} else {
		t.set("CurrentSchoolAttend", "0")
		t.set("MostRecentEdStatus", itoa(2+r.IntN(3)))
	}
	return h.endStage(t, sr)
}

type disIdx struct{ id, enr, pid, date, typ, resp, indef, stage int }

func newDisIdx(t *table) disIdx {
	return disIdx{id: t.c("DisabilitiesID"), enr: t.c("EnrollmentID"), pid: t.c("PersonalID"),
		date: t.c("InformationDate"), typ: t.c("DisabilityType"), resp: t.c("DisabilityResponse"),
		indef: t.c("IndefiniteAndImpairs"), stage: t.c("DataCollectionStage")}
}
