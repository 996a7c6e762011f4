// Package notify mails exitflow's notifications over SMTP (SPEC N1–N5) and keeps a record of each
// in PostgreSQL (exitflow.notification), written before the message is sent, so that a retried
// Temporal activity never sends a message twice (N4). Messages name clients by PersonalID and
// EnrollmentID only (N2): the templates get IDs, counts and dates, nothing else.
package notify

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is what a notification is (SPEC N3); its text is stored and must not change.
type Kind string

// The notification kinds (SPEC N3), as exitflow.notification's CHECK lists them.
const (
	KindAgreementNotice         Kind = "agreement-notice"         // AG2: the candidates and the agreed period, to the liaison
	KindPeriodEndingReminder    Kind = "period-ending-reminder"   // AG3: 7 days before the period ends
	KindProcessBegins           Kind = "process-begins"           // AG4: the period is over, the exits begin
	KindCompletion              Kind = "completion"               // AG5: counts and the exited enrollments
	KindAcknowledgementReminder Kind = "acknowledgement-reminder" // AG6: every 7 days until acknowledged
	KindEscalation              Kind = "escalation"               // AG6: after 3 reminders, to the HMIS staff member
	KindAgreementChange         Kind = "agreement-change"         // SPEC AG3: extended, paused, resumed or cancelled
	KindAutoAlert               Kind = "auto-alert"               // AL1–AL3: households in the alert window
	KindAutoExitDone            Kind = "auto-exit-done"           // the assigned staff's enrollments that were auto exited
	KindHousedExitProposal      Kind = "housed-exit-proposal"     // PD8: a housed exit waits for confirmation
	KindHoHRedesignation        Kind = "hoh-redesignation"        // PD3(b): a new head of household must be designated
	KindDQMReport               Kind = "dqm-report"               // Q3: the follow-up DQM report
	KindSweepSummary            Kind = "sweep-summary"            // N3: an auto-exit sweep's counts, to the HMIS staff
)

// Kinds are the notification kinds, in SPEC N3's order (then the sweep summary).
var Kinds = []Kind{KindAgreementNotice, KindPeriodEndingReminder, KindProcessBegins, KindCompletion,
	KindAcknowledgementReminder, KindEscalation, KindAgreementChange, KindAutoAlert, KindAutoExitDone, KindHousedExitProposal,
	KindHoHRedesignation, KindDQMReport, KindSweepSummary}

// ParseKind reads a kind's name, refusing one that is not in Kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.TrimSpace(s))
	if !slices.Contains(Kinds, k) {
		return "", fmt.Errorf("kind %q: want one of %s", s, KindNames())
	}
	return k, nil
}

// KindNames lists the kinds' names, comma separated, for messages and help.
func KindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
