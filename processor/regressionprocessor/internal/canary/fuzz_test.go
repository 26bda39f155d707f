package canary

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// FuzzTracker: whatever the versions, times and values (out of order, NaN,
// huge), the tracker never panics, stays within its bounds and reports
// consistent verdicts. Each 11 bytes are one point: identity (1), version
// (1), time step in seconds (signed, 1), value (8).
func FuzzTracker(f *testing.F) {
	f.Add([]byte("\x00\x01\x3c\x00\x00\x00\x00\x00\x00\x59\x40\x00\x02\x3c\x00\x00\x00\x00\x00\x00\x60\x40"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg Config
		tr := newTracker(t, func(c *Config) {
			c.Window, c.MaxGroups = 8, 2
			cfg = *c
		})
		ts, latest := int64(0), int64(0)
		for ; len(raw) >= 11; raw = raw[11:] {
			k := series.Key{Lo: uint64(raw[0] % 5)}
			ver := uint64(raw[1]%4) + 1
			ts += int64(int8(raw[2])) * int64(time.Second)
			latest = max(latest, ts)
			v := math.Float64frombits(leUint64(raw[3:11]))
			out := tr.observe(k, &Point{Version: ver, Name: string('a' + rune(ver)), Start: ts - int64(raw[0]%3)*int64(time.Minute), Time: ts, Value: v})
			require.LessOrEqual(t, tr.Comparing(), cfg.MaxGroups)
			if out.Compared {
				require.Equal(t, RoleCanary, out.Role)
				require.False(t, math.IsNaN(out.Score) || math.IsNaN(out.Effect) || math.IsNaN(out.RelChange))
				require.True(t, out.Score == 0 || (out.Score >= 0.6 && out.Score <= 1))
			}
			if out.Decision != detector.DecisionNormal {
				require.NotEmpty(t, out.Version)
			}
			if out.Role == RoleCapped {
				require.NotEqual(t, CapNone, out.Cap)
			}
		}
		tr.Expire(latest + int64(time.Hour))
		require.Zero(t, tr.Comparing())
	})
}

func leUint64(b []byte) uint64 {
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u
}
