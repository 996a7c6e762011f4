package engine_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// No engine message names a CLI flag: callers (the CLI, activities) name the fields their way.
// Comments may; string literals (messages, SQL) may not.
func TestNoEngineStringNamesACLIFlag(t *testing.T) {
	flag := regexp.MustCompile(`(^|[\s("'])--[a-z]`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && flag.MatchString(lit.Value) {
				t.Errorf("%s: %s names a CLI flag", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}
