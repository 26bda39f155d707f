package engine

import (
	"errors"
	"fmt"
	"go/build"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func TestDedup(t *testing.T) {
	e := newEngine(t)
	r := newRecorder(t)
	for i := range 5 {
		r.ingest(e, svcF("api", "h1", at(time.Duration(i)*10*time.Second)))
	}
	r.tick(e, at(time.Hour))
	inc := r.only()
	require.Len(t, inc.Members, 1)
	assert.EqualValues(t, 5, inc.Members[0].Count)
	assert.EqualValues(t, 5, inc.TotalFindings)
	assert.Equal(t, at(0), inc.Members[0].FirstSeen)
	assert.Equal(t, at(40*time.Second), inc.Members[0].LastSeen)
	assert.EqualValues(t, 4, e.Stats().FindingsDeduplicated)
}

func TestGroupWaitAndInterval(t *testing.T) {
	e := newEngine(t) // wait 30s, interval 2m
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)), svcF("api", "h1", at(10*time.Second)))
	assert.Empty(t, r.tick(e, at(29*time.Second)), "nothing before group_wait")
	ups := r.tick(e, at(45*time.Second))
	require.Len(t, ups, 1)
	assert.Equal(t, incident.EventOpened, ups[0].Event)
	assert.Equal(t, at(30*time.Second), ups[0].Incident.OpenedAt, "opened at the timer's due time, not the tick's")
	assert.Len(t, ups[0].Incident.Members, 2)

	r.ingest(e, svcF("web", "h1", at(50*time.Second)))
	assert.Empty(t, r.tick(e, at(2*time.Minute)), "a change waits for group_interval")
	ups = r.tick(e, at(3*time.Minute))
	require.Len(t, ups, 1)
	assert.Equal(t, incident.EventUpdated, ups[0].Event)
	assert.EqualValues(t, 2, ups[0].Incident.Sequence)
	assert.Equal(t, at(2*time.Minute+30*time.Second), ups[0].Incident.UpdatedAt)
	assert.Len(t, ups[0].Incident.Members, 3)

	r.ingest(e, svcF("web", "h1", at(3*time.Minute+10*time.Second))) // duplicate only
	assert.Empty(t, r.tick(e, at(6*time.Minute)), "a duplicate alone does not trigger an update")
}

func TestGrouping(t *testing.T) {
	tests := []struct {
		name     string
		cfg      func(*Config)
		prepare  func(*Engine)
		findings []incident.Finding
		want     int    // incidents
		wantRoot string // top root cause of the first incident, if set
	}{
		{
			name:     "containment: services on a failing host",
			findings: []incident.Finding{hostF("h1", at(0)), svcF("api", "h1", at(20*time.Second)), svcF("web", "h1", at(30*time.Second))},
			want:     1, wantRoot: "host:h1",
		},
		{
			name:     "containment: hardware under its host",
			findings: []incident.Finding{svcF("api", "h1", at(40*time.Second)), hostF("h1", at(20*time.Second)), hwF("h1", "fan-1", at(0))},
			want:     1, wantRoot: "hw:h1/fan-1",
		},
		{
			name:     "unrelated hosts stay apart",
			findings: []incident.Finding{hostF("h1", at(0)), hostF("h2", at(time.Second))},
			want:     2,
		},
		{
			name:     "sibling services on one host are not related without a host finding",
			findings: []incident.Finding{svcF("api", "h1", at(0)), svcF("web", "h1", at(time.Second))},
			want:     2,
		},
		{
			name:     "trace edge: caller errors join the callee",
			prepare:  func(e *Engine) { e.ObserveEdge("web", "api", at(-time.Minute)) },
			findings: []incident.Finding{svcF("web", "h2", at(20*time.Second)), svcF("api", "h1", at(0))},
			want:     1, wantRoot: "svc:api",
		},
		{
			name:     "no edge: caller and callee apart",
			findings: []incident.Finding{svcF("web", "h2", at(20*time.Second)), svcF("api", "h1", at(0))},
			want:     2,
		},
		{
			name:     "trace edge expired after edge_ttl",
			prepare:  func(e *Engine) { e.ObserveEdge("web", "api", at(-2*time.Hour)) },
			findings: []incident.Finding{svcF("api", "h1", at(0)), svcF("web", "h2", at(20*time.Second))},
			want:     2,
		},
		{
			name:     "static dependency map",
			cfg:      func(c *Config) { c.Dependencies = map[string][]string{"web": {"api"}} },
			findings: []incident.Finding{svcF("api", "h1", at(0)), svcF("web", "h2", at(20*time.Second))},
			want:     1, wantRoot: "svc:api",
		},
		{
			name: "transitive callers within max_hops",
			prepare: func(e *Engine) {
				e.ObserveEdge("web", "api", at(0))
				e.ObserveEdge("api", "db", at(0))
			},
			findings: []incident.Finding{svcF("web", "h3", at(40*time.Second)), svcF("db", "h1", at(0))},
			want:     1, wantRoot: "svc:db",
		},
		{
			name:     "outside the sliding window",
			findings: []incident.Finding{hostF("h1", at(0)), svcF("api", "h1", at(6*time.Minute))},
			want:     2,
		},
		{
			name: "window slides with the last finding",
			findings: []incident.Finding{
				hostF("h1", at(0)), svcF("api", "h1", at(4*time.Minute)), svcF("web", "h1", at(8*time.Minute)),
			},
			want: 1,
		},
		{
			name: "match attributes must agree",
			cfg:  func(c *Config) { c.MatchAttributes = []string{"k8s.cluster.name"} },
			findings: []incident.Finding{
				fnd(incident.KindAnomaly, incident.SeverityError, map[string]string{"host.name": "h1", "k8s.cluster.name": "a"}, "cpu", at(0)),
				fnd(incident.KindErrorLog, incident.SeverityError, map[string]string{"service.name": "api", "host.name": "h1", "k8s.cluster.name": "b"}, "errors", at(time.Second)),
			},
			want: 2,
		},
		{
			name: "match attributes: missing value matches",
			cfg:  func(c *Config) { c.MatchAttributes = []string{"k8s.cluster.name"} },
			findings: []incident.Finding{
				fnd(incident.KindAnomaly, incident.SeverityError, map[string]string{"host.name": "h1", "k8s.cluster.name": "a"}, "cpu", at(0)),
				svcF("api", "h1", at(time.Second)),
			},
			want: 1,
		},
		{
			name:     "causal precedence: a host trouble starting well after its services' is not their cause",
			findings: []incident.Finding{svcF("api", "h1", at(0)), hostF("h1", at(3*time.Minute))},
			want:     2,
		},
		{
			name:     "causal precedence: within onset_tolerance still joins",
			findings: []incident.Finding{svcF("api", "h1", at(0)), hostF("h1", at(50*time.Second))},
			want:     1,
		},
		{
			name:     "causal precedence: a caller failing before its callee is not its symptom",
			prepare:  func(e *Engine) { e.ObserveEdge("web", "api", at(-time.Minute)) },
			findings: []incident.Finding{svcF("web", "h2", at(0)), svcF("api", "h1", at(3*time.Minute))},
			want:     2,
		},
		{
			name:     "pending groups merge when a finding connects them",
			findings: []incident.Finding{svcF("api", "h1", at(0)), svcF("web", "h1", at(time.Second)), hostF("h1", at(2*time.Second))},
			want:     1, wantRoot: "host:h1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var muts []func(*Config)
			if tt.cfg != nil {
				muts = append(muts, tt.cfg)
			}
			e := newEngine(t, muts...)
			if tt.prepare != nil {
				tt.prepare(e)
			}
			r := newRecorder(t)
			r.ingest(e, tt.findings...)
			r.tick(e, at(24*time.Hour))
			require.Len(t, r.opened, tt.want)
			if tt.wantRoot != "" {
				assert.Equal(t, tt.wantRoot, topNode(r.latest[r.opened[0]]))
			}
		})
	}
}

func TestInhibition(t *testing.T) {
	e := newEngine(t)
	e.ObserveEdge("web", "api", at(0))
	e.ObserveEdge("mobile", "api", at(0))
	r := newRecorder(t)
	r.ingest(e, svcF("api", "h1", at(0)))
	r.tick(e, at(time.Minute))
	inc := r.only()
	require.Equal(t, "svc:api", topNode(inc))
	// symptoms downstream of the open incident's root cause join it
	r.ingest(e, svcF("web", "h2", at(2*time.Minute)), svcF("mobile", "h3", at(2*time.Minute)))
	r.tick(e, at(10*time.Minute))
	inc = r.only()
	assert.Len(t, inc.Members, 3)
	assert.Equal(t, []string{"api", "mobile", "web"}, inc.Services)
	assert.EqualValues(t, 2, e.Stats().FindingsInhibited)
}

func TestChangeLinking(t *testing.T) {
	e := newEngine(t)
	e.ObserveEdge("web", "api", at(0))
	r := newRecorder(t)
	r.ingest(e,
		deployF("api", "v2", at(-2*time.Minute)),
		deployF("billing", "v9", at(-time.Minute)), // unrelated
		svcF("web", "h2", at(5*time.Second)),
		svcF("api", "h1", at(0)),
		deployF("api", "v3", at(-40*time.Minute)), // outside the look-back
	)
	r.tick(e, at(time.Hour))
	inc := r.only()
	require.Len(t, inc.Changes, 1)
	c := inc.Changes[0]
	assert.Equal(t, incident.ChangeDeploy, c.Kind)
	assert.Equal(t, "v1", c.From)
	assert.Equal(t, "v2", c.To)
	assert.Equal(t, at(-2*time.Minute), c.Time)
	assert.Equal(t, "svc:api", topNode(inc))
	assert.Contains(t, strings.Join(inc.RootCauses[0].Reasons, "; "), "deploy v1→v2 2m0s before its onset")
	assert.Contains(t, inc.RootCauses[0].FindingIDs, c.FindingID)

	// a change arriving after the incident opened is linked too
	e2 := newEngine(t)
	r2 := newRecorder(t)
	r2.ingest(e2, svcF("api", "h1", at(0)))
	r2.tick(e2, at(time.Minute))
	r2.ingest(e2, deployF("api", "v2", at(-time.Minute)))
	r2.tick(e2, at(5*time.Minute))
	assert.Len(t, r2.only().Changes, 1)
	assert.Equal(t, []incident.Event{incident.EventOpened, incident.EventUpdated}, r2.history[r2.opened[0]])
}

func TestRankingOrder(t *testing.T) {
	e := newEngine(t)
	e.ObserveEdge("web", "api", at(0))
	r := newRecorder(t)
	r.ingest(e,
		hwF("h1", "fan-1", at(0)),
		hostF("h1", at(20*time.Second)),
		svcF("api", "h1", at(50*time.Second)),
		svcF("web", "h2", at(70*time.Second)),
	)
	r.tick(e, at(time.Hour))
	inc := r.only()
	require.Len(t, inc.RootCauses, 3)
	var got []string
	for _, rc := range inc.RootCauses {
		got = append(got, NodeOf(rc.Entity))
		assert.NotEmpty(t, rc.Reasons)
		assert.NotEmpty(t, rc.FindingIDs)
	}
	assert.Equal(t, []string{"hw:h1/fan-1", "host:h1", "svc:api"}, got)
	assert.Equal(t, incident.KindHardware, inc.RootCauses[0].Kind)
	assert.Contains(t, inc.Title, "host.name=h1,hw.id=fan-1")
	assert.Equal(t, []string{"api", "web"}, inc.Services)
	assert.Equal(t, []string{"h1", "h2"}, inc.Hosts)
	assert.Equal(t, incident.SeverityCritical, inc.Severity)
}

func TestRankingTieBreak(t *testing.T) {
	// two identical, unrelated-by-topology candidates on one host: the
	// earlier onset, then the node name, decides
	e := newEngine(t)
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)), svcF("b", "h1", at(10*time.Second)), svcF("a", "h1", at(10*time.Second)))
	r.tick(e, at(time.Hour))
	inc := r.only()
	require.Len(t, inc.RootCauses, 3)
	assert.Equal(t, "svc:a", NodeOf(inc.RootCauses[1].Entity))
	assert.Equal(t, "svc:b", NodeOf(inc.RootCauses[2].Entity))
}

func TestResolveAndRecurrence(t *testing.T) {
	e := newEngine(t) // resolve after 15m of quiet
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)), hostF("h1", at(time.Minute)))
	require.Len(t, r.opened, 1, "opened when the second finding moved the clock past group_wait")
	assert.Empty(t, r.tick(e, at(15*time.Minute)), "quiet for 14m only")
	ups := r.tick(e, at(16*time.Minute))
	require.Len(t, ups, 1)
	assert.Equal(t, incident.EventResolved, ups[0].Event)
	assert.Equal(t, at(16*time.Minute), ups[0].Incident.ResolvedAt)
	first := ups[0].Incident.ID

	// the same trouble again: a new incident, linked as a recurrence
	r.ingest(e, hostF("h1", at(20*time.Minute)))
	ups = r.tick(e, at(21*time.Minute))
	require.Len(t, ups, 1)
	assert.NotEqual(t, first, ups[0].Incident.ID)
	assert.Equal(t, first, ups[0].Incident.RecurrenceOf)
	assert.EqualValues(t, 1, ups[0].Incident.TotalFindings, "the resolved incident absorbed nothing")
	assert.Equal(t, []incident.Event{incident.EventOpened, incident.EventResolved}, r.history[first])
	s := e.Stats()
	assert.EqualValues(t, 2, s.IncidentsOpened)
	assert.EqualValues(t, 1, s.IncidentsResolved)
	assert.EqualValues(t, 1, s.Recurrences)
	assert.Equal(t, 1, s.OpenIncidents)
}

func TestQuietPeriodExtendedByActivity(t *testing.T) {
	e := newEngine(t)
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)))
	for m := 1; m <= 30; m++ { // a duplicate every minute for half an hour
		r.ingest(e, hostF("h1", at(time.Duration(m)*time.Minute)))
	}
	r.tick(e, at(44*time.Minute))
	assert.Equal(t, incident.StatusOpen, r.only().Status)
	r.tick(e, at(45*time.Minute))
	assert.Equal(t, incident.StatusResolved, r.only().Status)
	assert.EqualValues(t, 31, r.only().TotalFindings)
}

func TestCaps(t *testing.T) {
	t.Run("max members", func(t *testing.T) {
		e := newEngine(t, func(c *Config) { c.MaxMembers = 2 })
		r := newRecorder(t)
		r.ingest(e, hostF("h1", at(0)), svcF("a", "h1", at(time.Second)), svcF("b", "h1", at(2*time.Second)), svcF("b", "h1", at(3*time.Second)))
		r.tick(e, at(time.Hour))
		inc := r.only()
		assert.Len(t, inc.Members, 2)
		assert.EqualValues(t, 4, inc.TotalFindings)
		assert.EqualValues(t, 2, e.Stats().MembersDropped)
	})
	t.Run("max open incidents", func(t *testing.T) {
		e := newEngine(t, func(c *Config) { c.MaxOpenIncidents = 1 })
		_, err := e.Ingest(hostF("h1", at(0)))
		require.NoError(t, err)
		_, err = e.Ingest(hostF("h2", at(0)))
		require.ErrorIs(t, err, ErrTooManyIncidents)
		assert.Contains(t, err.Error(), "max_open_incidents")
		_, err = e.Ingest(hostF("h1", at(time.Second)))
		require.NoError(t, err, "duplicates of an open incident are still accepted")
		assert.EqualValues(t, 1, e.Stats().FindingsDropped)
		e.Tick(at(time.Hour))
		_, err = e.Ingest(hostF("h2", at(2*time.Hour)))
		require.NoError(t, err, "room again after resolution")
	})
	t.Run("max edges", func(t *testing.T) {
		e := newEngine(t, func(c *Config) { c.MaxEdges = 2 })
		e.ObserveEdge("a", "b", at(0))
		e.ObserveEdge("b", "c", at(time.Second))
		e.ObserveEdge("c", "d", at(2*time.Second))
		s := e.Stats()
		assert.Equal(t, 2, s.Edges)
		assert.EqualValues(t, 1, s.EdgesEvicted)
	})
}

func TestInvalidFinding(t *testing.T) {
	e := newEngine(t)
	f := hostF("h1", at(0))
	f.Fingerprint = ""
	_, err := e.Ingest(f)
	require.ErrorIs(t, err, ErrInvalidFinding)
	assert.Contains(t, err.Error(), "Fingerprint")
	f = hostF("h1", time.Date(2250, 1, 1, 0, 0, 0, 0, time.UTC))
	_, err = e.Ingest(f)
	require.ErrorIs(t, err, ErrInvalidFinding)
	assert.EqualValues(t, 2, e.Stats().FindingsInvalid)
}

func TestConfigValidate(t *testing.T) {
	require.NoError(t, DefaultConfig().Validate())
	c := DefaultConfig()
	c.GroupWait = time.Hour
	c.TopK = 0
	c.MatchAttributes = []string{""}
	c.Dependencies = map[string][]string{"a": {""}}
	err := c.Validate()
	require.Error(t, err)
	for _, want := range []string{"resolve_after", "top_k", "match_attributes[0]", `dependencies["a"]`} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = New(c)
	require.Error(t, err)
}

// storm builds a deterministic mixed workload: several unrelated storms,
// each a hardware fault cascading to services and their callers, with
// duplicates.
func storm(n int, offset time.Duration) []incident.Finding {
	var fs []incident.Finding
	for s := range n {
		base := t0.Add(offset + time.Duration(s)*time.Minute)
		h := fmt.Sprintf("h%d", s)
		fs = append(fs, hwF(h, "fan-1", base), hostF(h, base.Add(10*time.Second)))
		for k := range 5 {
			svc := fmt.Sprintf("s%d-%d", s, k)
			for d := range 4 {
				fs = append(fs, svcF(svc, h, base.Add(time.Duration(20+k*5+d*15)*time.Second)))
			}
		}
	}
	return fs
}

func TestDeterministicReplay(t *testing.T) {
	run := func(tickEvery int) []incident.Update {
		e := newEngine(t)
		r := newRecorder(t)
		for i, f := range storm(6, 0) {
			r.ingest(e, f)
			if tickEvery > 0 && i%tickEvery == 0 {
				r.tick(e, f.Time) // extra ticks must not change the output
			}
		}
		r.tick(e, at(24*time.Hour))
		return r.all
	}
	a, b, c := run(0), run(0), run(3)
	require.NotEmpty(t, a)
	assert.Equal(t, a, b, "same input, same updates")
	assert.Equal(t, a, c, "tick cadence does not change the updates")
}

func TestSnapshotRestore(t *testing.T) {
	fs := storm(5, 0)
	fs = append(fs, deployF("s0-1", "v2", at(-time.Minute)))
	half := len(fs) / 2

	e1 := newEngine(t)
	e1.ObserveEdge("s0-0", "s0-1", at(0))
	r1 := newRecorder(t)
	r1.ingest(e1, fs[:half]...)
	data, err := e1.Snapshot()
	require.NoError(t, err)

	e2 := newEngine(t)
	require.NoError(t, e2.Restore(data))
	data2, err := e2.Snapshot()
	require.NoError(t, err)
	assert.JSONEq(t, string(data), string(data2), "snapshot round-trips")
	assert.Equal(t, e1.Stats(), e2.Stats())

	r2 := newRecorder(t)
	r2.latest, r2.opened = map[string]incident.Incident{}, nil
	for id, inc := range r1.latest {
		r2.latest[id] = inc
	}
	r2.opened = append(r2.opened, r1.opened...)
	before := len(r1.all)
	r1.ingest(e1, fs[half:]...)
	r1.tick(e1, at(24*time.Hour))
	r2.ingest(e2, fs[half:]...)
	r2.tick(e2, at(24*time.Hour))
	assert.Equal(t, r1.all[before:], r2.all, "a restored engine continues exactly like the original")

	require.Error(t, e2.Restore([]byte("{")))
	require.Error(t, e2.Restore([]byte(`{"version":99}`)))
}

func TestNodeOf(t *testing.T) {
	tests := []struct {
		attrs map[string]string
		want  string
		layer incident.Layer
	}{
		{map[string]string{"hw.id": "fan-1", "host.name": "h"}, "hw:h/fan-1", incident.LayerHardware},
		{map[string]string{"hw.id": "fan-1"}, "hw:fan-1", incident.LayerHardware},
		{map[string]string{"service.name": "api", "k8s.pod.name": "p", "host.name": "h"}, "svc:api", incident.LayerService},
		{map[string]string{"k8s.pod.name": "p", "k8s.namespace.name": "ns", "k8s.node.name": "n"}, "pod:ns/p", incident.LayerPod},
		{map[string]string{"k8s.node.name": "n", "host.name": "h"}, "node:n", incident.LayerNode},
		{map[string]string{"host.name": "h"}, "host:h", incident.LayerHost},
		{map[string]string{"service.name": "api", "deployment.id": "d1"}, "svc:api", incident.LayerService},
		{map[string]string{"db.name": "x"}, "entity:db.name=x", incident.LayerUnknown},
	}
	for _, tt := range tests {
		n := NodeOf(incident.NewEntity(tt.attrs))
		assert.Equal(t, tt.want, n)
		assert.Equal(t, tt.layer, layerOfNode(n), n)
	}
}

// The engine must import no collector package (STYLE §2.3).
func TestImportsNoCollector(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "go.opentelemetry.io/") {
			t.Errorf("engine imports %q; engines take plain values (STYLE §2.3)", imp)
		}
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") && !strings.HasPrefix(imp, "github.com/otelcol-aiops/otelcol-aiops/pkg/incident") {
			t.Errorf("engine imports %q; only the standard library and pkg/incident are allowed", imp)
		}
	}
	assert.False(t, errors.Is(ErrInvalidFinding, ErrTooManyIncidents))
}

func TestSeverityRiseUpdates(t *testing.T) {
	e := newEngine(t)
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)))
	r.tick(e, at(time.Minute))
	require.Equal(t, incident.SeverityWarning, r.only().Severity)
	f := hostF("h1", at(2*time.Minute))
	f.Severity = incident.SeverityCritical // same fingerprint, worse
	r.ingest(e, f)
	ups := r.tick(e, at(5*time.Minute))
	require.Len(t, ups, 1)
	assert.Equal(t, incident.EventUpdated, ups[0].Event)
	assert.Equal(t, incident.SeverityCritical, ups[0].Incident.Severity)
	assert.Equal(t, incident.SeverityCritical, ups[0].Incident.Members[0].Severity)
}

// Healthy neighbours learned from resources make a coincidental host
// warning a weak explanation for one failing service among many on it.
func TestConsistencyFromObservedEntities(t *testing.T) {
	e := newEngine(t)
	for _, s := range []string{"api", "web", "db", "cache"} {
		e.ObserveEntity(incident.NewEntity(map[string]string{"service.name": s, "host.name": "h1"}), at(-time.Minute))
	}
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)))
	for i := range 10 { // api fails hard; web, db and cache on the same host are fine
		r.ingest(e, svcF("api", "h1", at(time.Duration(10+i*10)*time.Second)))
	}
	r.tick(e, at(time.Hour))
	inc := r.only()
	assert.Equal(t, "svc:api", topNode(inc))
	assert.Contains(t, strings.Join(inc.RootCauses[1].Reasons, "; "), "25% of what depends on it directly is failing (4 known)")
}

func TestFutureSkewBounded(t *testing.T) {
	e := newEngine(t)
	r := newRecorder(t)
	r.ingest(e, hostF("h1", at(0)))
	r.tick(e, at(time.Minute))
	// a producer with a clock two hours ahead must not resolve everything
	r.ingest(e, svcF("api", "h9", at(2*time.Hour)))
	assert.Equal(t, incident.StatusOpen, r.latest[r.opened[0]].Status)
	assert.Equal(t, at(6*time.Minute), e.Now())
	assert.EqualValues(t, 1, e.Stats().FindingsFuture)
	r.tick(e, at(2*time.Minute))
	assert.Equal(t, at(6*time.Minute), e.Now(), "the clock never goes back")
	r.tick(e, at(time.Hour))
	assert.Equal(t, incident.StatusResolved, r.latest[r.opened[0]].Status)
}

// The case of DESIGN.md: a fan fails on host X → the CPU throttles → run-queue
// latency on X climbs → latency of the services on X regresses → their
// callers error. One incident, root cause the fan, the rest as evidence.
func TestCrossLayerFanStory(t *testing.T) {
	e := newEngine(t)
	inst := func(svc, pod, node, host string) map[string]string {
		return map[string]string{"service.name": svc, "k8s.pod.name": pod, "k8s.namespace.name": "shop", "k8s.node.name": node, "host.name": host}
	}
	// what the adapter learns from ordinary telemetry beforehand
	for _, a := range []map[string]string{
		inst("cart", "cart-0", "node-x", "x"), inst("search", "search-0", "node-x", "x"),
		inst("cart", "cart-1", "node-y", "y"), inst("checkout", "checkout-0", "node-y", "y"),
		inst("frontend", "frontend-0", "node-z", "z"),
	} {
		e.ObserveEntity(incident.NewEntity(a), at(-10*time.Minute))
	}
	e.ObserveEdge("frontend", "cart", at(-5*time.Minute))
	e.ObserveEdge("frontend", "search", at(-5*time.Minute))
	e.ObserveEdge("checkout", "cart", at(-5*time.Minute))

	r := newRecorder(t)
	fan := fnd(incident.KindHardware, incident.SeverityCritical, map[string]string{"hw.id": "fan-3", "hw.type": "fan", "host.name": "x"}, "hw.status", at(0))
	throttle := fnd(incident.KindAnomaly, incident.SeverityError, map[string]string{"host.name": "x"}, "system.cpu.frequency", at(40*time.Second))
	runq := fnd(incident.KindAnomaly, incident.SeverityWarning, map[string]string{"host.name": "x", "k8s.node.name": "node-x"}, "aiops.sched.runqueue.latency", at(70*time.Second))
	cart := fnd(incident.KindAnomaly, incident.SeverityWarning, inst("cart", "cart-0", "node-x", "x"), "http.server.request.duration", at(100*time.Second))
	search := fnd(incident.KindAnomaly, incident.SeverityWarning, inst("search", "search-0", "node-x", "x"), "http.server.request.duration", at(110*time.Second))
	front := fnd(incident.KindErrorSpan, incident.SeverityError, inst("frontend", "frontend-0", "node-z", "z"), "http.client.error", at(130*time.Second))
	checkout := fnd(incident.KindErrorLog, incident.SeverityError, inst("checkout", "checkout-0", "node-y", "y"), "upstream timeout", at(140*time.Second))
	// arrival order differs from onset order: the BMC event is late
	r.ingest(e, throttle, runq, cart, fan, search, front, checkout, front, checkout)
	r.tick(e, at(time.Hour))

	inc := r.only()
	assert.Equal(t, "hw:x/fan-3", topNode(inc))
	assert.Equal(t, incident.KindHardware, inc.RootCauses[0].Kind)
	assert.Equal(t, []string{"cart", "checkout", "frontend", "search"}, inc.Services)
	assert.Equal(t, []string{"x", "y", "z"}, inc.Hosts)
	assert.EqualValues(t, 9, inc.TotalFindings)
	assert.Len(t, inc.Members, 7)
	assert.Equal(t, "hardware at host.name=x,hw.id=fan-3,hw.type=fan, 6 more entities impacted", inc.Title)
	t.Logf("%s\n%v", inc.Title, inc.RootCauses[0].Reasons)
}
