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

func incidentUpdates() map[string]incident.Update {
	resolved := fullIncident()
	resolved.Sequence = 7
	resolved.Status = incident.StatusResolved
	resolved.ResolvedAt = after(20 * time.Minute)
	resolved.UpdatedAt = after(20 * time.Minute)

	narrated := resolved
	narrated.Sequence = 8
	narrated.UpdatedAt = after(21 * time.Minute)
	narrated.Narrative = incident.Narrative{
		Status:    incident.NarrativeReady,
		Text:      "Fan 3 on node-1 failed at 03:04.\nThe CPU throttled; checkout p99 doubled.",
		Generator: "llama-3.1-8b",
		UpdatedAt: after(21 * time.Minute),
	}

	reopened := minimalIncident()
	reopened.RecurrenceOf = resolved.ID

	opened := fullIncident()
	opened.Sequence = 1
	opened.Status = incident.StatusOpen
	opened.RecurrenceOf = ""
	opened.Narrative = incident.Narrative{}

	unknownKinds := minimalIncident()
	unknownKinds.TotalFindings = 1
	unknownKinds.FirstFindingAt, unknownKinds.LastFindingAt = t0, t0
	unknownKinds.RootCauses = []incident.RootCause{{Entity: fan, Kind: "disk_smart", Score: 1}}
	unknownKinds.Changes = []incident.Change{{Entity: fan, Kind: "firmware", Time: t0, FindingID: "fnd-2"}}
	unknownKinds.Members = []incident.Member{{
		Fingerprint: "f", FindingID: "fnd-2", Kind: "disk_smart", Severity: incident.SeverityError,
		EntityKey: fan.Key(), FirstSeen: t0, LastSeen: t0, Count: 1,
	}}

	awkward := minimalIncident()
	awkward.ID = "inc with spaces, ünïcode & \"quotes\""
	awkward.Title = "line one\nline two\ttab"
	awkward.Labels = map[string]string{"a=b": "c,d", "emoji": "🔥"}
	awkward.RootCauses = []incident.RootCause{{
		Entity: incident.NewEntity(map[string]string{`k\=,`: `v\=,`}), Kind: incident.KindAlert, Score: 0,
	}}

	extremes := minimalIncident()
	extremes.Sequence = math.MaxInt64
	extremes.OpenedAt = time.Unix(0, 1).UTC()
	extremes.UpdatedAt = time.Unix(0, math.MaxInt64).UTC()
	extremes.TotalFindings = math.MaxInt64
	extremes.FirstFindingAt, extremes.LastFindingAt = extremes.OpenedAt, extremes.UpdatedAt

	return map[string]incident.Update{
		"opened minimal":     {Event: incident.EventOpened, Incident: minimalIncident()},
		"opened full":        {Event: incident.EventOpened, Incident: opened},
		"updated full":       {Event: incident.EventUpdated, Incident: fullIncident()},
		"acknowledged":       {Event: incident.EventAcknowledged, Incident: fullIncident()},
		"resolved":           {Event: incident.EventResolved, Incident: resolved},
		"narrated":           {Event: incident.EventNarrated, Incident: narrated},
		"reopened":           {Event: incident.EventReopened, Incident: reopened},
		"unknown kinds":      {Event: incident.EventUpdated, Incident: unknownKinds},
		"awkward strings":    {Event: incident.EventUpdated, Incident: awkward},
		"extreme numbers":    {Event: incident.EventUpdated, Incident: extremes},
		"no optional fields": {Event: incident.EventUpdated, Incident: minimalIncident()},
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	for name, u := range incidentUpdates() {
		for _, enc := range encodings {
			t.Run(name+"/"+enc.name, func(t *testing.T) {
				lr := newRecord()
				require.NoError(t, MarshalIncident(u, lr))
				got, err := UnmarshalIncident(transport(t, lr, enc.m, enc.u))
				require.NoError(t, err)
				assert.Equal(t, u, got)
			})
		}
	}
}

func TestMarshalIncidentRecord(t *testing.T) {
	lr := newRecord()
	lr.SetObservedTimestamp(123)
	lr.SetTraceID(pcommon.TraceID{1})
	lr.Attributes().PutStr("stale", "from an earlier use of the record")
	lr.Attributes().PutStr(AttrIncidentSummary, "stale summary")

	u := incident.Update{Event: incident.EventUpdated, Incident: minimalIncident()}
	u.Incident.UpdatedAt = after(time.Minute)
	u.Incident.Severity = incident.SeverityWarning
	require.NoError(t, MarshalIncident(u, lr))

	assert.Equal(t, pcommon.NewTimestampFromTime(after(time.Minute)), lr.Timestamp(), "the record's time is the time of the state change")
	assert.Equal(t, pcommon.Timestamp(123), lr.ObservedTimestamp(), "left alone")
	assert.Equal(t, pcommon.TraceID{1}, lr.TraceID(), "left alone")
	assert.Equal(t, "aiops.incident.updated", lr.EventName())
	assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())
	assert.Equal(t, "warning", lr.SeverityText())
	assert.Equal(t, "updated inc-1 #1 [warning open] t (0 findings)", lr.Body().Str())
	assert.Equal(t, map[string]any{
		"event.name":                   "aiops.incident.updated",
		"aiops.schema_version":         int64(1),
		"aiops.incident.id":            "inc-1",
		"aiops.incident.sequence":      int64(1),
		"aiops.incident.status":        "open",
		"aiops.incident.severity":      "warning",
		"aiops.incident.title":         "t",
		"aiops.incident.opened_at":     t0.UnixNano(),
		"aiops.incident.finding_count": int64(0),
	}, lr.Attributes().AsRaw(), "absent optionals are not written, and earlier attributes are gone")
}

func TestMarshalIncidentFlatRootCause(t *testing.T) {
	lr := newRecord()
	require.NoError(t, MarshalIncident(incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}, lr))
	attrs := lr.Attributes().AsRaw()
	assert.Equal(t, "host.name=node-1,hw.id=fan-3", attrs[AttrIncidentRootCauseEntity])
	assert.Equal(t, "hardware", attrs[AttrIncidentRootCauseKind])
	assert.Equal(t, 0.92, attrs[AttrIncidentRootCauseScore])
	assert.Equal(t, "updated inc-7cba75a96db12069 #4 [critical acknowledged] Fan failure on node-1 throttles checkout "+
		"(9 findings; root cause hardware at host.name=node-1,hw.id=fan-3)", lr.Body().Str())
	assert.Equal(t, plog.SeverityNumberFatal, lr.SeverityNumber())
}

func TestMarshalIncidentRefusesInvalid(t *testing.T) {
	bad := incident.Update{Event: incident.EventResolved, Incident: minimalIncident()} // still open

	lr := newRecord()
	lr.Attributes().PutStr("keep", "me")
	before := newRecord()
	lr.CopyTo(before)
	err := MarshalIncident(bad, lr)
	assert.EqualError(t, err, `incidentlog: cannot encode aiops.incident.resolved of incident "inc-1": `+
		"Event: aiops.incident.resolved requires status resolved, got open")
	assert.Equal(t, before, lr, "a refused update leaves the record untouched")

	lrs := plog.NewLogRecordSlice()
	require.Error(t, AppendIncident(lrs, bad))
	assert.Equal(t, 0, lrs.Len(), "a refused update appends nothing")

	require.NoError(t, AppendIncident(lrs, incident.Update{Event: incident.EventOpened, Incident: minimalIncident()}))
	require.Equal(t, 1, lrs.Len())
	assert.True(t, IsIncident(lrs.At(0)))
}

func TestUnmarshalIncidentIgnoresWhatItDoesNotOwn(t *testing.T) {
	u := incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}
	lr := newRecord()
	require.NoError(t, MarshalIncident(u, lr))

	// A newer producer's attributes, a backend's enrichment, an edited body
	// and tampered derived attributes do not change what is read.
	lr.Attributes().PutStr("aiops.incident.escalation_policy", "p1")
	lr.Attributes().PutStr("k8s.cluster.name", "eu-1")
	lr.Attributes().PutInt(AttrIncidentRootCauseScore, 7)
	lr.Attributes().Remove(AttrIncidentRootCauseEntity)
	lr.Body().SetStr("something else")
	lr.SetSeverityNumber(plog.SeverityNumberDebug)
	lr.SetObservedTimestamp(1)

	got, err := UnmarshalIncident(lr)
	require.NoError(t, err)
	assert.Equal(t, u, got)
}

// Only the event.name attribute, as from a producer or backend that predates
// the LogRecord EventName field.
func TestUnmarshalIncidentEventNameAttributeOnly(t *testing.T) {
	u := incident.Update{Event: incident.EventOpened, Incident: minimalIncident()}
	lr := newRecord()
	require.NoError(t, MarshalIncident(u, lr))
	lr.SetEventName("")
	got, err := UnmarshalIncident(lr)
	require.NoError(t, err)
	assert.Equal(t, u, got)

	// ... and only the field.
	require.NoError(t, MarshalIncident(u, lr))
	lr.Attributes().Remove(AttrEventName)
	got, err = UnmarshalIncident(lr)
	require.NoError(t, err)
	assert.Equal(t, u, got)
}

func TestUnmarshalIncidentErrors(t *testing.T) {
	valid := incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}

	for _, tt := range []struct {
		name   string
		mutate func(lr plog.LogRecord, m pcommon.Map)
		want   string
	}{
		{"finding record", func(lr plog.LogRecord, m pcommon.Map) {
			lr.SetEventName("aiops.finding")
			m.PutStr(AttrEventName, "aiops.finding")
		}, `incidentlog: event name "aiops.finding" is not an incident event`},
		{"no event name", func(lr plog.LogRecord, m pcommon.Map) {
			lr.SetEventName("")
			m.Remove(AttrEventName)
		}, `incidentlog: event name "" is not an incident event`},
		{"event names disagree", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrEventName, "aiops.incident.resolved")
		}, `incidentlog: event name field "aiops.incident.updated" and attribute "event.name" ("aiops.incident.resolved") disagree`},
		{"event name attribute not a string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrEventName, 1)
		}, `incidentlog: attribute "event.name": want string, got int`},
		{"no schema version", func(_ plog.LogRecord, m pcommon.Map) {
			m.Remove(AttrSchemaVersion)
		}, `incidentlog: attribute "aiops.schema_version": missing`},
		{"schema version as string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrSchemaVersion, "1")
		}, `incidentlog: attribute "aiops.schema_version": want int, got string`},
		{"newer schema version", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrSchemaVersion, 2)
		}, `incidentlog: attribute "aiops.schema_version": unsupported schema version 2 (this build reads 1; upgrade the consumer)`},
		{"sequence as string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentSequence, "4")
		}, `incidentlog: attribute "aiops.incident.sequence": want int, got string`},
		{"title as bytes", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutEmptyBytes(AttrIncidentTitle).FromRaw([]byte("t"))
		}, `incidentlog: attribute "aiops.incident.title": want string, got bytes`},
		{"empty id value", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutEmpty(AttrIncidentID)
		}, `incidentlog: attribute "aiops.incident.id": want string, got empty`},
		{"no id", func(_ plog.LogRecord, m pcommon.Map) {
			m.Remove(AttrIncidentID)
		}, `incidentlog: attribute "aiops.incident.id": missing`},
		{"unknown status", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentStatus, "closed")
		}, `incidentlog: attribute "aiops.incident.status": unknown status "closed" (want open, acknowledged or resolved)`},
		{"upper-case severity", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentSeverity, "CRITICAL")
		}, `incidentlog: attribute "aiops.incident.severity": unknown severity "CRITICAL"`},
		{"time as string", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentOpenedAt, "2026-01-02T03:04:05Z")
		}, `incidentlog: attribute "aiops.incident.opened_at": want int, got string`},
		{"time zero", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrIncidentOpenedAt, 0)
		}, `incidentlog: attribute "aiops.incident.opened_at": want Unix nanoseconds after 1970, got 0`},
		{"no timestamp", func(lr plog.LogRecord, _ pcommon.Map) {
			lr.SetTimestamp(0)
		}, "incidentlog: record timestamp: missing (it holds the time of the state change)"},
		{"services not a slice", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentServices, "cart,checkout")
		}, `incidentlog: attribute "aiops.incident.services": want slice, got string`},
		{"service not a string", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentServices)
			s.Slice().AppendEmpty().SetInt(3)
		}, `incidentlog: attribute "aiops.incident.services[2]": want string, got int`},
		{"label not a string", func(_ plog.LogRecord, m pcommon.Map) {
			l, _ := m.Get(AttrIncidentLabels)
			l.Map().PutBool("team", true)
		}, `incidentlog: attribute "aiops.incident.labels[\"team\"]": want string, got bool`},
		{"root cause not a map", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentRootCauses)
			s.Slice().At(0).SetStr("fan")
		}, `incidentlog: attribute "aiops.incident.root_causes[0]": want map, got string`},
		{"root cause score as string", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentRootCauses)
			s.Slice().At(1).Map().PutStr("score", "0.4")
		}, `incidentlog: attribute "aiops.incident.root_causes[1].score": want double, got string`},
		{"root cause score as int", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentRootCauses)
			s.Slice().At(0).Map().PutInt("score", 1)
		}, `incidentlog: attribute "aiops.incident.root_causes[0].score": want double, got int`},
		{"root cause reason not a string", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentRootCauses)
			r, _ := s.Slice().At(0).Map().Get("reasons")
			r.Slice().At(1).SetDouble(1)
		}, `incidentlog: attribute "aiops.incident.root_causes[0].reasons[1]": want string, got double`},
		{"change without entity", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentChanges)
			s.Slice().At(0).Map().Remove("entity")
		}, `incidentlog: attribute "aiops.incident.changes[0].entity": missing`},
		{"member without count", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentMembers)
			s.Slice().At(1).Map().Remove("count")
		}, `incidentlog: attribute "aiops.incident.members[1].count": missing`},
		{"member severity unknown", func(_ plog.LogRecord, m pcommon.Map) {
			s, _ := m.Get(AttrIncidentMembers)
			s.Slice().At(0).Map().PutStr("severity", "fatal")
		}, `incidentlog: attribute "aiops.incident.members[0].severity": unknown severity "fatal"`},
		{"narrative status unknown", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutStr(AttrIncidentNarrativeStatus, "done")
		}, `incidentlog: attribute "aiops.incident.narrative.status": unknown narrative status "done"`},
		{"stray narrative text", func(_ plog.LogRecord, m pcommon.Map) {
			m.Remove(AttrIncidentNarrativeStatus)
			m.Remove(AttrIncidentNarrativeUpdatedAt)
			m.PutStr(AttrIncidentNarrativeText, "orphan")
		}, "Narrative: Text, Generator and UpdatedAt must be empty while the status is none"},
		{"fails validation", func(_ plog.LogRecord, m pcommon.Map) {
			m.PutInt(AttrIncidentSequence, 0)
		}, `incidentlog: invalid aiops.incident.updated record of incident "inc-7cba75a96db12069": Sequence: must be at least 1, got 0`},
		{"event disagrees with status", func(lr plog.LogRecord, m pcommon.Map) {
			lr.SetEventName(string(incident.EventResolved))
			m.PutStr(AttrEventName, string(incident.EventResolved))
		}, "Event: aiops.incident.resolved requires status resolved, got acknowledged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := newRecord()
			require.NoError(t, MarshalIncident(valid, lr))
			tt.mutate(lr, lr.Attributes())
			got, err := UnmarshalIncident(lr)
			assert.ErrorContains(t, err, tt.want)
			assert.Equal(t, incident.Update{}, got)
		})
	}
}

func TestUnmarshalIncidentReportsEveryProblem(t *testing.T) {
	lr := newRecord()
	require.NoError(t, MarshalIncident(incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}, lr))
	lr.Attributes().PutStr(AttrIncidentSequence, "4")
	lr.Attributes().Remove(AttrIncidentTitle)
	s, _ := lr.Attributes().Get(AttrIncidentMembers)
	s.Slice().At(1).Map().PutDouble("count", 6)

	_, err := UnmarshalIncident(lr)
	assert.EqualError(t, err, `incidentlog: attribute "aiops.incident.sequence": want int, got string
incidentlog: attribute "aiops.incident.title": missing
incidentlog: attribute "aiops.incident.members[1].count": want int, got double`)
}
