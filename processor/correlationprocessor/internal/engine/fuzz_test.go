package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

var (
	fuzzKinds = []incident.Kind{incident.KindAnomaly, incident.KindAlert, incident.KindErrorLog, incident.KindHardware,
		incident.KindChange, incident.KindErrorSpan, incident.KindK8sEvent, "custom"}
	fuzzAttrs = []struct{ key, value string }{
		{"service.name", "api"}, {"service.name", "web"}, {"host.name", "h1"}, {"host.name", "h2"},
		{"hw.id", "fan-1"}, {"k8s.pod.name", "p1"}, {"k8s.node.name", "n1"}, {"deployment.id", "d1"},
		{"k8s.cluster.name", "c1"}, {"k8s.cluster.name", "c2"}, {"weird,key=", "v\\al"}, {"service.name", ""},
	}
)

// FuzzIngest drives the engine with arbitrary sequences of findings, edges,
// ticks and snapshot round trips, under small caps, and checks that it never
// panics, only returns its sentinel errors, and emits only valid, properly
// sequenced updates, none after resolution.
func FuzzIngest(f *testing.F) {
	f.Add([]byte{0, 0, 2, 1, 3, 10, 0, 2, 2, 3, 3, 20, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 200})
	f.Add([]byte{0, 3, 4, 0x14, 30, 0, 0, 4, 1, 0x01, 1, 5, 0, 1, 3, 0x09, 2, 0, 3, 0, 0, 0, 0, 255})
	f.Add([]byte("\x00\x04\x01\x80\x00\x01\x00\x00\x03\x04\x05\x06\x03\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := newEngine(t, func(c *Config) {
			c.MaxMembers, c.MaxOpenIncidents, c.MaxEdges, c.MaxChanges, c.MaxRemembered = 4, 5, 8, 4, 8
			c.MatchAttributes = []string{"k8s.cluster.name"}
			c.Dependencies = map[string][]string{"web": {"api"}}
		})
		r := newRecorder(t)
		now := t0
		for len(data) >= 6 {
			op, a, b, c, d, dt := data[0], data[1], data[2], data[3], data[4], data[5]
			data = data[6:]
			// time moves mostly forward, sometimes back (late data)
			now = now.Add(time.Duration(int8(dt)) * 7 * time.Second)
			switch op % 5 {
			case 0, 1:
				attrs := map[string]string{}
				for i := range fuzzAttrs {
					if uint16(c)<<8|uint16(d)&(1<<i) != 0 {
						attrs[fuzzAttrs[i].key] = fuzzAttrs[i].value
					}
				}
				fd := fnd(fuzzKinds[int(a)%len(fuzzKinds)], incident.Severity(b%6), attrs, string('a'+rune(b%3)), now)
				if op%5 == 1 {
					fd.ObservedTime = now.Add(time.Duration(b) * time.Second)
				}
				ups, err := e.Ingest(fd)
				if err != nil && !errors.Is(err, ErrInvalidFinding) && !errors.Is(err, ErrTooManyIncidents) {
					t.Fatalf("unexpected error %v", err)
				}
				r.add(ups)
			case 2:
				names := []string{"api", "web", "db", ""}
				e.ObserveEdge(names[int(a)%4], names[int(b)%4], now)
			case 3:
				r.add(e.Tick(now))
			case 4:
				snap, err := e.Snapshot()
				require.NoError(t, err)
				require.NoError(t, e.Restore(snap))
			}
		}
		r.add(e.Tick(e.Now().Add(48 * time.Hour)))
		s := e.Stats()
		require.Zero(t, s.OpenIncidents+s.PendingGroups, "everything resolves once quiet")
		for id, inc := range r.latest {
			require.Equal(t, incident.StatusResolved, inc.Status, id)
		}
		require.EqualValues(t, len(r.opened), s.IncidentsOpened)
	})
}
