package engine

// The engine's vocabulary: one typed name for each method, run status and policy scope, used the
// same way by the CLI, the activities and the records.

// Method is how the engine decides an exit (SPEC F3): the name the CLI's --method, an agreement
// and a preview give it. Exit records store it by its recorded name (Recorded).
type Method string

// Methods of exit the engine previews and writes.
const (
	MethodAuto  Method = "auto"  // SPEC H, D, AL: inactivity auto exits and alerts
	MethodAdmin Method = "admin" // SPEC AD: administrative exits
	// MethodHoused is the Coordinated Entry housed exit (SPEC PD, planned); the engine does not
	// preview or write it yet, but its records are recognised.
	MethodHoused Method = "housed"
)

// recordedMethod is each method's name in exit records (exitflow.exit_run.method; SPEC F3).
var recordedMethod = map[Method]string{MethodAuto: "auto-inactivity", MethodAdmin: "admin", MethodHoused: "auto-housed"}

// Recorded is the method's name in exit records: auto-inactivity, admin, auto-housed.
func (m Method) Recorded() string {
	if r, ok := recordedMethod[m]; ok {
		return r
	}
	return string(m)
}

// methodOfRecord is the method a record names by its recorded name.
func methodOfRecord(recorded string) Method {
	for m, r := range recordedMethod {
		if r == recorded {
			return m
		}
	}
	return Method(recorded)
}

// RunStatus is the status of an exit run.
type RunStatus string

// Statuses of an exit run (exitflow.exit_run.status).
const (
	StatusRunning RunStatus = "running"
	// StatusInterrupted is a run that was stopped (its context cancelled) or whose process died
	// (recorded as running, but its session no longer holds the exits lock): anyone can resume it.
	StatusInterrupted RunStatus = "interrupted"
	// StatusPaused is a run that stopped at its call's MaxHouseholds: the next call resumes it.
	StatusPaused RunStatus = "paused"
	StatusDone   RunStatus = "done"
	StatusFailed RunStatus = "failed" // stopped by an error; resumable
)

// Scope is where a policy is set (SPEC P1).
type Scope string

// Policy scopes (SPEC P1), most specific first; ScopeBuiltIn is the P2 fallback and has no row.
const (
	ScopeProject      Scope = "project"
	ScopeOrganization Scope = "organization"
	ScopeProjectType  Scope = "project-type"
	ScopeDefault      Scope = "default"
	ScopeBuiltIn      Scope = "built-in"
)
