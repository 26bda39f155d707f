// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
)

// BenchmarkScrapePerCgroup is the userspace side of one scrape at the
// default cap: 256 cgroups (a cgroup tree walk included) on 8 CPUs with
// per_cpu, i.e. 4096 histogram points and 4096 counter points.
func BenchmarkScrapePerCgroup(b *testing.B) {
	root := b.TempDir()
	snap := loader.Snapshot{
		RunQueueLatency: map[loader.SeriesKey]loader.Histogram{},
		OffCPU:          map[loader.SeriesKey]loader.Histogram{},
		Switches:        map[loader.SeriesKey]loader.Switches{},
	}
	for i := range 256 {
		dir := filepath.Join(root, "kubepods", fmt.Sprintf("pod%08x-0000-0000-0000-000000000000", i), fmt.Sprintf("%064x", i))
		require.NoError(b, os.MkdirAll(dir, 0o755))
		id := inode(b, dir)
		for cpu := range uint32(8) {
			k := loader.SeriesKey{Cgroup: id, CPU: cpu}
			snap.RunQueueLatency[k] = record(1000, 20_000, 3_000_000)
			snap.OffCPU[k] = record(1_000_000, 50_000_000)
			snap.Switches[k] = loader.Switches{Voluntary: 10, Involuntary: 2}
		}
	}
	cfg := createDefaultConfig().(*Config)
	cfg.PerCPU, cfg.PerCgroup, cfg.CgroupRoot = true, true, root
	s := newTestScraper(b, cfg)
	s.open = func(loader.Options) (probe, error) { return &fakeProbe{snaps: []loader.Snapshot{snap}}, nil }
	require.NoError(b, s.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(b, s.shutdown(context.Background())) }()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.scrape(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
