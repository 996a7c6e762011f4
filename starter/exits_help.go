package main

import (
	"fmt"
	"strconv"

	"github.com/exitflow/exitflow/internal/engine"
)

// exitsRunBatches is how exits run writes, from the engine's constants, for its help.
var exitsRunBatches = fmt.Sprintf("in batches of %s households, one transaction each, %d batches at a time",
	thousands(engine.DefaultBatchHouseholds), engine.DefaultWriters)

// thousands writes n with a comma between groups of three digits (10,000), as the README does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
