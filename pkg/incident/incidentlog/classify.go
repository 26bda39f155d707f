package incidentlog

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// IsIncident reports whether lr is an incident record, by its event name. It
// does not check the rest of the record; UnmarshalIncident does.
func IsIncident(lr plog.LogRecord) bool {
	return incident.Event(eventNameOf(lr)).IsValid()
}

// IsFinding reports whether lr is a finding record, by its event name. It
// does not check the rest of the record; UnmarshalFinding does.
func IsFinding(lr plog.LogRecord) bool {
	return eventNameOf(lr) == incident.FindingEventName
}

// eventNameOf returns the EventName field, or else the event.name attribute
// for records from producers or backends that predate the field.
func eventNameOf(lr plog.LogRecord) string {
	if name := lr.EventName(); name != "" {
		return name
	}
	if v, ok := lr.Attributes().Get(AttrEventName); ok {
		return v.Str()
	}
	return ""
}

// readEventName is eventNameOf for decoding: it also checks the attribute's
// type and that field and attribute agree when both are present.
func readEventName(lr plog.LogRecord) (string, error) {
	field := lr.EventName()
	v, ok := lr.Attributes().Get(AttrEventName)
	switch {
	case !ok:
		return field, nil
	case v.Type() != pcommon.ValueTypeStr:
		return "", typeError(AttrEventName, pcommon.ValueTypeStr, v.Type())
	case field != "" && v.Str() != field:
		return "", fmt.Errorf("incidentlog: event name field %q and attribute %q (%q) disagree", field, AttrEventName, v.Str())
	default:
		return v.Str(), nil
	}
}
