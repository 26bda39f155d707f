package incidentlog

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// decodeAny reads data as OTLP/JSON and as OTLP/protobuf, whichever parses,
// so the fuzzer reaches the decoders through both wire formats.
func decodeAny(data []byte) []plog.LogRecord {
	var out []plog.LogRecord
	for _, u := range []plog.Unmarshaler{&plog.JSONUnmarshaler{}, &plog.ProtoUnmarshaler{}} {
		ld, err := u.UnmarshalLogs(data)
		if err != nil {
			continue
		}
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

// addSeeds seeds a fuzz target with small records as OTLP/JSON and
// OTLP/protobuf, and with edit programs. Seeds stay small on purpose: the
// fuzzer minimizes every new input it finds, and minimizing a large one
// takes longer than the fuzzing run.
func addSeeds(f *testing.F) {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	require.NoError(f, AppendIncident(lrs, incident.Update{Event: incident.EventOpened, Incident: minimalIncident()}))
	require.NoError(f, AppendFinding(lrs, minimalFinding()))
	for _, m := range []plog.Marshaler{&plog.JSONMarshaler{}, &plog.ProtoMarshaler{}} {
		data, err := m.MarshalLogs(ld)
		require.NoError(f, err)
		f.Add(data)
	}
	// Edit programs (see edit) that, on the incident record, retype the
	// sequence, remove the first member's entity key, change a label and
	// clear the timestamp.
	f.Add([]byte{1, 1, 1, '4'})
	f.Add([]byte{0x80, 69})
	f.Add([]byte{0x81, 14, 4, 't', 'e', 'a', 'm', 1, 'x'})
	f.Add([]byte{9, 0, 0})
}

// Arbitrary input never panics, and whatever decodes re-encodes to a record
// that decodes to the same value. The input is read twice: as OTLP/JSON or
// OTLP/protobuf, and as edits to a valid record (see edit), which reaches the
// attribute checks far more often than random bytes that must first parse.
func FuzzUnmarshalIncident(f *testing.F) {
	addSeeds(f)
	base := newRecord()
	require.NoError(f, MarshalIncident(incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}, base))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lr := range append(decodeAny(data), edit(base, data, incidentKeys)) {
			IsIncident(lr)
			u, err := UnmarshalIncident(lr)
			if err != nil {
				continue
			}
			again := newRecord()
			require.NoError(t, MarshalIncident(u, again))
			got, err := UnmarshalIncident(again)
			require.NoError(t, err)
			require.Equal(t, u, got)
		}
	})
}

// The same as FuzzUnmarshalIncident, for findings.
func FuzzUnmarshalFinding(f *testing.F) {
	addSeeds(f)
	base := newRecord()
	require.NoError(f, MarshalFinding(fullFinding(), base))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lr := range append(decodeAny(data), edit(base, data, findingKeys)) {
			IsFinding(lr)
			fd, err := UnmarshalFinding(lr)
			if err != nil {
				continue
			}
			again := newRecord()
			require.NoError(t, MarshalFinding(fd, again))
			got, err := UnmarshalFinding(again)
			require.NoError(t, err)
			require.Equal(t, fd, got)
		}
	})
}

var (
	commonKeys   = []string{AttrEventName, AttrSchemaVersion, "unknown"}
	incidentKeys = append([]string{
		AttrIncidentID, AttrIncidentSequence, AttrIncidentStatus, AttrIncidentSeverity, AttrIncidentTitle,
		AttrIncidentSummary, AttrIncidentOpenedAt, AttrIncidentResolvedAt, AttrIncidentFirstFindingAt,
		AttrIncidentLastFindingAt, AttrIncidentFindingCount, AttrIncidentServices, AttrIncidentHosts,
		AttrIncidentRecurrenceOf, AttrIncidentLabels, AttrIncidentRootCauses, AttrIncidentChanges,
		AttrIncidentMembers, AttrIncidentRootCauseEntity, AttrIncidentNarrativeStatus,
		AttrIncidentNarrativeText, AttrIncidentNarrativeGenerator, AttrIncidentNarrativeUpdatedAt,
	}, commonKeys...)
	findingKeys = append([]string{
		AttrFindingID, AttrFindingFingerprint, AttrFindingKind, AttrFindingSeverity, AttrFindingEntity,
		AttrFindingSignal, AttrFindingValue, AttrFindingExpected, AttrFindingScore, AttrFindingSource,
		AttrFindingTitle, AttrFindingSummary, AttrFindingEvidence,
	}, commonKeys...)
	nestedKeys = []string{
		keyEntity, keyEntityKey, keyKind, keyScore, keyReasons, keyFindingIDs, keyFrom, keyTo, keyTime,
		keyDescription, keyFindingID, keyFingerprint, keySeverity, keySignal, keyFirstSeen, keyLastSeen, keyCount,
	}
)

// edit returns a copy of base changed by a small program read from data:
// each step is an operation byte, a key byte and, for some operations, a
// length-prefixed operand. An operation with the high bit set works on an
// element of a list attribute (root causes, changes, members) or a nested
// map instead of the top-level attributes.
func edit(base plog.LogRecord, data []byte, keys []string) plog.LogRecord {
	lr := newRecord()
	base.CopyTo(lr)
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	operand := func() []byte {
		n := min(int(next()), len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	for len(data) >= 2 {
		op, k := next(), int(next())
		m, key := lr.Attributes(), keys[k%len(keys)]
		if op&0x80 != 0 {
			v, ok := m.Get(key)
			switch {
			case ok && v.Type() == pcommon.ValueTypeSlice && v.Slice().Len() > 0 && v.Slice().At(0).Type() == pcommon.ValueTypeMap:
				m, key = v.Slice().At(0).Map(), nestedKeys[k%len(nestedKeys)]
			case ok && v.Type() == pcommon.ValueTypeMap:
				m, key = v.Map(), string(operand())
			}
		}
		switch op & 0x7f % 12 {
		case 0:
			m.Remove(key)
		case 1:
			m.PutStr(key, string(operand()))
		case 2:
			m.PutInt(key, int64(binary.LittleEndian.Uint64(pad8(operand()))))
		case 3:
			m.PutDouble(key, math.Float64frombits(binary.LittleEndian.Uint64(pad8(operand()))))
		case 4:
			m.PutBool(key, k&1 == 1)
		case 5:
			m.PutEmptyBytes(key).FromRaw(operand())
		case 6:
			m.PutEmptyMap(key).PutStr(string(operand()), string(operand()))
		case 7:
			m.PutEmptySlice(key).AppendEmpty().SetStr(string(operand()))
		case 8:
			m.PutEmpty(key)
		case 9:
			lr.SetTimestamp(pcommon.Timestamp(binary.LittleEndian.Uint64(pad8(operand()))))
		case 10:
			lr.SetObservedTimestamp(pcommon.Timestamp(binary.LittleEndian.Uint64(pad8(operand()))))
		case 11:
			lr.SetEventName(string(operand()))
		}
	}
	return lr
}

func pad8(b []byte) []byte {
	var out [8]byte
	copy(out[:], b)
	return out[:]
}

var fuzzEvents = []incident.Event{
	incident.EventOpened, incident.EventUpdated, incident.EventAcknowledged,
	incident.EventResolved, incident.EventReopened, incident.EventNarrated,
}

// Incidents and findings built from fuzz input either fail validation, and
// then marshaling refuses them, or survive marshaling, OTLP/protobuf and
// unmarshaling unchanged. (OTLP/JSON is left out: it cannot carry strings
// that are not UTF-8, which the fuzzer produces.)
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(1), uint8(2), uint8(4), uint8(2), int64(4), "inc-1", "Fan failure", "hw.id", "fan-3", "hardware",
		0.9, 0.5, true, int64(1767323045123456789), int64(time.Minute), int64(3), "the fan failed")
	f.Add(uint8(0), uint8(1), uint8(1), uint8(0), int64(1), "i", "t", "k", "v", "x",
		0.0, -1e300, false, int64(1), int64(0), int64(1), "")
	f.Fuzz(func(t *testing.T, event, status, severity, narrative uint8, seq int64, id, title, key, value, kind string,
		score, number float64, hasNumber bool, onset, span, count int64, text string,
	) {
		start := time.Unix(0, onset).UTC()
		end := start.Add(time.Duration(span))
		entity := incident.NewEntity(map[string]string{key: value})
		sev := incident.Severity(severity % 5)
		var num *float64
		if hasNumber {
			num = &number
		}

		inc := incident.Incident{
			ID: id, Sequence: seq, Status: incident.Status(status % 4), Severity: sev, Title: title, Summary: text,
			OpenedAt: start, UpdatedAt: end, FirstFindingAt: start, LastFindingAt: end,
			RootCauses: []incident.RootCause{{Entity: entity, Kind: incident.Kind(kind), Score: score, Reasons: []string{text}, FindingIDs: []string{id}}},
			Services:   []string{value},
			Hosts:      []string{key},
			Changes:    []incident.Change{{Entity: entity, Kind: incident.ChangeKind(kind), From: title, To: text, Time: start, FindingID: id}},
			Members: []incident.Member{{
				Fingerprint: key, FindingID: id, Kind: incident.Kind(kind), Severity: sev, EntityKey: entity.Key(),
				Signal: text, FirstSeen: start, LastSeen: end, Count: count,
			}},
			TotalFindings: count,
			RecurrenceOf:  value,
			Labels:        map[string]string{key: text},
		}
		if inc.Status == incident.StatusResolved {
			inc.ResolvedAt = end
		}
		if ns := incident.NarrativeStatus(narrative % 6); ns != incident.NarrativeNone {
			inc.Narrative = incident.Narrative{Status: ns, Text: text, Generator: title, UpdatedAt: end}
		}
		checkRoundTrip(t, incident.Update{Event: fuzzEvents[int(event)%len(fuzzEvents)], Incident: inc},
			MarshalIncident, UnmarshalIncident, incident.Update.Validate)

		fd := incident.Finding{
			ID: id, Fingerprint: key, Kind: incident.Kind(kind), Severity: sev, Time: start, ObservedTime: end,
			Entity: entity, Signal: text, Value: num, Expected: num, Score: score, Source: value, Title: title,
			Summary: text, Evidence: map[string]string{key: value},
		}
		checkRoundTrip(t, fd, MarshalFinding, UnmarshalFinding, incident.Finding.Validate)
	})
}

func checkRoundTrip[T any](t *testing.T, v T, marshal func(T, plog.LogRecord) error,
	unmarshal func(plog.LogRecord) (T, error), validate func(T) error,
) {
	lr := newRecord()
	err := marshal(v, lr)
	if validate(v) != nil {
		require.Error(t, err, "marshal accepted an invalid value")
		require.Equal(t, newRecord(), lr, "marshal wrote a refused value")
		return
	}
	require.NoError(t, err)
	for _, enc := range encodings[:2] { // memory, proto
		got, err := unmarshal(transport(t, lr, enc.m, enc.u))
		require.NoError(t, err, enc.name)
		require.Equal(t, v, got, enc.name)
	}
}
