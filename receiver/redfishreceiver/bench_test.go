// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
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
//
// The sequential baseline is measured in the same run on a sample of
// REDFISH_BENCH_SEQ BMCs (default 20, about 5 minutes at 200 ms): each BMC
// is scraped on its own, one request at a time (concurrency 1,
// max_concurrent_requests 1), first cycle then steady cycle, one BMC after
// the other. A sequential scrape of the fleet is by definition the sum of
// its per-BMC scrape times, so it is extrapolated as n × (mean per-BMC
// time); the simulated BMCs are identical, so the per-BMC spread (min,
// median, max, standard deviation, reported below) only measures the noise
// of the machine, and the 95 % interval n × (mean ± 1.96·sd/√k) bounds the
// extrapolation error. Running it on 1000 BMCs would take about 4 hours.
//
//	go test -run XXX -bench FleetCycle -benchtime 1x ./receiver/redfishreceiver/
func BenchmarkFleetCycle(b *testing.B) {
	n := envInt("REDFISH_BENCH_BMCS", 1000)
	seqN := min(envInt("REDFISH_BENCH_SEQ", 20), n)
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
		var reqs int64
		for _, s := range sims {
			reqs += s.Requests()
		}

		seqFirst, seqSteady := sequentialSample(b, url, seqN)
		sf, ss := summarize(seqFirst, n), summarize(seqSteady, n)
		b.Logf("sequential sample of %d BMCs, per BMC: first %s; steady %s", seqN, sf, ss)
		r := func(d time.Duration) time.Duration { return d.Round(time.Second) }
		b.Logf("sequential fleet of %d extrapolated: first %s (95%% %s..%s), steady %s (95%% %s..%s)",
			n, r(sf.total), r(sf.lo), r(sf.hi), r(ss.total), r(ss.lo), r(ss.hi))

		b.ReportMetric(first.Seconds(), "first_cycle_s")
		b.ReportMetric(steady.Seconds(), "steady_cycle_s")
		b.ReportMetric(sf.total.Seconds(), "seq_first_cycle_s")
		b.ReportMetric(ss.total.Seconds(), "seq_steady_cycle_s")
		b.ReportMetric(float64(seqN), "seq_sample_bmcs")
		b.ReportMetric(ss.sd.Seconds()/ss.mean.Seconds(), "seq_steady_cv")
		b.ReportMetric(ss.total.Seconds()/steady.Seconds(), "speedup_x")
		b.ReportMetric(float64(p.heap.Load())/(1<<20), "peak_heap_MiB")
		b.ReportMetric(float64(p.goroutines.Load()), "peak_goroutines")
		b.ReportMetric(float64(base), "idle_goroutines")
		if sims != nil {
			b.ReportMetric(float64(reqs)/float64(2*n), "requests_per_bmc_cycle")
		}
	}
}

// sequentialSample scrapes k BMCs one after another, one request at a time,
// each exactly as the fleet does (a first cycle with discovery, then a
// steady cycle), and returns the per-BMC durations of both cycles.
func sequentialSample(b *testing.B, url string, k int) (first, steady []time.Duration) {
	ctx := context.Background()
	for i := range k {
		cfg := createDefaultConfig().(*Config)
		cfg.Expand = os.Getenv("REDFISH_BENCH_EXPAND") == "1"
		cfg.Concurrency, cfg.MaxConcurrentRequests = 1, 1
		cfg.BMCs = []BMCConfig{bmcCfg(fmt.Sprintf("seq-%04d", i), fmt.Sprintf("%s/bmc/%d", url, i))}
		f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
		require.NoError(b, f.start(ctx, componenttest.NewNopHost()))
		for _, dst := range []*[]time.Duration{&first, &steady} {
			t0 := time.Now()
			_, err := f.scrapeMetrics(ctx)
			*dst = append(*dst, time.Since(t0))
			require.NoError(b, err)
		}
		require.NoError(b, f.shutdown(ctx))
	}
	return first, steady
}

// spread is the distribution of per-BMC sequential scrape times and the
// fleet total extrapolated from it.
type spread struct {
	minimum, median, maximum, mean, sd time.Duration
	total, lo, hi                      time.Duration // n × mean and its 95 % interval
}

func summarize(d []time.Duration, n int) spread {
	s := slices.Clone(d)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += float64(v)
	}
	mean := sum / float64(len(s))
	var sq float64
	for _, v := range s {
		sq += (float64(v) - mean) * (float64(v) - mean)
	}
	sd := 0.0
	if len(s) > 1 {
		sd = math.Sqrt(sq / float64(len(s)-1))
	}
	half := 1.96 * sd / math.Sqrt(float64(len(s))) * float64(n)
	return spread{minimum: s[0], median: s[len(s)/2], maximum: s[len(s)-1],
		mean: time.Duration(mean), sd: time.Duration(sd),
		total: time.Duration(mean * float64(n)), lo: time.Duration(mean*float64(n) - half), hi: time.Duration(mean*float64(n) + half)}
}

func (s spread) String() string {
	r := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("min %s median %s max %s mean %s sd %s", r(s.minimum), r(s.median), r(s.maximum), r(s.mean), r(s.sd))
}
