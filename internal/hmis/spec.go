// Package hmis holds the HUD HMIS CSV model: one column specification that drives the database
// schema, the parser, the validator and the writer.
package hmis

import (
	"fmt"
	"strings"
)

// Type is the HUD CSV data type of a column.
type Type int

// HUD CSV data types (HMIS CSV Format Specifications, "Data types").
const (
	String   Type = iota // S: free text
	ID                   // S32 identifiers (PersonalID, EnrollmentID, …)
	Integer              // I: codes and counts
	Money                // M: dollars and cents
	Date                 // D: yyyy-mm-dd
	DateTime             // T: yyyy-mm-dd hh:mm:ss
)

// SQL is the PostgreSQL type a column of this Type is stored as.
func (t Type) SQL() string {
	switch t {
	case Integer:
		return "integer"
	case Money:
		return "numeric(12,2)"
	case Date:
		return "date"
	case DateTime:
		return "timestamp"
	default:
		return "text"
	}
}

// Column is one column of one CSV file.
type Column struct {
	Name     string   // HUD name, exact case, as written on export
	Type     Type     // HUD data type
	Required bool     // a value must be present (HUD "Null: N")
	Codes    string   // name of the HUD code list the value must be in (engine fields only)
	Legacy   bool     // FY2024 only: stored, but not part of an FY2026 export
	Aliases  []string // other header spellings accepted on import
}

// DB is the database column name: the HUD name in lower case.
func (c Column) DB() string { return strings.ToLower(c.Name) }

// Ref is a reference from a column to the primary key of another file.
type Ref struct {
	Column string // column in this file
	File   string // referenced file
}

// File is one file of the HMIS CSV export.
type File struct {
	Name    string   // "Enrollment" (file Enrollment.csv)
	Columns []Column // FY2026 order, FY2024-only columns at their FY2024 place
	Refs    []Ref    // references checked on import
}

// CSV is the file name inside an export.
func (f *File) CSV() string { return f.Name + ".csv" }

// Table is the PostgreSQL table (schema hmis) the file is stored in.
func (f *File) Table() string { return strings.ToLower(f.Name) }

// Key is the primary key column (the first column).
func (f *File) Key() Column { return f.Columns[0] }

// Col returns the column with the given name (case-insensitive, aliases included).
func (f *File) Col(name string) (Column, bool) {
	for _, c := range f.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
		for _, a := range c.Aliases {
			if strings.EqualFold(a, name) {
				return c, true
			}
		}
	}
	return Column{}, false
}

// Current returns the columns of an FY2026 export, in order.
func (f *File) Current() []Column {
	out := make([]Column, 0, len(f.Columns))
	for _, c := range f.Columns {
		if !c.Legacy {
			out = append(out, c)
		}
	}
	return out
}

// Has reports whether the file has a column of that name.
func (f *File) Has(name string) bool { _, ok := f.Col(name); return ok }

// Codes are the HUD code lists of the fields the engine relies on (SPEC section 2).
var Codes = map[string]map[int]bool{
	"ProjectType":            set(0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14),
	"RelationshipToHoH":      set(1, 2, 3, 4, 5, 99),
	"Destination":            set(101, 116, 118, 204, 205, 206, 207, 215, 225, 302, 312, 313, 314, 327, 329, 332, 410, 411, 421, 422, 423, 426, 435, 8, 9, 17, 24, 30, 99),
	"DestinationSubsidyType": set(419, 420, 428, 431, 433, 434, 436, 437, 438, 439, 440),
	"RecordType":             set(141, 142, 143, 144, 151, 152, 161, 200, 210, 300),
	"DataCollectionStage":    set(1, 2, 3, 5, 6),
	"RRHSubType":             set(1, 2),
}

func set(v ...int) map[int]bool {
	m := make(map[int]bool, len(v))
	for _, x := range v {
		m[x] = true
	}
	return m
}

// Files is every file of the FY2026 HMIS CSV export (with FY2024's extra columns), in load order:
// a file comes after the files it references.
var Files []*File

// Extensions are exitflow's own files, read beside an export's when present and never exported:
// CustomActivity.csv holds vendor activity that has no HUD file (SPEC A1: unit connections,
// location or contact edits, custom services).
var Extensions []*File

// All is Files then Extensions: every table of the hmis schema, in load order.
func All() []*File { return append(append([]*File{}, Files...), Extensions...) }

var byName = map[string]*File{}

// Lookup returns the file spec for a CSV name ("Enrollment" or "enrollment.csv"), case-insensitively.
func Lookup(name string) *File {
	return byName[strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(name, ".csv"), ".CSV"))]
}

// Column notation used below: Name:T[!][=CodeList][~][|Alias…]
// T: S string, I id, N integer, M money, D date, T datetime; ! required; ~ FY2024 only.
var layout = []struct {
	name string
	refs []Ref
	cols string
}{
	{"Export", nil, `ExportID:I! SourceType:N! SourceID:S SourceName:S SourceContactFirst:S SourceContactLast:S
		SourceContactPhone:S SourceContactExtension:S SourceContactEmail:S ExportDate:T! ExportStartDate:D! ExportEndDate:D!
		SoftwareName:S! SoftwareVersion:S CSVVersion:S! ExportPeriodType:N! ExportDirective:N! HashStatus:N! ImplementationID:S!`},
	{"Organization", nil, `OrganizationID:I! OrganizationName:S! VictimServiceProvider:N OrganizationCommonName:S` + audit},
	{"User", nil, `UserID:I! UserFirstName:S UserLastName:S UserPhone:S UserExtension:S UserEmail:S
		DateCreated:T! DateUpdated:T! DateDeleted:T ExportID:I!`},
	{"Project", refs("OrganizationID", "Organization"), `ProjectID:I! OrganizationID:I! ProjectName:S! ProjectCommonName:S
		OperatingStartDate:D! OperatingEndDate:D ContinuumProject:N ProjectType:N!=ProjectType HousingType:N RRHSubType:N=RRHSubType
		ResidentialAffiliation:N TargetPopulation:N HOPWAMedAssistedLivingFac:N PITCount:N` + audit},
	{"Funder", refs("ProjectID", "Project"), `FunderID:I! ProjectID:I! Funder:N OtherFunder:S GrantID:S StartDate:D EndDate:D` + audit},
	{"ProjectCoC", refs("ProjectID", "Project"), `ProjectCoCID:I! ProjectID:I! CoCCode:S Geocode:S Address1:S Address2:S City:S
		State:S ZIP:S GeographyType:N` + audit},
	{"Inventory", refs("ProjectID", "Project"), `InventoryID:I! ProjectID:I! CoCCode:S HouseholdType:N Availability:N UnitInventory:N
		BedInventory:N CHVetBedInventory:N YouthVetBedInventory:N VetBedInventory:N CHYouthBedInventory:N YouthBedInventory:N
		CHBedInventory:N OtherBedInventory:N ESBedType:N InventoryStartDate:D InventoryEndDate:D` + audit},
	{"Affiliation", refs("ProjectID", "Project"), `AffiliationID:I! ProjectID:I! ResProjectID:I` + audit},
	{"HMISParticipation", refs("ProjectID", "Project"), `HMISParticipationID:I! ProjectID:I! HMISParticipationType:N
		HMISParticipationStatusStartDate:D HMISParticipationStatusEndDate:D` + audit},
	{"CEParticipation", refs("ProjectID", "Project"), `CEParticipationID:I! ProjectID:I! AccessPoint:N PreventionAssessment:N
		CrisisAssessment:N HousingAssessment:N DirectServices:N ReceivesReferrals:N CEParticipationStatusStartDate:D
		CEParticipationStatusEndDate:D` + audit},
	{"Client", nil, `PersonalID:I! FirstName:S MiddleName:S LastName:S NameSuffix:S NameDataQuality:N SSN:S SSNDataQuality:N
		DOB:D DOBDataQuality:N AmIndAKNative:N Asian:N BlackAfAmerican:N HispanicLatinao:N|HispanicLatinaeo MidEastNAfrican:N
		NativeHIPacific:N White:N RaceNone:N AdditionalRaceEthnicity:S Sex:N
		Woman:N~ Man:N~ NonBinary:N~ CulturallySpecific:N~ Transgender:N~ Questioning:N~ DifferentIdentity:N~ GenderNone:N~
		DifferentIdentityText:S~ VeteranStatus:N YearEnteredService:N YearSeparated:N WorldWarII:N KoreanWar:N VietnamWar:N
		DesertStorm:N AfghanistanOEF:N IraqOIF:N IraqOND:N OtherTheater:N MilitaryBranch:N DischargeStatus:N` + audit},
	{"Enrollment", refs("PersonalID", "Client", "ProjectID", "Project"), `EnrollmentID:I! PersonalID:I! ProjectID:I!
		EntryDate:D! HouseholdID:I! RelationshipToHoH:N!=RelationshipToHoH EnrollmentCoC:S LivingSituation:N RentalSubsidyType:N
		LengthOfStay:N LOSUnderThreshold:N PreviousStreetESSH:N DateToStreetESSH:D TimesHomelessPastThreeYears:N
		MonthsHomelessPastThreeYears:N DisablingCondition:N DateOfEngagement:D MoveInDate:D DateOfPATHStatus:D
		ClientEnrolledInPATH:N ReasonNotEnrolled:N PercentAMI:N ReferralSource:N CountOutreachReferralApproaches:N
		DateOfBCPStatus:D EligibleForRHY:N ReasonNoServices:N RunawayYouth:N SexualOrientation:N~ SexualOrientationOther:S~
		FormerWardChildWelfare:N ChildWelfareYears:N ChildWelfareMonths:N FormerWardJuvenileJustice:N JuvenileJusticeYears:N
		JuvenileJusticeMonths:N UnemploymentFam:N MentalHealthDisorderFam:N PhysicalDisabilityFam:N AlcoholDrugUseDisorderFam:N
		InsufficientIncome:N IncarceratedParent:N VAMCStation:S TargetScreenReqd:N TimeToHousingLoss:N AnnualPercentAMI:N
		LiteralHomelessHistory:N ClientLeaseholder:N HOHLeaseholder:N SubsidyAtRisk:N EvictionHistory:N CriminalRecord:N
		IncarceratedAdult:N PrisonDischarge:N SexOffender:N DisabledHoH:N CurrentPregnant:N SingleParent:N DependentUnder6:N
		HH5Plus:N CoCPrioritized:N HPScreeningScore:N ThresholdScore:N TranslationNeeded:N~ PreferredLanguage:N~
		PreferredLanguageDifferent:S~ MentalHealthConsultation:N` + audit},
	{"Exit", enrollmentRefs, `ExitID:I! EnrollmentID:I! PersonalID:I! ExitDate:D! Destination:N!=Destination
		DestinationSubsidyType:N=DestinationSubsidyType OtherDestination:S HousingAssessment:N SubsidyInformation:N
		ProjectCompletionStatus:N EarlyExitReason:N ExchangeForSex:N ExchangeForSexPastThreeMonths:N CountOfExchangeForSex:N
		AskedOrForcedToExchangeForSex:N AskedOrForcedToExchangeForSexPastThreeMonths:N WorkplaceViolenceThreats:N
		WorkplacePromiseDifference:N CoercedToContinueWork:N LaborExploitPastThreeMonths:N CounselingReceived:N
		IndividualCounseling:N FamilyCounseling:N GroupCounseling:N SessionCountAtExit:N PostExitCounselingPlan:N
		SessionsInPlan:N DestinationSafeClient:N DestinationSafeWorker:N PosAdultConnections:N PosPeerConnections:N
		PosCommunityConnections:N AftercareDate:D AftercareProvided:N EmailSocialMedia:N Telephone:N InPersonIndividual:N
		InPersonGroup:N CMExitReason:N` + audit},
	{"IncomeBenefits", enrollmentRefs, `IncomeBenefitsID:I! EnrollmentID:I! PersonalID:I! InformationDate:D!
		IncomeFromAnySource:N TotalMonthlyIncome:M Earned:N EarnedAmount:M Unemployment:N UnemploymentAmount:M SSI:N SSIAmount:M
		SSDI:N SSDIAmount:M VADisabilityService:N VADisabilityServiceAmount:M VADisabilityNonService:N
		VADisabilityNonServiceAmount:M PrivateDisability:N PrivateDisabilityAmount:M WorkersComp:N WorkersCompAmount:M TANF:N
		TANFAmount:M GA:N GAAmount:M SocSecRetirement:N SocSecRetirementAmount:M Pension:N PensionAmount:M ChildSupport:N
		ChildSupportAmount:M Alimony:N AlimonyAmount:M OtherIncomeSource:N OtherIncomeAmount:M OtherIncomeSourceIdentify:S
		BenefitsFromAnySource:N SNAP:N WIC:N TANFChildCare:N TANFTransportation:N OtherTANF:N OtherBenefitsSource:N
		OtherBenefitsSourceIdentify:S InsuranceFromAnySource:N Medicaid:N NoMedicaidReason:N Medicare:N NoMedicareReason:N
		SCHIP:N NoSCHIPReason:N VHAServices:N NoVHAReason:N EmployerProvided:N NoEmployerProvidedReason:N COBRA:N
		NoCOBRAReason:N PrivatePay:N NoPrivatePayReason:N StateHealthIns:N NoStateHealthInsReason:N IndianHealthServices:N
		NoIndianHealthServicesReason:N OtherInsurance:N OtherInsuranceIdentify:S ADAP:N NoADAPReason:N RyanWhiteMedDent:N
		NoRyanWhiteReason:N ConnectionWithSOAR:N DataCollectionStage:N!=DataCollectionStage` + audit},
	{"HealthAndDV", enrollmentRefs, `HealthAndDVID:I! EnrollmentID:I! PersonalID:I! InformationDate:D!
		DomesticViolenceSurvivor:N WhenOccurred:N CurrentlyFleeing:N GeneralHealthStatus:N DentalHealthStatus:N
		MentalHealthStatus:N PregnancyStatus:N DueDate:D DataCollectionStage:N!=DataCollectionStage` + audit},
	{"EmploymentEducation", enrollmentRefs, `EmploymentEducationID:I! EnrollmentID:I! PersonalID:I! InformationDate:D!
		LastGradeCompleted:N SchoolStatus:N Employed:N EmploymentType:N NotEmployedReason:N
		DataCollectionStage:N!=DataCollectionStage` + audit},
	{"Disabilities", enrollmentRefs, `DisabilitiesID:I! EnrollmentID:I! PersonalID:I! InformationDate:D! DisabilityType:N!
		DisabilityResponse:N! IndefiniteAndImpairs:N TCellCountAvailable:N TCellCount:N TCellSource:N ViralLoadAvailable:N
		ViralLoad:N ViralLoadSource:N AntiRetroviral:N DataCollectionStage:N!=DataCollectionStage` + audit},
	{"Services", enrollmentRefs, `ServicesID:I! EnrollmentID:I! PersonalID:I! DateProvided:D! RecordType:N!=RecordType
		TypeProvided:N! OtherTypeProvided:S MovingOnOtherType:S SubTypeProvided:N FAAmount:M FAStartDate:D FAEndDate:D
		ReferralOutcome:N` + audit},
	{"CurrentLivingSituation", enrollmentRefs, `CurrentLivingSitID:I! EnrollmentID:I! PersonalID:I! InformationDate:D!
		CurrentLivingSituation:N! CLSSubsidyType:N VerifiedBy:S LeaveSituation14Days:N SubsequentResidence:N
		ResourcesToObtain:N LeaseOwn60Day:N MovedTwoOrMore:N LocationDetails:S` + audit},
	{"Assessment", enrollmentRefs, `AssessmentID:I! EnrollmentID:I! PersonalID:I! AssessmentDate:D! AssessmentLocation:S
		AssessmentType:N AssessmentLevel:N PrioritizationStatus:N` + audit},
	{"AssessmentQuestions", append(refs("AssessmentID", "Assessment"), enrollmentRefs...), `AssessmentQuestionID:I!
		AssessmentID:I! EnrollmentID:I! PersonalID:I! AssessmentQuestionGroup:S AssessmentQuestionOrder:N
		AssessmentQuestion:S AssessmentAnswer:S` + audit},
	{"AssessmentResults", append(refs("AssessmentID", "Assessment"), enrollmentRefs...), `AssessmentResultID:I!
		AssessmentID:I! EnrollmentID:I! PersonalID:I! AssessmentResultType:S AssessmentResult:S` + audit},
	{"Event", enrollmentRefs, `EventID:I! EnrollmentID:I! PersonalID:I! EventDate:D! Event:N! ProbSolDivRRResult:N
		ReferralCaseManageAfter:N LocationCrisisOrPHHousing:S ReferralResult:N ResultDate:D` + audit},
	{"YouthEducationStatus", enrollmentRefs, `YouthEducationStatusID:I! EnrollmentID:I! PersonalID:I! InformationDate:D!
		CurrentSchoolAttend:N MostRecentEdStatus:N CurrentEdStatus:N DataCollectionStage:N!=DataCollectionStage` + audit},
	{"CustomActivity", enrollmentRefs, `CustomActivityID:I! EnrollmentID:I! PersonalID:I! ActivityDate:D! ActivityType:S` + audit},
}

// audit is the tail every data file shares.
const audit = ` DateCreated:T! DateUpdated:T! UserID:I DateDeleted:T ExportID:I!`

var enrollmentRefs = refs("EnrollmentID", "Enrollment", "PersonalID", "Client")

func refs(pairs ...string) []Ref {
	var out []Ref
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Ref{Column: pairs[i], File: pairs[i+1]})
	}
	return out
}

func init() {
	for _, l := range layout {
		f := &File{Name: l.name, Refs: l.refs}
		for _, tok := range strings.Fields(l.cols) {
			f.Columns = append(f.Columns, parseColumn(tok))
		}
		if l.name == "CustomActivity" { // exitflow's extension, not a HUD file
			Extensions = append(Extensions, f)
		} else {
			Files = append(Files, f)
		}
		byName[strings.ToLower(f.Name)] = f
	}
}

func parseColumn(tok string) Column {
	parts := strings.Split(tok, "|")
	var c Column
	c.Aliases = parts[1:]
	name, rest, ok := strings.Cut(parts[0], ":")
	if !ok || rest == "" {
		panic(fmt.Sprintf("hmis spec: bad column %q", tok))
	}
	c.Name = name
	c.Type = map[byte]Type{'S': String, 'I': ID, 'N': Integer, 'M': Money, 'D': Date, 'T': DateTime}[rest[0]]
	rest = rest[1:]
	if strings.HasSuffix(rest, "~") {
		c.Legacy, rest = true, strings.TrimSuffix(rest, "~")
	}
	if strings.HasPrefix(rest, "!") {
		c.Required, rest = true, rest[1:]
	}
	if strings.HasPrefix(rest, "=") {
		c.Codes = rest[1:]
		if Codes[c.Codes] == nil {
			panic("hmis spec: unknown code list " + c.Codes)
		}
	}
	return c
}
