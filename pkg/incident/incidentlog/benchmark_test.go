package incidentlog

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The incident exporter decodes, and the correlation processor encodes, one
// record per state change; findings pass at the rate of detections.

func BenchmarkMarshalIncident(b *testing.B) {
	u := incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}
	lr := newRecord()
	b.ReportAllocs()
	for b.Loop() {
		if err := MarshalIncident(u, lr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalIncident(b *testing.B) {
	lr := newRecord()
	require.NoError(b, MarshalIncident(incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}, lr))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalIncident(lr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalFinding(b *testing.B) {
	f := fullFinding()
	lr := newRecord()
	b.ReportAllocs()
	for b.Loop() {
		if err := MarshalFinding(f, lr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalFinding(b *testing.B) {
	lr := newRecord()
	require.NoError(b, MarshalFinding(fullFinding(), lr))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalFinding(lr); err != nil {
			b.Fatal(err)
		}
	}
}
