package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// checkListFlags checks the --format and --limit of a command that lists records (policy history,
// exits list, audit).
func checkListFlags(format string, limit int) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--format %q: want table or json", format)
	}
	if limit < 0 {
		return fmt.Errorf("--limit %d: want 0 (all) or more", limit)
	}
	return nil
}

// writeJSONList writes list as indented JSON, an empty array (not null) when there is nothing.
func writeJSONList[T any](out io.Writer, list []T) error {
	if list == nil {
		list = []T{}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
