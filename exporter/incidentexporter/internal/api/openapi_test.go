package api

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// openAPIDoc is the part of openapi.yaml the tests check.
type openAPIDoc struct {
	Paths map[string]map[string]yaml.Node `yaml:"paths"`
}

type openAPIParam struct {
	Name string `yaml:"name"`
	In   string `yaml:"in"`
	Ref  string `yaml:"$ref"`
}

type openAPIOperation struct {
	Parameters []openAPIParam `yaml:"parameters"`
}

func loadOpenAPI(t *testing.T) (openAPIDoc, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return doc, raw
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes checks that openapi.yaml documents every route
// the handler serves, no other, and for each the query parameters it takes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	documented := map[string][]string{} // "GET /path" -> query parameters
	for path, item := range doc.Paths {
		for key, node := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			var query []string
			for _, p := range op.Parameters {
				if p.In == "query" {
					query = append(query, p.Name)
				}
			}
			slices.Sort(query)
			documented[strings.ToUpper(key)+" "+path] = query
		}
	}
	served := map[string]bool{}
	for _, rt := range routes {
		name := rt.method + " " + rt.pattern
		served[name] = true
		query, ok := documented[name]
		if !ok {
			t.Errorf("%s is served but not in openapi.yaml", name)
			continue
		}
		want := slices.Sorted(slices.Values(rt.params))
		if !slices.Equal(query, want) {
			t.Errorf("%s: openapi.yaml documents query parameters %v, the handler takes %v", name, query, want)
		}
	}
	for name := range documented {
		if !served[name] {
			t.Errorf("%s is in openapi.yaml but not served", name)
		}
	}
}

// TestOpenAPIRefsResolve checks that every local $ref names a component.
func TestOpenAPIRefsResolve(t *testing.T) {
	_, raw := loadOpenAPI(t)
	var root map[string]any
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if ref, ok := child.(string); ok && k == "$ref" {
					if !resolves(root, ref) {
						t.Errorf("$ref %q does not resolve", ref)
					}
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(root)
}

func resolves(root map[string]any, ref string) bool {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = root
	for part := range strings.SplitSeq(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPISchemasMatchJSON checks each documented schema against the Go
// type the API encodes or decodes: the same properties, and, for answers,
// required exactly when the field is never omitted.
func TestOpenAPISchemasMatchJSON(t *testing.T) {
	_, raw := loadOpenAPI(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string       `yaml:"required"`
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]struct {
		v      any
		answer bool
	}{
		"Error": {errorBody{}, true}, "Incident": {incidentJSON{}, true}, "RootCause": {rootCauseJSON{}, true},
		"Change": {changeJSON{}, true}, "Narrative": {narrativeJSON{}, true}, "Member": {memberJSON{}, true},
		"TimelineEntry": {timelineJSON{}, true}, "IncidentPage": {pageJSON{}, true}, "IncidentDetail": {detailJSON{}, true},
		"ChangeResult": {changeResultJSON{}, true}, "SimilarList": {similarListJSON{}, true}, "Matcher": {matcherJSON{}, false},
		"Silence": {silenceJSON{}, true}, "SilenceList": {silenceListJSON{}, true}, "SilenceRequest": {silenceBody{}, false},
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("openapi.yaml has no schema %s", name)
			continue
		}
		var props, required []string
		for p := range schema.Properties {
			props = append(props, p)
		}
		fields, always := jsonFields(reflect.TypeOf(typ.v))
		slices.Sort(props)
		if !slices.Equal(props, fields) {
			t.Errorf("%s: openapi.yaml has properties %v, the Go type %v", name, props, fields)
		}
		if typ.answer {
			required = slices.Sorted(slices.Values(schema.Required))
			if !slices.Equal(required, always) {
				t.Errorf("%s: openapi.yaml requires %v, the Go type always has %v", name, required, always)
			}
		}
	}
}

// jsonFields returns the JSON names of a struct's fields, sorted, and those
// never omitted.
func jsonFields(t reflect.Type) (names, always []string) {
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		names = append(names, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	slices.Sort(names)
	slices.Sort(always)
	return names, always
}
