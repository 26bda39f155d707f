package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func openSQLiteBench(b *testing.B) store.Store {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "incidents.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

func openPostgresBench(b *testing.B) store.Store {
	dsn, schema := storetest.PostgresSchema(b, "aiops_api_bench_")
	st, err := store.OpenPostgres(context.Background(), dsn, store.PostgresOptions{Schema: schema}, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

var benchServices = []string{"cart", "checkout", "search", "payments", "frontend", "ads", "email", "shipping", "quote", "currency",
	"db", "cache", "auth", "recommendation", "inventory", "catalog", "review", "image", "ledger", "gateway"}

// seed100k stores 100,000 incidents opened a second apart over 20 services
// and 50 hosts, every fifth resolved a minute after it opened, 1,000 records
// per transaction.
func seed100k(b *testing.B, st store.Store) {
	const total, batch = 100_000, 1000
	start := time.Now()
	ups := make([]incident.Update, 0, batch+batch/5)
	for i := 0; i < total; i += batch {
		ups = ups[:0]
		for n := i; n < i+batch; n++ {
			u := varied(n)
			u.Incident.Services = []string{benchServices[n%len(benchServices)]}
			u.Incident.Hosts = []string{fmt.Sprintf("host-%02d", n%50)}
			ups = append(ups, u)
			if n%5 == 0 {
				ups = append(ups, resolvedRecord(u, u.Incident.OpenedAt.Add(time.Minute)))
			}
		}
		if _, err := st.Apply(context.Background(), ups...); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d incidents in %v", total, time.Since(start).Round(time.Millisecond))
}

// BenchmarkListAPI100k measures the list route through the HTTP handler
// (query parsing, store, JSON encoding) with 100,000 incidents stored.
// Besides ns/op it reports the p50 and p99 of the individual requests (each
// timed, sorted, nearest rank).
func BenchmarkListAPI100k(b *testing.B) {
	for _, be := range []struct {
		name string
		open func(*testing.B) store.Store
	}{{"sqlite", openSQLiteBench}, {"postgres", openPostgresBench}} {
		b.Run(be.name, func(b *testing.B) {
			st := be.open(b)
			seed100k(b, st)
			h := NewHandler(st, Options{})
			deep := cursorAfterPages(b, h, 100)
			t0 := storetest.T0
			cases := []struct{ name, query string }{
				{"first-page", ""},
				{"deep-page", "cursor=" + url.QueryEscape(deep)},
				{"status=open,acknowledged", "status=open,acknowledged"},
				{"min_severity=error", "min_severity=error"},
				{"service", "service=payments"},
				{"host+status", "host=host-10&status=resolved"},
				{"time-range", "from=" + t0.Add(10*time.Hour).Format(time.RFC3339) + "&to=" + t0.Add(11*time.Hour).Format(time.RFC3339)},
				{"text", "q=checkout+latency"},
				{"page-1000", "limit=1000"},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					target := "/api/v1/incidents?" + c.query
					var lat []time.Duration
					b.ReportAllocs()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, target, http.NoBody)
						rec := httptest.NewRecorder()
						start := time.Now()
						h.ServeHTTP(rec, req)
						lat = append(lat, time.Since(start))
						if rec.Code != http.StatusOK || rec.Body.Len() < 100 {
							b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
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

// cursorAfterPages follows the list route's cursor through n pages of 50.
func cursorAfterPages(b *testing.B, h http.Handler, n int) string {
	next := ""
	for range n {
		target := "/api/v1/incidents"
		if next != "" {
			target += "?cursor=" + url.QueryEscape(next)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, http.NoBody))
		var page pageJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Next == "" {
			b.Fatalf("page: %v %s", err, rec.Body)
		}
		next = page.Next
	}
	return next
}
