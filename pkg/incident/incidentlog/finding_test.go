package incidentlog

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func TestFindingRoundTrip(t *testing.T) {
	zeroValues := fullFinding()
	zeroValues.Value, zeroValues.Expected, zeroValues.Score = ptr(0), ptr(0), 0 // present zeros stay present
	valueOnly := minimalFinding()
	valueOnly.Value = ptr(-1e-300)
	expectedOnly := minimalFinding()
	expectedOnly.Expected = ptr(math.MaxFloat64)
	unknownKind := minimalFinding()
	unknownKind.Kind = "disk_smart"
	unknownKind.Score = 1
	unknownKind.Entity = incident.NewEntity(map[string]string{"hw.id": "disk,0=a", "host.name": "h\\1"})

	for name, f := range map[string]incident.Finding{
		"full":          fullFinding(),
		"minimal":       minimalFinding(),
		"zero values":   zeroValues,
		"value only":    valueOnly,
		"expected only": expectedOnly,
		"unknown kind":  unknownKind,
	} {
		for _, enc := range encodings {
			t.Run(name+"/"+enc.name, func(t *testing.T) {
				lr := newRecord()
				require.NoError(t, MarshalFinding(f, lr))
				got, err := UnmarshalFinding(transport(t, lr, enc.m, enc.u))
				require.NoError(t, err)
				assert.Equal(t, f, got)
			})
		}
	}
}

func TestMarshalFindingRecord(t *testing.T) {
	lr := newRecord()
	lr.SetObservedTimestamp(99)
	lr.Attributes().PutStr("stale", "x")
	require.NoError(t, MarshalFinding(minimalFinding(), lr))

	assert.Equal(t, pcommon.NewTimestampFromTime(t0), lr.Timestamp(), "the record's time is the onset")
	assert.Equal(t, pcommon.Timestamp(0), lr.ObservedTimestamp(), "an unknown observed time is written as unset")
	assert.Equal(t, "aiops.finding", lr.EventName())
	assert.Equal(t, plog.SeverityNumberError, lr.SeverityNumber())
	assert.Equal(t, "error", lr.SeverityText())
	assert.Equal(t, "error alert at host.name=h", lr.Body().Str())
	assert.Equal(t, map[string]any{
		"event.name":                "aiops.finding",
		"aiops.schema_version":      int64(1),
		"aiops.finding.id":          "fnd-1",
		"aiops.finding.fingerprint": "fp",
		"aiops.finding.kind":        "alert",
		"aiops.finding.severity":    "error",
		"aiops.finding.entity":      map[string]any{"host.name": "h"},
		"aiops.finding.score":       0.0,
		"aiops.finding.source":      "correlation",
	}, lr.Attributes().AsRaw())

	require.NoError(t, MarshalFinding(fullFinding(), lr))
	assert.Equal(t, pcommon.NewTimestampFromTime(after(4*time.Minute)), lr.ObservedTimestamp())
}

func TestFindingBody(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*incident.Finding)
		want   string
	}{
		{"full", func(*incident.Finding) {}, "warning anomaly at host.name=node-1,k8s.pod.uid=7f9c,service.name=checkout: " +
			"Checkout latency regressed; http.server.request.duration=0.91 (expected 0.2)"},
		{"no title", func(f *incident.Finding) { f.Title = "" }, "warning anomaly at host.name=node-1,k8s.pod.uid=7f9c,service.name=checkout: " +
			"http.server.request.duration=0.91 (expected 0.2)"},
		{"value without signal", func(f *incident.Finding) { f.Title, f.Signal, f.Expected = "", "", nil }, "warning anomaly at host.name=node-1,k8s.pod.uid=7f9c,service.name=checkout: value=0.91"},
		{"signal without value", func(f *incident.Finding) { f.Value, f.Expected = nil, nil }, "warning anomaly at host.name=node-1,k8s.pod.uid=7f9c,service.name=checkout: " +
			"Checkout latency regressed; http.server.request.duration"},
		{"multi-line title", func(f *incident.Finding) {
			f.Title, f.Signal, f.Value, f.Expected = "panic: boom\r\ngoroutine 1", "", nil, nil
		},
			"warning anomaly at host.name=node-1,k8s.pod.uid=7f9c,service.name=checkout: panic: boom  goroutine 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := fullFinding()
			tt.mutate(&f)
			lr := newRecord()
			require.NoError(t, MarshalFinding(f, lr))
			assert.Equal(t, tt.want, lr.Body().Str())
		})
	}
}

func TestMarshalFindingRefusesInvalid(t *testing.T) {
	bad := minimalFinding()
	bad.Value = ptr(math.NaN())

	lr := newRecord()
	err := MarshalFinding(bad, lr)
	assert.EqualError(t, err, `incidentlog: cannot encode finding "fnd-1": Value: must be finite, got NaN (leave it nil when unknown)`)
	assert.Equal(t, newRecord(), lr)

	lrs := plog.NewLogRecordSlice()
	require.Error(t, AppendFinding(lrs, bad))
	assert.Equal(t, 0, lrs.Len())
	require.NoError(t, AppendFinding(lrs, minimalFinding()))
	require.Equal(t, 1, lrs.Len())
	assert.True(t, IsFinding(lrs.At(0)))
}

func TestUnmarshalFindingIgnoresUnknownAttributes(t *testing.T) {
	lr := newRecord()
	require.NoError(t, MarshalFinding(fullFinding(), lr))
	lr.Attributes().PutStr("aiops.finding.detector_version", "2")
	lr.Body().SetStr("edited")
	got, err := UnmarshalFinding(lr)
	require.NoError(t, err)
	assert.Equal(t, fullFinding(), got)
}

func TestUnmarshalFindingErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(lr plog.LogRecord, m pcommon.Map)
		want   string
	}{
		{"incident record", func(lr plog.LogRecord, m pcommon.Map) {
			lr.SetEventName(string(incident.EventOpened))
			m.PutStr(AttrEventName, string(incident.EventOpened))
		}, `incidentlog: event name "aiops.incident.opened" is not a finding event`},
		{"newer schema", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrSchemaVersion, 3)
		}, "unsupported schema version 3"},
		{"value as string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrFindingValue, "0.91")
		}, `incidentlog: attribute "aiops.finding.value": want double, got string`},
		{"value as int", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrFindingExpected, 1)
		}, `incidentlog: attribute "aiops.finding.expected": want double, got int`},
		{"NaN value", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutDouble(AttrFindingValue, math.NaN())
		}, "Value: must be finite, got NaN"},
		{"score above 1", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutDouble(AttrFindingScore, 1.5)
		}, `incidentlog: invalid finding record "fnd-1d2e3f4a5b6c7d8e": Score: must be within [0, 1], got 1.5`},
		{"no score", func(_ plog.LogRecord, m pcommon.Map) {
			m.Remove(AttrFindingScore)
		}, `incidentlog: attribute "aiops.finding.score": missing`},
		{"entity as string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrFindingEntity, "service.name=checkout")
		}, `incidentlog: attribute "aiops.finding.entity": want map, got string`},
		{"entity value not a string", func(_ plog.LogRecord, m pcommon.Map) {
			e, _ := m.Get(AttrFindingEntity)
			e.Map().PutInt("k8s.pod.uid", 7)
		}, `incidentlog: attribute "aiops.finding.entity[\"k8s.pod.uid\"]": want string, got int`},
		{"empty entity", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutEmptyMap(AttrFindingEntity)
		}, "Entity: must have at least one attribute"},
		{"evidence not a map", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutEmptySlice(AttrFindingEvidence)
		}, `incidentlog: attribute "aiops.finding.evidence": want map, got slice`},
		{"no onset", func(lr plog.LogRecord, _ pcommon.Map) {
			lr.SetTimestamp(0)
		}, "incidentlog: record timestamp: missing (it holds the finding's onset)"},
		{"observed before 1970", func(lr plog.LogRecord, _ pcommon.Map) {
			lr.SetObservedTimestamp(pcommon.Timestamp(math.MaxUint64))
		}, "ObservedTime: 1969-12-31T23:59:59.999999999Z is not after the Unix epoch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := newRecord()
			require.NoError(t, MarshalFinding(fullFinding(), lr))
			tt.mutate(lr, lr.Attributes())
			got, err := UnmarshalFinding(lr)
			assert.ErrorContains(t, err, tt.want)
			assert.Equal(t, incident.Finding{}, got)
		})
	}
}
