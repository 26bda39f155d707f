package store

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoCollectorImports keeps the store a plain Go package: the exporter
// adapts pdata and component settings at its edge.
func TestNoCollectorImports(t *testing.T) {
	for _, dir := range []string{".", "storetest"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if strings.HasPrefix(p, "go.opentelemetry.io/") || strings.Contains(p, "opentelemetry-collector") {
					t.Errorf("%s imports %s; the store must not depend on the collector", f, p)
				}
			}
		}
	}
}
