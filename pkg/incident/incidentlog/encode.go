package incidentlog

import (
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The helpers below omit empty optional values, so that "absent" has one
// representation on the wire and decodes back to the zero value.

// startRecord writes what every record has and returns its attributes,
// emptied first so that nothing from a previous use of lr survives.
func startRecord(lr plog.LogRecord, eventName string, sev incident.Severity, size int) pcommon.Map {
	lr.SetEventName(eventName)
	lr.SetSeverityNumber(plog.SeverityNumber(sev.OTelSeverityNumber()))
	lr.SetSeverityText(sev.String())
	attrs := lr.Attributes()
	attrs.Clear()
	attrs.EnsureCapacity(size)
	attrs.PutStr(AttrEventName, eventName)
	attrs.PutInt(AttrSchemaVersion, SchemaVersion)
	return attrs
}

func putOptStr(m pcommon.Map, key, v string) {
	if v != "" {
		m.PutStr(key, v)
	}
}

func putTime(m pcommon.Map, key string, t time.Time) {
	if !t.IsZero() {
		m.PutInt(key, t.UnixNano())
	}
}

func putOptDouble(m pcommon.Map, key string, v *float64) {
	if v != nil {
		m.PutDouble(key, *v)
	}
}

func putStrs(m pcommon.Map, key string, values []string) {
	if len(values) == 0 {
		return
	}
	s := m.PutEmptySlice(key)
	s.EnsureCapacity(len(values))
	for _, v := range values {
		s.AppendEmpty().SetStr(v)
	}
}

// putStrMap writes the entries in key order, so that equal maps give equal
// records.
func putStrMap(m pcommon.Map, key string, values map[string]string) {
	if len(values) == 0 {
		return
	}
	dst := m.PutEmptyMap(key)
	dst.EnsureCapacity(len(values))
	for _, k := range slices.Sorted(maps.Keys(values)) {
		dst.PutStr(k, values[k])
	}
}

func putEntity(m pcommon.Map, key string, e incident.Entity) {
	dst := m.PutEmptyMap(key)
	dst.EnsureCapacity(e.Len())
	for k, v := range e.All() {
		dst.PutStr(k, v)
	}
}

func timestampOf(t time.Time) pcommon.Timestamp {
	if t.IsZero() {
		return 0
	}
	return pcommon.NewTimestampFromTime(t)
}
