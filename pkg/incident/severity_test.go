package incident

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeverityNames(t *testing.T) {
	for _, tt := range []struct {
		sev  Severity
		name string
		otel int32
	}{
		{SeverityInfo, "info", 9},
		{SeverityWarning, "warning", 13},
		{SeverityError, "error", 17},
		{SeverityCritical, "critical", 21},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.sev.IsValid())
			assert.Equal(t, tt.name, tt.sev.String())
			got, err := ParseSeverity(tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.sev, got)

			text, err := tt.sev.MarshalText()
			require.NoError(t, err)
			var back Severity
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, tt.sev, back)

			assert.Equal(t, tt.otel, tt.sev.OTelSeverityNumber())
			fromOTel, ok := SeverityFromOTel(tt.otel)
			assert.True(t, ok)
			assert.Equal(t, tt.sev, fromOTel)
		})
	}
}

func TestSeverityOrder(t *testing.T) {
	assert.Less(t, SeverityInfo, SeverityWarning)
	assert.Less(t, SeverityWarning, SeverityError)
	assert.Less(t, SeverityError, SeverityCritical)
}

func TestSeverityInvalid(t *testing.T) {
	for _, s := range []Severity{0, SeverityCritical + 1} {
		assert.False(t, s.IsValid())
		assert.Equal(t, int32(0), s.OTelSeverityNumber())
		_, err := s.MarshalText()
		assert.Error(t, err)
	}
	assert.Equal(t, "Severity(0)", Severity(0).String())

	for _, text := range []string{"", "Info", "CRITICAL", "warn", "fatal", " error"} {
		_, err := ParseSeverity(text)
		assert.ErrorContains(t, err, "unknown severity", "%q", text)
	}
	s := SeverityWarning
	require.Error(t, s.UnmarshalText([]byte("bogus")))
	assert.Equal(t, SeverityWarning, s, "a failed UnmarshalText leaves the value alone")
}

func TestSeverityFromOTel(t *testing.T) {
	want := map[int32]Severity{}
	for n := int32(1); n <= 12; n++ { // TRACE, DEBUG, INFO
		want[n] = SeverityInfo
	}
	for n := int32(13); n <= 16; n++ {
		want[n] = SeverityWarning
	}
	for n := int32(17); n <= 20; n++ {
		want[n] = SeverityError
	}
	for n := int32(21); n <= 24; n++ {
		want[n] = SeverityCritical
	}
	for n := int32(-1); n <= 25; n++ {
		got, ok := SeverityFromOTel(n)
		w, wantOK := want[n]
		assert.Equal(t, wantOK, ok, "SeverityNumber %d", n)
		assert.Equal(t, w, got, "SeverityNumber %d", n)
	}
}
