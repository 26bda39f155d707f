// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

// fleetServer serves n simulated BMCs from one listener: BMC i lives under
// /bmc/i (gofish prefixes every absolute Redfish link with the endpoint, so
// a path prefix behaves like a separate host). Each BMC has its own client
// and connection pool, as with real BMCs.
func fleetServer(tb testing.TB, n int, latency time.Duration) (*httptest.Server, []*simulator.Server) {
	sims := make([]*simulator.Server, n)
	for i := range sims {
		spec := simulator.DefaultSpec()
		spec.HostName = fmt.Sprintf("node-%04d", i)
		sims[i] = simulator.New(simulator.NewTree(spec))
		sims[i].Latency = latency
		sims[i].MaxSessions = 8
		sims[i].Expand = true // honoured only when the receiver asks (REDFISH_BENCH_EXPAND=1)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/bmc/")
		idx, tail, _ := strings.Cut(rest, "/")
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= n {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + tail
		sims[i].ServeHTTP(w, r2)
	}))
	ts.Config.MaxHeaderBytes = 1 << 16
	ts.Start()
	tb.Cleanup(func() {
		for _, s := range sims {
			s.Close()
		}
		ts.Close()
	})
	return ts, sims
}

func fleetConfig(url string, n int) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Expand = os.Getenv("REDFISH_BENCH_EXPAND") == "1"
	for i := range n {
		cfg.BMCs = append(cfg.BMCs, bmcCfg(fmt.Sprintf("bmc-%04d", i), fmt.Sprintf("%s/bmc/%d", url, i)))
	}
	return cfg
}

type peaks struct {
	stop       chan struct{}
	wg         sync.WaitGroup
	goroutines atomic.Int64
	heap       atomic.Uint64
}

func samplePeaks() *peaks {
	p := &peaks{stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			if g := int64(runtime.NumGoroutine()); g > p.goroutines.Load() {
				p.goroutines.Store(g)
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.heap.Load() {
				p.heap.Store(ms.HeapInuse)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peaks) done() { close(p.stop); p.wg.Wait() }

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkFleetCycle scrapes REDFISH_BENCH_BMCS (default 1000) simulated
// BMCs answering every request after 200 ms with the default settings: the
// first cycle (inventory discovery + readings) and a steady-state cycle.
// REDFISH_BENCH_EXPAND=1 turns on expand (collections read with $expand).
// The sequential baseline (one BMC at a time, one request at a time) is
// measured in the same run on REDFISH_BENCH_SEQ (default 10) BMCs and
// scaled linearly (a sequential scrape is linear in the fleet size by
// construction; running it on 1000 BMCs would take hours).
//
//	go test -run XXX -bench FleetCycle -benchtime 1x ./receiver/redfishreceiver/
func BenchmarkFleetCycle(b *testing.B) {
	n := envInt("REDFISH_BENCH_BMCS", 1000)
	seqN := min(envInt("REDFISH_BENCH_SEQ", 10), n)
	latency := time.Duration(envInt("REDFISH_BENCH_LATENCY_MS", 200)) * time.Millisecond
	// REDFISH_BENCH_URL points at an external redfishsim -n N (BMC i at
	// /bmc/i), so that the figures below are the receiver's alone.
	url := os.Getenv("REDFISH_BENCH_URL")
	var sims []*simulator.Server
	if url == "" {
		var ts *httptest.Server
		ts, sims = fleetServer(b, n, latency)
		url = ts.URL
	}
	ctx := context.Background()

	for b.Loop() {
		cfg := fleetConfig(url, n)
		f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
		require.NoError(b, f.start(ctx, componenttest.NewNopHost()))
		base := runtime.NumGoroutine()
		p := samplePeaks()
		t0 := time.Now()
		md, err := f.scrapeMetrics(ctx)
		first := time.Since(t0)
		require.NoError(b, err)
		require.Equal(b, n, md.ResourceMetrics().Len())
		t0 = time.Now()
		md, err = f.scrapeMetrics(ctx)
		steady := time.Since(t0)
		require.NoError(b, err)
		require.Equal(b, n, md.ResourceMetrics().Len())
		p.done()
		b.Logf("fleet of %d: first cycle %s, steady cycle %s, peak goroutines %d, peak heap %.1f MiB",
			n, first, steady, p.goroutines.Load(), float64(p.heap.Load())/(1<<20))
		t0 = time.Now()
		require.NoError(b, f.shutdown(ctx))
		b.ReportMetric(time.Since(t0).Seconds(), "shutdown_s")
		for _, s := range sims {
			require.Equal(b, 0, s.OpenSessions())
		}

		seq := fleetConfig(url, seqN)
		seq.Concurrency, seq.MaxConcurrentRequests = 1, 1
		sf := newFleet(receivertest.NewNopSettings(metadata.Type), seq)
		require.NoError(b, sf.start(ctx, componenttest.NewNopHost()))
		t0 = time.Now()
		_, err = sf.scrapeMetrics(ctx)
		seqFirst := time.Since(t0) * time.Duration(n) / time.Duration(seqN)
		require.NoError(b, err)
		t0 = time.Now()
		_, err = sf.scrapeMetrics(ctx)
		seqSteady := time.Since(t0) * time.Duration(n) / time.Duration(seqN)
		require.NoError(b, err)
		require.NoError(b, sf.shutdown(ctx))

		b.ReportMetric(first.Seconds(), "first_cycle_s")
		b.ReportMetric(steady.Seconds(), "steady_cycle_s")
		b.ReportMetric(seqFirst.Seconds(), "seq_first_cycle_s")
		b.ReportMetric(seqSteady.Seconds(), "seq_steady_cycle_s")
		b.ReportMetric(seqSteady.Seconds()/steady.Seconds(), "speedup_x")
		b.ReportMetric(float64(p.heap.Load())/(1<<20), "peak_heap_MiB")
		b.ReportMetric(float64(p.goroutines.Load()), "peak_goroutines")
		b.ReportMetric(float64(base), "idle_goroutines")
		var reqs int64
		for _, s := range sims {
			reqs += s.Requests()
		}
		if sims != nil {
			b.ReportMetric(float64(reqs)/float64(2*n+2*seqN), "requests_per_bmc_cycle")
		}
		b.Logf("bmcs=%d latency=%s first=%s steady=%s seq(extrapolated from %d) first=%s steady=%s",
			n, latency, first, steady, seqN, seqFirst, seqSteady)
	}
}
