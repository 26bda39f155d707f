package incidentlog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		name             string
		field, attribute string // "" leaves it unset
		incident         bool
		finding          bool
	}{
		{"incident by field", "aiops.incident.resolved", "", true, false},
		{"incident by attribute", "", "aiops.incident.narrated", true, false},
		{"finding by field", "aiops.finding", "", false, true},
		{"finding by attribute", "", "aiops.finding", false, true},
		{"field wins", "aiops.finding", "aiops.incident.opened", false, true},
		{"unknown incident event", "aiops.incident.closed", "", false, false},
		{"other event", "device.app.lifecycle", "", false, false},
		{"plain log", "", "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := plog.NewLogRecord()
			lr.SetEventName(tt.field)
			if tt.attribute != "" {
				lr.Attributes().PutStr(AttrEventName, tt.attribute)
			}
			assert.Equal(t, tt.incident, IsIncident(lr))
			assert.Equal(t, tt.finding, IsFinding(lr))
		})
	}

	lr := plog.NewLogRecord()
	lr.Attributes().PutInt(AttrEventName, 7)
	assert.False(t, IsIncident(lr), "a mistyped event.name is not an event name")
	assert.False(t, IsFinding(lr))
}
