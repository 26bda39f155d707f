package incident

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

func validFinding() Finding {
	return Finding{
		ID:          "fnd-1",
		Fingerprint: "fp-1",
		Kind:        KindAnomaly,
		Severity:    SeverityWarning,
		Time:        t0,
		Entity:      NewEntity(map[string]string{"service.name": "checkout"}),
		Score:       0.8,
		Source:      "regression",
	}
}

func ptr(v float64) *float64 { return &v }

func TestFindingValidate(t *testing.T) {
	require.NoError(t, validFinding().Validate())

	for _, tt := range []struct {
		name   string
		mutate func(*Finding)
		want   string
	}{
		{"no id", func(f *Finding) { f.ID = "" }, "ID: must not be empty"},
		{"no fingerprint", func(f *Finding) { f.Fingerprint = "" }, "Fingerprint: must not be empty"},
		{"no kind", func(f *Finding) { f.Kind = "" }, "Kind: must not be empty"},
		{"no severity", func(f *Finding) { f.Severity = 0 }, "Severity: Severity(0) is not a severity"},
		{"no time", func(f *Finding) { f.Time = time.Time{} }, "Time: must be set"},
		{"time at epoch", func(f *Finding) { f.Time = time.Unix(0, 0) }, "Time: 1970-01-01T00:00:00Z is not after the Unix epoch"},
		{"time before epoch", func(f *Finding) { f.Time = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, "not after the Unix epoch"},
		{"time past 2262", func(f *Finding) { f.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }, "Time: 2300-01-01T00:00:00Z is past the last OTLP timestamp"},
		{"observed before epoch", func(f *Finding) { f.ObservedTime = time.Unix(-1, 0) }, "ObservedTime:"},
		{"no entity", func(f *Finding) { f.Entity = Entity{} }, "Entity: must have at least one attribute"},
		{"empty entity value", func(f *Finding) { f.Entity = NewEntity(map[string]string{"host.name": ""}) }, `Entity: attribute "host.name"="": key and value must not be empty`},
		{"NaN value", func(f *Finding) { f.Value = ptr(math.NaN()) }, "Value: must be finite, got NaN"},
		{"infinite expected", func(f *Finding) { f.Expected = ptr(math.Inf(-1)) }, "Expected: must be finite, got -Inf"},
		{"score above 1", func(f *Finding) { f.Score = 1.5 }, "Score: must be within [0, 1], got 1.5"},
		{"negative score", func(f *Finding) { f.Score = -0.1 }, "Score: must be within [0, 1], got -0.1"},
		{"NaN score", func(f *Finding) { f.Score = math.NaN() }, "Score: must be within [0, 1], got NaN"},
		{"no source", func(f *Finding) { f.Source = "" }, "Source: must not be empty"},
		{"empty evidence key", func(f *Finding) { f.Evidence = map[string]string{"": "x"} }, "Evidence: has an empty key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := validFinding()
			tt.mutate(&f)
			assert.ErrorContains(t, f.Validate(), tt.want)
		})
	}
}

func TestFindingValidateOptionals(t *testing.T) {
	f := validFinding()
	f.Value, f.Expected = ptr(0), ptr(-3.5) // present zero is a value like any other
	f.ObservedTime = t0.Add(time.Second)
	f.Kind = "disk_smart" // unknown kinds are fine
	f.Score = 0
	f.Evidence = map[string]string{"window": "5m"}
	assert.NoError(t, f.Validate())
}

func TestFindingValidateReportsEverything(t *testing.T) {
	err := Finding{}.Validate()
	for _, field := range []string{"ID:", "Fingerprint:", "Kind:", "Severity:", "Time:", "Entity:", "Source:"} {
		assert.ErrorContains(t, err, field)
	}
}
