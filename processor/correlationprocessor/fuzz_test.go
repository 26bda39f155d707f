package correlationprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// FuzzClassifyLog feeds arbitrary records through the default rules (OTTL
// conditions, the Alertmanager decoder, titles, entities): no panic, and
// every finding produced is valid.
func FuzzClassifyLog(f *testing.F) {
	f.Add(alertmanagerPayload, int32(0), "hw.id", "fan-1", "service.name", "a", uint64(1795255180000000000), "")
	f.Add("boom\nstack", int32(17), "exception.type", "E", "host.name", "h", uint64(1), "")
	f.Add(`{"groupKey":"g","alerts":[{"labels":{"instance":"[::1]:80"}}]}`, int32(0), "k8s.event.reason", "BackOff", "", "", uint64(0), "deployment")
	f.Add("x", int32(9), "change.to", "v2", "service.name", "s", uint64(5), "aiops.finding")
	c := newLogClassifier(f, createDefaultConfig().(*Config))
	f.Fuzz(func(t *testing.T, body string, sev int32, k1, v1, rk, rv string, tsNanos uint64, eventName string) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		if rk != "" {
			rl.Resource().Attributes().PutStr(rk, rv)
		}
		sl := rl.ScopeLogs().AppendEmpty()
		lr := sl.LogRecords().AppendEmpty()
		lr.Body().SetStr(body)
		lr.SetSeverityNumber(plog.SeverityNumber(sev))
		lr.SetTimestamp(pcommon.Timestamp(tsNanos))
		lr.SetEventName(eventName)
		if k1 != "" {
			lr.Attributes().PutStr(k1, v1)
		}
		fs, _, _ := c.classify(context.Background(), rl, sl, lr, nil)
		for _, fd := range fs {
			if err := fd.Validate(); err != nil {
				t.Fatalf("invalid finding %+v: %v", fd, err)
			}
		}
	})
}
