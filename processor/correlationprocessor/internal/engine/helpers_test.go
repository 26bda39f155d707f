package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// fnd builds a valid finding; occurrences of the same kind, attrs and signal
// share a fingerprint.
func fnd(kind incident.Kind, sev incident.Severity, attrs map[string]string, signal string, onset time.Time) incident.Finding {
	e := incident.NewEntity(attrs)
	fp := incident.NewFingerprint(kind, e, signal)
	return incident.Finding{
		ID: incident.NewFindingID(fp, onset.String()), Fingerprint: fp, Kind: kind, Severity: sev,
		Time: onset, Entity: e, Signal: signal, Score: 1, Source: "test",
	}
}

func svcF(name, host string, onset time.Time) incident.Finding {
	return fnd(incident.KindErrorLog, incident.SeverityError, map[string]string{"service.name": name, "host.name": host}, "errors", onset)
}

func hostF(host string, onset time.Time) incident.Finding {
	return fnd(incident.KindAnomaly, incident.SeverityWarning, map[string]string{"host.name": host}, "cpu", onset)
}

func hwF(host, id string, onset time.Time) incident.Finding {
	return fnd(incident.KindHardware, incident.SeverityCritical, map[string]string{"host.name": host, "hw.id": id}, "health", onset)
}

func deployF(svc, to string, onset time.Time) incident.Finding {
	f := fnd(incident.KindChange, incident.SeverityInfo, map[string]string{"service.name": svc, "deployment.id": "d-" + to}, "deploy", onset)
	f.Evidence = map[string]string{EvidenceChangeFrom: "v1", EvidenceChangeTo: to}
	return f
}

func newEngine(t testing.TB, mutate ...func(*Config)) *Engine {
	t.Helper()
	cfg := DefaultConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	e, err := New(cfg)
	require.NoError(t, err)
	return e
}

// recorder validates updates and keeps the latest version of each incident.
type recorder struct {
	t       testing.TB
	all     []incident.Update
	latest  map[string]incident.Incident
	opened  []string // incident IDs in opening order
	history map[string][]incident.Event
}

func newRecorder(t testing.TB) *recorder {
	return &recorder{t: t, latest: map[string]incident.Incident{}, history: map[string][]incident.Event{}}
}

func (r *recorder) add(ups []incident.Update) []incident.Update {
	r.t.Helper()
	for _, u := range ups {
		require.NoError(r.t, u.Validate(), "update %s of %s", u.Event, u.Incident.ID)
		prev, seen := r.latest[u.Incident.ID]
		if seen {
			require.Equal(r.t, prev.Sequence+1, u.Incident.Sequence, "sequence of %s", u.Incident.ID)
			require.NotEqual(r.t, incident.StatusResolved, prev.Status, "update after resolution of %s", u.Incident.ID)
		} else {
			require.Equal(r.t, incident.EventOpened, u.Event)
			r.opened = append(r.opened, u.Incident.ID)
		}
		r.latest[u.Incident.ID] = u.Incident
		r.history[u.Incident.ID] = append(r.history[u.Incident.ID], u.Event)
		r.all = append(r.all, u)
	}
	return ups
}

func (r *recorder) ingest(e *Engine, fs ...incident.Finding) {
	r.t.Helper()
	for _, f := range fs {
		ups, err := e.Ingest(f)
		require.NoError(r.t, err)
		r.add(ups)
	}
}

func (r *recorder) tick(e *Engine, now time.Time) []incident.Update {
	r.t.Helper()
	return r.add(e.Tick(now))
}

func (r *recorder) only() incident.Incident {
	r.t.Helper()
	require.Len(r.t, r.opened, 1, "incidents opened")
	return r.latest[r.opened[0]]
}

func topNode(inc incident.Incident) string {
	if len(inc.RootCauses) == 0 {
		return ""
	}
	return NodeOf(inc.RootCauses[0].Entity)
}
