package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// One vocabulary: a method is named as --method and agreements name it; only the records (SPEC F3)
// keep their own names, and every one of them reads back as the method it records.
func TestF3_MethodsHaveOneNameAndTheirRecordedName(t *testing.T) {
	for m, recorded := range map[Method]string{MethodAuto: "auto-inactivity", MethodAdmin: "admin", MethodHoused: "auto-housed"} {
		assert.Equal(t, recorded, m.Recorded(), m)
		assert.Equal(t, m, methodOfRecord(recorded), recorded)
	}
	assert.Equal(t, Method("other"), methodOfRecord("other"), "an unknown record is kept as it is")
	run := runRow{method: methodOfRecord("auto-inactivity")}
	assert.Equal(t, MethodAuto, run.options().Method, "a resumed run compares in the same vocabulary")
}
