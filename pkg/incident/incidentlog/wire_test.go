package incidentlog

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// encodings are the ways a record travels between collectors and into
// backends; a record must survive each of them unchanged.
var encodings = []struct {
	name string
	m    plog.Marshaler
	u    plog.Unmarshaler
}{
	{"memory", nil, nil},
	{"proto", &plog.ProtoMarshaler{}, &plog.ProtoUnmarshaler{}},
	{"json", &plog.JSONMarshaler{}, &plog.JSONUnmarshaler{}},
}

// transport sends lr through an encoding and returns the record that comes
// out on the other side.
func transport(t testing.TB, lr plog.LogRecord, m plog.Marshaler, u plog.Unmarshaler) plog.LogRecord {
	t.Helper()
	if m == nil {
		return lr
	}
	ld := plog.NewLogs()
	lr.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	buf, err := m.MarshalLogs(ld)
	require.NoError(t, err)
	back, err := u.UnmarshalLogs(buf)
	require.NoError(t, err)
	require.Equal(t, 1, back.LogRecordCount())
	return back.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
}
