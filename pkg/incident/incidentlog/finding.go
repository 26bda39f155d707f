package incidentlog

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// MarshalFinding writes f into lr: event name, Timestamp (the onset,
// Finding.Time), ObservedTimestamp (Finding.ObservedTime, 0 when unknown),
// severity, body and attributes. The attributes and body lr had before are
// replaced; its trace context and flags are left alone.
//
// A finding that fails Validate is refused, leaving lr untouched.
func MarshalFinding(f incident.Finding, lr plog.LogRecord) error {
	if err := validateFinding(f); err != nil {
		return err
	}
	marshalFinding(f, lr)
	return nil
}

// AppendFinding appends a record for f to lrs, or nothing if f is invalid.
func AppendFinding(lrs plog.LogRecordSlice, f incident.Finding) error {
	if err := validateFinding(f); err != nil {
		return err
	}
	marshalFinding(f, lrs.AppendEmpty())
	return nil
}

func validateFinding(f incident.Finding) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("incidentlog: cannot encode finding %q: %w", f.ID, err)
	}
	return nil
}

func marshalFinding(f incident.Finding, lr plog.LogRecord) {
	lr.SetTimestamp(timestampOf(f.Time))
	lr.SetObservedTimestamp(timestampOf(f.ObservedTime))
	lr.Body().SetStr(findingBody(f))

	m := startRecord(lr, incident.FindingEventName, f.Severity, 15)
	m.PutStr(AttrFindingID, f.ID)
	m.PutStr(AttrFindingFingerprint, f.Fingerprint)
	m.PutStr(AttrFindingKind, string(f.Kind))
	m.PutStr(AttrFindingSeverity, f.Severity.String())
	putEntity(m, AttrFindingEntity, f.Entity)
	putOptStr(m, AttrFindingSignal, f.Signal)
	putOptDouble(m, AttrFindingValue, f.Value)
	putOptDouble(m, AttrFindingExpected, f.Expected)
	m.PutDouble(AttrFindingScore, f.Score)
	m.PutStr(AttrFindingSource, f.Source)
	putOptStr(m, AttrFindingTitle, f.Title)
	putOptStr(m, AttrFindingSummary, f.Summary)
	putStrMap(m, AttrFindingEvidence, f.Evidence)
}

// UnmarshalFinding reads a finding record. It fails, naming every problem, if
// lr is not a finding record of this schema version, if a known attribute is
// missing or has the wrong type, or if the result fails Finding.Validate.
// Unknown attributes and the body are ignored.
func UnmarshalFinding(lr plog.LogRecord) (incident.Finding, error) {
	if _, err := header(lr, "a finding", func(n string) bool { return n == incident.FindingEventName }); err != nil {
		return incident.Finding{}, err
	}
	var d decoder
	m := lr.Attributes()
	f := incident.Finding{
		ID:           d.str(m, top, AttrFindingID, true),
		Fingerprint:  d.str(m, top, AttrFindingFingerprint, true),
		Kind:         incident.Kind(d.str(m, top, AttrFindingKind, true)),
		Severity:     parsed(&d, m, top, AttrFindingSeverity, true, incident.ParseSeverity),
		Time:         d.timestamp(lr.Timestamp(), "the finding's onset"),
		ObservedTime: recordTime(lr.ObservedTimestamp()),
		Entity:       d.entity(m, top, AttrFindingEntity),
		Signal:       d.str(m, top, AttrFindingSignal, false),
		Value:        d.optDouble(m, top, AttrFindingValue),
		Expected:     d.optDouble(m, top, AttrFindingExpected),
		Score:        d.double(m, top, AttrFindingScore, true),
		Source:       d.str(m, top, AttrFindingSource, true),
		Title:        d.str(m, top, AttrFindingTitle, false),
		Summary:      d.str(m, top, AttrFindingSummary, false),
		Evidence:     d.strMap(m, top, AttrFindingEvidence, false),
	}
	if err := d.err(); err != nil {
		return incident.Finding{}, err
	}
	if err := f.Validate(); err != nil {
		return incident.Finding{}, fmt.Errorf("incidentlog: invalid finding record %q: %w", f.ID, err)
	}
	return f, nil
}
