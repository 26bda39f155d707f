package incidentlog

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The golden files show exactly how records look in OTLP/JSON; docs/data-model.md
// quotes the incident one. A change to them is a change to the contract.
func TestGoldenIncident(t *testing.T) {
	u := incident.Update{Event: incident.EventUpdated, Incident: fullIncident()}
	lr := newRecord()
	require.NoError(t, MarshalIncident(u, lr))
	golden := checkGolden(t, "incident.json", lr)

	got, err := UnmarshalIncident(golden)
	require.NoError(t, err)
	assert.Equal(t, u, got)
}

func TestGoldenFinding(t *testing.T) {
	lr := newRecord()
	require.NoError(t, MarshalFinding(fullFinding(), lr))
	golden := checkGolden(t, "finding.json", lr)

	got, err := UnmarshalFinding(golden)
	require.NoError(t, err)
	assert.Equal(t, fullFinding(), got)
}

// checkGolden compares lr, as OTLP/JSON, with testdata/name (or rewrites the
// file with -update) and returns the record read back from the file.
func checkGolden(t *testing.T, name string, lr plog.LogRecord) plog.LogRecord {
	t.Helper()
	path := filepath.Join("testdata", name)
	ld := plog.NewLogs()
	lr.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, json.Indent(&got, raw, "", "  "))
	got.WriteByte('\n')

	if *update {
		require.NoError(t, os.WriteFile(path, got.Bytes(), 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), got.String(), "run go test -update if the change is intended")

	back, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(want)
	require.NoError(t, err)
	require.Equal(t, 1, back.LogRecordCount())
	return back.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}
