package incidentlog

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// decoder reads typed attributes and collects every problem instead of
// stopping at the first, so one error lists everything wrong with a record.
// Its methods return the zero value for an absent or mistyped attribute.
type decoder struct {
	errs []error
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// at locates the map being read, for error messages: the record's attributes
// (top, the zero value), or element index of the list attribute named list.
// The path is formatted only when there is an error to report.
type at struct {
	list  string
	index int
}

var top = at{}

func (a at) path(key string) string {
	if a.list == "" {
		return key
	}
	return fmt.Sprintf("%s[%d].%s", a.list, a.index, key)
}

func (d *decoder) failf(path, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("incidentlog: attribute %q: "+format, append([]any{path}, args...)...))
}

func typeError(path string, want, got pcommon.ValueType) error {
	return fmt.Errorf("incidentlog: attribute %q: want %s, got %s", path, typeName(want), typeName(got))
}

// typeName spells value types the way the data model documents them.
func typeName(t pcommon.ValueType) string {
	switch t {
	case pcommon.ValueTypeStr:
		return "string"
	case pcommon.ValueTypeInt:
		return "int"
	case pcommon.ValueTypeDouble:
		return "double"
	case pcommon.ValueTypeBool:
		return "bool"
	case pcommon.ValueTypeMap:
		return "map"
	case pcommon.ValueTypeSlice:
		return "slice"
	case pcommon.ValueTypeBytes:
		return "bytes"
	default:
		return "empty"
	}
}

// get returns the attribute key of m if it is present with type want.
func (d *decoder) get(m pcommon.Map, a at, key string, want pcommon.ValueType, required bool) (pcommon.Value, bool) {
	v, ok := m.Get(key)
	switch {
	case !ok:
		if required {
			d.failf(a.path(key), "missing")
		}
		return v, false
	case v.Type() != want:
		d.errs = append(d.errs, typeError(a.path(key), want, v.Type()))
		return v, false
	default:
		return v, true
	}
}

func (d *decoder) str(m pcommon.Map, a at, key string, required bool) string {
	v, _ := d.get(m, a, key, pcommon.ValueTypeStr, required)
	return v.Str() // "" unless a string
}

func (d *decoder) int(m pcommon.Map, a at, key string, required bool) int64 {
	v, _ := d.get(m, a, key, pcommon.ValueTypeInt, required)
	return v.Int() // 0 unless an int
}

func (d *decoder) double(m pcommon.Map, a at, key string, required bool) float64 {
	v, _ := d.get(m, a, key, pcommon.ValueTypeDouble, required)
	return v.Double() // 0 unless a double
}

// optDouble returns nil for an absent attribute: absent is not zero.
func (d *decoder) optDouble(m pcommon.Map, a at, key string) *float64 {
	v, ok := d.get(m, a, key, pcommon.ValueTypeDouble, false)
	if !ok {
		return nil
	}
	f := v.Double()
	return &f
}

// time reads Unix nanoseconds. Zero and negative values are refused here,
// with the attribute's name, rather than as a pre-1970 time by Validate.
func (d *decoder) time(m pcommon.Map, a at, key string, required bool) time.Time {
	v, ok := d.get(m, a, key, pcommon.ValueTypeInt, required)
	if !ok {
		return time.Time{}
	}
	if v.Int() <= 0 {
		d.failf(a.path(key), "want Unix nanoseconds after 1970, got %d", v.Int())
		return time.Time{}
	}
	return time.Unix(0, v.Int()).UTC()
}

// strs reads a slice of strings; absent and empty both give nil.
func (d *decoder) strs(m pcommon.Map, a at, key string) []string {
	v, ok := d.get(m, a, key, pcommon.ValueTypeSlice, false)
	if !ok || v.Slice().Len() == 0 {
		return nil
	}
	s := v.Slice()
	out := make([]string, 0, s.Len())
	for i := range s.Len() {
		e := s.At(i)
		if e.Type() != pcommon.ValueTypeStr {
			d.errs = append(d.errs, typeError(fmt.Sprintf("%s[%d]", a.path(key), i), pcommon.ValueTypeStr, e.Type()))
			continue
		}
		out = append(out, e.Str())
	}
	return out
}

// strMap reads a map of strings; absent and empty both give nil.
func (d *decoder) strMap(m pcommon.Map, a at, key string, required bool) map[string]string {
	v, ok := d.get(m, a, key, pcommon.ValueTypeMap, required)
	if !ok || v.Map().Len() == 0 {
		return nil
	}
	out := make(map[string]string, v.Map().Len())
	for k, e := range v.Map().All() {
		if e.Type() != pcommon.ValueTypeStr {
			d.errs = append(d.errs, typeError(fmt.Sprintf("%s[%q]", a.path(key), k), pcommon.ValueTypeStr, e.Type()))
			continue
		}
		out[k] = e.Str()
	}
	return out
}

func (d *decoder) entity(m pcommon.Map, a at, key string) incident.Entity {
	return incident.NewEntity(d.strMap(m, a, key, true))
}

// parsed reads a string attribute and parses it into an enum such as
// incident.Severity.
func parsed[T any](d *decoder, m pcommon.Map, a at, key string, required bool, parse func(string) (T, error)) T {
	var zero T
	v, ok := d.get(m, a, key, pcommon.ValueTypeStr, required)
	if !ok {
		return zero
	}
	t, err := parse(v.Str())
	if err != nil {
		d.failf(a.path(key), "%v", err)
	}
	return t
}

// each calls fn for every element of the list attribute key, each of which
// must be a map.
func (d *decoder) each(m pcommon.Map, key string, fn func(at, pcommon.Map)) {
	v, ok := d.get(m, top, key, pcommon.ValueTypeSlice, false)
	if !ok {
		return
	}
	s := v.Slice()
	for i := range s.Len() {
		e := s.At(i)
		if e.Type() != pcommon.ValueTypeMap {
			d.errs = append(d.errs, typeError(fmt.Sprintf("%s[%d]", key, i), pcommon.ValueTypeMap, e.Type()))
			continue
		}
		fn(at{list: key, index: i}, e.Map())
	}
}

// header checks what every record starts with: the expected kind of event
// and a schema version this package reads. A record that fails here is not
// decoded further, since its attributes may mean something else.
func header(lr plog.LogRecord, wantKind string, isWanted func(string) bool) (string, error) {
	name, err := readEventName(lr)
	if err != nil {
		return "", err
	}
	if !isWanted(name) {
		return "", fmt.Errorf("incidentlog: event name %q is not %s event", name, wantKind)
	}
	v, ok := lr.Attributes().Get(AttrSchemaVersion)
	switch {
	case !ok:
		return "", fmt.Errorf("incidentlog: attribute %q: missing", AttrSchemaVersion)
	case v.Type() != pcommon.ValueTypeInt:
		return "", typeError(AttrSchemaVersion, pcommon.ValueTypeInt, v.Type())
	case v.Int() != SchemaVersion:
		return "", fmt.Errorf("incidentlog: attribute %q: unsupported schema version %d (this build reads %d; upgrade the consumer)",
			AttrSchemaVersion, v.Int(), SchemaVersion)
	}
	return name, nil
}

// timestamp reads a record timestamp that must be set; meaning says what it
// holds, for the error.
func (d *decoder) timestamp(ts pcommon.Timestamp, meaning string) time.Time {
	if ts == 0 {
		d.errs = append(d.errs, fmt.Errorf("incidentlog: record timestamp: missing (it holds %s)", meaning))
	}
	return recordTime(ts)
}

// recordTime reads a record timestamp; zero means unset.
func recordTime(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime()
}
