package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

type benchBackend struct {
	name string
	open func(testing.TB, store.Options) store.Store
}

func benchBackends() []benchBackend {
	return []benchBackend{{"sqlite", newSQLite}, {"postgres", newPostgres}}
}

func benchPlanner(c store.Change) []store.OutboxMessage {
	inc := c.Update.Incident
	return []store.OutboxMessage{{Destination: "webhook", IncidentID: inc.ID,
		Key: fmt.Sprintf("%s/%d/webhook", inc.ID, inc.Sequence), Payload: []byte(`{"event":"` + string(c.Update.Event) + `"}`)}}
}

var services = []string{"cart", "checkout", "search", "payments", "frontend", "ads", "email", "shipping", "quote", "currency",
	"db", "cache", "auth", "recommendation", "inventory", "catalog", "review", "image", "ledger", "gateway"}

// benchUpdate returns the n-th record of a stream over `incidents`
// incidents: sequence n/incidents+1 of incident n%incidents, three members of
// which one grows.
func benchUpdate(n, incidents int, opened time.Time) incident.Update {
	i, seq := n%incidents, int64(n/incidents+1)
	at := opened.Add(time.Duration(seq) * time.Second)
	inc := storetest.Inc(storetest.ID(i), seq, incident.StatusOpen, at)
	inc.OpenedAt = opened
	inc.Severity = incident.Severity(1 + i%4)
	inc.Title = fmt.Sprintf("%s latency regression on host-%d", services[i%len(services)], i%50)
	inc.Services = []string{services[i%len(services)]}
	if j := (i + 7) % len(services); services[j] > inc.Services[0] {
		inc.Services = append(inc.Services, services[j])
	}
	inc.Hosts = []string{fmt.Sprintf("host-%02d", i%50)}
	inc = storetest.WithRootCause(inc, incident.KindHardware, map[string]string{"host.name": inc.Hosts[0], "hw.id": "fan-1"})
	inc = storetest.WithMembers(inc,
		storetest.Member(fmt.Sprintf("fp-a-%d", i%500), incident.KindHardware, incident.SeverityCritical, "hw.id=fan-1", opened, 1),
		storetest.Member(fmt.Sprintf("fp-b-%d", i%300), incident.KindAnomaly, incident.SeverityWarning, "service.name=x", opened, 2),
		storetest.Member(fmt.Sprintf("fp-c-%d", i), incident.KindErrorLog, incident.SeverityError, "service.name=y", opened, seq),
	)
	ev := incident.EventUpdated
	if seq == 1 {
		ev = incident.EventOpened
	}
	return storetest.Up(ev, inc)
}

// BenchmarkApply measures incident changes committed per second: one change
// per transaction (one record per ConsumeLogs) and 100 per transaction (a
// batch of records), each with its outbox message.
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, store.Options{Planner: benchPlanner})
			n := 0
			for _, batch := range []int{1, 100} {
				b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
					ups := make([]incident.Update, batch)
					start := time.Now()
					for b.Loop() {
						for k := range ups {
							ups[k] = benchUpdate(n, 1000, storetest.T0)
							n++
						}
						if _, err := s.Apply(ctx, ups...); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "changes/s")
				})
			}
		})
	}
}

// BenchmarkList100k seeds 100,000 incidents (batches of 1,000 per
// transaction; every fifth one resolved), then measures List for the API's
// typical queries. Besides ns/op it reports the p50 and p99 of the
// individual List calls (each call timed, sorted, nearest-rank).
func BenchmarkList100k(b *testing.B) {
	ctx := context.Background()
	const total = 100_000
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, store.Options{})
			start := time.Now()
			const batch = 1000
			ups := make([]incident.Update, 0, batch+batch/5)
			for i := 0; i < total; i += batch {
				ups = ups[:0]
				for k := i; k < i+batch; k++ {
					u := benchUpdate(k, total, storetest.T0.Add(time.Duration(k)*time.Second))
					ups = append(ups, u)
					if k%5 == 0 {
						r := u.Incident
						r.Sequence, r.Status = 2, incident.StatusResolved
						r.UpdatedAt = r.UpdatedAt.Add(time.Minute)
						r.ResolvedAt = r.UpdatedAt
						ups = append(ups, storetest.Up(incident.EventResolved, r))
					}
				}
				if _, err := s.Apply(ctx, ups...); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%s: seeded %d incidents in %v", be.name, total, time.Since(start).Round(time.Millisecond))
			page := must(s.List(ctx, store.Filter{Limit: 50}))
			for range 99 { // a cursor 100 pages deep
				page = must(s.List(ctx, store.Filter{Limit: 50, Cursor: page.Next}))
			}
			deep := page.Next
			cases := []struct {
				name string
				f    store.Filter
			}{
				{"first-page", store.Filter{}},
				{"deep-page", store.Filter{Cursor: deep}},
				{"status=open", store.Filter{Statuses: []incident.Status{incident.StatusOpen, incident.StatusAcknowledged}}},
				{"severity>=error", store.Filter{MinSeverity: incident.SeverityError}},
				{"service", store.Filter{Service: "payments"}},
				{"host+status", store.Filter{Host: "host-10", Statuses: []incident.Status{incident.StatusResolved}}},
				{"time-range", store.Filter{From: storetest.T0.Add(10 * time.Hour), To: storetest.T0.Add(11 * time.Hour)}},
				{"text", store.Filter{Text: "checkout latency"}},
				{"text-rare", store.Filter{Text: "host-7 nothing"}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					var lat []time.Duration
					for b.Loop() {
						t0 := time.Now()
						p, err := s.List(ctx, c.f)
						lat = append(lat, time.Since(t0))
						if err != nil {
							b.Fatal(err)
						}
						if len(p.Incidents) == 0 && c.name != "text-rare" {
							b.Fatal("empty page")
						}
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[(len(lat)-1)/2].Nanoseconds()), "p50-ns")
					b.ReportMetric(float64(lat[(len(lat)*99+99)/100-1].Nanoseconds()), "p99-ns")
				})
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkSQLiteBytesPerIncident reports the database file's size per
// incident after 10k incidents of 5 records each (three members, a root
// cause, a timeline of 5 changes and member arrivals; no outbox), for sizing
// store::directory.
func BenchmarkSQLiteBytesPerIncident(b *testing.B) {
	const incidents, records = 10_000, 5
	for range b.N {
		path := filepath.Join(b.TempDir(), "incidents.db")
		s, err := store.OpenSQLite(context.Background(), path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		opened := storetest.T0
		for n := 0; n < incidents*records; n += 1000 {
			ups := make([]incident.Update, 0, 1000)
			for k := n; k < n+1000; k++ {
				ups = append(ups, benchUpdate(k, incidents, opened))
			}
			if _, err := s.Apply(context.Background(), ups...); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil { // checkpoints the WAL into the file
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/incidents, "bytes/incident")
	}
}
