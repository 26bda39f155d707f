package incidentlog

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// MarshalIncident writes u into lr: event name, Timestamp (the time of the
// state change, Incident.UpdatedAt), severity, body and attributes. The
// attributes and body lr had before are replaced; its ObservedTimestamp,
// trace context and flags are left alone.
//
// An update that fails Validate is refused, leaving lr untouched, because a
// record every consumer would reject is better caught where it is made.
func MarshalIncident(u incident.Update, lr plog.LogRecord) error {
	if err := validateUpdate(u); err != nil {
		return err
	}
	marshalIncident(u, lr)
	return nil
}

// AppendIncident appends a record for u to lrs, or nothing if u is invalid.
func AppendIncident(lrs plog.LogRecordSlice, u incident.Update) error {
	if err := validateUpdate(u); err != nil {
		return err
	}
	marshalIncident(u, lrs.AppendEmpty())
	return nil
}

func validateUpdate(u incident.Update) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("incidentlog: cannot encode %s of incident %q: %w", u.Event, u.Incident.ID, err)
	}
	return nil
}

func marshalIncident(u incident.Update, lr plog.LogRecord) {
	inc := u.Incident
	lr.SetTimestamp(timestampOf(inc.UpdatedAt))
	lr.Body().SetStr(incidentBody(u))

	m := startRecord(lr, string(u.Event), inc.Severity, 32)
	m.PutStr(AttrIncidentID, inc.ID)
	m.PutInt(AttrIncidentSequence, inc.Sequence)
	m.PutStr(AttrIncidentStatus, inc.Status.String())
	m.PutStr(AttrIncidentSeverity, inc.Severity.String())
	m.PutStr(AttrIncidentTitle, inc.Title)
	putOptStr(m, AttrIncidentSummary, inc.Summary)
	putTime(m, AttrIncidentOpenedAt, inc.OpenedAt)
	putTime(m, AttrIncidentResolvedAt, inc.ResolvedAt)
	putTime(m, AttrIncidentFirstFindingAt, inc.FirstFindingAt)
	putTime(m, AttrIncidentLastFindingAt, inc.LastFindingAt)
	m.PutInt(AttrIncidentFindingCount, inc.TotalFindings)
	putStrs(m, AttrIncidentServices, inc.Services)
	putStrs(m, AttrIncidentHosts, inc.Hosts)
	putOptStr(m, AttrIncidentRecurrenceOf, inc.RecurrenceOf)
	putStrMap(m, AttrIncidentLabels, inc.Labels)

	if len(inc.RootCauses) > 0 {
		top := inc.RootCauses[0]
		m.PutStr(AttrIncidentRootCauseEntity, top.Entity.Key())
		m.PutStr(AttrIncidentRootCauseKind, string(top.Kind))
		m.PutDouble(AttrIncidentRootCauseScore, top.Score)
		putRootCauses(m.PutEmptySlice(AttrIncidentRootCauses), inc.RootCauses)
	}
	if len(inc.Changes) > 0 {
		putChanges(m.PutEmptySlice(AttrIncidentChanges), inc.Changes)
	}
	if len(inc.Members) > 0 {
		putMembers(m.PutEmptySlice(AttrIncidentMembers), inc.Members)
	}

	if n := inc.Narrative; n.Status != incident.NarrativeNone {
		m.PutStr(AttrIncidentNarrativeStatus, n.Status.String())
		putOptStr(m, AttrIncidentNarrativeText, n.Text)
		putOptStr(m, AttrIncidentNarrativeGenerator, n.Generator)
		putTime(m, AttrIncidentNarrativeUpdatedAt, n.UpdatedAt)
	}
}

func putRootCauses(s pcommon.Slice, rcs []incident.RootCause) {
	s.EnsureCapacity(len(rcs))
	for _, rc := range rcs {
		m := s.AppendEmpty().SetEmptyMap()
		putEntity(m, keyEntity, rc.Entity)
		m.PutStr(keyKind, string(rc.Kind))
		m.PutDouble(keyScore, rc.Score)
		putStrs(m, keyReasons, rc.Reasons)
		putStrs(m, keyFindingIDs, rc.FindingIDs)
	}
}

func putChanges(s pcommon.Slice, changes []incident.Change) {
	s.EnsureCapacity(len(changes))
	for _, c := range changes {
		m := s.AppendEmpty().SetEmptyMap()
		putEntity(m, keyEntity, c.Entity)
		m.PutStr(keyKind, string(c.Kind))
		putOptStr(m, keyFrom, c.From)
		putOptStr(m, keyTo, c.To)
		putTime(m, keyTime, c.Time)
		putOptStr(m, keyDescription, c.Description)
		m.PutStr(keyFindingID, c.FindingID)
	}
}

func putMembers(s pcommon.Slice, members []incident.Member) {
	s.EnsureCapacity(len(members))
	for _, mem := range members {
		m := s.AppendEmpty().SetEmptyMap()
		m.PutStr(keyFingerprint, mem.Fingerprint)
		m.PutStr(keyFindingID, mem.FindingID)
		m.PutStr(keyKind, string(mem.Kind))
		m.PutStr(keySeverity, mem.Severity.String())
		m.PutStr(keyEntityKey, mem.EntityKey)
		putOptStr(m, keySignal, mem.Signal)
		putTime(m, keyFirstSeen, mem.FirstSeen)
		putTime(m, keyLastSeen, mem.LastSeen)
		m.PutInt(keyCount, mem.Count)
	}
}

// UnmarshalIncident reads an incident record. It fails, naming every problem,
// if lr is not an incident record of this schema version, if a known
// attribute is missing or has the wrong type, or if the result fails
// Update.Validate. Unknown attributes, the body and the derived flat
// root-cause attributes are ignored.
func UnmarshalIncident(lr plog.LogRecord) (incident.Update, error) {
	name, err := header(lr, "an incident", func(n string) bool { return incident.Event(n).IsValid() })
	if err != nil {
		return incident.Update{}, err
	}
	var d decoder
	m := lr.Attributes()
	inc := incident.Incident{
		ID:             d.str(m, top, AttrIncidentID, true),
		Sequence:       d.int(m, top, AttrIncidentSequence, true),
		Status:         parsed(&d, m, top, AttrIncidentStatus, true, incident.ParseStatus),
		Severity:       parsed(&d, m, top, AttrIncidentSeverity, true, incident.ParseSeverity),
		Title:          d.str(m, top, AttrIncidentTitle, true),
		Summary:        d.str(m, top, AttrIncidentSummary, false),
		OpenedAt:       d.time(m, top, AttrIncidentOpenedAt, true),
		UpdatedAt:      d.timestamp(lr.Timestamp(), "the time of the state change"),
		ResolvedAt:     d.time(m, top, AttrIncidentResolvedAt, false),
		FirstFindingAt: d.time(m, top, AttrIncidentFirstFindingAt, false),
		LastFindingAt:  d.time(m, top, AttrIncidentLastFindingAt, false),
		TotalFindings:  d.int(m, top, AttrIncidentFindingCount, true),
		Services:       d.strs(m, top, AttrIncidentServices),
		Hosts:          d.strs(m, top, AttrIncidentHosts),
		RecurrenceOf:   d.str(m, top, AttrIncidentRecurrenceOf, false),
		Labels:         d.strMap(m, top, AttrIncidentLabels, false),
		RootCauses:     d.rootCauses(m),
		Changes:        d.changes(m),
		Members:        d.members(m),
		Narrative:      d.narrative(m),
	}
	if err := d.err(); err != nil {
		return incident.Update{}, err
	}
	u := incident.Update{Event: incident.Event(name), Incident: inc}
	if err := u.Validate(); err != nil {
		return incident.Update{}, fmt.Errorf("incidentlog: invalid %s record of incident %q: %w", name, inc.ID, err)
	}
	return u, nil
}

func (d *decoder) rootCauses(m pcommon.Map) []incident.RootCause {
	var out []incident.RootCause
	d.each(m, AttrIncidentRootCauses, func(a at, m pcommon.Map) {
		out = append(out, incident.RootCause{
			Entity:     d.entity(m, a, keyEntity),
			Kind:       incident.Kind(d.str(m, a, keyKind, true)),
			Score:      d.double(m, a, keyScore, true),
			Reasons:    d.strs(m, a, keyReasons),
			FindingIDs: d.strs(m, a, keyFindingIDs),
		})
	})
	return out
}

func (d *decoder) changes(m pcommon.Map) []incident.Change {
	var out []incident.Change
	d.each(m, AttrIncidentChanges, func(a at, m pcommon.Map) {
		out = append(out, incident.Change{
			Entity:      d.entity(m, a, keyEntity),
			Kind:        incident.ChangeKind(d.str(m, a, keyKind, true)),
			From:        d.str(m, a, keyFrom, false),
			To:          d.str(m, a, keyTo, false),
			Time:        d.time(m, a, keyTime, true),
			Description: d.str(m, a, keyDescription, false),
			FindingID:   d.str(m, a, keyFindingID, true),
		})
	})
	return out
}

func (d *decoder) members(m pcommon.Map) []incident.Member {
	var out []incident.Member
	d.each(m, AttrIncidentMembers, func(a at, m pcommon.Map) {
		out = append(out, incident.Member{
			Fingerprint: d.str(m, a, keyFingerprint, true),
			FindingID:   d.str(m, a, keyFindingID, true),
			Kind:        incident.Kind(d.str(m, a, keyKind, true)),
			Severity:    parsed(d, m, a, keySeverity, true, incident.ParseSeverity),
			EntityKey:   d.str(m, a, keyEntityKey, true),
			Signal:      d.str(m, a, keySignal, false),
			FirstSeen:   d.time(m, a, keyFirstSeen, true),
			LastSeen:    d.time(m, a, keyLastSeen, true),
			Count:       d.int(m, a, keyCount, true),
		})
	})
	return out
}

// narrative reads the narrative attributes; without a status the narrative
// is none, and Validate reports any stray narrative attribute.
func (d *decoder) narrative(m pcommon.Map) incident.Narrative {
	return incident.Narrative{
		Status:    parsed(d, m, top, AttrIncidentNarrativeStatus, false, incident.ParseNarrativeStatus),
		Text:      d.str(m, top, AttrIncidentNarrativeText, false),
		Generator: d.str(m, top, AttrIncidentNarrativeGenerator, false),
		UpdatedAt: d.time(m, top, AttrIncidentNarrativeUpdatedAt, false),
	}
}
