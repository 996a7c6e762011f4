// Package samples finds the shared real-world-shaped HMIS CSV exports tests read
// (../shared/hmis-sample beside the repository; they are not copied in: GPL/AGPL data).
package samples

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Names of the two sample exports.
const (
	FY2026 = "eva-demo-fy2026"
	FY2024 = "greenriver-datalab-fy2024"
)

// Dir returns the folder of one sample export. It looks in $EXITFLOW_SAMPLES, then in
// shared/hmis-sample beside the repository and its parents, then /work/shared/hmis-sample.
func Dir(t testing.TB, name string) string {
	t.Helper()
	var candidates []string
	if env := os.Getenv("EXITFLOW_SAMPLES"); env != "" {
		candidates = append(candidates, env)
	}
	_, file, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(file); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		candidates = append(candidates, filepath.Join(dir, "shared", "hmis-sample"))
	}
	candidates = append(candidates, "/work/shared/hmis-sample")
	for _, c := range candidates {
		p := filepath.Join(c, name)
		if _, err := os.Stat(filepath.Join(p, "Export.csv")); err == nil {
			return p
		}
	}
	t.Fatalf("sample export %s not found in %v (set EXITFLOW_SAMPLES to the hmis-sample folder)", name, candidates)
	return ""
}
